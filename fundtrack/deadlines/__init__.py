"""Deadlines of applications: submission, internal drafts, decisions and the reports owed."""

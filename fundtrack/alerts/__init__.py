"""Deadline alerts: reminders planned from rules, kept in an outbox, delivered once, never lost."""

"""Applications: from idea to decision to the reports owed after a grant."""

"""Projects and their budgets: the funding mosaic of one business idea or pilot."""

"""What the accounts domain asks of the domains above it."""

from fundtrack.events import signals

account_sections = signals.signal("account_sections")
account_sections.__doc__ = """Parts of the user's own account page from other domains (how reminders arrive): receivers get
the user and `forms` (a form sent back with errors) and return a Section."""

deactivated = signals.signal("deactivated")
deactivated.__doc__ = """A user is deactivated: receivers get the user, `actor` and `now`, and end what they gave the user."""

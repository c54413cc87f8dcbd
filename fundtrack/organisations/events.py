"""What the organisations domain announces, and asks of the domains above it."""

from fundtrack.events import signals

changed = signals.signal("organisation_changed")
changed.__doc__ = """An organisation was created or changed: `changes` is {field: [old, new]} (feeds match calls again
when its interests change). Sent inside the writing transaction."""

page_sections = signals.signal("organisation_page_sections")
page_sections.__doc__ = """Parts of an organisation's page from other domains (its applications, relationships, calls,
contacts): receivers get the organisation, `user` and `forms` (forms sent back with errors) and return a Section."""

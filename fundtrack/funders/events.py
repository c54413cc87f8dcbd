"""What the funders domain announces, and asks of the domains above it."""

from fundtrack.events import signals

changed = signals.signal("funder_changed")
changed.__doc__ = """A funder was created or changed: `changes` is {field: [old, new]} (relationships mind its cool-downs)."""

round_changed = signals.signal("round_changed")
round_changed.__doc__ = """A funder's round was created, changed or removed (`action`: create, update or delete)."""

page_sections = signals.signal("funder_page_sections")
page_sections.__doc__ = """Parts of a funder's page from other domains (applications, relationships, contacts): receivers
get the funder, `user` and `forms` (forms sent back with errors) and return a Section."""

"""What the deadlines domain announces."""

from fundtrack.events import signals

changed = signals.signal("deadline_changed")
changed.__doc__ = """A deadline was added, changed, completed, reopened or removed (`action`). Keywords: `actor`, `now`."""

page_sections = signals.signal("deadline_page_sections")
page_sections.__doc__ = """Parts of a deadline's page from other domains (the report's documents, its tasks): receivers get
the deadline, `user` and `forms` and return a Section."""

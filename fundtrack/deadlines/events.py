"""What the deadlines domain announces."""

from fundtrack.events import signals

changed = signals.signal("deadline_changed")
changed.__doc__ = """A deadline was added, changed, completed, reopened or removed (`action`). Keywords: `actor`, `now`."""

"""What the comments domain announces."""

from fundtrack.events import signals

mentioned = signals.signal("comment_mentioned")
mentioned.__doc__ = """A comment named users with @. Keywords: `users` (those who may read the record), `link` (the
comment's address inside fundtrack), `now`. The alerts domain tells each of them, in the app and by e-mail."""

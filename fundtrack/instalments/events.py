"""What the instalments domain announces.

Events are sent inside the writing transaction, so what a receiver writes is part of the same change.
"""

from fundtrack.events import signals

received = signals.signal("instalment_received")
received.__doc__ = """An instalment's receipt was recorded or corrected. Sender: the application. Keywords: `on` (the day the
money came, or today's local day when a receipt is taken back), `actor`, `now`. A fee on the money falls due by the
part received."""

"""What the applications domain announces, and the parts of its pages and lists it asks of the domains above.

Events are sent inside the writing transaction, so what a receiver writes is part of the same change.
"""

from fundtrack.events import signals

created = signals.signal("application_created")
created.__doc__ = """An application was created (by hand, from a round or a call, or by an import). Keywords: `actor`,
`now`, `submission` (a SubmissionDeadline or None). Relationships keep their pair; deadlines add the submission."""

changed = signals.signal("application_changed")
changed.__doc__ = """An application's fields changed. Keywords: `changes` ({field: [old, new]}), `actor`, `now`."""

moving = signals.signal("application_moving")
moving.__doc__ = """An application is about to move. Keywords: `to_stage`, `actor`, `override_reason`, `now`. A receiver
refuses by raising StageMoveRefused (the checklist gate, open reports before closing), or answers a Notice
whose params may carry `reason_code` and `reason` for the history (an override of the gate)."""

moved = signals.signal("application_moved")
moved.__doc__ = """An application moved. Keywords: `from_stage`, `to_stage`, `on` (the local day of the move or decision),
`actor`, `now`, and `reopened_since` (when a final stage is reopened: the moment it was reached, so that what
it settled at that moment is opened again). Deadlines are completed or added, a fee may fall due, the
relationship counts its gifts."""

money_received = signals.signal("application_money_received")
money_received.__doc__ = """The granted money arrived. Keywords: `on`, `actor`, `now`."""

reclaimed = signals.signal("application_reclaimed")
reclaimed.__doc__ = """The funder took money back. Keywords: `amount_ore`, `on`, `actor`, `now`. Receivers may answer a
Notice for the user (the fee reduced to match)."""

page_sections = signals.signal("application_page_sections")
page_sections.__doc__ = """Parts of an application's page from other domains (deadlines, fee, checklist): receivers get the
application, `user`, `today`, `forms` and return a Section."""

list_filters = signals.signal("application_list_filters")
list_filters.__doc__ = """Filters of the application list and board from other domains (deadline window, the overview's
drill-downs): receivers get `user`, `today` and `settings` and return a Filter."""

list_columns = signals.signal("application_list_columns")
list_columns.__doc__ = """Columns of the application list and details of board cards from other domains (the next
deadline, the checklist's score): receivers get `user` and `today` and return a Column."""

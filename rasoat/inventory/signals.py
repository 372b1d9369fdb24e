"""Signals of the inventory app.

`data_changed` is sent inside the transaction of every change to an assignment's appendix data, so
that apps further down the data flow (the assessment) can recompute without inventory importing them.
"""

from django.dispatch import Signal

data_changed = Signal()
"""Sent with `assignment=` after a unit's data changed (a row saved, deleted, copied, or replaced)."""

submitting = Signal()
"""Sent with `assignment=` (locked) inside the submit's transaction, after the data checks passed and
before the snapshot. Each receiver returns a list of messages naming what still stops the submission
(the signed report of the package, issue 13); an empty list when nothing does."""

submitted = Signal()
"""Sent with `assignment=` and `snapshot=` inside the submit's transaction, once the submission
snapshot is stored, so that apps further down the data flow link what went with it."""

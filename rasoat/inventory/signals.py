"""Signals of the inventory app.

`data_changed` is sent inside the transaction of every change to an assignment's appendix data, so
that apps further down the data flow (the assessment) can recompute without inventory importing them.
"""

from django.dispatch import Signal

data_changed = Signal()
"""Sent with `assignment=` after a unit's data changed (a row saved, deleted, copied, or replaced)."""

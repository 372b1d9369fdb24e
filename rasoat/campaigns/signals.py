"""Signals of the campaigns app, for apps further down the data flow."""

from django.dispatch import Signal

reference_date_changed = Signal()
"""Sent with `campaign=` inside the transaction that changed the campaign's reference date: what is
evaluated at that date (the assessment) must be evaluated again."""

holding_data = Signal()
"""Sent with `campaign=` and `assignments=` (a list, locked) inside the transaction that removes units
from a campaign, before anything is deleted. Each receiver returns {assignment id: reason} for those
that hold data of its app (rows of the appendix, uploaded workbooks); they are kept. The apps that
hold the data sit further down the data flow, so the campaigns app asks instead of importing them."""

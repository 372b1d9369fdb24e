"""Signals of the campaigns app, for apps further down the data flow."""

from django.dispatch import Signal

reference_date_changed = Signal()
"""Sent with `campaign=` inside the transaction that changed the campaign's reference date: what is
evaluated at that date (the assessment) must be evaluated again."""

"""Whether a campaign's rollups can answer for a set of assignments: when they are all of it."""

from __future__ import annotations

import weakref

from django.db.models import QuerySet

_whole: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
"""Per scoped queryset (one per request), whether it is its campaign's every assignment."""


def whole_campaign(assignments: QuerySet, campaign) -> bool:
    """Whether the scoped assignments are all of the campaign's: then the campaign's rollup answers
    for them. One query (no assignment of the campaign outside the scope), asked once per
    queryset, so the dashboard's figures cost one more query in all."""
    from rasoat.campaigns.models import Assignment

    known = _whole.setdefault(assignments, {})
    if campaign.pk not in known:
        outside = Assignment.objects.filter(campaign=campaign).exclude(
            pk__in=assignments.order_by().values("pk")
        )
        known[campaign.pk] = not outside.exists()
    return known[campaign.pk]

"""Loading what a request names through the scope layer, and the shared query parameters.

Out of scope → 404 (nothing confirms the object exists); in scope without the permission → 403.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from rasoat.api.problems import ApiProblem
from rasoat.campaigns.models import Assignment, Campaign
from rasoat.orgs.models import Block, Kind, Level, Unit


def user_of(request):
    return request.auth.user


def campaign_for(request, code: str) -> Campaign:
    """A campaign, for a user who may see campaigns at all (others get 404, as on the pages)."""
    user = user_of(request)
    if not user.has_any_perm("campaign:view"):
        raise Http404
    campaign = Campaign.objects.filter(code=code).first()
    if campaign is None:
        raise Http404
    return campaign


def assignment_for(request, code: str, unit_code: str, perm: str | None = None) -> Assignment:
    """The assignment of unit `unit_code` in campaign `code`, seen with "data:view"; `perm` → 403."""
    user = user_of(request)
    assignment = (
        Assignment.objects.visible_to(user, "data:view")
        .select_related("campaign", "unit", "unit__commune", "unit__parent")
        .filter(campaign__code=code, unit__code=unit_code)
        .first()
    )
    if assignment is None:
        raise Http404
    if perm is not None and not user.has_unit_perm(perm, assignment.unit):
        raise PermissionDenied
    return assignment


def unit_in_scope(request, unit_code: str, perm: str = "unit:view") -> Unit:
    unit = Unit.objects.visible_to(user_of(request), perm).filter(code=unit_code).first()
    if unit is None:
        raise Http404
    return unit


def filter_assignments(
    request,
    assignments: QuerySet[Assignment],
    *,
    level: str = "",
    block: str = "",
    commune: str = "",
    former_district: str = "",
    under: str = "",
    perm: str = "data:view",
) -> QuerySet[Assignment]:
    """The filters of the board and the dashboard: level, block, commune (code), former district,
    and a subtree (`under`, a unit code). A unit outside the scope is a 404; an unknown level or
    block a 422 that lists the values allowed."""
    problems = []
    if level and level not in Level.values:
        problems.append({"column": "level", "message": _("Unknown level: choose one of %(v)s.") % {
            "v": ", ".join(Level.values)}})  # fmt: skip
    if block and block not in Block.values:
        problems.append({"column": "block", "message": _("Unknown block: choose one of %(v)s.") % {
            "v": ", ".join(Block.values)}})  # fmt: skip
    if problems:
        raise ApiProblem("invalid-request", _("The request is not valid: see errors."), errors=problems)
    if level:
        assignments = assignments.filter(unit__level=level)
    if block:
        assignments = assignments.filter(unit__block=block)
    if commune:
        unit = unit_in_scope(request, commune, perm)
        if unit.kind != Kind.COMMUNE:
            raise Http404
        assignments = assignments.filter(unit__commune=unit)
    if former_district:
        assignments = assignments.filter(unit__former_district=former_district)
    if under:
        assignments = assignments.filter(unit__path__startswith=unit_in_scope(request, under, perm).path)
    return assignments


def page(queryset, page: int, page_size: int | None) -> dict[str, Any]:
    """One page of a list whose order is stable (the caller orders by a unique key last)."""
    limit = settings.API_PAGE_SIZE
    size = min(page_size or limit, limit)
    count = queryset.count()
    start = (page - 1) * size
    return {"count": count, "page": page, "page_size": size, "results": list(queryset[start : start + size])}

"""Browsing the audit log (administrators and reviewers, within their scope)."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from rasoat.audit.labels import action_label, present
from rasoat.audit.models import AuditEntry

PAGE_SIZE = 50


def _parse_date(raw: str) -> datetime.date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(raw.strip(), fmt).date()
        except ValueError:
            continue
    return None


@login_required
def audit_list(request):
    """The entries the user may audit, newest first, filtered by action, actor, unit and dates."""
    if not request.user.has_any_perm("audit:view"):
        raise Http404
    entries = AuditEntry.objects.visible_to(request.user).select_related("unit")
    filters = {key: request.GET.get(key, "").strip() for key in ("action", "actor", "unit", "since", "until")}
    if filters["action"]:
        entries = entries.filter(action__startswith=filters["action"])
    if filters["actor"]:
        entries = entries.filter(actor_name__icontains=filters["actor"])
    if filters["unit"]:
        entries = entries.filter(unit__code__istartswith=filters["unit"])
    since, until = _parse_date(filters["since"]), _parse_date(filters["until"])
    tz = timezone.get_current_timezone()
    if since:
        entries = entries.filter(at__gte=datetime.datetime.combine(since, datetime.time.min, tzinfo=tz))
    if until:
        entries = entries.filter(
            at__lt=datetime.datetime.combine(until, datetime.time.min, tzinfo=tz) + datetime.timedelta(days=1)
        )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # evaluated once, so the labels set below are the ones shown
    present(page.object_list)
    actions = (
        AuditEntry.objects.visible_to(request.user)
        .values_list("action", flat=True)
        .distinct()
        .order_by("action")
    )
    return render(
        request,
        "audit/audit_list.html",
        {
            "page": page,
            "filters": filters,
            "actions": [(code, action_label(code)) for code in actions],
        },
    )

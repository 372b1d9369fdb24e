"""Campaign operations: creating campaigns, the rules a campaign must satisfy, assigning units and
the scoped progress figures shown on the board.

The rules are functions here (not only form methods) so that the web form, a future API and an
import all enforce the same ones.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from rasoat.audit.services import log
from rasoat.campaigns.models import Assignment, Campaign, Snapshot, Status
from rasoat.campaigns.signals import holding_data, reference_date_changed
from rasoat.orgs.models import Kind, Unit

FIRST_CAMPAIGN = {
    "code": "RS2026",
    "title": "Rà soát, đánh giá thực trạng hạ tầng, nền tảng, phần mềm, trang thiết bị đầu cuối năm 2026",
    "legal_basis": "Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị",
    "deadline": datetime.date(2026, 5, 20),
    "reference_date": datetime.date(2026, 5, 20),
    "appendix_version": "2026.1",
    "contact_division": "Phòng Bưu chính, Viễn thông, Công nghệ thông tin – Sở Khoa học và Công nghệ",
    "contact_phone": "02313.798.798",
}

# The code is part of every campaign URL, so it is limited to characters that need no escaping.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")


# --- rules -----------------------------------------------------------------------------------------


def validate_code(code: str, exclude_pk: int | None = None) -> None:
    """Refuse a code that is not URL-safe or that another campaign already uses (ignoring case,
    so that "rs2026" and "RS2026" cannot both exist and be confused)."""
    if not CODE_PATTERN.match(code or ""):
        raise ValidationError(
            _("Use only letters without accents, digits, dashes (-) and underscores (_), no spaces."),
            code="invalid",
        )
    others = Campaign.objects.filter(code__iexact=code)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError(
            _("Another campaign already uses the code “%(code)s”.") % {"code": code}, code="unique"
        )


def validate_dates(opened_on: datetime.date | None, deadline: datetime.date | None) -> None:
    """The deadline may not come before the opening date."""
    if opened_on and deadline and deadline < opened_on:
        raise ValidationError(
            {
                "deadline": _("The deadline cannot be before the opening date (%(date)s).")
                % {"date": opened_on.strftime("%d/%m/%Y")}
            }
        )


def validate_previous(campaign: Campaign | None, previous: Campaign | None) -> None:
    """The previous campaign must be another campaign and must not lead back to this one."""
    if previous is None or campaign is None or campaign.pk is None:
        return
    seen: set[int] = set()
    current: Campaign | None = previous
    while current is not None and current.pk not in seen:
        if current.pk == campaign.pk:
            raise ValidationError(
                {"previous": _("A campaign cannot follow itself, directly or through other campaigns.")}
            )
        seen.add(current.pk)
        current = current.previous


# --- creating and assigning ------------------------------------------------------------------------


def assign_units(campaign: Campaign, units) -> int:
    """Assign units (a queryset or list) to a new campaign; already assigned ones are left alone.

    For a campaign in use, `add_units` is the operation: it locks and audits.
    """
    assigned = set(campaign.assignments.values_list("unit_id", flat=True))
    new = [Assignment(campaign=campaign, unit=unit) for unit in units if unit.pk not in assigned]
    Assignment.objects.bulk_create(new)
    return len(new)


def assignable_units(campaign: Campaign) -> QuerySet[Unit]:
    """Active reporting units that the campaign does not include yet."""
    return Unit.objects.reporting().exclude(assignments__campaign=campaign)


def _lock_campaign(campaign: Campaign) -> None:
    """Serialise the changes of one campaign's units: two administrators adding the same unit, or
    removing while adding, wait for each other instead of failing on the unique constraint."""
    Campaign.objects.select_for_update().only("pk").get(pk=campaign.pk)


def add_units(campaign: Campaign, units, *, actor=None, address: str | None = None) -> list[Unit]:
    """Assign the given units, keeping only active reporting ones not yet assigned; returns those added.

    Audited (with the unit codes) in the same transaction.
    """
    ids = [unit.pk for unit in units]
    with transaction.atomic():
        _lock_campaign(campaign)
        added = list(assignable_units(campaign).filter(pk__in=ids).order_by("position", "code"))
        Assignment.objects.bulk_create([Assignment(campaign=campaign, unit=unit) for unit in added])
        if added:
            log(actor, "campaign.units_added", campaign, {"units": [None, _codes(added)]}, address=address)
    return added


@dataclass(frozen=True)
class Kept:
    """A unit that `remove_units` kept in the campaign, with the reasons (user-facing text)."""

    unit: Unit
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Removal:
    """What `remove_units` did: the units it removed, and those it kept with why."""

    removed: list[Unit]
    kept: list[Kept]


def _codes(units) -> list[str]:
    return [unit.code for unit in units]


def _reasons_to_keep(campaign: Campaign, assignments: list[Assignment]) -> dict[int, list[str]]:
    """Per assignment, why it must stay: its status, its snapshots, and what the apps holding a unit's
    data report through `holding_data` (rows of the appendix, uploaded workbooks)."""
    reasons: dict[int, list[str]] = {assignment.pk: [] for assignment in assignments}
    for assignment in assignments:
        if assignment.status != Status.NOT_STARTED:
            reasons[assignment.pk].append(
                _("its status is “%(status)s”") % {"status": assignment.get_status_display()}
            )
    with_snapshots = (
        Snapshot.objects.filter(assignment_id__in=reasons).order_by().values_list("assignment_id", flat=True)
    )
    for pk in set(with_snapshots):
        reasons[pk].append(_("it has saved snapshots of its data"))
    for _receiver, answer in holding_data.send(sender=Campaign, campaign=campaign, assignments=assignments):
        for pk, reason in (answer or {}).items():
            reasons[pk].append(str(reason))
    return reasons


def has_data(campaign: Campaign) -> bool:
    """Whether any unit of the campaign has data, snapshots or uploads (its version may not change)."""
    assignments = list(campaign.assignments.all())
    return any(_reasons_to_keep(campaign, assignments).values())


def remove_units(campaign: Campaign, units, *, actor=None, address: str | None = None) -> Removal:
    """Remove units from a campaign; a unit with any data, or whose work has started, is kept.

    The check and the delete happen under the same row locks as a save takes (the save path locks
    its assignment row, `inventory.services._lock`), in one transaction: a first save that starts
    before the delete is seen by the check and keeps the unit; one that starts after finds the
    assignment gone and saves nothing. So no save reported as successful is ever deleted. On SQLite
    the transaction is IMMEDIATE, which serialises the two the same way. Audited with the codes.
    """
    ids = [unit.pk for unit in units]
    with transaction.atomic():
        _lock_campaign(campaign)
        selected = list(
            Assignment.objects.select_for_update(of=("self",))
            .filter(campaign=campaign, unit_id__in=ids)
            .select_related("unit")
            .order_by("pk")
        )
        reasons = _reasons_to_keep(campaign, selected)
        removable = [assignment for assignment in selected if not reasons[assignment.pk]]
        # The status condition again in the delete itself: nothing that has started is ever deleted.
        Assignment.objects.filter(pk__in=[a.pk for a in removable], status=Status.NOT_STARTED).delete()
        removed = [assignment.unit for assignment in removable]
        if removed:
            log(
                actor, "campaign.units_removed", campaign, {"units": [_codes(removed), None]}, address=address
            )
    kept = [Kept(a.unit, tuple(reasons[a.pk])) for a in selected if reasons[a.pk]]
    return Removal(removed=removed, kept=kept)


@transaction.atomic
def create_campaign(assign_all: bool = True, **fields) -> Campaign:
    """Create a campaign and, by default, assign every active reporting unit."""
    campaign = Campaign.objects.create(**fields)
    if assign_all:
        assign_units(campaign, Unit.objects.reporting())
    return campaign


@transaction.atomic
def save_campaign_form(form, *, actor=None, address: str | None = None) -> Campaign:
    """Save an edited campaign, audit the changed fields, and announce a new reference date."""

    before_reference = form.initial.get("reference_date")
    campaign = form.save()
    changes = {
        name: [str(form.initial.get(name)), str(form.cleaned_data.get(name))] for name in form.changed_data
    }
    log(actor, "campaign.updated", campaign, changes, address=address)
    if before_reference != campaign.reference_date:
        reference_date_changed.send(sender=Campaign, campaign=campaign)
    return campaign


def ensure_first_campaign() -> Campaign | None:
    """Create RS2026 when there is no campaign at all; returns it when created."""
    if Campaign.objects.exists():
        return None
    return create_campaign(**FIRST_CAMPAIGN)


# --- progress (always scoped to what the user may see) ---------------------------------------------


def visible_assignments(user, campaign: Campaign) -> QuerySet[Assignment]:
    """The campaign's assignments whose unit `user` may see, with what a table row needs."""
    return (
        Assignment.objects.visible_to(user, "data:view")
        .filter(campaign=campaign)
        .select_related("campaign", "unit", "unit__commune")
    )


def visible_communes(user) -> QuerySet[Unit]:
    """Communes the user may see data of (for the board's filter and the commune page)."""
    return Unit.objects.visible_to(user, "data:view").filter(kind=Kind.COMMUNE).order_by("name")


def status_counts(assignments: QuerySet[Assignment]) -> dict[str, int]:
    """Number of assignments per status, every status present (zero when none), counted in SQL."""
    counts = dict.fromkeys(Status.values, 0)
    # order_by() drops the model's ordering, which would otherwise split the groups.
    for row in assignments.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def counts_by_campaign(user) -> dict[int, dict[str, int]]:
    """For every campaign, the number of the user's visible assignments per status (one query)."""
    result: dict[int, dict[str, int]] = {}
    rows = (
        Assignment.objects.visible_to(user, "data:view")
        .order_by()
        .values("campaign_id", "status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        result.setdefault(row["campaign_id"], dict.fromkeys(Status.values, 0))[row["status"]] = row["n"]
    return result


def days_left(campaign: Campaign, today: datetime.date | None = None) -> int:
    """Days from today to the deadline: positive before it, 0 on the day, negative after it."""
    return (campaign.deadline - (today or timezone.localdate())).days

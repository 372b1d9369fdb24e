"""Campaign operations: creating the first campaign and assigning units."""

import datetime

from django.db import transaction

from rasoat.campaigns.models import Assignment, Campaign
from rasoat.orgs.models import Unit

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


def assign_units(campaign: Campaign, units) -> int:
    """Assign units (a queryset or list) to a campaign; already assigned ones are left alone."""
    assigned = set(campaign.assignments.values_list("unit_id", flat=True))
    new = [Assignment(campaign=campaign, unit=unit) for unit in units if unit.pk not in assigned]
    Assignment.objects.bulk_create(new)
    return len(new)


def unassign_units(campaign: Campaign, units) -> int:
    """Remove units from a campaign; only those that have not started may be removed."""
    from rasoat.campaigns.models import Status

    deleted, _detail = campaign.assignments.filter(
        unit__in=units, status=Status.NOT_STARTED
    ).delete()
    return deleted


@transaction.atomic
def create_campaign(assign_all: bool = True, **fields) -> Campaign:
    """Create a campaign and, by default, assign every active reporting unit."""
    campaign = Campaign.objects.create(**fields)
    if assign_all:
        assign_units(campaign, Unit.objects.reporting())
    return campaign


def ensure_first_campaign() -> Campaign | None:
    """Create RS2026 when there is no campaign at all; returns it when created."""
    if Campaign.objects.exists():
        return None
    return create_campaign(**FIRST_CAMPAIGN)

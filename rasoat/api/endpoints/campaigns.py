"""Campaigns, their assignments (status and dates, with the board's filters) and their data schema."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Query, Schema

from rasoat.api.access import campaign_for, filter_assignments, page, user_of
from rasoat.api.core import api
from rasoat.api.problems import responses
from rasoat.api.schemas import data_schema
from rasoat.appendix.declaration import get_appendix
from rasoat.campaigns.models import Assignment, Campaign, Status

MAX_PAGE = 1_000_000


class CampaignOut(Schema):
    code: str
    title: str
    legal_basis: str
    opened_on: date | None
    deadline: date
    reference_date: date
    appendix_version: str
    previous: str | None


class CampaignPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[CampaignOut]


class AssignmentOut(Schema):
    """A unit's report in a campaign: where it stands and when it was sent."""

    unit: str
    unit_name: str
    level: str
    block: str
    commune: str | None
    status: Status
    submitted_at: datetime | None
    updated_at: datetime
    late: bool | None


class AssignmentPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[AssignmentOut]


def campaign_out(campaign: Campaign) -> dict[str, Any]:
    return {
        "code": campaign.code,
        "title": campaign.title,
        "legal_basis": campaign.legal_basis,
        "opened_on": campaign.opened_on,
        "deadline": campaign.deadline,
        "reference_date": campaign.reference_date,
        "appendix_version": campaign.appendix_version,
        "previous": campaign.previous.code if campaign.previous_id else None,
    }


@api.get("/campaigns", response={200: CampaignPage, **responses(401, 422, 429)}, tags=["Đợt rà soát"])
def list_campaigns(
    request,
    page_number: int = Query(1, ge=1, le=MAX_PAGE, alias="page"),
    page_size: int | None = Query(None, ge=1, le=1000),
):
    """Every campaign, the latest deadline first."""
    campaigns = Campaign.objects.select_related("previous").order_by("-deadline", "-pk")
    if not user_of(request).has_any_perm("campaign:view"):
        campaigns = campaigns.none()
    result = page(campaigns, page_number, page_size)
    result["results"] = [campaign_out(c) for c in result["results"]]
    return result


@api.get("/campaigns/{code}", response={200: CampaignOut, **responses(401, 404, 429)}, tags=["Đợt rà soát"])
def get_campaign(request, code: str):
    return campaign_out(campaign_for(request, code))


@api.get(
    "/campaigns/{code}/schema",
    response={200: dict[str, Any], **responses(401, 404, 429)},
    tags=["Đợt rà soát"],
)
def campaign_schema(request, code: str):
    """The JSON Schema of a unit's data in this campaign, from its appendix version's declaration."""
    return data_schema(get_appendix(campaign_for(request, code).appendix_version))


@api.get(
    "/campaigns/{code}/assignments",
    response={200: AssignmentPage, **responses(401, 404, 422, 429)},
    tags=["Đợt rà soát"],
)
def list_assignments(
    request,
    code: str,
    status: Status | None = None,
    level: str = "",
    block: str = "",
    commune: str = Query("", description="Mã xã/phường."),
    former_district: str = "",
    under: str = Query("", description="Mã đơn vị: đơn vị đó và các đơn vị trực thuộc."),
    q: str = "",
    page_number: int = Query(1, ge=1, le=MAX_PAGE, alias="page"),
    page_size: int | None = Query(None, ge=1, le=1000),
):
    """The units assigned in the campaign that the token may see, with status and dates."""
    campaign = campaign_for(request, code)
    assignments = Assignment.objects.visible_to(user_of(request), "data:view").filter(campaign=campaign)
    assignments = filter_assignments(
        request, assignments, level=level, block=block, commune=commune,
        former_district=former_district, under=under,
    )  # fmt: skip
    if status:
        assignments = assignments.filter(status=status)
    if q:
        from rasoat.orgs.models import Unit

        assignments = assignments.filter(unit__in=Unit.objects.search(q))
    assignments = assignments.select_related("unit", "unit__commune", "campaign").order_by("unit__path", "pk")
    result = page(assignments, page_number, page_size)
    result["results"] = [
        {
            "unit": a.unit.code,
            "unit_name": a.unit.name,
            "level": a.unit.level,
            "block": a.unit.block,
            "commune": a.unit.commune.code if a.unit.commune_id else None,
            "status": a.status,
            "submitted_at": a.submitted_at,
            "updated_at": a.updated_at,
            "late": a.is_late,
        }
        for a in result["results"]
    ]
    return result

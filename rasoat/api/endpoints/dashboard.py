"""The dashboard's figures as JSON (the IOC dashboards pull them): the same computation as the page,
over the token's scope and the same filters."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from ninja import Query

from rasoat.api.access import campaign_for, filter_assignments, user_of
from rasoat.api.core import api
from rasoat.api.jsonable import plain
from rasoat.api.problems import responses
from rasoat.campaigns.models import Assignment
from rasoat.dashboard.views import PERM, compute


@api.get(
    "/campaigns/{code}/dashboard",
    response={200: dict[str, Any], **responses(401, 404, 422, 429)},
    tags=["Bảng điều khiển"],
)
def dashboard(
    request,
    code: str,
    level: str = "",
    block: str = "",
    commune: str = Query("", description="Mã xã/phường."),
    former_district: str = "",
):
    """Progress, timeliness, devices, software, bandwidth, assessment and indicators, as on the page."""
    from django.http import Http404

    if not user_of(request).has_any_perm(PERM):
        raise Http404
    campaign = campaign_for(request, code)
    assignments = Assignment.objects.visible_to(user_of(request), PERM).filter(campaign=campaign)
    assignments = filter_assignments(
        request, assignments, level=level, block=block, commune=commune,
        former_district=former_district, perm=PERM,
    )  # fmt: skip
    figures = compute(assignments, campaign, timezone.localdate())
    progress = figures["progress"]
    result = {
        "campaign": campaign.code,
        "filters": {
            k: v
            for k, v in {
                "level": level,
                "block": block,
                "commune": commune,
                "former_district": former_district,
            }.items()
            if v
        },  # fmt: skip
        "progress": {**plain(progress), "days_left": progress.days_left},
        "late": [
            {"unit": a.unit.code, "name": a.unit.name, "status": a.status, "submitted_at": a.submitted_at}
            for a in figures["late"]
        ],
        "late_total": figures["late_total"],
        "computer_support": {**plain(figures["support"]), "share": figures["support"].share},
        "bandwidth": {
            "internet": {**plain(figures["internet"]), "average": plain(figures["internet"].average)},
            "tslcd": {
                **plain(figures["tslcd_bandwidth"]),
                "average": plain(figures["tslcd_bandwidth"].average),
            },
        },
        "charts": plain(figures["charts"]),
    }
    if "assessment" in figures:
        found, (by_commune, by_block) = figures["assessment"]["findings"], figures["assessment"]["scores"]
        result["assessment"] = {
            "findings": plain(found.rows),
            "scores_by_commune": plain(by_commune.rows),
            "scores_by_block": plain(by_block.rows),
        }
        result["indicators"] = plain(figures.get("indicators"))
    return plain(result)

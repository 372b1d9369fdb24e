"""The assessment: one unit's scores, findings, needs and target indicators; the same aggregated by
commune, block, level or province over the token's scope (read from the summary tables, in SQL)."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Query

from rasoat.api.access import assignment_for, campaign_for, filter_assignments, user_of
from rasoat.api.core import api
from rasoat.api.jsonable import plain
from rasoat.api.problems import responses
from rasoat.assessment import indicators, services
from rasoat.assessment.models import Finding, Need, UnitScore
from rasoat.campaigns.models import Assignment

TAG = "Đánh giá"
SCORES = ("connectivity", "devices", "infrastructure", "software", "overall")


@api.get(
    "/campaigns/{code}/units/{unit}/assessment",
    response={200: dict[str, Any], **responses(401, 404, 429)},
    tags=[TAG],
)
def unit_assessment(request, code: str, unit: str):
    """The unit's scores (with their components), findings, estimated needs and target indicators."""
    assignment = assignment_for(request, code, unit, "data:view")
    score = UnitScore.objects.filter(assignment=assignment).first()
    if score is None or score.reference_date != assignment.campaign.reference_date:
        # As the page does: data entered before the assessment existed, or a new reference date.
        services.assess_assignment(assignment)
        score = UnitScore.objects.filter(assignment=assignment).first()
    findings = Finding.objects.filter(assignment=assignment).order_by("pk") if score else []
    needs = Need.objects.filter(assignment=assignment).order_by("pk") if score else []
    return plain(
        {
            "campaign": assignment.campaign.code,
            "unit": assignment.unit.code,
            "status": assignment.status,
            "scores": (
                {
                    **{name: getattr(score, name) for name in SCORES},
                    "components": score.details,
                    "reference_date": score.reference_date,
                }
                if score
                else None
            ),  # fmt: skip
            "findings": [
                {
                    "rule": f.rule,
                    "severity": f.severity,
                    "area": f.area,
                    "sheet": f.sheet or None,
                    "row": f.row,
                    "quantity": f.quantity,
                    "message": f.message,
                }
                for f in findings
            ],  # fmt: skip
            "needs": [
                {
                    "kind": n.kind,
                    "item": n.item,
                    "quantity": n.quantity,
                    "unit_price_mvnd": n.unit_price_mvnd,
                    "cost_mvnd": n.cost_mvnd,
                    "rule": n.rule,
                }
                for n in needs
            ],  # fmt: skip
            "indicators": indicators.unit_values(assignment) if score else [],
        }
    )


@api.get(
    "/campaigns/{code}/assessment",
    response={200: dict[str, Any], **responses(401, 403, 404, 422, 429)},
    tags=[TAG],
)
def aggregated_assessment(
    request,
    code: str,
    by: Literal["province", "level", "block", "commune"] = "province",
    level: str = "",
    block: str = "",
    commune: str = Query("", description="Mã xã/phường."),
    former_district: str = "",
    under: str = Query("", description="Mã đơn vị: đơn vị đó và các đơn vị trực thuộc."),
):
    """Average scores, finding counts, need totals and target indicators per group over the scope."""
    campaign = campaign_for(request, code)
    assignments = Assignment.objects.visible_to(user_of(request), "report:view").filter(campaign=campaign)
    assignments = filter_assignments(
        request, assignments, level=level, block=block, commune=commune,
        former_district=former_district, under=under, perm="report:view",
    )  # fmt: skip
    return plain(
        {
            "campaign": campaign.code,
            "by": by,
            "scores": services.score_averages(assignments, by),
            "findings": services.finding_counts(assignments, by),
            "needs": services.need_totals(assignments, by),
            "indicators": indicators.values(assignments, campaign, by),
        }
    )

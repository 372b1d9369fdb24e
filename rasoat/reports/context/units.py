"""The reports of a unit and of a commune (its four blocks and its one-stop point)."""

from __future__ import annotations

import datetime
from typing import Any

from rasoat.appendix.declaration import get_appendix
from rasoat.assessment.models import UnitScore
from rasoat.campaigns.models import Assignment, Campaign
from rasoat.inventory.models import GeneralInfo
from rasoat.orgs.models import Block, Kind, Unit
from rasoat.reports import figures, heading
from rasoat.reports.context.annex import added_statistics, unit_values
from rasoat.reports.context.common import (
    BASE_TITLE,
    SCORE_FIELDS,
    basis,
    clean,
    common,
    findings_summary,
    fmt,
    general_context,
    lower_first,
    paragraphs,
    scores_row,
    state_sections,
    unit_findings,
)
from rasoat.reports.heading import Signature


def unit_context(assignment: Assignment, today: datetime.date) -> dict[str, Any]:
    """One unit's report: its state, the assessment of it, its proposals and the estimate."""
    campaign, unit = assignment.campaign, assignment.unit
    only = Assignment.objects.filter(pk=assignment.pk)
    score = UnitScore.objects.filter(assignment=assignment).values(*SCORE_FIELDS).first()
    department = heading.department_name()
    return {
        **common(
            campaign,
            title=BASE_TITLE,
            head=heading.unit_heading(unit, today.year),
            signature=heading.unit_signature(unit),
        ),
        "recipients": [department],
        "copies": [f"{department} (để tổng hợp);", "Lưu: VT."],
        "basis": basis(campaign, requested=True),
        "unit": {
            "name": clean(unit.name),
            "code": unit.code,
            "block": unit.get_block_display() if unit.block else "",
            "level": unit.get_level_display() if unit.level else "",
        },
        "g": general_context(assignment),
        **state_sections(only, campaign),
        "scores": [scores_row(score)] if score else [],
        "findings": unit_findings(assignment),
        "added": unit_values(assignment, get_appendix(campaign.appendix_version)),
    }


def commune_issuer(commune: Unit) -> Unit | None:
    """The commune's People's Committee, which compiles the commune's report."""
    return (
        Unit.objects.filter(commune=commune, block=Block.COMMITTEE, kind=Kind.AGENCY, active=True)
        .select_related("parent", "commune")
        .order_by("position", "code")
        .first()
    )


def commune_context(campaign: Campaign, commune: Unit, today: datetime.date) -> dict[str, Any]:
    """A commune's report over its assigned units (the four blocks and the one-stop point)."""
    assignments = Assignment.objects.filter(campaign=campaign, unit__commune=commune)
    issuer = commune_issuer(commune)
    place = lower_first(clean(commune.name))
    if issuer is not None:
        head = heading.unit_heading(issuer, today.year)
        issuer_name = clean(issuer.name)
    else:
        issuer_name = f"Ủy ban nhân dân {place}"
        head = heading.Heading(
            party=False,
            superior="",
            issuer=heading.heading_lines(heading.upper(issuer_name)),
            number="Số:      /BC-UBND",
            place_date=heading.date_line(heading.place_name(commune.name), today.year),
        )
    units = figures.unit_summaries(assignments)
    scores = {
        row["assignment_id"]: row
        for row in UnitScore.objects.filter(assignment__in=assignments).values("assignment_id", *SCORE_FIELDS)
    }
    texts = {
        row["assignment_id"]: row
        for row in GeneralInfo.objects.filter(assignment__in=assignments).values(
            "assignment_id", "overall_assessment", "difficulties"
        )
    }
    department = heading.department_name()
    return {
        **common(
            campaign,
            title=f"{BASE_TITLE} của các cơ quan, đơn vị trên địa bàn {place}",
            head=head,
            signature=Signature("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
        ),
        "recipients": [department],
        "copies": [f"{department} (để tổng hợp);", "Các cơ quan, đơn vị trên địa bàn;", "Lưu: VT."],
        "basis": basis(campaign, requested=True),
        "issuer_name": issuer_name,
        "commune": {"name": place, "code": commune.code},
        "units": [
            {
                "name": clean(u["name"]),
                "status": u["status"],
                "staff_total": fmt(u["staff_total"]),
                "it_staff": fmt(u["it_staff"]),
                "computers": fmt(u["computers"]),
                "internet": fmt(u["internet_mbps"]),
                "tslcd": "Có" if u["tslcd"] else "Chưa",
            }
            for u in units
        ],
        **state_sections(assignments, campaign),
        "scores": [
            scores_row(scores[u["assignment_id"]], name=clean(u["name"]))
            for u in units
            if u["assignment_id"] in scores
        ],
        "findings": {"summary": findings_summary(assignments)},
        "added": added_statistics(assignments, get_appendix(campaign.appendix_version)),
        "unit_texts": [
            {
                "name": clean(u["name"]),
                "overall_assessment": paragraphs(texts.get(u["assignment_id"], {}).get("overall_assessment")),
                "difficulties": paragraphs(texts.get(u["assignment_id"], {}).get("difficulties")),
            }
            for u in units
        ],
    }

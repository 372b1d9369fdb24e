"""The department's documents: the province report for the Steering Committee, the reminder to the
units that have not sent their report, and the request that opens a campaign."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from rasoat.appendix.declaration import get_appendix
from rasoat.assessment import indicators
from rasoat.assessment.models import Finding, UnitScore
from rasoat.campaigns.models import Assignment, Campaign, Status
from rasoat.orgs.models import Block, Level, Unit
from rasoat.orgs.text import fold
from rasoat.reports import figures, heading
from rasoat.reports.context.annex import added_statistics
from rasoat.reports.context.common import (
    BASE_TITLE,
    SCORE_FIELDS,
    STEERING_COMMITTEE,
    SUBJECT,
    TOP_FINDINGS,
    basis,
    clean,
    common,
    computers_context,
    date_text,
    devices_context,
    findings_summary,
    fmt,
    infra_context,
    lower_first,
    needs_context,
    percent,
    score_text,
    scores_row,
)
from rasoat.reports.heading import Signature


def late_cutoff(campaign: Campaign) -> datetime.datetime:
    """The first moment after the deadline day, local time (as `Assignment.is_late` counts)."""
    start = datetime.datetime.combine(campaign.deadline + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(start)


def progress_context(assignments: QuerySet[Assignment], campaign: Campaign) -> dict[str, Any]:
    """Units assigned, per status, received (submitted or accepted), on time and late (one query)."""
    late = {"submitted_at__gte": late_cutoff(campaign)}
    rows = {
        row["status"]: row
        for row in assignments.order_by()
        .values("status")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(**late)))
    }
    count = {status: rows.get(status, {}).get("n", 0) for status in Status.values}
    assigned = sum(count.values())
    received = sum(count[s] for s in figures.RECEIVED)
    late_count = sum(rows.get(s, {}).get("late", 0) for s in figures.RECEIVED)
    return {
        "assigned": fmt(assigned),
        "received": fmt(received),
        "accepted": fmt(count[Status.ACCEPTED]),
        "pending": fmt(assigned - received),
        "percent": percent(received, assigned),
        "on_time": fmt(received - late_count),
        "late": fmt(late_count),
        "by_status": [{"label": str(label), "count": fmt(count[value])} for value, label in Status.choices],
        "numbers": {"assigned": assigned, "received": received, "late": late_count},
    }


def _group_label(level: str | None, block: str | None) -> str:
    levels, blocks = dict(Level.choices), dict(Block.choices)
    return (
        " – ".join(part for part in (levels.get(level or "", ""), blocks.get(block or "", "")) if part)
        or "Khác"
    )


def _state_row(label: str, values: dict[str, Any], score) -> dict[str, str]:
    return {
        "label": label,
        **{
            key: fmt(values.get(key, 0))
            for key in ("assigned", "received", "computers", "unsupported", "broken", "infra", "software")
        },
        "score": score_text(score),
    }


def _state_total(groups: dict, score) -> dict[str, str]:
    keys = ("assigned", "received", "computers", "unsupported", "broken", "infra", "software")
    return _state_row("", {key: sum(g[key] for g in groups.values()) for key in keys}, score)


def province_state(assignments, received, unsupported) -> dict[str, Any]:
    """The state by level and block, and by commune, with the average overall score of each."""
    scores = UnitScore.objects.filter(assignment__in=received).order_by()
    overall = scores.aggregate(avg=Avg("overall"))["avg"]
    order_level = {value: index for index, value in enumerate(Level.values)}
    order_block = {value: index for index, value in enumerate(Block.values)}

    groups = figures.grouped_state(assignments, received, ("level", "block"), unsupported)
    group_scores = {
        (row["assignment__unit__level"], row["assignment__unit__block"]): row["avg"]
        for row in scores.values("assignment__unit__level", "assignment__unit__block").annotate(
            avg=Avg("overall")
        )
    }
    keys = sorted(groups, key=lambda k: (order_level.get(k[0], 9), order_block.get(k[1], 9)))
    by_group = {
        "rows": [_state_row(_group_label(*key), groups[key], group_scores.get(key)) for key in keys],
        "total": _state_total(groups, overall),
    }

    communes = figures.grouped_state(
        assignments.filter(unit__commune__isnull=False), received, ("commune_id",), unsupported
    )
    commune_scores = dict(
        scores.values("assignment__unit__commune_id")
        .annotate(avg=Avg("overall"))
        .values_list("assignment__unit__commune_id", "avg")
    )
    names = dict(
        Unit.objects.filter(pk__in=[key[0] for key in communes]).order_by().values_list("pk", "name")
    )
    ids = sorted(
        (key[0] for key in communes if key[0] in names), key=lambda pk: fold(heading.place_name(names[pk]))
    )
    commune_total_score = scores.filter(assignment__unit__commune__isnull=False).aggregate(
        avg=Avg("overall")
    )["avg"]
    by_commune = {
        "rows": [_state_row(clean(names[pk]), communes[(pk,)], commune_scores.get(pk)) for pk in ids],
        "total": _state_total(communes, commune_total_score),
    }
    return {"by_group": by_group, "by_commune": by_commune}


def province_scores(received: QuerySet[Assignment]) -> list[dict[str, str]]:
    """Average scores per level and block, then for the province."""
    scores = UnitScore.objects.filter(assignment__in=received).order_by()
    averages = {name: Avg(name) for name in SCORE_FIELDS}
    rows = list(scores.values("assignment__unit__level", "assignment__unit__block").annotate(**averages))
    order_level = {value: index for index, value in enumerate(Level.values)}
    order_block = {value: index for index, value in enumerate(Block.values)}
    rows.sort(
        key=lambda r: (
            order_level.get(r["assignment__unit__level"], 9),
            order_block.get(r["assignment__unit__block"], 9),
        )
    )
    result = [
        scores_row(row, label=_group_label(row["assignment__unit__level"], row["assignment__unit__block"]))
        for row in rows
    ]
    if rows:
        result.append(scores_row(scores.aggregate(**averages), label="Toàn tỉnh"))
    return result


def indicators_rows(assignments: QuerySet[Assignment], campaign: Campaign) -> list[dict[str, str]]:
    """The target indicators over the province (campaigns on 2026.2; [] otherwise), with the gap."""
    rows = []
    for value in indicators.values(assignments, campaign, "province"):
        rows.append(
            {
                "code": value.code,
                "title": value.title,
                "numerator": fmt(value.numerator),
                "denominator": fmt(value.denominator),
                "ratio": score_text(value.ratio),
                "target": fmt(value.target, 1),
                "gap": "Đạt" if value.reached else score_text(value.gap),
                "left_out": fmt(value.left_out),
            }
        )
    return rows


def province_context(campaign: Campaign, today: datetime.date) -> dict[str, Any]:
    """The province report for the Steering Committee, over the reports received."""
    appendix = get_appendix(campaign.appendix_version)
    assignments = Assignment.objects.filter(campaign=campaign)
    received = assignments.filter(status__in=figures.RECEIVED)
    state = computers_context(received, campaign, appendix)
    links, link_totals = figures.links_by_type(received, appendix)
    software, software_totals = figures.software_by_category(received, appendix)
    proposals, proposal_totals = figures.proposals_by_area(received, appendix)
    summary = findings_summary(received)
    without_tslcd = Finding.objects.filter(assignment__in=received, rule="N-TSLCD").aggregate(
        n=Count("assignment", distinct=True)
    )["n"]
    province_label = heading.province_name()
    return {
        **common(
            campaign,
            title=f"{BASE_TITLE} của các cơ quan trong hệ thống chính trị {lower_first(province_label)}",
            head=heading.department_heading(today.year),
            signature=Signature("", "GIÁM ĐỐC"),
        ),
        "recipients": [STEERING_COMMITTEE],
        "copies": ["Như trên;", "UBND tỉnh (để báo cáo);", "Lãnh đạo Sở;", "Lưu: VT, BCVT."],
        "basis": basis(campaign, requested=False),
        "symbol": heading.symbol(heading.department_name()),
        "progress": progress_context(assignments, campaign),
        **province_state(assignments, received, state["unsupported_labels"]),
        "computers": state,
        "internet": fmt(figures.internet_bandwidth(received)),
        "without_tslcd": fmt(without_tslcd),
        "scores": province_scores(received),
        "findings": {"summary": summary, "top": summary[:TOP_FINDINGS]},
        "indicators": indicators_rows(assignments, campaign),
        "needs": needs_context(received),
        "proposals": {
            "rows": [
                {
                    "area": clean(row["area"]),
                    "kind": clean(row["kind"]),
                    "count": fmt(row["count"]),
                    "quantity": fmt(row["quantity"]),
                    "budget": fmt(row["budget"]),
                }
                for row in proposals
            ],
            "total_count": fmt(proposal_totals["count"]),
            "total_quantity": fmt(proposal_totals["quantity"]),
            "total_budget": fmt(proposal_totals["budget"]),
        },
        "annex": {sheet.code: sheet.title for sheet in appendix.repeating_sheets},
        "links": {
            "rows": [
                {
                    "link_type": clean(r["link_type"]),
                    **{k: fmt(r[k]) for k in ("units", "lines", "mbps", "inadequate")},
                }
                for r in links
            ],
            "total": {k: fmt(v) for k, v in link_totals.items()},
        },
        "infra": infra_context(received, appendix),
        "software": {
            "rows": [
                {
                    "category": clean(r["category"]),
                    **{k: fmt(r[k]) for k in ("count", "effective", "partial", "unused", "cost")},
                }
                for r in software
            ],
            "total": {k: fmt(v) for k, v in software_totals.items()},
        },
        "devices": devices_context(received, appendix),
        "added": added_statistics(received, appendix),
    }


def reminder_context(campaign: Campaign, today: datetime.date) -> dict[str, Any]:
    """The reminder to the units that have not sent their report (not submitted, or returned)."""
    assignments = Assignment.objects.filter(campaign=campaign)
    pending = figures.pending_units(assignments)
    days_left = (campaign.deadline - today).days
    summary = f"V/v đôn đốc gửi báo cáo kết quả {SUBJECT}"
    if 0 < len(pending) <= 3:
        recipients = [clean(row["name"]) for row in pending]
    else:
        recipients = ["Các cơ quan, đơn vị có tên tại danh sách kèm theo"] if pending else []
    return {
        **common(
            campaign,
            title=summary,
            head=heading.department_heading(today.year, kind="CV", summary=summary),
            signature=Signature("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"),
        ),
        "recipients": recipients,
        "copies": ["Như trên;", "Lãnh đạo Sở;", "Lưu: VT, BCVT."],
        "basis": basis(campaign, requested=False),
        "symbol": heading.number_line(
            heading.department(), heading.province_name(), kind="CV", party=False
        ).split("/", 1)[1],
        "pending": [{key: clean(value) for key, value in row.items()} for row in pending],
        "assigned": fmt(assignments.count()),
        "today": date_text(today),
        "days_left": fmt(max(days_left, 0)),
        "days_past": fmt(max(-days_left, 0)),
        "overdue": days_left < 0,
    }


def request_context(campaign: Campaign, today: datetime.date) -> dict[str, Any]:
    """The dispatch that opens a campaign: who, what (the sheets of the appendix), by when, whom to call."""
    appendix = get_appendix(campaign.appendix_version)
    scope = Assignment.objects.filter(campaign=campaign).aggregate(
        assigned=Count("pk"),
        province=Count("pk", filter=Q(unit__level=Level.PROVINCE)),
        commune=Count("pk", filter=Q(unit__level=Level.COMMUNE)),
        communes=Count("unit__commune", distinct=True),
    )
    summary = f"V/v {SUBJECT}"
    return {
        **common(
            campaign,
            title=summary,
            head=heading.department_heading(today.year, kind="CV", summary=summary),
            signature=Signature("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"),
        ),
        "recipients": ["Các sở, ban, ngành, cơ quan, đơn vị cấp tỉnh", "Ủy ban nhân dân các xã, phường"],
        "copies": [
            "Như trên;",
            "UBND tỉnh (để báo cáo);",
            f"{STEERING_COMMITTEE} (để báo cáo);",
            "Lãnh đạo Sở;",
            "Lưu: VT, BCVT.",
        ],
        "scope": {key: fmt(value) for key, value in scope.items()},
        "sheets": [{"code": sheet.code, "title": sheet.title} for sheet in appendix],
    }

"""The target indicators of ASSESSMENT.md ("Target indicators", chỉ tiêu) for campaigns on 2026.2.

Each indicator is a ratio. Per unit, the assessment stores its numerator and denominator
(`IndicatorCount`, written by `services` with the findings, from the same data and findings); over
any set of units — a commune, a block, a level, the province — the ratio is Σ numerators / Σ
denominators, summed in SQL over the units that have submitted or had their report accepted. A unit
whose denominator is 0 is left out of that indicator and counted as such.

Per unit:
- CT-MT, CT-CKS, CT-KNS: B01's staff with a computer / signature / training over `staff_total`.
  A unit that left the line empty (or has no staff total) did not measure it: denominator 0, so it
  is left out rather than counted as none.
- CT-TSLCD: 1/1 for a unit that must join the special-purpose network and has a TSLCD line (no
  N-TSLCD finding), 0/1 when it has none, 0/0 for a unit that need not join.
- CT-MOTCUA: the same with P-ONESTOP, over the units it applies to (one-stop points and units with a
  one-stop desk).
- CT-HDH: Σ quantity of B05 computers without D-OS / Σ quantity of B05 computers.
- CT-VB: 1/1 without S-NO-DOC, 0/1 with it.

Which campaigns have them: a version whose B01 declares the staff lines the targets are measured
by (2026.2 and the versions copied from it); of the seven, those whose columns the version declares.
2026.1 campaigns have none, so their assessment reads exactly as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, IntegerField, Q, QuerySet, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from rasoat.appendix.spec import Appendix, ColumnType, UnknownAppendixVersion
from rasoat.assessment import rules

RECEIVED = ("submitted", "accepted")
"""Statuses whose data the indicators count (campaigns.models.Status values)."""


@dataclass(frozen=True)
class Indicator:
    """One indicator: its code, its Vietnamese name (ASSESSMENT.md) and the columns it reads."""

    code: str
    title: str
    needs: tuple[tuple[str, str], ...]
    staff_key: str = ""

    @property
    def target_field(self) -> str:
        """The AssessmentConfig field holding its target (percent)."""
        return "target_" + self.code.removeprefix("CT-").lower()


STAFF = ("B01", "staff_total")
COMPUTERS = (("B05", "device_type"), ("B05", "quantity"), ("B05", "os"))

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "CT-MT",
        "Tỷ lệ cán bộ, công chức, viên chức được trang bị máy tính",
        (STAFF, ("B01", "staff_with_computer")),
        "staff_with_computer",
    ),
    Indicator(
        "CT-CKS",
        "Tỷ lệ cán bộ, công chức, viên chức có chữ ký số cá nhân",
        (STAFF, ("B01", "staff_with_signature")),
        "staff_with_signature",
    ),
    Indicator(
        "CT-KNS",
        "Tỷ lệ cán bộ, công chức, viên chức được đào tạo kỹ năng số",
        (STAFF, ("B01", "staff_digital_trained")),
        "staff_digital_trained",
    ),
    Indicator("CT-TSLCD", "Tỷ lệ đơn vị đã kết nối mạng TSLCD", (("B02", "link_type"),)),
    Indicator(
        "CT-MOTCUA",
        "Tỷ lệ bộ phận một cửa có đủ thiết bị tối thiểu",
        (("B01", "has_one_stop"), ("B05", "device_type"), ("B05", "at_one_stop"), ("B05", "condition")),
    ),
    Indicator("CT-HDH", "Tỷ lệ máy tính dùng hệ điều hành còn được hỗ trợ", COMPUTERS),
    Indicator(
        "CT-VB", "Tỷ lệ đơn vị sử dụng hệ thống quản lý văn bản", (("B04", "category"), ("B04", "usage"))
    ),
)
BY_CODE = {indicator.code: indicator for indicator in INDICATORS}
STAFF_KEYS = tuple(indicator.staff_key for indicator in INDICATORS if indicator.staff_key)
DEFAULT_TARGET = Decimal(100)


def _declares(appendix: Appendix, sheet: str, key: str) -> bool:
    if not (appendix.has_sheet(sheet) and appendix.sheet(sheet).has_column(key)):
        return False
    # The staff lines are summed as whole numbers by the database: a version declaring one of
    # those keys with another type (contract.py refuses it, this keeps the SQL safe anyway) has none.
    return key not in STAFF_KEYS or appendix.sheet(sheet).column(key).type == ColumnType.INT


def for_appendix(appendix: Appendix) -> tuple[Indicator, ...]:
    """The indicators of a version (none unless its B01 has at least one of the staff lines)."""
    if not any(_declares(appendix, "B01", key) for key in STAFF_KEYS):
        return ()
    return tuple(i for i in INDICATORS if all(_declares(appendix, *need) for need in i.needs))


def for_campaign(campaign) -> tuple[Indicator, ...]:
    from rasoat.appendix.declaration import get_appendix

    try:
        return for_appendix(get_appendix(campaign.appendix_version))
    except UnknownAppendixVersion:
        return ()


# --- per unit ---------------------------------------------------------------------------------------


def staff_values(campaign, indicators: Iterable[Indicator], **filters: Any) -> dict[int, dict[str, Any]]:
    """{assignment id: {staff key: value}} of the campaign's B01 records, read in one query.

    The staff lines are 2026.2's own columns, so they live in each record's `extra` JSON (wherever
    `inventory.storage` says): the value is taken out and cast to a number by the database.
    """
    from rasoat.appendix.declaration import get_appendix
    from rasoat.inventory import storage
    from rasoat.inventory.models import GeneralInfo

    keys = [i.staff_key for i in indicators if i.staff_key]
    if not keys:
        return {}
    sheet = get_appendix(campaign.appendix_version).sheet("B01")
    selected = {}
    for key in keys:
        if storage.is_typed("B01", sheet.column(key)):
            selected[key] = F(key)
        else:
            selected[key] = Cast(KeyTextTransform(key, "extra"), IntegerField())
    rows = (
        GeneralInfo.objects.filter(assignment__campaign=campaign, **filters)
        .order_by()
        .values_list("assignment_id", *selected.values())
    )
    return {row[0]: dict(zip(selected, row[1:], strict=True)) for row in rows}


def unit_counts(
    subject: rules.Subject,
    findings: Iterable[rules.Found],
    indicators: Iterable[Indicator],
    staff: Mapping[str, Any],
) -> list[tuple[str, int, int]]:
    """(code, numerator, denominator) of each indicator for one unit with data."""
    found: dict[str, int] = {}
    for finding in findings:
        found[finding.rule] = found.get(finding.rule, 0) + finding.quantity
    result = []
    for indicator in indicators:
        code = indicator.code
        if indicator.staff_key:
            total, value = subject.general.get("staff_total"), staff.get(indicator.staff_key)
            counted = total is not None and value is not None and int(total) > 0
            result.append((code, int(value) if counted else 0, int(total) if counted else 0))
        elif code == "CT-TSLCD":
            applies = rules.must_join_tslcd(subject.unit)
            result.append((code, int(applies and "N-TSLCD" not in found), int(applies)))
        elif code == "CT-MOTCUA":
            applies = rules.has_one_stop_desk(subject)
            result.append((code, int(applies and "P-ONESTOP" not in found), int(applies)))
        elif code == "CT-HDH":
            computers = sum(rules.quantity(row) for _index, row in rules.computers(subject))
            result.append((code, computers - found.get("D-OS", 0), computers))
        elif code == "CT-VB":
            result.append((code, int("S-NO-DOC" not in found), 1))
    return result


# --- over units -------------------------------------------------------------------------------------


@dataclass
class Value:
    """An indicator over a set of units: the ratio (percent), its target and how far from it."""

    code: str
    title: str
    numerator: int
    denominator: int
    units: int
    left_out: int
    target: Decimal
    group: Any = None
    label: str | None = None

    @property
    def ratio(self) -> Decimal | None:
        """Percent, to one decimal; None when no unit measured it."""
        if not self.denominator:
            return None
        return (Decimal(self.numerator) * 100 / Decimal(self.denominator)).quantize(Decimal("0.1"))

    @property
    def gap(self) -> Decimal | None:
        """Percentage points still missing to reach the target (0 once reached)."""
        if self.ratio is None:
            return None
        return max(self.target - self.ratio, Decimal(0)).quantize(Decimal("0.1"))

    @property
    def reached(self) -> bool:
        return self.gap is not None and self.gap == 0


def targets(campaign) -> dict[str, Decimal]:
    """The campaign's target of each indicator (percent; admin-editable, default 100)."""
    from rasoat.assessment.models import AssessmentConfig

    config = AssessmentConfig.objects.filter(campaign=campaign).first()
    return {
        i.code: (getattr(config, i.target_field) if config is not None else DEFAULT_TARGET)
        for i in INDICATORS
    }


def counts(assignments: QuerySet, by: str = "province") -> list[dict[str, Any]]:
    """Per group and indicator: Σ numerator and Σ denominator over the units measured, how many
    units were measured and how many were left out (denominator 0). One query, over the given
    assignments that have submitted or been accepted."""
    from rasoat.assessment.models import IndicatorCount
    from rasoat.assessment.services import _grouped

    measured = Q(denominator__gt=0)
    # Named apart from the columns: a filter on "denominator" must read the column, not the sum.
    annotations = {
        "sum_numerator": Sum("numerator", filter=measured),
        "sum_denominator": Sum("denominator", filter=measured),
        "units": Count("pk", filter=measured),
        "left_out": Count("pk", filter=~measured),
    }
    received = assignments.filter(status__in=RECEIVED)
    rows = _grouped(IndicatorCount.objects.filter(assignment__in=received), by, ("code",), annotations)
    for row in rows:
        row["numerator"], row["denominator"] = row.pop("sum_numerator"), row.pop("sum_denominator")
    return rows


def values(
    assignments: QuerySet,
    campaign,
    by: str = "province",
    *,
    indicators: tuple[Indicator, ...] | None = None,
    goal: Mapping[str, Decimal] | None = None,
) -> list[Value]:
    """The campaign's indicators per group (in the order of ASSESSMENT.md within a group); an
    indicator no unit of a group reported gets a row with nothing measured. `indicators` and `goal`
    save their queries to a caller that already has them."""
    indicators = for_campaign(campaign) if indicators is None else indicators
    if not indicators:
        return []
    goal = targets(campaign) if goal is None else goal
    rows = counts(assignments, by)
    groups: dict[Any, str | None] = {}
    found: dict[tuple[Any, str], dict] = {}
    for row in rows:
        groups.setdefault(row["group"], row["label"])
        found[row["group"], row["code"]] = row
    if by == "province" and not groups:
        groups[None] = None
    result = []
    for group, label in groups.items():
        for indicator in indicators:
            row = found.get((group, indicator.code), {})
            result.append(
                Value(
                    code=indicator.code,
                    title=indicator.title,
                    numerator=row.get("numerator") or 0,
                    denominator=row.get("denominator") or 0,
                    units=row.get("units") or 0,
                    left_out=row.get("left_out") or 0,
                    target=goal[indicator.code],
                    group=group,
                    label=label,
                )
            )
    return result


# --- what pages show --------------------------------------------------------------------------------

SCOPES = ("level", "block", "commune")
"""The groupings the dashboard and the province report show besides the whole scope."""


@dataclass
class Grouped:
    """The indicators of one grouping: a row per group, a cell (Value) per indicator."""

    by: str
    indicators: tuple[Indicator, ...]
    rows: list[dict[str, Any]]


def _labelled(by: str, group: Any, label: str | None) -> tuple[int, str] | None:
    """(sort key, label) of a group; None for units outside the grouping (provincial units have no
    commune)."""
    from rasoat.orgs.models import Block, Level

    if by in ("level", "block"):
        choices = Level if by == "level" else Block
        values = list(choices.values)
        return (values.index(group) if group in values else 99, dict(choices.choices).get(group, "—"))
    if group is None:
        return None
    return (0, label or str(group))


def grouped(assignments: QuerySet, campaign, by: str, *, indicators=None, goal=None) -> Grouped:
    """The campaign's indicators by level, block or commune (one query)."""
    indicators = for_campaign(campaign) if indicators is None else indicators
    goal = targets(campaign) if goal is None else goal
    rows: dict[Any, dict[str, Any]] = {}
    for value in values(assignments, campaign, by, indicators=indicators, goal=goal):
        labelled = _labelled(by, value.group, value.label)
        if labelled is None:
            continue
        row = rows.setdefault(value.group, {"group": value.group, "sort": labelled, "cells": []})
        row["label"] = labelled[1]
        row["cells"].append(value)
    ordered = sorted(rows.values(), key=lambda row: row["sort"])
    return Grouped(by, indicators, ordered)


def section(assignments: QuerySet, campaign) -> dict[str, Any] | None:
    """The "Chỉ tiêu" section of a page over these assignments: the whole scope, then by level,
    block and commune; None for a campaign without indicators."""
    indicators = for_campaign(campaign)
    if not indicators:
        return None
    goal = targets(campaign)
    return {
        "total": values(assignments, campaign, "province", indicators=indicators, goal=goal),
        "groups": [grouped(assignments, campaign, by, indicators=indicators, goal=goal) for by in SCOPES],
    }


def unit_values(assignment) -> list[Value]:
    """One unit's indicators as stored (whatever its status), with the campaign's targets; [] for a
    campaign without indicators or a unit without data."""
    from rasoat.assessment.models import IndicatorCount

    measured = for_campaign(assignment.campaign)
    if not measured:
        return []
    stored = {
        c.code: c
        for c in IndicatorCount.objects.filter(assignment=assignment, code__in=[i.code for i in measured])
    }
    if not stored:
        return []
    goal = targets(assignment.campaign)
    result = []
    for indicator in measured:
        count = stored.get(indicator.code)
        numerator, denominator = (count.numerator, count.denominator) if count else (0, 0)
        result.append(
            Value(
                code=indicator.code,
                title=indicator.title,
                numerator=numerator,
                denominator=denominator,
                units=int(denominator > 0),
                left_out=int(denominator == 0),
                target=goal[indicator.code],
            )
        )
    return result

"""Running the assessment and reading its results.

- `assess_assignment`: recompute one unit (after each change of its data, by the background job
  that rasoat.jobs queues on `inventory.signals.data_changed`).
- `assess_campaign`: recompute every unit of a campaign. Each sheet is read once, ordered by
  assignment, as a stream of tuples (`values_list().iterator()`); the streams advance together unit
  by unit, so memory holds one unit's rows at a time and the query count does not grow with the
  number of units. Results are written in batches of plain tuples (COPY on PostgreSQL, see
  `insert_rows`) after one delete per table, all in one transaction.
- `score_averages`, `finding_counts`, `need_totals`: aggregates in SQL by province, level, block,
  commune or former district over a queryset of assignments the caller scoped. Finding counts read
  the per-unit, per-rule summary `FindingCount` written with the findings.

- Campaigns on a version with the target indicators (2026.2) also store per unit the numerator and
  denominator of each (`IndicatorCount`, see indicators.py), from the same data and findings; the
  staff lines they read live in B01's `extra` and are read in one SQL query per campaign.

A unit with no data (no B01 value and no row in B02–B05) gets no findings, no needs and no score.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db import connection, transaction
from django.db.models import Avg, Count, QuerySet, Sum
from django.utils import timezone

from rasoat.assessment import indicators as indicators_module
from rasoat.assessment import needs as needs_module
from rasoat.assessment import rules, scores
from rasoat.assessment.models import (
    AssessmentConfig,
    Finding,
    FindingCount,
    IndicatorCount,
    Need,
    UnitScore,
    WindowsSupport,
)
from rasoat.campaigns.models import Assignment, Campaign
from rasoat.inventory.models import SHEET_MODELS

SHEET_FIELDS: dict[str, tuple[str, ...]] = {
    "B01": ("unit_code", "has_lan", "staff_total", "it_staff_fulltime", "it_staff_parttime", "has_one_stop"),
    "B02": ("link_type", "bandwidth_mbps", "quantity", "adequacy"),
    "B03": ("device_type", "quantity", "year_in_use", "condition"),
    "B04": ("scope", "category", "security_level", "usage", "annual_cost_mvnd"),
    "B05": (
        "device_type",
        "quantity",
        "year_acquired",
        "ram_gb",
        "disk_type",
        "os",
        "os_licensed",
        "antivirus",
        "at_one_stop",
        "condition",
    ),
}
"""The columns the rules read, per sheet (B06 is only shown beside the estimate, never assessed)."""

BATCH_SIZE = 5000
RESULT_MODELS = (Finding, FindingCount, Need, UnitScore, IndicatorCount)
"""What a recompute replaces."""


# --- configuration ----------------------------------------------------------------------------------


def config_for(campaign: Campaign) -> AssessmentConfig:
    """The campaign's settings, created with the defaults (and the default Windows table) on first use."""
    config = AssessmentConfig.objects.filter(campaign=campaign).first()
    if config is not None:
        return config
    with transaction.atomic():
        config, created = AssessmentConfig.objects.get_or_create(campaign=campaign)
        if created:
            WindowsSupport.objects.bulk_create(
                WindowsSupport(config=config, os=label, end_of_support=end)
                for label, end in rules.DEFAULT_WINDOWS_END.items()
            )
    return config


def rules_config(campaign: Campaign) -> rules.Config:
    return config_for(campaign).as_rules_config()


# --- one unit -----------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What the assessment found for one unit with data."""

    findings: list[rules.Found]
    scores: scores.Scores
    needs: list[needs_module.NeedItem]
    ids: dict[str, list[int]] = field(default_factory=dict)
    indicators: list[tuple[str, int, int]] = field(default_factory=list)
    """(code, numerator, denominator) of the campaign's target indicators (indicators.py)."""


def facts_of(unit) -> rules.UnitFacts:
    return rules.UnitFacts(code=unit.code, level=unit.level, block=unit.block, kind=unit.kind)


def evaluate(subject: rules.Subject) -> Outcome | None:
    """Findings, scores and needs of a unit; None when it has no data."""
    if not rules.has_data(subject.data):
        return None
    findings = rules.evaluate(subject)
    return Outcome(findings, scores.compute(subject, findings), needs_module.estimate(subject))


def _as_dict(keys: tuple[str, ...], values) -> dict[str, Any]:
    return dict(zip(keys, values, strict=True))


def read_unit(assignment_id: int) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """The columns the rules need of one unit, in the dump shape, and the stored ids of its rows."""
    data: dict[str, Any] = {}
    ids: dict[str, list[int]] = {}
    for code, keys in SHEET_FIELDS.items():
        model = SHEET_MODELS[code]
        rows = model.objects.filter(assignment_id=assignment_id).order_by(
            *(("position", "pk") if code != "B01" else ("pk",))
        )
        tuples = list(rows.values_list("pk", *keys))
        if code == "B01":
            data[code] = _as_dict(keys, tuples[0][1:]) if tuples else {}
        else:
            data[code] = [_as_dict(keys, t[1:]) for t in tuples]
            ids[code] = [t[0] for t in tuples]
    return data, ids


def assess_assignment(assignment: Assignment, config: rules.Config | None = None) -> Outcome | None:
    """Recompute and store one unit's findings, score and needs, replacing the old ones."""
    campaign = assignment.campaign
    config = config or rules_config(campaign)
    data, ids = read_unit(assignment.pk)
    subject = rules.Subject(data, facts_of(assignment.unit), config, campaign.reference_date)
    outcome = evaluate(subject)
    if outcome is not None:
        outcome.ids = ids
        measured = indicators_module.for_campaign(campaign)
        if measured:
            staff = indicators_module.staff_values(campaign, measured, assignment_id=assignment.pk)
            outcome.indicators = indicators_module.unit_counts(
                subject, outcome.findings, measured, staff.get(assignment.pk, {})
            )
    with transaction.atomic():
        for model in RESULT_MODELS:
            model.objects.filter(assignment_id=assignment.pk).delete()
        if outcome is not None:
            writer = _Writer(campaign)
            writer.add(assignment.pk, outcome)
            writer.flush()
    return outcome


# --- a whole campaign ---------------------------------------------------------------------------------


class _Stream:
    """One sheet's rows of a campaign grouped by assignment, consumed in ascending assignment order."""

    def __init__(self, groups: Iterator[tuple[int, list[tuple]]]):
        self._groups = groups
        self._head: tuple[int, list[tuple]] | None = next(groups, None)

    def take(self, assignment_id: int) -> list[tuple]:
        # Groups of assignments that are not in the list (none, since both sides come from the same
        # campaign) are skipped rather than trusted.
        while self._head is not None and self._head[0] < assignment_id:
            self._head = next(self._groups, None)
        if self._head is None or self._head[0] != assignment_id:
            return []
        rows = self._head[1]
        self._head = next(self._groups, None)
        return rows


def _campaign_stream(campaign: Campaign, code: str) -> _Stream:
    order = ("assignment_id", "position", "pk") if code != "B01" else ("assignment_id", "pk")
    rows = (
        SHEET_MODELS[code]
        .objects.filter(assignment__campaign=campaign)
        .order_by(*order)
        .values_list("assignment_id", "pk", *SHEET_FIELDS[code])
        .iterator(chunk_size=BATCH_SIZE)
    )
    return _Stream((key, list(group)) for key, group in groupby(rows, key=itemgetter(0)))


FINDING_COLUMNS = (
    "assignment",
    "rule",
    "severity",
    "area",
    "sheet",
    "row",
    "record_id",
    "quantity",
    "message",
)
COUNT_COLUMNS = ("assignment", "rule", "severity", "findings", "quantity")
INDICATOR_COLUMNS = ("assignment", "code", "numerator", "denominator")
NEED_COLUMNS = ("assignment", "kind", "item", "quantity", "unit_price_mvnd", "cost_mvnd", "rule")
SCORE_COLUMNS = (
    "assignment",
    "connectivity",
    "devices",
    "infrastructure",
    "software",
    "overall",
    "details",
    "reference_date",
    "computed_at",
)


def insert_rows(model, fields: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert plain tuples into a model's table: COPY on PostgreSQL, one prepared INSERT elsewhere.

    A national campaign stores about two million findings; building a model instance per finding
    for `bulk_create` took most of the time of a recompute (measured: ~0.3 ms per finding), so the
    values go to the database as tuples. The tuples must already hold database values (numbers,
    text, dates, JSON text).
    """
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ", ".join(qn(model._meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


class _Writer:
    """Collects results as tuples and writes them a batch at a time (see `insert_rows`)."""

    def __init__(self, campaign: Campaign):
        # Converted once as the ORM would (SQLite stores naive UTC text, PostgreSQL takes them as they are).
        self.reference_date = connection.ops.adapt_datefield_value(campaign.reference_date)
        self.now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.findings: list[tuple] = []
        self.counts: list[tuple] = []
        self.needs: list[tuple] = []
        self.scores: list[tuple] = []
        self.indicators: list[tuple] = []

    def add(self, assignment_id: int, outcome: Outcome) -> None:
        ids = outcome.ids
        for f in outcome.findings:
            row_ids = ids.get(f.sheet) if f.row else None
            record_id = row_ids[f.row - 1] if row_ids and f.row <= len(row_ids) else None
            self.findings.append(
                (assignment_id, f.rule, f.severity, f.area, f.sheet, f.row, record_id, f.quantity, f.message)
            )
        per_rule: dict[str, list] = {}
        for f in outcome.findings:
            total = per_rule.setdefault(f.rule, [f.severity, 0, 0])
            total[1] += 1
            total[2] += f.quantity
        self.counts.extend((assignment_id, rule, *total) for rule, total in per_rule.items())
        for n in outcome.needs:
            self.needs.append(
                (assignment_id, n.kind, n.item, n.quantity, n.unit_price_mvnd, n.cost_mvnd, n.rule)
            )
        self.indicators.extend((assignment_id, *counted) for counted in outcome.indicators)
        values = outcome.scores.as_dict()
        self.scores.append(
            (
                assignment_id,
                values["connectivity"],
                values["devices"],
                values["infrastructure"],
                values["software"],
                values["overall"],
                json.dumps(outcome.scores.details()),
                self.reference_date,
                self.now,
            )
        )
        if len(self.findings) >= BATCH_SIZE or len(self.needs) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        insert_rows(Finding, FINDING_COLUMNS, self.findings)
        insert_rows(FindingCount, COUNT_COLUMNS, self.counts)
        insert_rows(Need, NEED_COLUMNS, self.needs)
        insert_rows(UnitScore, SCORE_COLUMNS, self.scores)
        insert_rows(IndicatorCount, INDICATOR_COLUMNS, self.indicators)
        self.findings, self.counts, self.needs, self.scores, self.indicators = [], [], [], [], []


def assess_campaign(campaign: Campaign, progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute every unit of the campaign; returns how many units have data (and so a score).

    `progress(done, total)`, when given, is called after each unit (the background job reports it)."""
    config = rules_config(campaign)
    assessed = 0
    total = Assignment.objects.filter(campaign=campaign).count() if progress else 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Derived data, recomputable at any time: after a crash right after the commit, the
            # previous results (consistent, one transaction) would remain. Not waiting for the
            # flush of a few hundred megabytes of WAL saves seconds at national scale.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        # `assignment_id IN (subquery)` keeps the delete on one table (a join would make Django delete
        # by id through a self-join, much slower for millions of findings).
        assignments = Assignment.objects.filter(campaign=campaign).values("pk")
        for model in RESULT_MODELS:
            model.objects.filter(assignment_id__in=assignments).delete()
        units = (
            Assignment.objects.filter(campaign=campaign)
            .order_by("pk")
            .values_list("pk", "unit__code", "unit__level", "unit__block", "unit__kind")
        )
        streams = {code: _campaign_stream(campaign, code) for code in SHEET_FIELDS}
        measured = indicators_module.for_campaign(campaign)
        # One query for the whole campaign: a number or two per unit, fine in memory nationally.
        staff = indicators_module.staff_values(campaign, measured) if measured else {}
        writer = _Writer(campaign)
        for done, (pk, code, level, block, kind) in enumerate(units.iterator(chunk_size=BATCH_SIZE), 1):
            if progress:
                progress(done, total)
            data: dict[str, Any] = {}
            ids: dict[str, list[int]] = {}
            for sheet, keys in SHEET_FIELDS.items():
                rows = streams[sheet].take(pk)
                if sheet == "B01":
                    data[sheet] = _as_dict(keys, rows[0][2:]) if rows else {}
                else:
                    data[sheet] = [_as_dict(keys, row[2:]) for row in rows]
                    ids[sheet] = [row[1] for row in rows]
            facts = rules.UnitFacts(code=code, level=level, block=block, kind=kind)
            subject = rules.Subject(data, facts, config, campaign.reference_date)
            outcome = evaluate(subject)
            if outcome is None:
                continue
            outcome.ids = ids
            if measured:
                outcome.indicators = indicators_module.unit_counts(
                    subject, outcome.findings, measured, staff.get(pk, {})
                )
            writer.add(pk, outcome)
            assessed += 1
        writer.flush()
    return assessed


# --- aggregates ---------------------------------------------------------------------------------------

GROUPINGS: dict[str, tuple[str, ...]] = {
    "province": (),
    "level": ("assignment__unit__level",),
    "block": ("assignment__unit__block",),
    "commune": ("assignment__unit__commune_id", "assignment__unit__commune__name"),
    "former_district": ("assignment__unit__former_district",),
}
"""Group name → the unit columns it groups by (the first is the key, a second the label)."""

SCORE_FIELDS = ("connectivity", "devices", "infrastructure", "software", "overall")


def _grouped(queryset: QuerySet, by: str, extra: tuple[str, ...], annotations: dict) -> list[dict[str, Any]]:
    """Rows of {"group": key, "label": label, **extra, **annotations} for a grouping of GROUPINGS."""
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}")
    fields = GROUPINGS[by]
    if not fields and not extra:
        return [{"group": None, "label": None, **queryset.aggregate(**annotations)}]
    rows = queryset.values(*fields, *extra).annotate(**annotations).order_by(*fields, *extra)
    result = []
    for row in rows:
        key = row.pop(fields[0]) if fields else None
        label = row.pop(fields[1]) if len(fields) > 1 else key
        result.append({"group": key, "label": label, **row})
    return result


def score_averages(assignments: QuerySet, by: str = "province") -> list[dict[str, Any]]:
    """Average scores and the number of units scored, per group, over the given assignments."""
    annotations = {"units": Count("pk"), **{f"avg_{name}": Avg(name) for name in SCORE_FIELDS}}
    rows = _grouped(UnitScore.objects.filter(assignment__in=assignments), by, (), annotations)
    for row in rows:
        for name in SCORE_FIELDS:
            row[name] = row.pop(f"avg_{name}")
    return rows


def finding_counts(assignments: QuerySet, by: str = "province") -> list[dict[str, Any]]:
    """Per group and rule: the number of findings, the quantity they affect and the units concerned.

    Read from the per-unit summary (FindingCount), one row per unit and rule.
    """
    annotations = {"findings": Sum("findings"), "quantity": Sum("quantity"), "units": Count("pk")}
    return _grouped(FindingCount.objects.filter(assignment__in=assignments), by, ("rule",), annotations)


def need_totals(assignments: QuerySet, by: str = "province") -> list[dict[str, Any]]:
    """Per group, kind and item: the quantity and the cost of the estimated needs."""
    annotations = {"quantity": Sum("quantity"), "cost_mvnd": Sum("cost_mvnd")}
    return _grouped(Need.objects.filter(assignment__in=assignments), by, ("kind", "item"), annotations)

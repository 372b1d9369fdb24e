"""The counts of "Thống kê theo cột" kept with the data: per unit, the rows (and quantity) holding
each value of every choice or yes/no column of its appendix version, and their sum per campaign.

A unit's counts are replaced, like the other summaries, by one `INSERT … SELECT` per sheet of its
version, grouping per countable column as `inventory.summaries.direct_counts` does over the rows (the
same value expression: a typed column or `extra ->> key`), inside the transaction of the change. Its
campaign's rollup receives the difference (`rollups.apply_change`). The dashboard, its drill-down
totals and the reports' annexes then read a few summary rows per unit instead of the sheet's rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce

from rasoat.appendix.declaration import get_appendix
from rasoat.inventory import storage
from rasoat.inventory.summaries import Countable, LabelCount, countable_columns, quantity_field
from rasoat.summaries import rollups
from rasoat.summaries.coverage import whole_campaign
from rasoat.summaries.models import ColumnCount, ColumnRollup

COLUMNS_PER_STATEMENT = 100
"""Columns of one sheet counted by one statement (SQLite allows 500 terms in a compound SELECT)."""
FAMILY = rollups.Family("ColumnCount", "ColumnRollup", ("sheet", "column_key", "value"), ("rows", "quantity"))
"""The rollup of the counts, kept like the other families' (not among `rollups.FAMILIES`, which the
migration that filled those runs with models of its time)."""


def _grouped(countables: list[Countable], records: QuerySet) -> QuerySet:
    """The sheet's records grouped per unit and combination of the countable columns' values, with
    their rows and summed quantity: (assignment_id, v0, v1, …, counted_rows[, counted_quantity])."""
    totals = {"counted_rows": Count("pk")}
    quantity = countables[0].quantity()
    if quantity is not None:
        totals["counted_quantity"] = Coalesce(Sum(quantity), 0, output_field=quantity_field(countables[0]))
    values = {f"v{index}": countable.value() for index, countable in enumerate(countables)}
    return records.order_by().annotate(**values).values("assignment_id", *values).annotate(**totals)


def _insert_sheet(countables: list[Countable], records: QuerySet) -> None:
    """The counts of every countable column of one sheet in one statement: the records are grouped
    once by all the columns together (a few hundred groups for a unit's thousands of rows), then
    that grouping once per column — one pass over the sheet's rows instead of one per column."""
    sql, params = _grouped(countables, records).query.sql_with_params()
    quote = connection.ops.quote_name
    weighted = countables[0].weight is not None
    quantity = f"SUM({quote('counted_quantity')})" if weighted else "0"
    branches, constants = [], []
    for index, countable in enumerate(countables):
        value = quote(f"v{index}")
        branches.append(
            f"SELECT {quote('assignment_id')}, %s, %s, {value}, SUM({quote('counted_rows')}), {quantity} "
            f"FROM grouped GROUP BY {quote('assignment_id')}, {value}"
        )
        constants += [countable.sheet.code, countable.column.key]
    names = ("assignment_id", "sheet", "column_key", "value", "rows", "quantity")
    columns = ", ".join(quote(ColumnCount._meta.get_field(n).column) for n in names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH grouped AS ({sql}) INSERT INTO {quote(ColumnCount._meta.db_table)} ({columns}) "
            + " UNION ALL ".join(branches),
            (*params, *constants),
        )


def _records(sheet, assignments) -> QuerySet:
    """The sheet's records of `assignments` (ids, or a queryset of them)."""
    queryset = storage.model_for(sheet.code).objects.filter(assignment_id__in=assignments)
    if storage.is_custom(sheet.code):
        queryset = queryset.filter(sheet=sheet.code)
    return queryset


def _fill(pairs: Iterable[tuple[str, object]]) -> None:
    """Insert the counts of each (appendix version, its assignments), one statement per sheet."""
    for version, assignments in pairs:
        by_sheet: dict[str, list[Countable]] = defaultdict(list)
        for countable in countable_columns(get_appendix(version)):
            by_sheet[countable.sheet.code].append(countable)
        for countables in by_sheet.values():
            for start in range(0, len(countables), COLUMNS_PER_STATEMENT):
                part = countables[start : start + COLUMNS_PER_STATEMENT]
                _insert_sheet(part, _records(part[0].sheet, assignments))


def refresh(ids: list[int], versions: dict[int, str], campaigns: dict[int, int]) -> None:
    """Replace the counts of the assignments (each on its campaign's version) and add the
    difference to their campaigns' rollups. Runs inside the caller's transaction."""
    before = {pk: rollups.unit_groups(FAMILY, pk) for pk in ids}
    ColumnCount.objects.filter(assignment_id__in=ids).delete()
    by_version = defaultdict(list)
    for pk in ids:
        by_version[versions[pk]].append(pk)
    _fill(by_version.items())
    for pk in ids:
        rollups.apply_change(FAMILY, campaigns[pk], before[pk], rollups.unit_groups(FAMILY, pk))


def rebuild(assignments: QuerySet | None, campaign_ids: list[int]) -> None:
    """Recompute the counts of `assignments` (all when None) in one statement per sheet of each
    version, then the rollups of their campaigns."""
    from rasoat.campaigns.models import Assignment, Campaign

    scoped = Assignment.objects.all() if assignments is None else assignments.order_by()
    ColumnCount.objects.filter(assignment_id__in=scoped.values("pk")).delete()
    versions = Campaign.objects.filter(pk__in=campaign_ids).values_list("appendix_version", flat=True)
    _fill(
        (version, scoped.filter(campaign__appendix_version=version).values("pk"))
        for version in sorted(set(versions))
    )
    for campaign_id in campaign_ids:
        rollups.rebuild_campaign(campaign_id, families=(FAMILY,))


# --- reading ----------------------------------------------------------------------------------------


def _counted(countable: Countable, assignments: QuerySet, campaign) -> QuerySet:
    """The count rows of the column for the scoped assignments: the campaign's rollup when they are
    all of its assignments, else their per-unit counts."""
    if campaign is not None and whole_campaign(assignments, campaign):
        found = ColumnRollup.objects.filter(campaign=campaign)
    else:
        found = ColumnCount.objects.filter(assignment__in=assignments.order_by().values("pk"))
    return found.filter(sheet=countable.sheet.code, column_key=countable.column.key).order_by()


def _quantity(countable: Countable, value: Decimal | None) -> int | Decimal | None:
    """A summed quantity as the weight column's type holds it (None when the sheet has none)."""
    weight = countable.weight
    if weight is None:
        return None
    if value is None:
        value = Decimal(0)
    field = quantity_field(countable)
    if getattr(field, "decimal_places", None) is not None:
        return Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places))
    return int(value)


def counts(countable: Countable, assignments: QuerySet, campaign=None) -> list[LabelCount]:
    """Records per stored value of the column over the scoped assignments (any order): what
    `inventory.summaries.direct_counts` computes from the rows. Give the campaign when the
    assignments are of one campaign, so the whole campaign is answered by its rollup."""
    grouped = (
        _counted(countable, assignments, campaign)
        .values("value")
        .annotate(total_rows=Sum("rows"), total_quantity=Sum("quantity"))
    )
    return [
        LabelCount(row["value"], row["total_rows"], _quantity(countable, row["total_quantity"]))
        for row in grouped
        if row["total_rows"]
    ]


def totals(countable: Countable, assignments: QuerySet, campaign, label: str | None) -> dict:
    """{"rows", "quantity"} of the column's records holding `label` (None: empty) over the scoped
    assignments: the number a drill-down was opened from."""
    found = _counted(countable, assignments, campaign)
    found = found.filter(value__isnull=True) if label is None else found.filter(value=label)
    result = found.aggregate(n=Sum("rows"), q=Sum("quantity"))
    return {"rows": result["n"] or 0, "quantity": _quantity(countable, result["q"])}

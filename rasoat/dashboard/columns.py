"""The dashboard's "Thống kê theo cột": rows counted by any choice or yes/no column of any sheet of
the campaign's appendix version, weighted by the sheet's quantity where it has one.

The columns offered are derived from the version's declaration (its added columns and sheets
included); the counts are read from the per-unit counts kept with the data (`summaries.columns`;
the campaign's rollup when the scope is all of it) for the same scoped assignments as the rest of
the dashboard, and each label links to the rows behind it (drill-down
figure `drilldown.COLUMN`, which filters with the same expression).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from rasoat.appendix.declaration import Appendix, get_appendix
from rasoat.campaigns.models import Assignment, Campaign
from rasoat.dashboard.charts import NONE, NOT_STATED, Category, Chart, Series
from rasoat.inventory import summaries
from rasoat.summaries import columns as column_counts

PARAM = "column"
"""The GET parameter naming the counted column ("B05.os")."""
CHART_KEY = "column_counts"


def default(appendix: Appendix) -> summaries.Countable | None:
    """The column shown before one is chosen: the first of a sheet weighted by a quantity (devices,
    lines), else the first countable column of the version."""
    columns = summaries.countable_columns(appendix)
    weighted = [c for c in columns if c.weight is not None]
    return (weighted or columns or [None])[0]


def options(appendix: Appendix) -> list[dict]:
    """The choosable columns grouped by sheet, for the select box: [{sheet, title, columns}]."""
    groups: dict[str, dict] = {}
    for countable in summaries.countable_columns(appendix):
        sheet = countable.sheet
        group = groups.setdefault(sheet.code, {"sheet": sheet.code, "title": sheet.title, "columns": []})
        group["columns"].append({"ref": countable.ref, "header": countable.column.header})
    return list(groups.values())


@dataclass
class Line:
    """One label of the table: its records, their quantity, its share and the drill-down value."""

    label: str
    value: str | None
    rows: int
    quantity: int | Decimal | None
    share: float | None
    link: str | None = None


@dataclass
class ColumnCounts:
    """The counts of one column over the scoped assignments, as a table and as a chart."""

    countable: summaries.Countable
    lines: list[Line]
    total_rows: int
    total_quantity: int | Decimal | None
    chart: Chart
    unknown: bool = False
    """True when the requested column is not in the version (the default was shown instead)."""
    groups: list[dict] = field(default_factory=list)

    @property
    def weighted(self) -> bool:
        return self.countable.weight is not None

    @property
    def ref(self) -> str:
        return self.countable.ref


def compute(
    assignments: QuerySet[Assignment], campaign: Campaign, requested: str | None
) -> ColumnCounts | None:
    """The counts of the requested column (or the default one); None for a version with no countable
    column at all."""
    appendix = get_appendix(campaign.appendix_version)
    countable = summaries.find(appendix, requested) if requested else None
    unknown = bool(requested) and countable is None
    countable = countable or default(appendix)
    if countable is None:
        return None
    found = summaries.ordered(countable, column_counts.counts(countable, assignments, campaign))
    weighted = countable.weight is not None
    total_rows = sum(item.rows for item in found)
    total_quantity = sum(item.quantity or 0 for item in found) if weighted else None
    measure_total = total_quantity if weighted else total_rows
    lines = []
    for item in found:
        measure = item.quantity if weighted else item.rows
        known = item.label is None or item.label in countable.column.choices
        value = NONE if item.label is None else (item.label if known else None)
        lines.append(
            Line(
                label=str(NOT_STATED) if item.label is None else item.label,
                value=value,
                rows=item.rows,
                quantity=item.quantity,
                share=100 * float(measure) / float(measure_total) if measure_total else None,
            )
        )
    measure_label = _("Quantity") if weighted else _("Rows")
    chart = Chart(
        CHART_KEY,
        f"{countable.sheet.code} · {countable.column.header}",
        "bar",
        measure_label,
        [Category(line.value, line.label) for line in lines],
        [Series(None, measure_label, [line.quantity if weighted else line.rows for line in lines])],
    )
    return ColumnCounts(
        countable, lines, total_rows, total_quantity, chart, unknown=unknown, groups=options(appendix)
    )

"""The shape of the dashboard's charts: categories × series of numbers, drawn by dashboard.js and
given as a table under each chart, each number with the URL of its drill-down."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from rasoat.appendix import v2026_1 as appendix
from rasoat.campaigns.models import Status

NONE = "_none"
"""Drill-down value of an empty cell (e.g. no security level stated)."""
NOT_STATED = _("Not stated")

_GREEN, _YELLOW, _ORANGE, _RED, _GREY = "#198754", "#ffc107", "#fd7e14", "#dc3545", "#adb5bd"
COLOURS = {
    # Good news green, bad news red, "unknown" grey, whatever the language of the labels.
    **dict(zip(appendix.CONDITIONS, (_GREEN, _YELLOW, _RED), strict=True)),
    **{"on_time": _GREEN, "late": _ORANGE, "overdue": _RED, "pending": _GREY},
    **{"out": _RED, "in": _GREEN, "unknown": _GREY, "without": _RED, "with": _GREEN},
    # The status badges' colours (site.css).
    **{Status.NOT_STARTED: _GREY, Status.IN_PROGRESS: "#0dcaf0", Status.SUBMITTED: "#0d6efd"},
    **{Status.RETURNED: _ORANGE, Status.ACCEPTED: _GREEN},
}


# --- the shape of a chart --------------------------------------------------------------------------


@dataclass
class Category:
    """One bar or slice: the drill-down value (None when it cannot be drilled) and its label."""

    value: str | None
    label: str


@dataclass
class Series:
    """One dataset: its drill-down value for the second dimension (None when there is none)."""

    value: str | None
    label: str
    data: list[int | Decimal] = field(default_factory=list)


@dataclass
class Chart:
    """A figure drawn as a chart and given as a table: categories × series of numbers."""

    key: str
    title: str
    kind: str  # "bar", "stacked" or "doughnut"
    measure: str
    categories: list[Category]
    series: list[Series]
    second: str | None = None
    """The drill-down parameter of the series ("condition"), None for a single series."""
    links: list[list[str | None]] = field(default_factory=list)
    """Drill-down URL per series and category, filled by the view."""
    total_links: list[str | None] = field(default_factory=list)
    """Drill-down URL per category over all the series, filled by the view."""
    scale_max: int | None = None
    """The end of the value axis when it is fixed (scores: 100)."""

    @property
    def totals(self) -> list[int | Decimal]:
        return [sum(s.data[i] for s in self.series) for i in range(len(self.categories))]

    @property
    def total(self) -> int | Decimal:
        return sum(self.totals)

    def value_of(self, category: str, series: str | None = None) -> int | Decimal:
        """The number of one category (of one series, or summed over the series)."""
        index = [c.value for c in self.categories].index(category)
        return sum(s.data[index] for s in self.series if series is None or s.value == series)

    def table(self) -> list[dict]:
        """Rows of the table under the chart: the category, each series' number and link, the total."""
        rows = []
        for i, category in enumerate(self.categories):
            cells = [(s.data[i], self.links[j][i] if self.links else None) for j, s in enumerate(self.series)]
            total_link = self.total_links[i] if self.total_links else None
            rows.append(
                {"category": category, "cells": cells, "total": self.totals[i], "total_link": total_link}
            )
        return rows

    @property
    def height(self) -> int:
        """Pixels for the canvas: horizontal bars need room for each (long Vietnamese) label."""
        if self.kind == "doughnut":
            return 260
        return max(180, 34 * len(self.categories) + 70)

    @property
    def dom_id(self) -> str:
        return f"chart-data-{self.key}"

    def data(self) -> dict:
        """What dashboard.js needs to draw the chart (passed with json_script)."""
        return {
            "kind": self.kind,
            "title": str(self.title),
            "labels": [str(c.label) for c in self.categories],
            "datasets": [{"label": str(s.label), "data": [float(v) for v in s.data]} for s in self.series],
            "links": self.links,
            "max": self.scale_max,
            "colours": {
                "categories": [COLOURS.get(c.value or "") for c in self.categories],
                "series": [COLOURS.get(s.value or "") for s in self.series],
            },
        }


def categories_of(known, present, labels: dict | None = None) -> list[Category]:
    """The present values: known ones in declaration order, then unknown ones (not drillable), then
    the empty cells."""
    labels = labels or {}
    result = [Category(value, labels.get(value, value)) for value in known if value in present]
    extra = [v for v in present if v not in known and v is not None]
    result += [Category(None, v) for v in sorted(extra)]
    if None in present:
        result.append(Category(NONE, labels.get(NONE, NOT_STATED)))
    return result


def one_series(key, title, kind, measure, counts: dict, known) -> Chart:
    categories = categories_of(known, set(counts))
    data = [counts.get(None if c.value == NONE else (c.value or c.label), 0) for c in categories]
    return Chart(key, title, kind, measure, categories, [Series(None, measure, data)])

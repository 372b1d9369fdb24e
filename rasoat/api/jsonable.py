"""Turning the figures the pages compute (dataclasses, Decimals, lazy text) into plain JSON values."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise

from rasoat.assessment.indicators import Value
from rasoat.dashboard.charts import Chart

SKIPPED = frozenset({"links", "total_links", "chart"})
"""Drill-down URLs of the pages, and charts already given under `charts`."""


def number(value: Decimal | int | float | None) -> int | float | None:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def chart(figure: Chart) -> dict[str, Any]:
    """A chart as categories × series of numbers, with what each means."""
    return {
        "key": figure.key,
        "title": str(figure.title),
        "kind": figure.kind,
        "measure": str(figure.measure),
        "categories": [{"value": c.value, "label": str(c.label)} for c in figure.categories],
        "series": [
            {"value": s.value, "label": str(s.label), "data": [number(n) for n in s.data]}
            for s in figure.series
        ],
        "totals": [number(n) for n in figure.totals],
    }


def indicator(value: Value) -> dict[str, Any]:
    return {
        **{f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)},
        "ratio": number(value.ratio),
        "gap": number(value.gap),
        "reached": value.reached,
    }


def plain(value: Any) -> Any:
    """JSON for any figure: numbers as numbers, text as text, dataclasses as objects."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Chart):
        return chart(value)
    if isinstance(value, Value):
        return indicator(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name not in SKIPPED
        }
    if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
        return number(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items() if k not in SKIPPED}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    return value

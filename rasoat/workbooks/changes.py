"""What an import would change: each unit's rows read from a workbook against its current data.

Computed once, when the file is read (`uploads.receive`), and kept in `Upload.summary["changes"]`, so
the preview shows it without reading the file or the unit's tables again (a 10,000-row preview stays
a few queries). The comparison is `inventory.diff.diff_data`, the diff of the history's snapshots,
over the sheets of the campaign's appendix version; workbook rows carry no stored id, so rows are
matched by identical content and then by likeness (a row sharing most values is a changed row).

Per sheet the changes come first (changed, added, removed), then the unchanged rows, and at most
ROWS_SHOWN rows are kept; the counts always cover every row. Each unit's entry keeps the `data_marks`
of its data as it was compared: the preview recomputes them (a few queries, whatever the row count)
and says so when the unit's data changed since, as the changes shown are then out of date.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Count, Max

from rasoat.appendix.normalize import format_number
from rasoat.appendix.spec import ColumnType
from rasoat.inventory import storage
from rasoat.inventory.data import appendix_for, plain, unit_data_with_ids
from rasoat.inventory.diff import Change, diff_data
from rasoat.workbooks.reading.results import WorkbookImport

ROWS_SHOWN = 200
"""Rows kept (and shown) per sheet and unit; the counts say how many more there are."""

KINDS = ("changed", "added", "removed")


def text(column, value: Any) -> str | None:
    """A value as the preview shows it: None for empty, dates dd/mm/yyyy, numbers with a decimal comma."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if column is not None and column.type == ColumnType.DATE and isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return str(value)


def _plain_data(data: dict[str, Any]) -> dict[str, Any]:
    """The reader's normalised values in the dump shape of `inventory.data` (Decimals as numbers,
    dates as ISO text), so that an unchanged value compares equal to the stored one."""
    result: dict[str, Any] = {}
    for code, values in data.items():
        if isinstance(values, list):
            result[code] = [{k: plain(v) for k, v in row.items()} for row in values]
        elif isinstance(values, dict):
            result[code] = {k: plain(v) for k, v in values.items()}
        else:
            result[code] = values
    return result


def compare(result: WorkbookImport, assignments_by_code: dict) -> list[dict] | None:
    """Per unit of `result`, per sheet, the rows the import writes and what they change; None for a
    result with errors (nothing would be written). `assignments_by_code`: the units' assignments."""
    if result.errors:
        return None
    by_code = {code.casefold(): assignment for code, assignment in assignments_by_code.items()}
    marks = data_marks(list(by_code.values()))
    units = []
    for unit in result.units:
        assignment = by_code.get(unit.unit_code.casefold())
        if assignment is None:
            continue
        appendix = appendix_for(assignment)
        current, ids = unit_data_with_ids(assignment)
        new = _plain_data(unit.data)
        diffs = {d.code: d for d in diff_data(appendix, current, new, ids, None, pair_similar=True)}
        sheets = []
        for sheet in appendix:
            changes = diffs[sheet.code].changes if sheet.code in diffs else []
            if sheet.repeating:
                item = _table(sheet, new.get(sheet.code) or [], current.get(sheet.code) or [], changes)
            else:
                item = _fields(sheet, new.get(sheet.code) or {}, changes)
            if item is not None:
                sheets.append(item)
        units.append({"unit": unit.unit_code, "mark": marks.get(assignment.pk, ""), "sheets": sheets})
    return units


def data_marks(assignments: list) -> dict[int, str]:
    """Per assignment id, a mark of its stored data that differs once any row is added, removed or
    saved: per sheet, the count, highest id and latest save of its records. One query per sheet of
    the campaign's version, for any number of units and rows (the assignments share one campaign)."""
    if not assignments:
        return {}
    ids = [assignment.pk for assignment in assignments]
    parts: dict[int, list[str]] = defaultdict(list)
    for sheet in appendix_for(assignments[0]):
        stats = (
            storage.records(sheet, assignment_id__in=ids)
            .order_by()
            .values("assignment_id")
            .annotate(n=Count("pk"), top=Max("pk"), last=Max("updated_at"))
        )
        for row in stats:
            last = row["last"].isoformat() if row["last"] else ""
            parts[row["assignment_id"]].append(f"{sheet.code}:{row['n']}:{row['top']}:{last}")
    return {pk: hashlib.sha256("|".join(parts.get(pk, [])).encode()).hexdigest()[:20] for pk in ids}


def _fields(sheet, values: dict, changes: list[Change]) -> dict:
    """A label/value sheet: every line with its value, the changed ones with the current value."""
    changed = changes[0].fields if changes else {}
    fields = []
    for column in sheet.data_columns:
        field = {"header": column.header, "value": text(column, values.get(column.key))}
        if column.key in changed:
            field["old"] = text(column, changed[column.key][0])
        fields.append(field)
    return {
        "code": sheet.code,
        "title": sheet.title,
        "repeating": False,
        "fields": fields,
        "counts": {"changed": len(changed)},
    }


def _table(sheet, new: list[dict], old: list[dict], changes: list[Change]) -> dict | None:
    """A table: its changes first, then its unchanged rows, ROWS_SHOWN at most; None when it has no
    row before nor after the import."""
    if not new and not old:
        return None
    columns = sheet.data_columns
    ordered = sorted(changes, key=lambda c: (KINDS.index(c.kind), c.row or 0))
    touched = {c.row for c in changes if c.kind != "removed"}
    counts = {kind: sum(1 for c in changes if c.kind == kind) for kind in KINDS}
    counts["unchanged"] = len(new) - len(touched)
    rows = []
    for change in ordered[:ROWS_SHOWN]:
        if change.kind == "removed":
            cells = [{"value": text(c, change.values.get(c.key))} for c in columns]
        else:
            cells = []
            for column in columns:
                cell = {"value": text(column, change.values.get(column.key))}
                if change.kind == "changed" and column.key in change.fields:
                    cell["old"] = text(column, change.fields[column.key][0])
                cells.append(cell)
        rows.append({"kind": change.kind, "row": change.row, "cells": cells})
    for index, row in enumerate(new, start=1):
        if len(rows) >= ROWS_SHOWN:
            break
        if index not in touched:
            rows.append(
                {
                    "kind": "unchanged",
                    "row": index,
                    "cells": [{"value": text(c, row.get(c.key))} for c in columns],
                }
            )
    total = len(changes) + counts["unchanged"]
    return {
        "code": sheet.code,
        "title": sheet.title,
        "repeating": True,
        "headers": [column.header for column in columns],
        "rows": rows,
        "counts": counts,
        "written": len(new),
        "hidden": total - len(rows),
    }

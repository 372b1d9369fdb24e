"""The annexes of the version's own columns and sheets: what the fixed tables of the reports (built
on 2026.1's columns) cannot show.

A version may add columns to the six sheets and whole sheets; storage keeps those values in each
record's `extra` and in `CustomRow`. Which columns they are is derived from the declaration and
storage (`summaries.added_columns`), never listed here. The province and commune reports count
them over their units in SQL (rows per label of a choice or yes/no column, weighted by the sheet's
quantity, from the counts kept per unit in `summaries.columns`; filled rows, sum, smallest and
largest of a number from `inventory.summaries`); a unit's
report lists its own values. A 2026.1 campaign has none, and its reports are unchanged.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from rasoat.appendix.spec import Appendix, Column, ColumnType, Sheet
from rasoat.campaigns.models import Assignment
from rasoat.inventory import data, storage, summaries
from rasoat.reports.context.common import clean as _clean
from rasoat.reports.context.common import fmt as _fmt
from rasoat.summaries import columns as column_counts

TYPE_NAMES = {
    ColumnType.TEXT: "Văn bản",
    ColumnType.LONGTEXT: "Văn bản dài",
    ColumnType.INT: "Số nguyên",
    ColumnType.DEC: "Số thập phân",
    ColumnType.YEAR: "Năm",
    ColumnType.DATE: "Ngày",
    ColumnType.CHOICE: "Lựa chọn",
    ColumnType.YESNO: "Có/Không",
    ColumnType.EMAIL: "Thư điện tử",
    ColumnType.PHONE: "Điện thoại",
}
NOT_GIVEN = "Chưa kê khai"
VALUE_SEPARATOR = "\n"  # a line break inside a table cell (docxtpl)


def sheets_with_added(appendix: Appendix) -> list[tuple[Sheet, list[Column]]]:
    """(sheet, its added columns) of every sheet that has some, in the version's order."""
    result = []
    for sheet in appendix:
        added = summaries.added_columns(sheet)
        if added:
            result.append((sheet, added))
    return result


def _choice_table(sheet: Sheet, column: Column, assignments: QuerySet[Assignment]) -> dict[str, Any]:
    countable = summaries.Countable(sheet, column)
    found = summaries.ordered(countable, column_counts.counts(countable, assignments))
    weighted = countable.weight is not None
    measure = [item.quantity if weighted else item.rows for item in found]
    whole = sum(m or 0 for m in measure)
    rows = [
        {
            "label": NOT_GIVEN if item.label is None else _clean(item.label),
            "rows": _fmt(item.rows),
            "quantity": _fmt(item.quantity) if weighted else "",
            "share": _fmt(round(100 * float(m or 0) / float(whole), 1)) if whole else "0",
        }
        for item, m in zip(found, measure, strict=True)
    ]
    return {
        "header": _clean(column.header),
        "weighted": weighted,
        "weight": _clean(countable.weight.header) if weighted else "",
        "rows": rows,
        "total_rows": _fmt(sum(item.rows for item in found)),
        "total_quantity": _fmt(whole) if weighted else "",
    }


def _other_row(sheet: Sheet, column: Column, assignments: QuerySet[Assignment]) -> dict[str, str]:
    row = {"header": _clean(column.header), "type": TYPE_NAMES.get(column.type, str(column.type))}
    if column.is_numeric:
        numbers = summaries.numeric_summary(sheet, column, assignments)
        total = "" if column.type == ColumnType.YEAR else _fmt(numbers["total"])
        return {
            **row,
            "filled": _fmt(numbers["filled"]),
            "total": total,
            "minimum": _text(column, numbers["minimum"]),
            "maximum": _text(column, numbers["maximum"]),
        }
    return {**row, "filled": _fmt(summaries.filled_count(sheet, column, assignments)), "total": "",
            "minimum": "", "maximum": ""}  # fmt: skip


def added_statistics(assignments: QuerySet[Assignment], appendix: Appendix) -> dict[str, Any]:
    """The province's (or a commune's) annex of the version's added columns and sheets, in SQL:
    per sheet, its records and units, a table per choice column, a line per other column."""
    sheets = []
    for number, (sheet, added) in enumerate(sheets_with_added(appendix), start=1):
        present = summaries.records_of(sheet, assignments).aggregate(
            records=Count("pk"), units=Count("assignment", distinct=True)
        )
        sheets.append(
            {
                "number": number,
                "code": sheet.code,
                "title": _clean(sheet.title),
                "added": storage.is_custom(sheet.code),
                "records": _fmt(present["records"]),
                "units": _fmt(present["units"]),
                "choices": [_choice_table(sheet, c, assignments) for c in added if c.has_choices],
                "others": [_other_row(sheet, c, assignments) for c in added if not c.has_choices],
            }
        )
    return {"version": appendix.version, "sheets": sheets}


def _text(column: Column, value: Any) -> str:
    """A value as the report writes it: numbers the Vietnamese way (1.234,5), but a year as written."""
    if value is None or value == "":
        return ""
    if column.type == ColumnType.YEAR:
        return str(value)
    return _clean(value) if isinstance(value, str) else _fmt(value)


def unit_values(assignment: Assignment, appendix: Appendix) -> dict[str, Any]:
    """A unit's annex: its values of the version's added columns and sheets, sheet by sheet.

    A table sheet gives one line per row: its number, what the row is (the first column, for a
    sheet of 2026.1 that gained columns) and "header: value" of each added column; a label/value
    sheet gives one line per added column.
    """
    found = sheets_with_added(appendix)
    if not found:
        return {"version": appendix.version, "sheets": []}
    values = data.unit_data(assignment)
    sheets = []
    for sheet, added in found:
        stored = values.get(sheet.code)
        entry = {
            "code": sheet.code,
            "title": _clean(sheet.title),
            "added": storage.is_custom(sheet.code),
            "repeating": sheet.repeating,
            "rows": [],
            "lines": [],
        }
        if sheet.repeating:
            first = sheet.data_columns[0] if not storage.is_custom(sheet.code) else None
            for position, row in enumerate(stored or [], start=1):
                cells = [
                    f"{_clean(c.header)}: {_text(c, row.get(c.key))}"
                    for c in added
                    if _text(c, row.get(c.key))
                ]
                entry["rows"].append(
                    {
                        "n": str(position),
                        "item": _text(first, row.get(first.key)) if first is not None else "",
                        "added": VALUE_SEPARATOR.join(cells),
                    }
                )
        else:
            entry["lines"] = [
                {"header": _clean(c.header), "value": _text(c, (stored or {}).get(c.key)) or NOT_GIVEN}
                for c in added
            ]
        sheets.append(entry)
    return {"version": appendix.version, "sheets": sheets}

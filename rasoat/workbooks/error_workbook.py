"""The error workbook: the user's own file, read again, with every faulty cell marked.

The first sheet, `Danh sách lỗi`, lists every error and warning (kind, sheet, row, column, value
found, message) with a link to the cell. Then every sheet of the file comes back under the same
name with the same cells, as values (a formula's computed value; macros never run): a cell with an
error is filled red, a cell with only a warning yellow, and each carries a comment with the
Vietnamese message. An issue about a whole row is put on the row's first cell, one about a whole
sheet on A1.

The file is read with python-calamine and written with XlsxWriter in constant memory (a 50,000-row
upload stays cheap); text is written with `write_string`, so "=cmd|..." typed by someone stays text.
"""

from __future__ import annotations

import datetime
import io
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import xlsxwriter
from python_calamine import SheetVisibleEnum

from rasoat.workbooks.reading.workbook import open_workbook
from rasoat.xlsx_text import new_workbook, write_comment, write_link, write_text

LIST_SHEET = "Danh sách lỗi"
LIST_HEADERS = ("Loại", "Biểu", "Dòng", "Cột", "Giá trị", "Nội dung")
KIND_LABELS = {"error": "Lỗi", "warning": "Cảnh báo"}

_ERROR_FILL = "#FFC7CE"
_ERROR_FONT = "#9C0006"
_WARNING_FILL = "#FFEB9C"
_WARNING_FONT = "#9C5700"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_COMMENT_MAX = 32767
_CELL_TEXT_MAX = 32767


def _sheet_name(name: str, taken: set[str]) -> str:
    """`name` as Excel allows it (31 characters, no []:*?/\\), unique ignoring case."""
    clean = _BAD_SHEET_CHARS.sub("_", name).strip("'") or "Sheet"
    clean = clean[:31]
    candidate, n = clean, 2
    while candidate.casefold() in taken:
        suffix = f" ({n})"
        candidate = clean[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(candidate.casefold())
    return candidate


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return (
            value.strftime("%d/%m/%Y %H:%M")
            if value.time() != datetime.time(0)
            else value.strftime("%d/%m/%Y")
        )
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _issues(result) -> list:
    return [*result.errors, *result.warnings]


def _write_cell(ws, row: int, col: int, value: Any, fmt, date_fmt) -> None:
    """A value read by calamine, written back as a value of the same kind (never a formula)."""
    if value is None or value == "":
        if fmt is not None:
            ws.write_blank(row, col, None, fmt)
        return
    if isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, datetime.datetime | datetime.date):
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            value = datetime.datetime.combine(value, datetime.time())
        ws.write_datetime(row, col, value, fmt or date_fmt)
    elif isinstance(value, datetime.time | datetime.timedelta):
        write_text(ws, row, col, str(value), fmt)
    else:
        write_text(ws, row, col, str(value)[:_CELL_TEXT_MAX], fmt)


def write_error_workbook(source, filename: str, result) -> bytes:
    """The user's workbook with every faulty cell highlighted and commented, plus the list of issues.

    `result` is the reader's WorkbookImport for this file (its `errors` and `warnings`, CellIssue
    objects carrying `file_sheet`, `row` (1-based as Excel shows it) and `file_col` (0-based)).
    """
    issues = _issues(result)
    # (file sheet, 0-based row, 0-based col) -> issues on that cell
    marks: dict[str, dict[tuple[int, int], list]] = defaultdict(lambda: defaultdict(list))
    for issue in issues:
        if issue.file_sheet is None:
            continue
        row = (issue.row - 1) if issue.row else 0
        col = issue.file_col if issue.file_col is not None else 0
        marks[issue.file_sheet][(row, col)].append(issue)

    # The same gate as any upload: the extent of every sheet is known before calamine builds it.
    book_in = open_workbook(source, filename)
    output = io.BytesIO()
    # constant_memory keeps a 50,000-row file cheap: rows are flushed as they are written, in order.
    book = new_workbook(output, constant_memory=True)
    book.set_properties({"title": f"Báo lỗi — {filename}", "author": "rasoat"})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    error_fmt = book.add_format({"bg_color": _ERROR_FILL, "font_color": _ERROR_FONT, "text_wrap": True})
    warning_fmt = book.add_format({"bg_color": _WARNING_FILL, "font_color": _WARNING_FONT, "text_wrap": True})
    error_date = book.add_format({"bg_color": _ERROR_FILL, "num_format": "dd/mm/yyyy"})
    warning_date = book.add_format({"bg_color": _WARNING_FILL, "num_format": "dd/mm/yyyy"})
    date_fmt = book.add_format({"num_format": "dd/mm/yyyy"})
    link = book.add_format({"font_color": "blue", "underline": 1, "valign": "top"})

    taken: set[str] = {LIST_SHEET.casefold()}
    names = {name: _sheet_name(name, taken) for name in book_in.sheet_names}

    summary = book.add_worksheet(LIST_SHEET)
    _write_list(summary, issues, names, filename, header, wrap, link)

    visible = {meta.name: meta.visible == SheetVisibleEnum.Visible for meta in book_in.sheets_metadata}
    for name in book_in.sheet_names:
        ws = book.add_worksheet(names[name])
        _printable(ws)
        if not visible.get(name, True):
            ws.hide()
        cells = marks.get(name, {})
        by_row: dict[int, dict[int, list]] = defaultdict(dict)
        for (row, col), found in cells.items():
            by_row[row][col] = found
        # Not skipping the empty area keeps row and column numbers as Excel shows them.
        rows = book_in.get_sheet_by_name(name).to_python(skip_empty_area=False)
        widths: dict[int, int] = {}
        last = -1
        for row, values in enumerate(rows):
            marked = by_row.pop(row, {})
            for col in sorted(set(range(len(values))) | set(marked)):
                value = values[col] if col < len(values) else None
                found = marked.get(col)
                fmt = None
                if found:
                    has_error = any(i.kind == "error" for i in found)
                    is_date = isinstance(value, datetime.date)
                    fmt = (
                        (error_date if is_date else error_fmt)
                        if has_error
                        else (warning_date if is_date else warning_fmt)
                    )
                _write_cell(ws, row, col, value, fmt, date_fmt)
                if found:
                    write_comment(ws, row, col, _comment(found), {"x_scale": 2.5, "y_scale": 2})
                if value not in (None, ""):
                    widths[col] = max(widths.get(col, 0), min(len(_shown(value)), 50))
            last = row
        # Issues below the last row read (e.g. a row the reader counted past the data) still show.
        for row in sorted(by_row):
            for col, found in sorted(by_row[row].items()):
                if row <= last:
                    continue
                fmt = error_fmt if any(i.kind == "error" for i in found) else warning_fmt
                ws.write_blank(row, col, None, fmt)
                write_comment(ws, row, col, _comment(found), {"x_scale": 2.5, "y_scale": 2})
        for col, width in widths.items():
            ws.set_column(col, col, max(width + 2, 8))
    summary.activate()
    book.close()
    return output.getvalue()


def _printable(ws) -> None:
    """A4 landscape, one page wide: the list and the sheets are printed to be corrected by hand."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)


def _comment(found: Iterable) -> str:
    lines = [f"{KIND_LABELS.get(i.kind, i.kind)}: {i.message}" for i in found]
    return "\n".join(lines)[:_COMMENT_MAX]


def _write_list(ws, issues: list, names: dict[str, str], filename: str, header, wrap, link) -> None:
    errors = sum(1 for i in issues if i.kind == "error")
    warnings = len(issues) - errors
    write_text(ws, 0, 0, f"Tệp: {filename} — {errors} lỗi, {warnings} cảnh báo")
    for col, text in enumerate(LIST_HEADERS):
        write_text(ws, 2, col, text, header)
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 24)
    ws.set_column(2, 2, 7)
    ws.set_column(3, 3, 28)
    ws.set_column(4, 4, 24)
    ws.set_column(5, 5, 80)
    ws.freeze_panes(3, 0)
    _printable(ws)
    ws.repeat_rows(2)
    ordered = sorted(
        issues,
        key=lambda i: (i.kind != "error", i.sheet_code or "~", i.sheet or "", i.row or 0, i.file_col or 0),
    )
    for offset, issue in enumerate(ordered):
        row = 3 + offset
        write_text(ws, row, 0, KIND_LABELS.get(issue.kind, issue.kind), wrap)
        sheet_label = f"{issue.sheet_code}. {issue.sheet}" if issue.sheet_code else (issue.sheet or "")
        target = names.get(issue.file_sheet) if issue.file_sheet else None
        if target:
            cell = xlsxwriter.utility.xl_rowcol_to_cell(
                (issue.row - 1) if issue.row else 0, issue.file_col if issue.file_col is not None else 0
            )
            quoted = target.replace("'", "''")
            write_link(ws, row, 1, f"internal:'{quoted}'!{cell}", sheet_label, link)
        else:
            write_text(ws, row, 1, sheet_label, wrap)
        if issue.row:
            ws.write_number(row, 2, issue.row, wrap)
        write_text(ws, row, 3, issue.column or "", wrap)
        write_text(ws, row, 4, _shown(issue.value)[:_CELL_TEXT_MAX], wrap)
        write_text(ws, row, 5, issue.message, wrap)

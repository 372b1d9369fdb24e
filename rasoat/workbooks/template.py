"""The appendix workbook a unit (or a commune) downloads, fills in offline and uploads again.

Everything comes from the campaign's appendix version: sheet names, headers (required ones marked
`*`), dropdowns, number, year and date limits, the help shown when a cell is selected, and the
instructions (`instructions.py`, which also list what the version adds to 2026.1). The layout is
the contract of PHU_LUC.md ("The workbook") that `reader.py` reads back:

- sheet order `Hướng dẫn`, then the version's sheets in its order (B01…B06 and any it adds), each
  named by its title as Excel allows (`matching.sheet_name`: at most 31 characters, no []:*?/\\),
  the hidden `_meta` (column A key, column B value: appendix_version, campaign, unit, kind,
  generated_at), then the hidden `_lists` holding the dropdown lists that cannot be written inline;
- a label/value sheet (B01, or one a version adds): a title row, a header row, then one line per
  field: `#` in column A (a number, or text such as "12a" for a line a version inserted), the label
  in column B, the value in column C (the unit code locked and grey);
- a table (B02–B06, or one a version adds): a title row naming the sheet and the unit, one header
  row (frozen), then data. A date column is formatted dd/mm/yyyy and checked as a date.

A commune workbook (`write_commune_template`) has the same sheets for the commune's units: B01 with
one value column per unit, tables with a "Mã đơn vị" column right after STT (`COMMUNE_LAYOUT`); an
added label/value sheet gets a first line "Mã đơn vị" naming each column's unit, as B01 has. This
is the layout `reader.py` documents and reads.

`write_appendix_template` makes the blank workbook of a version without a campaign (the appendix
editor's preview download).

Text is always written with `write_string`, so a model name such as "=SUM(A1)" or "-5V" stays
text and never becomes a formula. The workbook is built in memory with XlsxWriter.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.utils import timezone

from rasoat.appendix.declaration import Appendix, Column, ColumnType, Context, Sheet, UnitInfo, get_appendix
from rasoat.appendix.normalize import FIRST_DATE, LAST_DATE, describe_expected
from rasoat.appendix.spec import FIRST_YEAR
from rasoat.workbooks.error_workbook import write_error_workbook
from rasoat.workbooks.instructions import INSTRUCTIONS_SHEET, write_instructions
from rasoat.workbooks.reading.matching import sheet_name
from rasoat.xlsx_text import new_workbook, write_comment, write_text

__all__ = [
    "COMMUNE_LAYOUT",
    "INSTRUCTIONS_SHEET",
    "LISTS_SHEET",
    "META_SHEET",
    "CommuneLayout",
    "template_filename",
    "write_commune_template",
    "write_appendix_template",
    "write_error_workbook",
    "write_unit_template",
]

META_SHEET = "_meta"
LISTS_SHEET = "_lists"
META_KEYS = ("appendix_version", "campaign", "unit", "kind", "generated_at")

TITLE_ROW = 0
HEADER_ROW = 1
FIRST_DATA_ROW = 2
VALIDATED_ROWS = 1000
"""Rows below the header that carry dropdowns and number checks (more when pre-filled data is longer)."""

# Excel's limits on the texts of a data validation (UTF-16 units; Vietnamese stays in the BMP).
_TITLE_MAX = 32
_MESSAGE_MAX = 255
_INLINE_LIST_MAX = 255

DATE_FORMAT = "dd/mm/yyyy"
_RED = "#C00000"
_GREY = "#D9D9D9"
_HEADER_FILL = "#DDEBF7"


@dataclass(frozen=True)
class CommuneLayout:
    """Where a commune workbook says which unit a row belongs to (`reader.py` documents the same).

    B02–B06 carry the column `unit_header` at `unit_column` (0-based; 1 = right after STT). B01 has
    one value column per unit, from column C; its line "Mã đơn vị*" gives each column's unit.
    """

    unit_header: str = "Mã đơn vị"
    unit_column: int = 1


COMMUNE_LAYOUT = CommuneLayout()


# --- small helpers ------------------------------------------------------------------------------


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain_number(value: Any) -> int | float | None:
    """A limit as Excel shows it: 1024 rather than 1024.0, 0.5 as it is."""
    if value is None:
        return None
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


def _as_date(value: Any) -> datetime.date | None:
    """A stored date (ISO text in the dump shape, or a date) as a date; None for anything else."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def template_filename(campaign_code: str, unit_code: str, *, prefilled: bool = False) -> str:
    """`phu-luc-RS2026-X.03637.UB.xlsx` (with `-du-lieu` when pre-filled)."""
    return f"phu-luc-{campaign_code}-{unit_code}{'-du-lieu' if prefilled else ''}.xlsx"


def _column_width(column: Column) -> float:
    """Fit the header on at most three lines, a dropdown's longest label on one (within reason)."""
    width = len(column.marked_header) / 2.6 + 3
    if column.has_choices:
        width = max(width, min(max(len(c) for c in column.choices) + 3, 42))
    minimum = {
        ColumnType.DATE: 12,
        ColumnType.TEXT: 18,
        ColumnType.LONGTEXT: 36,
        ColumnType.EMAIL: 24,
        ColumnType.PHONE: 14,
        ColumnType.YEAR: 9,
    }.get(column.type, 9)
    if column.row_number:
        minimum = 6
    return round(min(max(width, minimum), 48), 1)


class _Builder:
    """One workbook being written: its formats and the dropdown lists already placed."""

    def __init__(self, appendix: Appendix, context: Context):
        self.appendix = appendix
        self.context = context
        self.output = io.BytesIO()
        self.book = new_workbook(self.output)
        self.book.set_properties({"title": "Phụ lục rà soát", "author": "rasoat", "company": "rasoat"})
        self._lists: dict[tuple[str, ...], str] = {}
        # The service sheets' names are taken first: a sheet titled like one of them gets its code.
        self._names: set[str] = {INSTRUCTIONS_SHEET.casefold(), META_SHEET.casefold(), LISTS_SHEET.casefold()}
        book = self.book
        self.title = book.add_format({"bold": True, "font_size": 13})
        self.bold = book.add_format({"bold": True})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.header = book.add_format(
            {"bold": True, "text_wrap": True, "valign": "vcenter", "border": 1, "bg_color": _HEADER_FILL}
        )
        self.text = book.add_format({"num_format": "@"})
        self.text_wrap = book.add_format({"num_format": "@", "text_wrap": True, "valign": "top"})
        self.plain = book.add_format({})
        self.unlocked = book.add_format({"locked": False, "num_format": "@", "text_wrap": True})
        self.unlocked_number = book.add_format({"locked": False})
        self.date = book.add_format({"num_format": DATE_FORMAT})
        self.unlocked_date = book.add_format({"locked": False, "num_format": DATE_FORMAT})
        self.locked_grey = book.add_format({"locked": True, "bg_color": _GREY, "num_format": "@"})
        self.required_label = book.add_format({"text_wrap": True, "valign": "top", "font_color": _RED})
        self.label = book.add_format({"text_wrap": True, "valign": "top"})

    def add_sheet(self, sheet: Sheet):
        """The worksheet of an appendix sheet, named as the reader finds it (`matching.sheet_name`);
        two titles that clip to the same 31 characters get the sheet code in front of the second."""
        name = sheet_name(sheet.title)
        if name.casefold() in self._names:
            name = sheet_name(f"{sheet.code}. {sheet.title}")
        self._names.add(name.casefold())
        return self.book.add_worksheet(name)

    @staticmethod
    def printable(ws, *, landscape: bool, repeat_row: int | None = None) -> None:
        """A4, one page wide (clerks print the sheets to check them), headers repeated on each page."""
        ws.set_paper(9)
        if landscape:
            ws.set_landscape()
        ws.fit_to_pages(1, 0)
        if repeat_row is not None:
            ws.repeat_rows(repeat_row)

    def finish(self) -> bytes:
        """Write the dropdown lists (their sheet comes last, after `_meta`) and close the workbook."""
        if self._lists:
            ws = self.book.add_worksheet(LISTS_SHEET)
            for col, choices in enumerate(self._lists):
                for row, label in enumerate(choices):
                    write_text(ws, row, col, label)
            ws.hide()
        self.book.close()
        return self.output.getvalue()

    # --- dropdowns and checks ---

    def list_source(self, choices: Sequence[str]) -> list[str] | str:
        """Short lists inline; lists with a comma in a label (Excel splits inline lists on commas)
        or past 255 characters go to the hidden `_lists` sheet and are referenced by range."""
        choices = tuple(choices)
        inline = ",".join(choices)
        if "," not in "".join(choices) and '"' not in inline and len(inline) + 2 <= _INLINE_LIST_MAX:
            return list(choices)
        if choices not in self._lists:
            # The sheet itself is written by `finish`; a reference to it needs only its name.
            col = len(self._lists)
            letter = xlsxwriter.utility.xl_col_to_name(col)
            self._lists[choices] = f"='{LISTS_SHEET}'!${letter}$1:${letter}${len(choices)}"
        return self._lists[choices]

    def validation(self, column: Column, choices: Sequence[str] | None = None) -> dict[str, Any] | None:
        """The data validation of a column: a dropdown, a whole-number/decimal/year range, or None."""
        title = _clip(column.header, _TITLE_MAX)
        help_text = f" {column.help}" if column.help else ""
        if choices is not None or column.has_choices:
            options: dict[str, Any] = {
                "validate": "list",
                "source": self.list_source(choices or column.choices),
                "input_message": _clip("Chọn một giá trị trong danh sách." + help_text, _MESSAGE_MAX),
            }
        elif column.is_numeric and not column.row_number:
            options = self._number_validation(column)
            options["input_message"] = _clip(
                f"Nhập {describe_expected(column, self.context)}.{help_text}", _MESSAGE_MAX
            )
        elif column.type == ColumnType.DATE:
            options = {
                "validate": "date",
                "criteria": "between",
                "minimum": datetime.datetime.combine(FIRST_DATE, datetime.time()),
                "maximum": datetime.datetime.combine(LAST_DATE, datetime.time()),
                "input_message": _clip(
                    f"Nhập {describe_expected(column, self.context)}.{help_text}", _MESSAGE_MAX
                ),
            }
        else:
            return None
        expected = (
            "Chọn một giá trị trong danh sách."
            if options["validate"] == "list"
            else f"Cần nhập {describe_expected(column, self.context)}."
        )
        options.update(
            {
                "input_title": title,
                "error_title": _clip(f"Giá trị chưa đúng: {column.header}", _TITLE_MAX),
                "error_message": _clip(expected, _MESSAGE_MAX),
                # "warning" lets the clerk keep a value the reader tolerates (e.g. a label without the
                # text in brackets, "0,5" typed as text); the upload checks every cell anyway.
                "error_type": "warning",
                "ignore_blank": True,
            }
        )
        return options

    def _number_validation(self, column: Column) -> dict[str, Any]:
        if column.type == ColumnType.YEAR:
            low, high = FIRST_YEAR, self.context.reference_year
        elif column.year_offsets is not None:
            low = self.context.reference_year + column.year_offsets[0]
            high = self.context.reference_year + column.year_offsets[1]
        else:
            low, high = column.min, column.max
        kind = "decimal" if column.type == ColumnType.DEC else "integer"
        if low is not None and column.min_exclusive:
            # Excel has no "greater than x and at most y"; the smallest stored step stands in for it.
            low = Decimal(low) + Decimal(1).scaleb(-(column.decimal_places or 0))
        low, high = _plain_number(low), _plain_number(high)
        if low is not None and high is not None:
            return {"validate": kind, "criteria": "between", "minimum": low, "maximum": high}
        if low is not None:
            return {"validate": kind, "criteria": ">=", "value": low}
        if high is not None:
            return {"validate": kind, "criteria": "<=", "value": high}
        return {"validate": kind, "criteria": "between", "minimum": -(2**31) + 1, "maximum": 2**31 - 1}

    # --- cells ---

    def write_value(self, sheet, row: int, col: int, value: Any, cell_format=None, column=None) -> None:
        """A stored value: numbers as numbers, dates of a date column as dates, everything else as a
        string (never a formula)."""
        if value is None or value == "":
            if cell_format is not None:
                sheet.write_blank(row, col, None, cell_format)
            return
        if column is not None and column.type == ColumnType.DATE:
            day = _as_date(value)
            if day is not None:
                sheet.write_datetime(row, col, datetime.datetime.combine(day, datetime.time()), cell_format)
                return
        if isinstance(value, bool):
            write_text(sheet, row, col, "Có" if value else "Không", cell_format)
        elif isinstance(value, int | float | Decimal):
            sheet.write_number(row, col, float(value), cell_format)
        else:
            write_text(sheet, row, col, str(value), cell_format)


# --- the sheets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    """A unit the workbook is for: its registry info and (when pre-filled) its data."""

    info: UnitInfo
    data: dict[str, Any] | None


def _general_values(target: _Target, sheet: Sheet) -> dict[str, Any]:
    """B01's values: the stored ones when pre-filled; the registry's for the prefilled lines."""
    values = dict((target.data or {}).get(sheet.code) or {})
    registry = {
        "unit_name": target.info.name,
        "unit_code": target.info.code,
        "block": target.info.block,
        "level": target.info.level,
    }
    for key, value in registry.items():
        if not sheet.has_column(key):
            continue  # a label/value sheet a version added has no identity lines
        if key == "unit_code" or values.get(key) in (None, ""):
            values[key] = value or None
    return values


def _write_code_line(b: _Builder, ws, row: int, targets: list[_Target]) -> None:
    """The "Mã đơn vị" line naming each value column's unit, for a commune workbook's label/value
    sheet that does not declare that line itself (one a version added): the reader routes by it."""
    write_text(ws, row, 1, f"{COMMUNE_LAYOUT.unit_header}*", b.required_label)
    for index, target in enumerate(targets):
        b.write_value(ws, row, 2 + index, target.info.code, b.locked_grey)
        write_comment(ws, row, 2 + index, "Mã đơn vị do hệ thống cấp, không sửa.", {"x_scale": 1.5})


def _write_general_block(b: _Builder, ws, sheet: Sheet, first_row: int, targets: list[_Target]) -> int:
    """The label/value lines of a form sheet from `first_row`, one value column per target; returns
    the row after the last line."""
    columns = sheet.data_columns
    values = [_general_values(t, sheet) for t in targets]
    for offset, column in enumerate(columns):
        row = first_row + offset
        number = column.number or offset + 1
        if isinstance(number, str):
            write_text(ws, row, 0, number, b.label)  # "12a": a line a version inserted after line 12
        else:
            ws.write_number(row, 0, number, b.label)
        write_text(ws, row, 1, column.marked_header, b.required_label if column.required else b.label)
        validation = None if column.read_only else b.validation(column)
        for index, target_values in enumerate(values):
            col = 2 + index
            value = target_values.get(column.key)
            if column.read_only:
                b.write_value(ws, row, col, value, b.locked_grey)
                write_comment(ws, row, col, "Mã đơn vị do hệ thống cấp, không sửa.", {"x_scale": 1.5})
                continue
            if column.type == ColumnType.DATE:
                fmt = b.unlocked_date
            else:
                fmt = b.unlocked_number if column.is_numeric else b.unlocked
            b.write_value(ws, row, col, value, fmt, column)
            if validation:
                ws.data_validation(row, col, row, col, validation)
        if column.type == ColumnType.LONGTEXT:
            ws.set_row(row, 60)
    return first_row + len(columns)


def _write_general(b: _Builder, sheet: Sheet, targets: list[_Target], title: str, commune: bool) -> None:
    """A label/value sheet (B01, or one a version added): `#` in A, labels in B, one value column per
    unit from C (one for a unit workbook)."""
    ws = b.add_sheet(sheet)
    write_text(ws, TITLE_ROW, 0, f"{sheet.code}. {sheet.title.upper()} — {title}", b.title)
    ws.set_column(0, 0, 5)
    ws.set_column(1, 1, 48)
    write_text(ws, HEADER_ROW, 0, "#", b.header)
    write_text(ws, HEADER_ROW, 1, "Nội dung", b.header)
    for index, target in enumerate(targets):
        heading = "Giá trị" if len(targets) == 1 else target.info.name
        write_text(ws, HEADER_ROW, 2 + index, heading, b.header)
        ws.set_column(2 + index, 2 + index, 48 if len(targets) == 1 else 30)
    ws.set_row(HEADER_ROW, 45 if len(targets) > 1 else None)
    first = FIRST_DATA_ROW
    if commune and not sheet.has_column("unit_code"):
        _write_code_line(b, ws, first, targets)
        first += 1
    _write_general_block(b, ws, sheet, first, targets)
    ws.freeze_panes(FIRST_DATA_ROW, 2)
    b.printable(ws, landscape=len(targets) > 1)
    # Protection is what makes the unit code's cell read-only; every value cell is unlocked.
    ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True})


def _write_table(
    b: _Builder,
    sheet: Sheet,
    rows: list[tuple[str | None, dict[str, Any]]],
    title: str,
    unit_codes: Sequence[str] | None = None,
) -> None:
    """A repeating sheet: title row, header row (frozen), data, and checks on a generous range.

    `unit_codes` adds the commune layout's unit column (a dropdown of the codes)."""
    ws = b.add_sheet(sheet)
    write_text(ws, TITLE_ROW, 0, f"{sheet.code}. {sheet.title.upper()} — {title}", b.title)
    columns: list[Column | None] = list(sheet.columns)
    if unit_codes is not None:
        columns.insert(COMMUNE_LAYOUT.unit_column, None)
    last_row = FIRST_DATA_ROW + max(VALIDATED_ROWS, len(rows) + VALIDATED_ROWS // 2) - 1
    for col, column in enumerate(columns):
        if column is None:
            write_text(ws, HEADER_ROW, col, f"{COMMUNE_LAYOUT.unit_header}*", b.header)
            ws.set_column(col, col, max(len(c) for c in unit_codes) + 4, b.text)
            validation = b.validation(
                Column("unit", COMMUNE_LAYOUT.unit_header, ColumnType.TEXT, required=True), unit_codes
            )
            validation["input_message"] = "Chọn mã của đơn vị mà dòng này thuộc về (xem trang Hướng dẫn)."
        else:
            write_text(ws, HEADER_ROW, col, column.marked_header, b.header)
            text_like = column.type in (ColumnType.TEXT, ColumnType.PHONE, ColumnType.EMAIL)
            column_format = {ColumnType.LONGTEXT: b.text_wrap, ColumnType.DATE: b.date}.get(column.type)
            ws.set_column(col, col, _column_width(column), b.text if text_like else column_format)
            validation = b.validation(column)
        if validation:
            ws.data_validation(FIRST_DATA_ROW, col, last_row, col, validation)
    ws.set_row(HEADER_ROW, 48)
    ws.freeze_panes(FIRST_DATA_ROW, 0)
    b.printable(ws, landscape=True, repeat_row=HEADER_ROW)
    for index, (unit_code, record) in enumerate(rows):
        row = FIRST_DATA_ROW + index
        for col, column in enumerate(columns):
            if column is None:
                b.write_value(ws, row, col, unit_code)
            elif column.row_number:
                ws.write_number(row, col, index + 1)
            elif column.type == ColumnType.DATE:
                b.write_value(ws, row, col, record.get(column.key), b.date, column)
            else:
                b.write_value(ws, row, col, record.get(column.key))


def _write_meta(b: _Builder, campaign_code: str, unit_code: str, commune: bool) -> None:
    ws = b.book.add_worksheet(META_SHEET)
    values = (
        b.appendix.version,
        campaign_code,
        unit_code,
        "commune" if commune else "unit",
        timezone.localtime().isoformat(timespec="seconds"),
    )
    for row, (key, value) in enumerate(zip(META_KEYS, values, strict=True)):
        write_text(ws, row, 0, key)
        if value:
            write_text(ws, row, 1, value)
    ws.set_column(0, 1, 28)
    ws.hide()


# --- entry points -------------------------------------------------------------------------------


def _build(
    appendix: Appendix,
    context: Context,
    campaign,
    heading: str,
    meta_unit: str,
    targets: list[_Target],
    commune: bool,
) -> bytes:
    """The workbook of `appendix`; `campaign` None for a preview (no campaign, no unit)."""
    b = _Builder(appendix, context)
    commune_units = [t.info for t in targets] if commune else None
    write_instructions(b, campaign, heading, commune_units, COMMUNE_LAYOUT.unit_header)
    codes = [t.info.code for t in targets]
    for sheet in appendix:
        if not sheet.repeating:
            _write_general(b, sheet, targets, heading, commune)
            continue
        rows: list[tuple[str | None, dict[str, Any]]] = [
            (t.info.code, record) for t in targets for record in ((t.data or {}).get(sheet.code) or [])
        ]
        _write_table(b, sheet, rows, heading, codes if commune else None)
    _write_meta(b, campaign.code if campaign is not None else "", meta_unit, commune)
    return b.finish()


def _campaign_build(campaign, heading: str, meta_unit: str, targets: list[_Target], commune: bool) -> bytes:
    appendix = get_appendix(campaign.appendix_version)
    context = Context.for_date(campaign.reference_date)
    return _build(appendix, context, campaign, heading, meta_unit, targets, commune)


def write_appendix_template(appendix: Appendix, reference_date: datetime.date) -> bytes:
    """The blank unit workbook of an appendix version without a campaign or a unit: what the appendix
    editor's preview downloads. Year limits end at `reference_date`'s year; the instructions say it
    is a preview; `_meta` names the version only, so the reader takes it for no campaign's file."""
    heading = f"Phụ lục phiên bản {appendix.version}"
    target = _Target(UnitInfo(code=""), None)
    return _build(appendix, Context.for_date(reference_date), None, heading, "", [target], commune=False)


def _target(assignment, prefilled: bool) -> _Target:
    data = None
    if prefilled:
        from rasoat.inventory.data import unit_data

        data = unit_data(assignment)
    return _Target(UnitInfo.from_unit(assignment.unit), data)


def write_unit_template(assignment, *, prefilled: bool) -> bytes:
    """The workbook of one (campaign, unit), blank or with the unit's current data."""
    unit = assignment.unit
    return _campaign_build(
        assignment.campaign,
        f"{unit.name} ({unit.code})",
        unit.code,
        [_target(assignment, prefilled)],
        commune=False,
    )


def write_commune_template(campaign, commune, assignments: Iterable, *, prefilled: bool) -> bytes:
    """The commune workbook: the same sheets for the commune's units, rows routed by unit code."""
    targets = [_target(assignment, prefilled) for assignment in assignments]
    if not targets:
        raise ValueError("a commune workbook needs at least one assigned unit")
    return _campaign_build(campaign, f"{commune.name} ({commune.code})", commune.code, targets, commune=True)

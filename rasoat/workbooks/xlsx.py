"""Small XlsxWriter helpers shared by the workbook writers.

Two rules hold for every workbook rasoat writes: a text cell is always written as a string, so a
value typed by a clerk such as "=1+1", "+84 912 345 678", "-" or "@x" stays text and never becomes a
formula (CONVENTIONS.md); and numbers are written as numbers, so totals can be summed in Excel.

Both rest on the one safe writer, `rasoat.xlsx_text` (its module doc lists XlsxWriter's traps): every
workbook is made by its `new_workbook`, every text goes through its `write_text`.

Constant-memory workbooks (`new_workbook(..., constant_memory=True)`) get `StreamingWorksheet`s,
which write the same XML as XlsxWriter several times faster for rows of plain text and numbers
(`write_row`); docs/performance.md has the figures.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import CellNumberTuple, CellStringTuple, Worksheet

from rasoat import xlsx_text
from rasoat.xlsx_text import SafeWorksheet, write_text

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
DATE_FORMAT = "dd/mm/yyyy"


# A text needs XlsxWriter's full treatment only when it holds a character to escape, something that
# looks like Excel's own _xHHHH_ escape, or white space at either end.
_NEEDS_ESCAPING = re.compile(r"[\x00-\x1f&<>\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
_EDGE_SPACE = re.compile(r"^\s|\s$")


@functools.cache
def _column_name(col: int) -> str:
    return xl_col_to_name(col)


class StreamingWorksheet(SafeWorksheet):
    """The worksheet of constant-memory workbooks: the same XML, written faster, text always escaped.

    XlsxWriter's cell writer handles every cell type and, for inline strings, runs two regular
    expression substitutions, a white-space check and an escape on every text. This one writes the
    two cells a large export is made of (plain text and numbers) directly, escaping a text only when
    it has something to escape, and always treats a plain text cell as text. `write_plain_row`
    writes a whole row of such cells at once. The output is byte for byte what XlsxWriter writes for
    these cells (tests/workbooks/test_export.py compares them).
    """

    def _write_cell(self, row: int, col: int, cell) -> None:
        kind = type(cell)
        if not self.constant_memory or (kind is not CellStringTuple and kind is not CellNumberTuple):
            super()._write_cell(row, col, cell)
            return
        style = self._style_attribute(row, col, cell.format)
        ref = xl_rowcol_to_cell_fast(row, col)
        if kind is CellNumberTuple:
            self.fh.write(f'<c r="{ref}"{style}><v>{cell.number:.16G}</v></c>')
        else:
            self.fh.write(self._text_element(ref, style, cell.string))

    def _text_element(self, ref: str, style: str, text: str) -> str:
        space = ""
        if _NEEDS_ESCAPING.search(text):
            text = self._escape_control_characters(text)
            if _EDGE_SPACE.search(text):
                space = ' xml:space="preserve"'
            text = self._escape_data(text)
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'

    def write_plain_row(self, row: int, cells: Sequence[Any]) -> bool:
        """Write a whole row of unformatted text and numbers at once; False (nothing written) when the
        row holds anything else or cannot be written so, and the caller writes it cell by cell.

        The previous row is flushed as XlsxWriter does, the dimensions are updated, and the cells never
        enter the cell table (so the row is not written twice). A large export is almost only such rows.
        """
        if not self.constant_memory or row in self.row_info or self._has_column_formats():
            return False
        if not (row > self.previous_row or (row == 0 and not self.table)):
            return False
        parts, first, last = [], None, None
        number = row + 1
        for col, value in enumerate(cells):
            kind = type(value)
            if value is None or (kind is str and not value):
                continue
            ref = f"{_column_name(col)}{number}"
            if kind is str:
                if len(value) > self.xls_strmax // 2:
                    return False  # XlsxWriter truncates over-long texts; leave that to it
                parts.append(self._text_element(ref, "", value))
            else:
                if kind is Decimal:
                    value = float(value)
                elif kind is not int and kind is not float:
                    return False
                if value != value or value in (math.inf, -math.inf):
                    return False
                parts.append(f'<c r="{ref}"><v>{value:.16G}</v></c>')
            first = col if first is None else first
            last = col
        if first is None:
            return True
        if self._check_dimensions(row, first) or self._check_dimensions(row, last):
            return False
        self._write_single_row(row)
        self._write_row(row, None)
        self.fh.write("".join(parts))
        self._xml_end_tag("row")
        return True

    def _has_column_formats(self) -> bool:
        return any(info.column_format is not None for info in self.col_info.values())


def new_workbook(target: str | IO[bytes], *, constant_memory: bool = False) -> xlsxwriter.Workbook:
    """`xlsx_text.new_workbook`, whose constant-memory sheets are `StreamingWorksheet`s.

    `constant_memory` streams each sheet's rows to a temporary file as they are written (rows must
    then be written in order, each row once); use it for anything that grows with the data.
    """
    if constant_memory:
        return xlsx_text.new_workbook(target, constant_memory=True, worksheet_class=StreamingWorksheet)
    return xlsx_text.new_workbook(target)


def write_row(worksheet: Worksheet, row: int, cells: Sequence[Any], datetime_format=None) -> None:
    """Write an unformatted row: in one piece on a StreamingWorksheet when it holds only text and
    numbers, else cell by cell (`write_cells`)."""
    if not (isinstance(worksheet, StreamingWorksheet) and worksheet.write_plain_row(row, cells)):
        write_cells(worksheet, row, cells, None, datetime_format)


def write_cells(
    worksheet: Worksheet,
    row: int,
    cells: Sequence[Any],
    cell_format=None,
    datetime_format=None,
    first_col: int = 0,
) -> None:
    """Write one row with a typed call per cell; None and "" leave the cell empty.

    Text goes through `write_text` whatever it starts with; int, float and Decimal through
    write_number; dates and naive datetimes through write_datetime with `datetime_format`.
    An empty cell still gets `cell_format` (a header or total row keeps its borders).
    """
    for offset, value in enumerate(cells):
        col = first_col + offset
        kind = type(value)
        if kind is str:
            if value:
                write_text(worksheet, row, col, value, cell_format)
            elif cell_format is not None:
                worksheet.write_blank(row, col, None, cell_format)
        elif value is None:
            if cell_format is not None:
                worksheet.write_blank(row, col, None, cell_format)
        elif kind is int or kind is float:
            worksheet.write_number(row, col, value, cell_format)
        elif kind is Decimal:
            worksheet.write_number(row, col, float(value), cell_format)
        elif kind is bool:
            worksheet.write_boolean(row, col, value, cell_format)
        elif isinstance(value, datetime.date):
            worksheet.write_datetime(row, col, value, datetime_format or cell_format)
        else:
            write_text(worksheet, row, col, str(value), cell_format)

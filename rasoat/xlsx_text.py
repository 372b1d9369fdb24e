"""The one safe writer: every workbook rasoat writes is made here, and every text goes in as text.

Text in a reviewer's workbook comes from clerks' files and forms, so XlsxWriter's conveniences are
traps here:

- `write()` turns "=..." into a formula and "http://..." into a link: `SAFE_OPTIONS` switch that off
  for every workbook, and text cells are written with `write_string` anyway.
- XlsxWriter 3.3 writes a text that starts with "<r>" and ends with "</r>" as raw rich-text XML,
  unescaped, so "<r>…</r></is><f>HYPERLINK(…)</f>…" would become a formula cell. `SafeWorksheet`
  catches such a text in `_write_string` (the path of `write_string`, `write_url`'s text and
  `write`) and writes it as an escaped inline string, so it reads back as exactly those characters.
- Excel decodes `_xHHHH_` in text (`_x0041_` is "A"); XlsxWriter escapes a literal one as
  `_x005F_xHHHH_` and writes control characters as `_xHHHH_`, and so does `SafeWorksheet`'s own
  inline string; tests/core/test_xlsx_text.py holds that the text reads back unchanged in python-calamine
  and in LibreOffice.

`new_workbook` is the only place that creates an `xlsxwriter.Workbook` (a test fails on any other),
so every sheet is a `SafeWorksheet`; a constant-memory workbook keeps its temporary files in this
process's scratch folder (`rasoat.tempfiles`), which is emptied when the process is gone. Text goes
through `write_text`, comments through `write_comment`, links through `write_link` (a test fails on
any XlsxWriter text call elsewhere).
"""

from __future__ import annotations

from collections import namedtuple
from typing import IO, Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import Worksheet, _utf16_len, _utf16_truncate

from rasoat import tempfiles

SAFE_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}

LiteralString = namedtuple("LiteralString", "string, format")
"""A text cell written as an escaped inline string whatever it looks like (see the module doc)."""


def is_raw_rich_text(text: str) -> bool:
    """Whether XlsxWriter's own writer would write `text` as raw rich-text XML (see the module doc)."""
    return text.startswith("<r>") and text.endswith("</r>")


class SafeWorksheet(Worksheet):
    """A worksheet on which no text is ever written as markup."""

    def _write_string(self, row: int, col: int, string: str, cell_format=None) -> int:
        if not is_raw_rich_text(string):
            return super()._write_string(row, col, string, cell_format)
        # XlsxWriter's own bookkeeping for a string cell, with a cell type it does not interpret.
        if self._check_dimensions(row, col):
            return -1
        error = 0
        if len(string) > self.xls_strmax // 2 and _utf16_len(string) > self.xls_strmax:
            string = _utf16_truncate(string, self.xls_strmax)
            error = -2
        if self.constant_memory and row > self.previous_row:
            self._write_single_row(row)
        self.table[row][col] = LiteralString(string, cell_format)
        return error

    def _write_cell(self, row: int, col: int, cell) -> None:
        if type(cell) is LiteralString:
            ref = xl_rowcol_to_cell_fast(row, col)
            self.fh.write(self._text_element(ref, self._style_attribute(row, col, cell.format), cell.string))
            return
        super()._write_cell(row, col, cell)

    def _text_element(self, ref: str, style: str, text: str) -> str:
        """An inline string cell holding `text`, escaped as XlsxWriter escapes text (control
        characters as `_xHHHH_`, a literal `_xHHHH_` as `_x005F_xHHHH_`, then XML)."""
        text = self._escape_control_characters(text)
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{self._escape_data(text)}</t></is></c>'

    def _style_attribute(self, row: int, col: int, cell_format) -> str:
        # The same precedence as XlsxWriter: the cell's format, else the row's, else the column's.
        if cell_format:
            return f' s="{cell_format._get_xf_index()}"'
        row_info = self.row_info.get(row)
        if row_info is not None and row_info.row_format:
            return f' s="{row_info.row_format._get_xf_index()}"'
        col_info = self.col_info.get(col)
        if col_info is not None and col_info.column_format is not None:
            return f' s="{col_info.column_format._get_xf_index()}"'
        return ""


def new_workbook(
    target: str | IO[bytes],
    *,
    constant_memory: bool = False,
    worksheet_class: type[SafeWorksheet] = SafeWorksheet,
    **options: Any,
) -> xlsxwriter.Workbook:
    """A workbook writing to a path or a binary file object, with the safe options and safe sheets.

    `constant_memory` streams each sheet's rows to a temporary file as they are written (rows must
    then be written in order, each row once); those files live in this process's scratch folder.
    """
    settings: dict[str, Any] = {**options, **SAFE_OPTIONS}
    if constant_memory:
        settings["constant_memory"] = True
        settings["tmpdir"] = str(tempfiles.process_dir())
    else:
        settings.setdefault("in_memory", True)
    workbook = xlsxwriter.Workbook(target, settings)
    workbook.worksheet_class = worksheet_class
    return workbook


def write_text(worksheet: Worksheet, row: int, col: int, text: str, cell_format=None) -> None:
    """Write a text cell that stays exactly that text: never a formula, never markup."""
    _require_safe(worksheet)
    worksheet.write_string(row, col, text, cell_format)


def write_comment(worksheet: Worksheet, row: int, col: int, text: str, options: dict | None = None) -> None:
    """A cell comment (XlsxWriter escapes comment text, `_xHHHH_` included)."""
    _require_safe(worksheet)
    worksheet.write_comment(row, col, text, options or {})


def write_link(worksheet: Worksheet, row: int, col: int, url: str, text: str, cell_format=None) -> None:
    """A link whose shown text is written as text (`SafeWorksheet._write_string`)."""
    _require_safe(worksheet)
    worksheet.write_url(row, col, url, cell_format, string=text)


def _require_safe(worksheet: Worksheet) -> None:
    if not isinstance(worksheet, SafeWorksheet):
        raise TypeError("write into workbooks made by rasoat.xlsx_text.new_workbook")

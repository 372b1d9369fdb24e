"""Reading the cells of one appendix sheet: B01's label/value lines and the repeating tables.

B01 (`read_general`): each label is found by its text anywhere in the sheet. In a unit workbook
its value is the first non-empty cell to its right. In a commune workbook the line "Mã đơn vị"
holds one unit code per column to the right of the labels, and each label's value for a unit is
the cell of that unit's column (see `rasoat.workbooks.reader` for the layout).

Tables (`read_table`): the header row is found by its content among the first rows: the row
matching the most headers of the sheet (at least two) wins, and a header row right above or
below it that also consists of headers (a two-row header with merged cells) is read with it.
Data starts under the header. A row whose data cells are all empty is ignored ("blank", counted
only when data follows it), a row whose first non-empty cell reads "Tổng cộng" or "Cộng" is
ignored ("total"), STT is not read, unknown columns are reported and ignored, a missing
required column is one error for the sheet (not one per row).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from rasoat.appendix.declaration import Column, Issue, Sheet
from rasoat.appendix.normalize import clean_text
from rasoat.appendix.spec import ERROR, WARNING
from rasoat.workbooks.reading.cleaning import SheetCleaner
from rasoat.workbooks.reading.matching import (
    UNIT_CODE_HEADER,
    UNIT_NAME_HEADERS,
    header_key,
    is_total_row,
    label_key,
)
from rasoat.workbooks.reading.results import CellIssue
from rasoat.workbooks.reading.routing import Routing, Target

UNIT_CODE_KEY = "unit_code"
"""B01's line holding the unit's code (a commune workbook's line naming each column's unit)."""
HEADER_SEARCH_ROWS = 30
"""The header row is looked for among this many first rows (titles, notes and logos above it)."""
MIN_HEADER_MATCHES = 2
"""A row is a header row when at least this many of its cells are headers of the sheet."""


class Collector:
    """Every issue found, in reading order (sheet, row, column)."""

    def __init__(self) -> None:
        self.errors: list[CellIssue] = []
        self.warnings: list[CellIssue] = []

    def add(self, issue: CellIssue) -> None:
        if issue.value.__class__ is str and _is_empty_cell(issue.value):
            issue.value = None  # the contract: None when the cell is empty
        (self.errors if issue.is_error else self.warnings).append(issue)

    def placed(
        self,
        issue: Issue,
        sheet: Sheet,
        file_sheet: str | None,
        row: int | None,
        file_col: int | None,
        unit_code: str | None,
    ) -> None:
        """Add an appendix `Issue` at a place of the file, naming its column by the PHU_LUC.md header."""
        column = sheet.column(issue.column) if issue.column and sheet.has_column(issue.column) else None
        self.add(
            CellIssue(
                issue.kind,
                sheet.title,
                sheet.code,
                row,
                column.header if column else issue.column,
                issue.value,
                issue.message,
                file_sheet,
                file_col,
                unit_code,
            )
        )

    def sheet_issue(
        self,
        kind: str,
        sheet: Sheet,
        file_sheet: str | None,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        file_col: int | None = None,
        unit_code: str | None = None,
    ) -> None:
        self.add(
            CellIssue(
                kind, sheet.title, sheet.code, row, column, value, message, file_sheet, file_col, unit_code
            )
        )


@dataclass
class SheetSummary:
    """What the preview shows for one sheet."""

    sheet: Sheet
    file_sheet: str | None
    rows: int = 0
    blank: int = 0
    total: int = 0
    unknown_columns: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.sheet.code,
            "title": self.sheet.title,
            "file_sheet": self.file_sheet,
            "rows": self.rows,
            "ignored_blank": self.blank,
            "ignored_total": self.total,
            "unknown_columns": list(self.unknown_columns),
        }


def _is_empty_cell(cell: Any) -> bool:
    return cell is None or cell == "" or (cell.__class__ is str and clean_text(cell) is None)


# --- B01 -----------------------------------------------------------------------------------------


def _by_text(columns, key) -> dict[str, Column]:
    """Each column under its header and every earlier one (`Column.header_texts`): a version that
    relabels a column still reads workbooks made before. Current headers win over earlier ones."""
    found: dict[str, Column] = {}
    for column in columns:
        for alias in column.aliases:
            found.setdefault(key(alias), column)
    for column in columns:
        found[key(column.header)] = column
    found.pop(None, None)
    return found


def _aliases(sheet: Sheet) -> tuple:
    # Part of the cache keys: two sheets that differ only in their earlier headers compare equal
    # (`Column.aliases` is not compared), but must not share a lookup.
    return tuple(column.aliases for column in sheet.columns)


@cache
def _labels_of(sheet: Sheet, _aliases: tuple) -> dict[str, Column]:
    return _by_text(sheet.data_columns, label_key)


def _labels(sheet: Sheet) -> dict[str, Column]:
    return _labels_of(sheet, _aliases(sheet))


@cache
def _prefilled_keys(sheet: Sheet) -> frozenset[str]:
    return frozenset(column.key for column in sheet.data_columns if column.prefilled)


def _find_labels(rows: list[list[Any]], sheet: Sheet) -> dict[str, tuple[int, int]]:
    """Column key -> (row, column) of its label's first occurrence."""
    labels = _labels(sheet)
    found: dict[str, tuple[int, int]] = {}
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if cell.__class__ is str and cell:
                column = labels.get(label_key(cell))
                if column is not None and column.key not in found:
                    found[column.key] = (r, c)
    return found


def _is_label(cell: Any, sheet: Sheet) -> bool:
    return cell.__class__ is str and label_key(cell) in _labels(sheet)


def read_general(
    rows: list[list[Any]],
    sheet: Sheet,
    file_sheet: str,
    routing: Routing,
    cleaner: SheetCleaner,
    collector: Collector,
) -> SheetSummary:
    """Read B01 into each target's data; issues go to `collector`."""
    summary = SheetSummary(sheet, file_sheet)
    found = _find_labels(rows, sheet)
    if not found:
        collector.sheet_issue(
            ERROR,
            sheet,
            file_sheet,
            f'Không tìm thấy dòng nào của biểu "{sheet.title}" trong trang "{file_sheet}". Các dòng cần ghi '
            'đúng tên như trong mẫu (ví dụ "Tên cơ quan, đơn vị", "Mã đơn vị"), giá trị ở ô bên phải.',
        )
        return summary
    if routing.is_commune:
        columns = _unit_columns(rows, sheet, file_sheet, found, routing, collector)
    else:
        columns = _single_column(rows, sheet, file_sheet, found, routing, collector)
    for target, placement in columns:
        record = {key: value for key, (value, _r, _c) in placement.items()}
        if sheet.has_column(UNIT_CODE_KEY):
            target.has_general_column = True
        if any(not _is_empty_cell(v) for k, v in record.items() if k not in _prefilled_keys(sheet)):
            target.has_own_values = True
        result = cleaner.clean(record, target.context)
        target.data[sheet.code] = result.values
        missing = {column.key for column in sheet.data_columns if column.key not in found}
        for issue in result.issues:
            _value, r, c = placement.get(issue.column, (None, None, None))
            if issue.column in missing and issue.is_error and issue.value is None:
                header = sheet.column(issue.column).header
                issue = Issue(
                    ERROR,
                    issue.column,
                    f'Không tìm thấy dòng "{header}" trong biểu "{sheet.title}"; đây là dòng bắt buộc. '
                    "Hãy thêm dòng này (tên dòng ở một ô, giá trị ở ô bên phải) hoặc tải mẫu mới.",
                    None,
                )
            collector.placed(issue, sheet, file_sheet, r, c, target.code)
    summary.rows = len(columns)
    return summary


Placement = dict[str, tuple[Any, int | None, int | None]]
"""Column key -> (value, Excel row, 0-based file column) of one unit's B01 values."""


def _single_column(
    rows: list[list[Any]],
    sheet: Sheet,
    file_sheet: str,
    found: dict[str, tuple[int, int]],
    routing: Routing,
    collector: Collector,
) -> list[tuple[Target, Placement]]:
    """A unit workbook: each label's value is the first non-empty cell to its right."""
    placement: Placement = {}
    for key, (r, c) in found.items():
        row = rows[r]
        value, where = None, c + 1
        for j in range(c + 1, len(row)):
            cell = row[j]
            if _is_empty_cell(cell):
                continue
            if not _is_label(cell, sheet):
                value, where = cell, j
            break
        placement[key] = (value, r + 1, where)
    if UNIT_CODE_KEY in found:
        r, c = found[UNIT_CODE_KEY]
        codes = [cell for cell in rows[r][c + 1 :] if not _is_empty_cell(cell)]
        if len(codes) > 1:
            collector.sheet_issue(
                ERROR,
                sheet,
                file_sheet,
                f'Dòng "Mã đơn vị" có {len(codes)} mã ({", ".join(str(clean_text(x)) for x in codes)}): đây '
                "có vẻ là tệp của cả xã. Hãy tải tệp này lên ở trang của xã, hoặc chỉ giữ lại cột của đơn "
                "vị đang nhập.",
                row=r + 1,
                column=UNIT_CODE_HEADER,
                unit_code=routing.default.code if routing.default else None,
            )
    return [(routing.default, placement)] if routing.default else []


def _unit_columns(
    rows: list[list[Any]],
    sheet: Sheet,
    file_sheet: str,
    found: dict[str, tuple[int, int]],
    routing: Routing,
    collector: Collector,
) -> list[tuple[Target, Placement]]:
    """A commune workbook: the "Mã đơn vị" line names the unit of each column right of the labels.

    B01 declares that line; a label/value sheet a version added does not, so the template writes
    it there too (`template._write_general`) and it is looked for by its label."""
    code_at = found.get(UNIT_CODE_KEY) or _code_line(rows)
    if code_at is None:
        collector.sheet_issue(
            ERROR,
            sheet,
            file_sheet,
            f'Không tìm thấy dòng "Mã đơn vị" trong biểu "{sheet.title}". Trong tệp của xã, dòng này ghi mã '
            "của từng đơn vị, mỗi đơn vị một cột bên phải tên dòng; các dòng khác ghi giá trị của đơn vị "
            "ở cột đó.",
            column=UNIT_CODE_HEADER,
        )
        return []
    code_row, label_col = code_at
    columns: list[tuple[Target, Placement]] = []
    seen: set[str] = set()
    for j in range(label_col + 1, len(rows[code_row])):
        raw = rows[code_row][j]
        if _is_empty_cell(raw):
            continue
        target, message = routing.route(raw)
        if target is None or target.code in seen:
            if target is not None:
                message = (
                    f'Mã đơn vị "{target.code}" có ở hai cột của biểu "{sheet.title}"; '
                    "mỗi đơn vị chỉ một cột."
                )
            collector.sheet_issue(
                ERROR, sheet, file_sheet, message, row=code_row + 1, column=UNIT_CODE_HEADER, value=raw,
                file_col=j,
            )  # fmt: skip
            continue
        seen.add(target.code)
        placement: Placement = {}
        for key, (r, c) in found.items():
            row = rows[r]
            value = row[j] if c < j < len(row) else None
            placement[key] = (value, r + 1, j)
        columns.append((target, placement))
    return columns


def _code_line(rows: list[list[Any]]) -> tuple[int, int] | None:
    """(row, column) of the first "Mã đơn vị" label of a sheet that does not declare that line."""
    wanted = label_key(UNIT_CODE_HEADER)
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if cell.__class__ is str and label_key(cell) == wanted:
                return r, c
    return None


# --- tables --------------------------------------------------------------------------------------


@cache
def _headers_of(sheet: Sheet, _aliases: tuple) -> dict[str, Column]:
    return _by_text(sheet.columns, header_key)


def _headers(sheet: Sheet) -> dict[str, Column]:
    return _headers_of(sheet, _aliases(sheet))


_CODE_KEY = header_key(UNIT_CODE_HEADER)
_NAME_KEYS = frozenset(header_key(name) for name in UNIT_NAME_HEADERS)


@dataclass
class Header:
    """Where the header is and which file column holds which appendix column."""

    first: int
    last: int
    columns: dict[str, int] = field(default_factory=dict)
    code_col: int | None = None
    unknown: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[tuple[int, Column]] = field(default_factory=list)


def _matches(row: list[Any], sheet: Sheet) -> tuple[int, int]:
    """(header cells of the sheet in this row, non-empty text cells)."""
    headers = _headers(sheet)
    matched, texts = set(), 0
    for cell in row:
        if cell.__class__ is not str:
            continue
        key = header_key(cell)
        if key is None:
            continue
        texts += 1
        if key in headers:
            matched.add(headers[key].key)
        elif key == _CODE_KEY:
            matched.add(_CODE_KEY)
    return len(matched), texts


def find_header(rows: list[list[Any]], sheet: Sheet, ignored: frozenset[str] = frozenset()) -> Header | None:
    """The header of a table sheet, or None when no row holds at least two of its headers.

    `ignored` are header keys read as nothing, without calling them unknown: the columns the version
    hides, which a workbook made from an earlier version still carries."""
    best, best_count = None, MIN_HEADER_MATCHES - 1
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        count, _texts = _matches(row, sheet)
        if count > best_count:
            best, best_count = index, count
    if best is None:
        return None
    first = last = best

    def is_header_row(index: int) -> bool:
        if not 0 <= index < len(rows):
            return False
        count, texts = _matches(rows[index], sheet)
        return count >= 1 and count * 2 >= texts

    if is_header_row(best - 1):
        first = best - 1
    if is_header_row(best + 1):
        last = best + 1
    header = Header(first, last)
    headers = _headers(sheet)
    width = max(len(rows[i]) for i in range(first, last + 1))
    # The main row first, then the others: a merged header keeps its text in its top-left cell only.
    order = [best, *[i for i in range(first, last + 1) if i != best]]
    for j in range(width):
        texts = []
        placed = False
        for i in order:
            row = rows[i]
            cell = row[j] if j < len(row) else None
            key = header_key(cell) if cell.__class__ is str else None
            if key is None:
                continue
            texts.append(clean_text(cell))
            column = headers.get(key)
            if column is not None:
                if column.key in header.columns:
                    header.duplicates.append((j, column))
                    placed = True
                    break
                header.columns[column.key] = j
                placed = True
                break
            if key == _CODE_KEY:
                if header.code_col is None:
                    header.code_col = j
                placed = True
                break
            if key in _NAME_KEYS or key in ignored:
                placed = True
                break
        if not placed and texts:
            header.unknown.append((j, texts[0]))
    return header


def read_table(
    rows: list[list[Any]],
    sheet: Sheet,
    file_sheet: str,
    routing: Routing,
    cleaner: SheetCleaner,
    collector: Collector,
    hidden: tuple[Column, ...] = (),
) -> SheetSummary:
    """Read a repeating sheet's rows into each target's data; issues go to `collector`. The columns
    of `hidden` (those the version hides) are skipped silently."""
    summary = SheetSummary(sheet, file_sheet)
    ignored = frozenset(header_key(text) for column in hidden for text in column.header_texts)
    header = find_header(rows, sheet, ignored - set(_headers(sheet)))
    if header is None:
        required = ", ".join(f'"{c.header}"' for c in sheet.data_columns if c.required)
        collector.sheet_issue(
            ERROR,
            sheet,
            file_sheet,
            f'Không tìm thấy dòng tiêu đề của biểu "{sheet.title}" trong trang "{file_sheet}". Dòng tiêu đề '
            f"cần ghi tên các cột như trong mẫu, trong đó bắt buộc có {required}.",
        )
        return summary
    header_row = header.first + 1
    summary.unknown_columns = [text for _j, text in header.unknown]
    for j, column in header.duplicates:
        collector.sheet_issue(
            WARNING,
            sheet,
            file_sheet,
            f'Cột "{column.header}" xuất hiện nhiều lần; chỉ đọc cột đầu tiên (cột '
            f"{_column_letter(header.columns[column.key])}), bỏ qua cột {_column_letter(j)}.",
            row=header_row,
            column=column.header,
            file_col=j,
        )
    absent = [column for column in sheet.data_columns if column.key not in header.columns]
    for column in absent:
        if column.required:
            collector.sheet_issue(
                ERROR,
                sheet,
                file_sheet,
                f'Thiếu cột bắt buộc "{column.header}" trong biểu "{sheet.title}". Hãy thêm cột này vào dòng '
                "tiêu đề (hoặc sửa lại tên cột cho đúng mẫu).",
                row=header_row,
                column=column.header,
            )
    code_col = header.code_col
    if routing.is_commune and code_col is None:
        collector.sheet_issue(
            ERROR,
            sheet,
            file_sheet,
            f'Thiếu cột "{UNIT_CODE_HEADER}" trong biểu "{sheet.title}": trong tệp của xã, mỗi dòng cần ghi '
            f"mã của đơn vị có dữ liệu đó (một trong các mã {routing.codes_text()}).",
            row=header_row,
            column=UNIT_CODE_HEADER,
        )
        return summary

    present = [
        (column.key, header.columns[column.key])
        for column in sheet.data_columns
        if column.key in header.columns
    ]
    file_cols = dict(present)
    absent_keys = {column.key for column in absent}
    suppressed: dict[str, list[tuple[int, Issue]]] = {}
    for target in routing.targets:
        target.data[sheet.code] = []
        target.rows[sheet.code] = 0
    pending_blank = 0
    normalize_cells, is_blank, clean = cleaner.normalize_cells, cleaner.is_blank, cleaner.clean
    keys = [column.key for column in sheet.data_columns]
    positions = [header.columns.get(key) for key in keys]
    for index in range(header.last + 1, len(rows)):
        row = rows[index]
        if is_total_row(row):
            summary.total += 1
            summary.blank += pending_blank
            pending_blank = 0
            continue
        width = len(row)
        cells = [row[j] if j is not None and j < width else None for j in positions]
        normalized = normalize_cells(cells)
        if is_blank(normalized):
            pending_blank += 1
            continue
        summary.blank += pending_blank
        pending_blank = 0
        summary.rows += 1
        excel_row = index + 1
        if code_col is not None:
            target, message = routing.route(row[code_col] if code_col < width else None)
        else:
            target, message = routing.default, None
        if target is None:
            collector.sheet_issue(
                ERROR, sheet, file_sheet, message, row=excel_row, column=UNIT_CODE_HEADER,
                value=row[code_col] if code_col is not None and code_col < width else None, file_col=code_col,
            )  # fmt: skip
        record = {key: cell for key, cell, j in zip(keys, cells, positions, strict=True) if j is not None}
        result = clean(record, target.context if target else None, normalized)
        unit_code = target.code if target else None
        for issue in result.issues:
            if issue.column in absent_keys:
                suppressed.setdefault(issue.column, []).append((excel_row, issue))
                continue
            collector.placed(issue, sheet, file_sheet, excel_row, file_cols.get(issue.column), unit_code)
        if target is not None:
            target.data[sheet.code].append(result.values)
            target.rows[sheet.code] += 1
            target.has_own_values = True
    for column in absent:
        _report_absent(column, suppressed.get(column.key, []), sheet, file_sheet, header_row, collector)
    return summary


def _report_absent(
    column: Column,
    issues: list[tuple[int, Issue]],
    sheet: Sheet,
    file_sheet: str,
    header_row: int,
    collector: Collector,
) -> None:
    """One issue for a column the file lacks, instead of one per row."""
    if column.required:
        return  # reported once above, before the rows
    errors = [(row, issue) for row, issue in issues if issue.is_error]
    if errors:
        first_row, first = errors[0]
        collector.sheet_issue(
            ERROR,
            sheet,
            file_sheet,
            f'Thiếu cột "{column.header}" trong biểu "{sheet.title}" nhưng {len(errors)} dòng cần cột này '
            f"(ví dụ dòng {first_row}: {first.message}). Hãy thêm cột này vào dòng tiêu đề.",
            row=header_row,
            column=column.header,
        )
    else:
        collector.sheet_issue(
            WARNING,
            sheet,
            file_sheet,
            f'Không có cột "{column.header}" trong biểu "{sheet.title}"; cột này sẽ để trống ở mọi dòng.',
            row=header_row,
            column=column.header,
        )


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters

"""The extent of every sheet of a workbook, measured before python-calamine builds anything.

python-calamine turns a sheet into a grid from its first to its last used cell, so a file holding a
cell at A1 and one at XFD1048576 asks for 17 billion cells (549 GB) however small the file is. An
.xls or an .ods is parsed whole, every sheet, the moment it is opened; an .xlsx sheet the moment it is
asked for. So the limits must be known before any of that: this module reads the cell positions of
every sheet (`_meta` and sheets rasoat ignores included) by its own means, in constant memory, and
refuses the file (`WorkbookRejected`, naming the sheet) as soon as one position is past a limit:

    WORKBOOK_MAX_COLUMNS        200     columns of one sheet (the widest appendix sheet has ~20)
    WORKBOOK_MAX_ROWS + WORKBOOK_ROW_ALLOWANCE   rows of one sheet (data rows + titles, notes, header)
    WORKBOOK_MAX_CELLS          3000000 the grids of all the sheets together, each counted from A1

What counts is where a cell holding something sits, exactly as python-calamine places it, never what
the file declares about itself:

- .xlsx/.xlsm: every zip member that holds a `sheetData` element is streamed through expat (the
  member names given by the workbook's relationships are used only to name the sheet, so a crafted
  path cannot hide a sheet). A `<c>` element is placed by its `r` attribute, or after the previous
  cell of its `<row>` (whose own `r`, or the previous row, gives the row), as calamine does; it counts
  when it has a child element (a value, a formula, an inline string). The `<dimension ref>` element
  is deliberately not used: it can lie or be absent, it also covers cells that are only formatted
  (refusing by it would refuse honest files), and calamine does not size the grid by it.
- .xlsx shared strings: their number is bounded by the cell limit (each one is held in memory).
- .ods: `content.xml` is streamed; rows and cells are counted with their `number-rows-repeated` and
  `number-columns-repeated`, and a cell counts when it carries a value, a value type or a formula.
- .xls: the BIFF records of the workbook stream (read with olefile): each sheet's cell records
  (NUMBER, RK, MULRK, LABEL, LABELSST, RSTRING, BOOLERR, FORMULA) give the positions, and the
  DIMENSIONS record is checked too, because calamine reserves memory by it.

The XML is parsed by expat with any document type declaration refused, so no entity can expand.

An .xlsx sheet in the plain form every spreadsheet program writes is first bounded without a Python
call per element (`xlsx_bounds`); only a sheet in another form, or whose bound passes a limit, is
walked element by element, and only exact grids ever refuse a file.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from xml.parsers import expat

from rasoat.spreadsheets import limits, xlsx_bounds
from rasoat.spreadsheets.errors import WorkbookRejected
from rasoat.spreadsheets.xls_extents import check_xls

CHUNK = 64 * 1024
SHEET_DATA_MARKS = (b"sheetData", "sheetData".encode("utf-16-le"), "sheetData".encode("utf-16-be"))


def column_letters(number: int) -> str:
    """1 -> A, 27 -> AA, 16384 -> XFD."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class Budget:
    """The limits of one workbook, checked as positions are found, sheet after sheet."""

    def __init__(self, filename: str):
        self.filename = filename
        self.max_rows = limits.max_sheet_rows()
        self.max_columns = limits.max_columns()
        self.max_cells = limits.max_cells()
        self.cells = 0
        """Grids (from A1) of the sheets already measured."""
        self.measured: list[SheetMeasure] = []
        self.bounded = False
        """Whether a sheet was taken at its bound (`xlsx_bounds`) rather than measured exactly."""

    def sheet(self, name: str) -> SheetMeasure:
        return SheetMeasure(self, name)

    def too_many_columns(self, sheet: str, columns: int) -> WorkbookRejected:
        where = f"cột {column_letters(columns)} (cột thứ {limits.thousands(columns)})"
        return WorkbookRejected(
            f'Trang "{sheet}" của tệp "{self.filename}" quá lớn: có nội dung đến {where}, vượt quá giới '
            f"hạn {limits.thousands(self.max_columns)} cột của một trang. Thường là do có nội dung ở các ô "
            "rất xa vùng dữ liệu; hãy xóa các cột thừa bên phải rồi tải lên lại."
        )

    def too_many_rows(self, sheet: str, rows: int) -> WorkbookRejected:
        data_rows = limits.thousands(limits.max_rows())
        allowance = limits.thousands(limits.row_allowance())
        return WorkbookRejected(
            f'Trang "{sheet}" của tệp "{self.filename}" quá lớn: có nội dung đến dòng '
            f"{limits.thousands(rows)}, vượt quá giới hạn {data_rows} dòng dữ liệu cho một lần tải lên "
            f"(cộng {allowance} dòng tiêu đề, ghi chú). Hãy xóa các dòng thừa ở cuối trang hoặc chia dữ "
            "liệu thành nhiều tệp rồi tải lên lại."
        )

    def too_many_cells(self, cells: int) -> WorkbookRejected:
        return WorkbookRejected(
            f'Vùng dữ liệu của tệp "{self.filename}" quá lớn (hơn {limits.thousands(cells)} ô, giới hạn '
            f"{limits.thousands(self.max_cells)} ô). Thường là do có nội dung ở các cột, các dòng rất xa "
            "vùng dữ liệu; hãy xóa các cột, dòng thừa rồi tải lên lại."
        )


class SheetMeasure:
    """The last row and column holding something in one sheet; refuses past a limit at once."""

    def __init__(self, budget: Budget, name: str):
        self.budget = budget
        self.name = name
        self.rows = 0
        self.columns = 0

    def cell(self, row: int, col: int, last_row: int | None = None, last_col: int | None = None) -> None:
        """A cell (0-based) holding something, or a block of them up to (last_row, last_col)."""
        rows = (row if last_row is None else last_row) + 1
        columns = (col if last_col is None else last_col) + 1
        if columns > self.columns:
            if columns > self.budget.max_columns:
                raise self.budget.too_many_columns(self.name, columns)
            self.columns = columns
        if rows > self.rows:
            if rows > self.budget.max_rows:
                raise self.budget.too_many_rows(self.name, rows)
            self.rows = rows
        grid = self.budget.cells + self.rows * self.columns
        if grid > self.budget.max_cells:
            raise self.budget.too_many_cells(grid)

    def close(self) -> None:
        self.budget.cells += self.rows * self.columns
        self.budget.measured.append(self)


def check_extents(
    data: bytes, kind: str, filename: str, *, exact: bool = False
) -> list[tuple[str, int, int]]:
    """Refuse `data` (of `kind`, as `limits.check_file` told it) when a sheet is past a limit.

    Returns (sheet, rows, columns) of every sheet measured: its grid from A1 to the last cell holding
    something, as python-calamine will build it — or, for an .xlsx sheet in the plain form that
    `xlsx_bounds` bounds without a Python call per element, a grid at least as large (unless
    `exact`). A refusal is always decided on exact grids: when a bound took part in one, the
    workbook is measured again, exactly.
    """
    try:
        if kind == limits.XLSX and not exact:
            budget = Budget(filename)
            try:
                _check_xlsx(data, budget, quick=True)
            except WorkbookRejected:
                if not budget.bounded:
                    raise
                budget = Budget(filename)
                _check_xlsx(data, budget, quick=False)
            return [(sheet.name, sheet.rows, sheet.columns) for sheet in budget.measured]
        budget = Budget(filename)
        if kind == limits.XLSX:
            _check_xlsx(data, budget, quick=False)
        elif kind == limits.ODS:
            _check_ods(data, budget)
        elif kind == limits.XLS:
            check_xls(data, budget)
        return [(sheet.name, sheet.rows, sheet.columns) for sheet in budget.measured]
    except WorkbookRejected:
        raise
    except (expat.ExpatError, zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, struct.error):
        raise limits.damaged(filename) from None


# --- XML streaming ---------------------------------------------------------------------------------


def _parser(start, end=None) -> expat.XMLParserType:
    """An expat parser without namespace processing (names keep their prefix, as calamine reads
    them) that refuses any document type declaration, hence any entity."""
    parser = expat.ParserCreate()
    parser.ordered_attributes = True
    if start is not None:
        parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end

    def refuse_doctype(*_args):
        raise ValueError("document type declarations are not allowed")

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    return parser


def _feed(parser: expat.XMLParserType, stream: io.BufferedIOBase) -> None:
    while chunk := stream.read(CHUNK):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _attribute(attributes: list[str], name: str) -> str | None:
    """The value of the attribute `name` (exactly, prefix included, as calamine compares keys)."""
    for index in range(0, len(attributes) - 1, 2):
        if attributes[index] == name:
            return attributes[index + 1]
    return None


# --- xlsx ------------------------------------------------------------------------------------------


_REFERENCE = re.compile(r"([A-Za-z]*)([0-9]+)")
_VALUE_ELEMENTS = frozenset(("v", "f", "is"))
"""The children that give a cell something to hold (a value, a formula, an inline string)."""


def _reference(text: str) -> tuple[int, int]:
    """A cell reference as calamine reads it: (0-based row, 0-based column, -1 when absent);
    ValueError for anything calamine refuses."""
    match = _REFERENCE.fullmatch(text)
    if match is None or int(match.group(2)) < 1:
        raise ValueError(f"bad cell reference {text!r}")
    return int(match.group(2)) - 1, xlsx_bounds.column_number(match.group(1)) - 1


class _XlsxSheet:
    """Cell positions of one worksheet part, placed as calamine's cell reader places them.

    A `<row>` without `r` follows the previous row, a `<c>` without `r` follows the previous cell of
    its row, and a cell counts when a value child (`v`, `f`, `is`) starts inside it; a `<c>` inside
    a cell makes the outer one count too (calamine gives the outer cell the inner value). The handlers
    run for every element of the sheet (the one cost of the whole check): they are kept short.
    """

    def __init__(self, measure: SheetMeasure):
        self.measure = measure
        self.in_data = False
        self.row = -1
        self.col = 0
        self.pending: tuple[int, int] | None = None
        """The last cell started; it counts once a value element starts inside it."""
        self.open = False
        """Inside a `<c>` element."""

    def start(self, name: str, attributes: list[str]) -> None:
        # Ordered by frequency: this runs for every element of the sheet.
        if name == "c" or name[-2:] == ":c":
            if not self.in_data:
                return
            if self.open and self.pending is not None:
                self.measure.cell(*self.pending)
            self.open = True
            # expat refuses duplicate attributes, so there is one `r` at most (calamine would pick one
            # of several by their order).
            if attributes and attributes[0] == "r":
                row, col = _reference(attributes[1])
            else:
                ref = _attribute(attributes, "r")
                row, col = (self.row, self.col) if ref is None else _reference(ref)
            if col < 0:
                raise ValueError("a cell reference without a column")
            self.pending = (max(row, 0), col)
            self.col = col + 1
        elif self.pending is not None:
            if name in _VALUE_ELEMENTS or _local(name) in _VALUE_ELEMENTS:
                row, col = self.pending
                self.pending = None
                measure = self.measure
                if row >= measure.rows or col >= measure.columns:
                    measure.cell(row, col)
            elif name == "row" or name[-4:] == ":row":
                self.pending = None
                self._row(attributes)
        elif not self.in_data:
            if _local(name) == "sheetData":
                self.in_data = True
        elif name == "row" or name[-4:] == ":row":
            self._row(attributes)

    def end(self, name: str) -> None:
        if name == "c" or name[-2:] == ":c":
            self.open = False
            self.pending = None

    def _row(self, attributes: list[str]) -> None:
        ref = _attribute(attributes, "r")
        self.row = _reference(ref)[0] if ref is not None else self.row + 1
        self.col = 0


def _check_xlsx(data: bytes, budget: Budget, *, quick: bool) -> None:
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = _xlsx_sheet_names(archive)
    strings = 0
    for info in archive.infolist():
        if info.is_dir():
            continue
        normalized = info.filename.replace("\\", "/").lower()
        if normalized.endswith("sharedstrings.xml"):
            found = _shared_strings_bound(archive, info, budget.max_cells - strings) if quick else None
            strings += found if found is not None else _count_shared_strings(archive, info)
            if strings > budget.max_cells:
                raise budget.too_many_cells(strings)
        if not _holds_sheet_data(archive, info):
            continue
        measure = budget.sheet(names.get(normalized, info.filename))
        if not (quick and _within_bound(archive, info, measure)):
            sheet = _XlsxSheet(measure)
            with archive.open(info) as stream:
                _feed(_parser(sheet.start, sheet.end), stream)
        measure.close()


def _within_bound(archive: zipfile.ZipFile, info: zipfile.ZipInfo, measure: SheetMeasure) -> bool:
    """Take the sheet at its bound when it has one within every limit: one pass of expat without
    handlers per element (a malformed part is refused as exactly) and `xlsx_bounds`' scan. False
    when the sheet must be measured exactly (no bound, or a bound past a limit)."""
    bound = xlsx_bounds.Bound()
    parser = _parser(None)
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            parser.Parse(chunk, False)
            bound.feed(chunk)
        parser.Parse(b"", True)
    found = bound.result()
    if found is None:
        return False
    rows, columns = found
    budget = measure.budget
    if rows > budget.max_rows or columns > budget.max_columns:
        return False
    if budget.cells + rows * columns > budget.max_cells:
        return False
    measure.rows, measure.columns = rows, columns
    budget.bounded = True
    return True


def _holds_sheet_data(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether a member holds a `sheetData` element (UTF-8 or UTF-16), streamed without storing it."""
    tail = b""
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            window = tail + chunk
            if any(mark in window for mark in SHEET_DATA_MARKS):
                return True
            tail = window[-20:]
    return False


def _shared_strings_bound(archive: zipfile.ZipFile, info: zipfile.ZipInfo, room: int) -> int | None:
    """At least the number of shared strings, counted in compiled code, when within `room` (what the
    cell limit leaves); None when they must be counted exactly. expat still parses the part without a
    handler per element, so a malformed one is refused as by the exact count."""
    parser = _parser(None)

    def chunks():
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                parser.Parse(chunk, False)
                yield chunk
        parser.Parse(b"", True)

    found = xlsx_bounds.count_bound(chunks(), xlsx_bounds.SHARED_STRING_STARTS)
    return found if found is not None and found <= room else None


def _count_shared_strings(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """The number of `<si>` elements (each one becomes a string held in memory)."""
    count = 0

    def start(name: str, _attributes: list[str]) -> None:
        nonlocal count
        if _local(name) == "si":
            count += 1

    with archive.open(info) as stream:
        _feed(_parser(start), stream)
    return count


def _xlsx_sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Member path (normalised, lower case) -> sheet name, from the workbook and its relationships.

    Only for messages: every member holding sheet data is measured whatever this finds.
    """
    members = {info.filename.replace("\\", "/").lower(): info for info in archive.infolist()}
    workbook = members.get("xl/workbook.xml")
    rels = members.get("xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return {}
    sheets: list[tuple[str, str]] = []
    targets: dict[str, str] = {}

    def sheet_start(name: str, attributes: list[str]) -> None:
        if _local(name) == "sheet":
            ident = next(
                (
                    attributes[i + 1]
                    for i in range(0, len(attributes) - 1, 2)
                    if _local(attributes[i]) == "id"
                ),
                None,
            )
            sheets.append((_attribute(attributes, "name") or "", ident or ""))

    def rel_start(name: str, attributes: list[str]) -> None:
        if _local(name) == "Relationship":
            targets[_attribute(attributes, "Id") or ""] = _attribute(attributes, "Target") or ""

    with archive.open(workbook) as stream:
        _feed(_parser(sheet_start), stream)
    with archive.open(rels) as stream:
        _feed(_parser(rel_start), stream)
    names: dict[str, str] = {}
    for sheet, ident in sheets:
        target = targets.get(ident)
        if not target:
            continue
        path = target[1:] if target.startswith("/") else posixpath.normpath("xl/" + target)
        names[path.replace("\\", "/").lower()] = sheet
    return names


# --- ods -------------------------------------------------------------------------------------------

_ODS_VALUE_ATTRIBUTES = frozenset(
    ("value", "string-value", "date-value", "time-value", "boolean-value", "value-type", "formula")
)


class _OdsContent:
    """Rows and cells of every table of content.xml, repeats included, placed as calamine does."""

    def __init__(self, budget: Budget):
        self.budget = budget
        self.sheet: SheetMeasure | None = None
        self.cell_depth = 0
        """Elements open inside the current cell: nothing inside a cell is a row or a cell."""
        self.row = 0
        self.row_repeat = 1
        self.col = 0
        self.last_col = -1

    def start(self, name: str, attributes: list[str]) -> None:
        if self.cell_depth:
            self.cell_depth += 1
            return
        local = _local(name)
        if local == "table" and self.sheet is None:
            self.sheet = self.budget.sheet(self._named(attributes, "name") or "?")
            self.row = 0
        elif self.sheet is None:
            return
        elif local == "table-row":
            self.row_repeat = self._repeat(attributes, "number-rows-repeated")
            self.col = 0
            self.last_col = -1
        elif local in ("table-cell", "covered-table-cell"):
            repeat = self._repeat(attributes, "number-columns-repeated")
            if any(_local(attributes[i]) in _ODS_VALUE_ATTRIBUTES for i in range(0, len(attributes), 2)):
                self.last_col = self.col + repeat - 1
                self.sheet.cell(self.row, self.last_col)
            self.col += repeat
            self.cell_depth = 1

    def end(self, name: str) -> None:
        if self.cell_depth:
            self.cell_depth -= 1
            return
        if self.sheet is None:
            return
        local = _local(name)
        if local == "table-row":
            if self.last_col >= 0:
                self.sheet.cell(self.row, self.last_col, last_row=self.row + self.row_repeat - 1)
            self.row += self.row_repeat
        elif local == "table":
            self.sheet.close()
            self.sheet = None

    @staticmethod
    def _named(attributes: list[str], local: str) -> str | None:
        found = None
        for index in range(0, len(attributes) - 1, 2):
            if _local(attributes[index]) == local:
                found = attributes[index + 1]
        return found

    def _repeat(self, attributes: list[str], local: str) -> int:
        value = self._named(attributes, local)
        if value is None:
            return 1
        number = int(value.strip())
        if number < 1:
            raise ValueError("a repeat count below 1")
        return number


def _check_ods(data: bytes, budget: Budget) -> None:
    archive = zipfile.ZipFile(io.BytesIO(data))
    for info in archive.infolist():
        if info.filename.replace("\\", "/").lower() != "content.xml":
            continue
        content = _OdsContent(budget)
        with archive.open(info) as stream:
            _feed(_parser(content.start, content.end), stream)

"""The definition workbook: a version's definition as an Excel file, in the spirit of XLSForm.

Contract (issue 9; identifiers in English so a version file can be shared between provinces):

- sheet `sheets`: code | title | kind (`form` = label/value like B01, `table` = repeating) | help
- sheet `columns`: sheet | key | header | type | required (`Có` or empty) | choices (a list name) |
  min | max | warn_above | required_if (`key=label1|label2`) | hidden (`Có` or empty) | help |
  old_headers (earlier headers still accepted on import, separated by `|`; optional)
- sheet `choices`: list | label
- sheet `Hướng dẫn`: explains the above in Vietnamese, and holds the version's code and title.

Reading goes through the same gate as a data workbook (`rasoat.spreadsheets`: size, type by
content, password, zip bomb, the extent of every sheet before python-calamine builds it), then
reads the three sheets by name (ignoring case and spacing; every other sheet is ignored), their
columns by header (ignoring case, spacing and `_`), skips blank rows, and checks the result with
`checks.check_definition` and `contract.check_contract`, every fault at its Excel row.
"""

from __future__ import annotations

import datetime
import os
import unicodedata
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from rasoat.spreadsheets import limits
from rasoat.spreadsheets.errors import WorkbookRejected
from rasoat.xlsx_text import new_workbook, write_text

from .checks import CHOICES, COLUMNS, SHEETS, TYPES, Fault, check_definition, normalize_definition
from .contract import check_contract
from .definition import CHOICE_FIELDS, COLUMN_FIELDS, KINDS, SHEET_FIELDS, Definition
from .spec import YES

GUIDE = "Hướng dẫn"
CODE_LABEL = "Mã phiên bản"
TITLE_LABEL = "Tên phiên bản"
FIELDS = {SHEETS: SHEET_FIELDS, COLUMNS: COLUMN_FIELDS, CHOICES: CHOICE_FIELDS}
REQUIRED_FIELDS = {
    SHEETS: ("code", "title", "kind"),
    COLUMNS: ("sheet", "key", "header", "type"),
    CHOICES: ("list", "label"),
}
FLAGS = ("required", "hidden")
LIMITS = ("min", "max", "warn_above")
REPRODUCIBLE_TIME = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
VALIDATED_ROWS = 2000
"""Rows of the written sheets that get the dropdowns of `kind`, `type`, `required` and `hidden`."""

EXPLANATIONS: dict[str, list[tuple[str, str]]] = {
    SHEETS: [
        ("code", "Mã biểu, viết bằng chữ không dấu, số và dấu gạch dưới (ví dụ B01, B07). Không trùng nhau."),
        ("title", "Tên biểu, hiện trên trang nhập liệu và là tên trang trong mẫu Excel."),
        ("kind", "form = biểu một cột giá trị (như B01: mỗi dòng một chỉ tiêu); table = biểu nhiều dòng."),
        ("help", "Hướng dẫn điền biểu (không bắt buộc)."),
    ],
    COLUMNS: [
        ("sheet", "Mã biểu chứa cột (phải có trong trang sheets)."),
        (
            "key",
            "Mã cột: chữ thường không dấu, số, dấu gạch dưới, bắt đầu bằng chữ (ví dụ os_licensed). "
            "Không trùng trong cùng một biểu. Dữ liệu được lưu theo mã này.",
        ),
        ("header", "Tiêu đề cột (hoặc nhãn dòng của biểu form) bằng tiếng Việt, như trên mẫu Excel."),
        (
            "type",
            "Kiểu dữ liệu: text (chữ), longtext (đoạn văn), int (số nguyên), dec (số thập phân), "
            "year (năm), date (ngày), choice (chọn trong danh sách), yesno (Có/Không), email, phone.",
        ),
        ("required", "Ghi “Có” nếu bắt buộc nhập; để trống nếu không bắt buộc."),
        ("choices", "Với cột kiểu choice: tên danh sách lựa chọn (phải có trong trang choices)."),
        ("min", "Giá trị nhỏ nhất (chỉ với int, dec, year); để trống nếu không giới hạn."),
        ("max", "Giá trị lớn nhất (chỉ với int, dec, year); không được nhỏ hơn min."),
        ("warn_above", "Cảnh báo (không chặn) khi giá trị lớn hơn số này."),
        (
            "required_if",
            "Bắt buộc khi cột khác có một trong các lựa chọn: mã_cột=lựa chọn 1|lựa chọn 2 "
            "(ví dụ device_type=Máy tính để bàn|Máy tính xách tay).",
        ),
        ("hidden", "Ghi “Có” để ẩn cột: không hỏi khi nhập, không xuất ra, nhưng vẫn giữ trong định nghĩa."),
        ("help", "Hướng dẫn điền cột (không bắt buộc)."),
        (
            "old_headers",
            "Các tiêu đề cũ vẫn được chấp nhận khi nhập tệp Excel, cách nhau bởi dấu |. "
            "Khi đổi tiêu đề, tiêu đề cũ được tự động thêm vào đây.",
        ),
    ],
    CHOICES: [
        ("list", "Tên danh sách lựa chọn (chữ thường không dấu, số, dấu gạch dưới)."),
        (
            "label",
            "Một lựa chọn của danh sách, đúng như người nhập sẽ chọn (tối đa 100 ký tự). "
            "Mỗi dòng một lựa chọn, theo thứ tự hiển thị; không trùng trong cùng danh sách.",
        ),
    ],
}

INTRODUCTION = (
    "Tệp này định nghĩa một phiên bản phụ lục rà soát: các biểu (trang sheets), các cột của từng biểu "
    "(trang columns) và các danh sách lựa chọn (trang choices). Sửa các trang đó rồi tải lên tại trang "
    "Phiên bản phụ lục (hoặc lệnh rasoat appendix import) để tạo hoặc cập nhật một phiên bản chưa có "
    "dữ liệu. Mọi lỗi được báo kèm trang, dòng và cột; khi có lỗi, không có gì được lưu.",
    "Không được xóa, ẩn hay đổi kiểu các cột mà quy tắc đánh giá sử dụng, cũng không được bỏ các lựa "
    "chọn mà quy tắc so sánh; được phép thêm cột, thêm lựa chọn, đổi tiêu đề và thêm biểu mới.",
    "Tên trang và tên cột (tiêu đề dòng 1) giữ nguyên bằng tiếng Anh để tệp dùng chung được giữa các địa "
    "phương. Trang này chỉ để đọc, không được nhập lại.",
)


# --- writing ---------------------------------------------------------------------------------------


def _cell(value: Any, field: str) -> Any:
    if field in FLAGS:
        return YES if value else ""
    if field == "old_headers":
        return "|".join(value or ())
    return value


def write_definition(
    definition: Definition, target: str | os.PathLike | IO[bytes], *, code: str, title: str
) -> None:
    """Write `definition` (of version `code`, titled `title`) as a definition workbook."""
    if isinstance(target, os.PathLike):
        target = str(target)
    book = new_workbook(target)
    # A fixed creation time: one definition always gives the same bytes, so a version made on the web
    # and the same one made from a workbook download identically (and a shipped file diffs cleanly).
    book.set_properties({"title": title, "subject": code, "created": REPRODUCIBLE_TIME})
    bold = book.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
    )
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    _write_guide(book.add_worksheet(GUIDE), bold, wrap, code, title)
    widths = {"title": 40, "header": 45, "help": 40, "label": 45, "required_if": 30, "old_headers": 30}
    for name, fields in FIELDS.items():
        sheet = book.add_worksheet(name)
        for col, field in enumerate(fields):
            write_text(sheet, 0, col, field, bold)
            sheet.set_column(col, col, widths.get(field, 14))
        for row, item in enumerate(definition.get(name, ()), start=1):
            for col, field in enumerate(fields):
                value = _cell(item.get(field), field)
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    value = YES if value else ""
                if isinstance(value, int | float):
                    sheet.write_number(row, col, value)
                else:
                    write_text(sheet, row, col, str(value))
        sheet.freeze_panes(1, 0)
        _validations(sheet, fields)
    book.close()


def _validations(sheet, fields: tuple[str, ...]) -> None:
    """Dropdowns where a cell takes one of a few words, so a typing slip is caught in Excel already."""
    lists = {"kind": list(KINDS), "type": list(TYPES), "required": [YES], "hidden": [YES]}
    for col, field in enumerate(fields):
        if field in lists:
            sheet.data_validation(
                1,
                col,
                VALIDATED_ROWS,
                col,
                {"validate": "list", "source": lists[field], "error_type": "warning"},
            )


def _write_guide(sheet, bold, wrap, code: str, title: str) -> None:
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 22)
    sheet.set_column(2, 2, 100)
    write_text(sheet, 0, 0, "Định nghĩa phụ lục", bold)
    write_text(sheet, 1, 0, CODE_LABEL)
    write_text(sheet, 1, 1, code)
    write_text(sheet, 2, 0, TITLE_LABEL)
    write_text(sheet, 2, 1, title)
    row = 4
    for paragraph in INTRODUCTION:
        sheet.merge_range(row, 0, row, 2, "", wrap)
        write_text(sheet, row, 0, paragraph, wrap)
        sheet.set_row(row, 45)
        row += 1
    row += 1
    for col, heading in enumerate(("Trang", "Cột", "Ý nghĩa")):
        write_text(sheet, row, col, heading, bold)
    row += 1
    for name, explanations in EXPLANATIONS.items():
        for field, text in explanations:
            write_text(sheet, row, 0, name)
            write_text(sheet, row, 1, field)
            write_text(sheet, row, 2, text, wrap)
            row += 1
    _write_contract(sheet, row + 1, bold, wrap)


def _write_contract(sheet, row: int, bold, wrap) -> None:
    """What the assessment reads (from `contract.READS`), so an administrator knows before uploading."""
    from .contract import READS, _required_labels, column_type

    write_text(sheet, row, 0, "Các cột mà quy tắc đánh giá sử dụng (không được xóa, ẩn, đổi kiểu)", bold)
    row += 1
    for col, heading in enumerate(("Biểu", "Mã cột (kiểu)", "Quy tắc và các lựa chọn phải giữ")):
        write_text(sheet, row, col, heading, bold)
    needs: dict[tuple[str, str], tuple[set[str], set[str], bool]] = {}
    for reads in READS:
        for key in reads.keys:
            rules, labels, conditional = needs.setdefault((reads.sheet, key), (set(), set(), True))
            rules.add(reads.rule)
            labels.update(_required_labels(reads.sheet, key, reads.labels.get(key, ())))
            needs[reads.sheet, key] = (rules, labels, conditional and reads.when_present)
    for (code, key), (rules, labels, conditional) in sorted(needs.items()):
        row += 1
        text = ", ".join(sorted(rules))
        if labels:
            text += "; giữ các lựa chọn: " + " | ".join(sorted(labels))
        if conditional:
            text += " (khi phiên bản có cột này)"
        write_text(sheet, row, 0, code)
        write_text(sheet, row, 1, f"{key} ({column_type(code, key)})")
        write_text(sheet, row, 2, text, wrap)


# --- reading ---------------------------------------------------------------------------------------


def _fold(text: Any) -> str:
    """A sheet or column name as compared: Unicode NFC, case-folded, without spaces, `_` or `-`."""
    text = unicodedata.normalize("NFC", str(text or "")).casefold()
    return "".join(ch for ch in text if not ch.isspace() and ch not in "_-")


def _text(value: Any) -> Any:
    """A text cell as text; numbers as their shortest text (a sheet code typed as 5 is "5")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return YES if value else ""
    return str(value).strip()


def _limit(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return str(value).strip()  # the checks say it is not a number, at its cell


def _flag(value: Any) -> Any:
    """`Có` (any case) or empty as a boolean; anything else stays text for the checks to report."""
    if value is None or value is False or (isinstance(value, str) and not value.strip()):
        return False
    if value is True or (isinstance(value, str) and _fold(value) == _fold(YES)):
        return True
    return _text(value)


def _convert(field: str, value: Any) -> Any:
    if field in FLAGS:
        return _flag(value)
    if field in LIMITS:
        return _limit(value)
    if field == "old_headers":
        return [part.strip() for part in _text(value).split("|") if part.strip()]
    return _text(value)


def _filename(source: Any) -> str:
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    return Path(getattr(source, "name", "") or "definition.xlsx").name


def _open(source: Any, filename: str):
    # The data reader's gate, so a hostile definition file is refused exactly as a data one is.
    from rasoat.workbooks.reading.workbook import open_workbook

    return open_workbook(source, filename)


def _calamine(call, filename: str):
    """Run a python-calamine call; any failure of the library means a damaged file (as the data
    reader says it)."""
    try:
        return call()
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException:  # noqa: BLE001 - includes pyo3's PanicException, which is not an Exception
        raise limits.damaged(filename) from None


def _read_sheet(workbook, name: str, table: str, filename: str) -> tuple[list[dict], list[int], list[Fault]]:
    """The rows of one definition sheet as dicts, their Excel row numbers, and the faults found."""
    sheet = _calamine(lambda: workbook.get_sheet_by_name(name), filename)
    limits.check_rows(sheet.height, filename, allowance=limits.row_allowance())
    end = sheet.end
    limits.check_cells(0 if end is None else (end[0] + 1) * (end[1] + 1), filename)
    grid = _calamine(lambda: sheet.to_python(skip_empty_area=False), filename)
    if not grid:
        return [], [], [Fault(table, 1, None, _("The sheet “%(sheet)s” is empty.") % {"sheet": table})]
    known = {_fold(field): field for field in FIELDS[table]}
    positions: dict[str, int] = {}
    for col, cell in enumerate(grid[0]):
        field = known.get(_fold(_text(cell)))
        if field is not None and field not in positions:
            positions[field] = col
    faults = [
        Fault(
            table,
            1,
            field,
            _("The sheet “%(sheet)s” has no column “%(column)s”.") % {"sheet": table, "column": field},
        )
        for field in REQUIRED_FIELDS[table]
        if field not in positions
    ]
    rows, numbers = [], []
    for index, cells in enumerate(grid[1:], start=2):
        if all(_text(cell) == "" for cell in cells):
            continue
        row = {}
        for field in FIELDS[table]:
            col = positions.get(field)
            row[field] = _convert(field, cells[col] if col is not None and col < len(cells) else None)
        rows.append(row)
        numbers.append(index)
    return rows, numbers, faults


def _remap(fault: Fault, numbers: dict[str, list[int]]) -> Fault:
    """A fault of `check_definition` (row = list index + 2) at its Excel row."""
    rows = numbers.get(fault.sheet)
    if fault.row is None or not rows or not 2 <= fault.row < len(rows) + 2:
        return fault
    return Fault(fault.sheet, rows[fault.row - 2], fault.column, fault.message)


def read_definition(source: str | os.PathLike | IO[bytes] | bytes) -> tuple[Definition | None, list[Fault]]:
    """The definition in a definition workbook and every fault of it, each at its Excel row.

    The definition is returned only when there is no fault at all (checks and contract included);
    a file that cannot be read as a whole gives one fault naming why.
    """
    filename = _filename(source)
    try:
        workbook = _open(source, filename)
    except WorkbookRejected as rejected:
        return None, [Fault("", None, None, rejected.message)]
    try:
        names = {_fold(name): name for name in reversed(list(workbook.sheet_names))}
        definition: Definition = {}
        numbers: dict[str, list[int]] = {}
        faults: list[Fault] = []
        for table in FIELDS:
            name = names.get(_fold(table))
            if name is None:
                if table != CHOICES:  # a version without choice columns needs no `choices` sheet
                    faults.append(
                        Fault(
                            table, None, None, _("The workbook has no sheet “%(sheet)s”.") % {"sheet": table}
                        )
                    )
                definition[table] = []
                continue
            definition[table], numbers[table], found = _read_sheet(workbook, name, table, filename)
            faults.extend(found)
    except WorkbookRejected as rejected:
        return None, [Fault("", None, None, rejected.message)]
    finally:
        workbook.close()
    if faults:
        return None, faults
    faults = [_remap(fault, numbers) for fault in check_definition(definition)]
    if not faults:
        definition = normalize_definition(definition)
        faults = [_remap(fault, numbers) for fault in check_contract(definition)]
    return (None, faults) if faults else (definition, [])


def read_title(source: str | os.PathLike | IO[bytes] | bytes) -> str:
    """The version title written in the `Hướng dẫn` sheet ("" when there is none)."""
    return _guide_values(source).get(_fold(TITLE_LABEL), "")


def read_code(source: str | os.PathLike | IO[bytes] | bytes) -> str:
    """The version code written in the `Hướng dẫn` sheet ("" when there is none)."""
    return _guide_values(source).get(_fold(CODE_LABEL), "")


def _guide_values(source: Any) -> dict[str, str]:
    filename = _filename(source)
    try:
        workbook = _open(source, filename)
    except WorkbookRejected:
        return {}
    try:
        name = next((n for n in workbook.sheet_names if _fold(n) == _fold(GUIDE)), None)
        if name is None:
            return {}
        rows = _calamine(
            lambda: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=10), filename
        )
    except WorkbookRejected:  # a damaged guide sheet only loses the title
        return {}
    finally:
        workbook.close()
    return {_fold(row[0]): _text(row[1]) for row in rows if len(row) >= 2 and _text(row[0])}

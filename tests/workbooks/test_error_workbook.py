"""The error workbook: the user's cells back, faulty ones highlighted and commented, plus the list."""

import datetime
import io
import re
import zipfile

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from rasoat.workbooks import reader
from rasoat.workbooks.error_workbook import LIST_HEADERS, LIST_SHEET, write_error_workbook
from rasoat.workbooks.reading.results import CellIssue, WorkbookImport
from tests.inventory.test_workflow import assignment_of
from tests.workbooks.test_template import rows, sheet_xml, to_pdf

UNIT = "X.03637.UB"
B05_HEADERS = [
    "STT",
    "Loại thiết bị*",
    "Hãng, model",
    "Số lượng*",
    "Năm trang bị*",
    "Bộ vi xử lý (CPU)",
    "RAM (GB)",
    "Loại ổ cứng",
    "Dung lượng ổ cứng (GB)",
    "Hệ điều hành",
    "Hệ điều hành có bản quyền",
    "Phần mềm phòng chống mã độc",
    "Sử dụng tại bộ phận một cửa",
    "Tình trạng*",
    "Ghi chú",
]
INJECTION = "=cmd|' /C calc'!A0"


def faulty_workbook() -> bytes:
    """A unit workbook as a clerk might send it: B01 incomplete, B05 with bad cells and a warning."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False})
    general = book.add_worksheet("Thông tin chung")
    lines = [
        ("Tên cơ quan, đơn vị*", "Ủy ban nhân dân xã Mường Kim"),
        ("Mã đơn vị*", UNIT),
        ("Khối*", "Khối UBND"),
        ("Cấp*", "Cấp xã"),
        ("Họ và tên người đầu mối*", "Lò Văn A"),
        ("Số điện thoại*", "12345"),  # error: not a phone number
        ("Tổng số cán bộ, công chức, viên chức, người lao động*", 20),
        ("Có mạng nội bộ (LAN)*", "Có"),
    ]
    for row, (label, value) in enumerate(lines, start=2):
        general.write_number(row, 0, row - 1)
        general.write_string(row, 1, label)
        general.write(row, 2, value)
    devices = book.add_worksheet("Thiết bị đầu cuối")
    devices.write_string(0, 0, "THIẾT BỊ ĐẦU CUỐI")
    for col, header in enumerate(B05_HEADERS):
        devices.write_string(1, col, header)
    good = [
        1,
        "Máy in",
        "Canon",
        2,
        2020,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        "Không",
        "Hoạt động tốt",
        None,
    ]
    bad = [2, "Máy in", INJECTION, "nhiều", 1800, None, None, None, None, None, None, None, None, "Tốt", None]
    shifted = [
        3,
        "Máy chiếu",
        "Epson",
        1,
        2021,
        "Core i5",
        8,
        None,
        None,
        None,
        None,
        None,
        None,
        "Hoạt động tốt",
    ]
    for row, values in enumerate((good, bad, shifted), start=2):
        for col, value in enumerate(values):
            if isinstance(value, str):
                devices.write_string(row, col, value)
            elif value is not None:
                devices.write_number(row, col, value)
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    devices.write_datetime(4, 14, datetime.datetime(2024, 3, 5), date_format)
    notes = book.add_worksheet("Ghi chép riêng")
    notes.write_string(0, 0, "+ không phải biểu của phụ lục")
    notes.hide()
    book.close()
    return output.getvalue()


def fills(content: bytes) -> list[str | None]:
    """The fill colour of each cell style (cellXfs index → "FFFFC7CE" or None)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        styles = archive.read("xl/styles.xml").decode()
    fill_list = re.findall(
        r"<fill>(.*?)</fill>", re.search(r"<fills[^>]*>(.*?)</fills>", styles, re.S).group(1), re.S
    )
    colours = [(re.search(r'fgColor rgb="(\w+)"', f) or [None, None])[1] for f in fill_list]
    xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S).group(1)
    return [colours[int(re.search(r'fillId="(\d+)"', xf).group(1))] for xf in re.findall(r"<xf [^>]*>", xfs)]


def cell_fill(content: bytes, sheet: str, ref: str) -> str | None:
    xml = sheet_xml(content, sheet)
    match = re.search(rf'<c r="{ref}"(?: s="(\d+)")?', xml)
    assert match, f"no cell {ref} in {sheet}"
    return fills(content)[int(match.group(1))] if match.group(1) else None


def comments(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(
            archive.read(n).decode() for n in archive.namelist() if re.match(r"xl/comments\d+\.xml", n)
        )


@pytest.fixture
def source() -> bytes:
    return faulty_workbook()


@pytest.fixture
def result(campaign, source):
    return reader.read_unit_workbook(source, "tu_lam.xlsx", assignment_of(campaign, UNIT))


@pytest.fixture
def errors_book(source, result) -> bytes:
    return write_error_workbook(source, "tu_lam.xlsx", result)


def test_the_file_has_the_errors_this_test_relies_on(result):
    b05 = {(i.row, i.column) for i in result.errors if i.sheet_code == "B05"}
    assert {(4, "Số lượng"), (4, "Năm trang bị"), (4, "Tình trạng")} <= b05
    assert any(i.sheet_code == "B01" and i.column == "Số điện thoại" for i in result.errors)
    assert any(i.sheet_code == "B05" and i.row == 5 for i in result.warnings)


def test_list_sheet_comes_first_and_lists_every_error_and_warning(errors_book, result):
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(errors_book))
    assert workbook.sheet_names == [LIST_SHEET, "Thông tin chung", "Thiết bị đầu cuối", "Ghi chép riêng"]
    listed = rows(errors_book, LIST_SHEET)
    assert list(listed[2][: len(LIST_HEADERS)]) == list(LIST_HEADERS)
    body = [row for row in listed[3:] if any(row)]
    assert len(body) == len(result.errors) + len(result.warnings)
    kinds = [row[0] for row in body]
    assert kinds.count("Lỗi") == len(result.errors) and kinds.count("Cảnh báo") == len(result.warnings)
    quantity = next(row for row in body if row[3] == "Số lượng")
    assert quantity[1] == "B05. Thiết bị đầu cuối" and quantity[2] == 4 and quantity[4] == "nhiều"
    assert "số nguyên" in quantity[5]
    assert f"{len(result.errors)} lỗi" in listed[0][0]


def test_faulty_cells_are_red_warnings_yellow_and_commented(errors_book, result):
    assert cell_fill(errors_book, "Thiết bị đầu cuối", "D4") == "FFFFC7CE"  # quantity "nhiều"
    assert cell_fill(errors_book, "Thiết bị đầu cuối", "E4") == "FFFFC7CE"  # year 1800
    phone = next(i for i in result.errors if i.column == "Số điện thoại")
    assert (phone.row, phone.file_col) == (8, 2)
    assert cell_fill(errors_book, "Thông tin chung", "C8") == "FFFFC7CE"  # phone 12345
    warning = next(i for i in result.warnings if i.sheet_code == "B05" and i.row == 5)
    ref = f"{'ABCDEFGHIJKLMNO'[warning.file_col]}5"
    assert cell_fill(errors_book, "Thiết bị đầu cuối", ref) == "FFFFEB9C"
    assert cell_fill(errors_book, "Thiết bị đầu cuối", "B3") is None  # a good cell stays plain
    notes = comments(errors_book)
    assert 'ref="D4"' in notes and 'ref="E4"' in notes and f'ref="{ref}"' in notes
    quantity = next(i for i in result.errors if i.row == 4 and i.column == "Số lượng")
    assert quantity.message.replace('"', "&quot;") in notes or quantity.message in notes


def test_the_users_cells_come_back_as_values_and_text_stays_text(errors_book):
    b05 = rows(errors_book, "Thiết bị đầu cuối")
    assert b05[1] == B05_HEADERS
    assert b05[3][2] == INJECTION
    assert b05[3][3] == "nhiều"
    assert b05[2][3] == 2
    assert b05[4][14] in (datetime.datetime(2024, 3, 5), datetime.date(2024, 3, 5))
    for name in ("Thiết bị đầu cuối", "Thông tin chung", LIST_SHEET):
        assert "<f>" not in sheet_xml(errors_book, name)
    # The hidden sheet of the user's file stays hidden.
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(errors_book))
    visible = {m.name: m.visible for m in workbook.sheets_metadata}
    assert visible["Ghi chép riêng"] != SheetVisibleEnum.Visible
    assert visible[LIST_SHEET] == SheetVisibleEnum.Visible


def test_issues_without_a_cell_mark_the_row_or_the_sheet(source):
    """An issue about a whole row goes on its first cell, one about a whole sheet on A1; one about a
    sheet the file does not have is only listed."""

    def issue(**fields):
        base = {
            "kind": "error",
            "sheet": "Thiết bị đầu cuối",
            "sheet_code": "B05",
            "row": None,
            "column": None,
        }
        base.update(
            {"value": None, "message": "Thông báo", "file_sheet": "Thiết bị đầu cuối", "file_col": None}
        )
        base.update(fields)
        return CellIssue(**base)

    result = WorkbookImport(
        units=[],
        errors=[
            issue(row=3, message="Cả dòng sai"),
            issue(message="Cả biểu sai"),
            issue(sheet="Kết nối mạng", sheet_code="B02", file_sheet=None, message="Thiếu biểu"),
        ],
        warnings=[],
        ignored={},
        unknown_columns=[],
        sheets=[],
        rows={},
    )
    content = write_error_workbook(source, "tu_lam.xlsx", result)
    assert cell_fill(content, "Thiết bị đầu cuối", "A3") == "FFFFC7CE"
    assert cell_fill(content, "Thiết bị đầu cuối", "A1") == "FFFFC7CE"
    notes = comments(content)
    assert "Cả dòng sai" in notes and "Cả biểu sai" in notes and "Thiếu biểu" not in notes
    listed = [row for row in rows(content, LIST_SHEET)[3:] if any(row)]
    assert {row[5] for row in listed} == {"Cả dòng sai", "Cả biểu sai", "Thiếu biểu"}


def test_error_workbook_opens_in_libreoffice(errors_book, tmp_path, libreoffice):
    pdf = to_pdf(libreoffice, errors_book, tmp_path, "bao_loi.xlsx")
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")

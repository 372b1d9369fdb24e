"""The workbook reader: finding sheets, headers and labels with PHU_LUC.md's tolerance, reading every
cell through the appendix declaration, and naming every issue by sheet, Excel row and header."""

import datetime
import unicodedata
from decimal import Decimal

import pytest

from rasoat.appendix.declaration import Context, UnitInfo, get_appendix
from rasoat.appendix.validation import clean_record
from rasoat.workbooks.reader import WorkbookRejected, read_unit_workbook
from rasoat.workbooks.reading.cleaning import SheetCleaner
from rasoat.workbooks.reading.matching import header_key, label_key, sheet_key
from rasoat.workbooks.template import write_unit_template
from tests.inventory.test_workflow import assignment_of, data_for, load
from tests.workbooks.conftest import (
    CLEAN_SAMPLE,
    MESSY_SAMPLE,
    SAMPLE_UNIT,
    general_rows,
    meta_rows,
    sample,
    sheet_rows,
    workbook_sheets,
)

APPENDIX = get_appendix("2026.1")
B05 = APPENDIX.sheet("B05")

DESKTOP = {
    "device_type": "Máy tính để bàn",
    "model": "Dell OptiPlex 3080",
    "quantity": 2,
    "year_acquired": 2020,
    "cpu": "Intel Core i5",
    "ram_gb": 8,
    "disk_type": "SSD",
    "disk_gb": 256,
    "os": "Windows 11",
    "os_licensed": "Có",
    "antivirus": "Miễn phí",
    "at_one_stop": "Không",
    "condition": "Hoạt động tốt",
}
PRINTER = {"device_type": "Máy in", "model": "Canon LBP 2900", "quantity": 1, "year_acquired": 2019,
           "condition": "Hoạt động tốt"}  # fmt: skip


@pytest.fixture
def assignment(campaign):
    return assignment_of(campaign, SAMPLE_UNIT)


@pytest.fixture
def general(assignment) -> dict:
    return data_for(assignment.unit)["B01"]


def read(path, assignment):
    return read_unit_workbook(path, path.name, assignment)


def unit_workbook(write_workbook, general: dict, b05_rows: list[list], **options):
    """A workbook with B01 and a B05 sheet made of `b05_rows` (title and header rows included)."""
    sheets = [("Thông tin chung", general_rows(APPENDIX, general)), ("Thiết bị đầu cuối", b05_rows)]
    return write_workbook(sheets, **options)


def cells(record: dict, columns) -> list:
    """A record as a row of `columns` (STT numbered 1)."""
    return [1 if c.row_number else record.get(c.key) for c in columns]


def b05_with(records: list[dict], headers: list[str] | None = None) -> list[list]:
    rows = sheet_rows(APPENDIX, "B05", records)
    if headers is not None:
        rows[1] = headers
    return rows


# --- recognising sheets, headers and labels --------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["Thiết bị đầu cuối", "THIẾT BỊ ĐẦU CUỐI", "B05. Thiết bị đầu cuối", "Biểu 05 - Thiết bị đầu cuối",
     "b5 thiết bị  đầu cuối", "Biểu số 05. Thiết bị đầu cuối", "B05"],
)  # fmt: skip
def test_sheet_names_match_with_the_contract_tolerance(name):
    number, rest = sheet_key(unicodedata.normalize("NFD", name))
    assert rest == header_key("Thiết bị đầu cuối") or (rest == "" and number == 5)


def test_headers_match_ignoring_case_spaces_line_breaks_star_and_unicode_form():
    written = unicodedata.normalize("NFD", "  BĂNG  THÔNG\n(Mbps) (*) ")
    assert header_key(written) == header_key("Băng thông (Mbps)")
    assert header_key("Băng thông(Mbps)*") == header_key("Băng thông (Mbps)")
    assert label_key("8. Số điện thoại*:") == label_key("Số điện thoại")
    assert header_key("Loại thiết bị khác") != header_key("Loại thiết bị")


def test_sheets_in_any_order_with_codes_and_a_title_block_are_read(assignment, general, write_workbook):
    rows = [["PHỤ LỤC"], ["(Thiết bị đầu cuối)"], [], *b05_with([DESKTOP])[1:]]
    path = write_workbook(
        [("B05. Thiết bị đầu cuối", rows), ("Biểu 01 - Thông tin chung", general_rows(APPENDIX, general))]
    )
    result = read(path, assignment)
    assert result.errors == []
    assert result.rows["B05"] == 1
    b05 = next(s for s in result.sheets if s["code"] == "B05")
    assert b05["file_sheet"] == "B05. Thiết bị đầu cuối"
    assert result.units[0].data["B05"][0]["ram_gb"] == 8


def test_columns_in_another_order_and_spelled_differently_are_matched(assignment, general, write_workbook):
    shuffled = list(reversed(B05.columns))
    headers = [unicodedata.normalize("NFD", f" {c.header.upper()}\n*") for c in shuffled]
    rows = [["Thiết bị"], headers, cells(DESKTOP, shuffled)]
    result = read(unit_workbook(write_workbook, general, rows), assignment)
    assert result.errors == [] and result.unknown_columns == []
    assert result.units[0].data["B05"] == [clean_record(B05, DESKTOP, Context(2026)).values]


def test_a_two_row_header_with_merged_cells_is_read(assignment, general, write_workbook):
    top = [c.marked_header if c.key not in ("cpu", "ram_gb") else ("Cấu hình" if c.key == "cpu" else None)
           for c in B05.columns]  # fmt: skip
    bottom = [c.header if c.key in ("cpu", "ram_gb") else None for c in B05.columns]
    rows = [["Thiết bị"], top, bottom, cells(DESKTOP, B05.columns)]
    result = read(unit_workbook(write_workbook, general, rows), assignment)
    assert result.errors == [] and result.unknown_columns == []
    assert result.units[0].data["B05"][0]["cpu"] == "Intel Core i5"


def test_b01_labels_are_found_anywhere_and_take_the_first_value_to_their_right(
    assignment, general, write_workbook
):
    rows = [["Báo cáo"], []]
    for number, column in enumerate(APPENDIX.sheet("B01").data_columns, start=1):
        rows.append([None, None, f"{number}. {column.header}:", None, None, general.get(column.key)])
    path = write_workbook([("Thông tin chung", rows), ("Thiết bị đầu cuối", b05_with([PRINTER]))])
    result = read(path, assignment)
    assert result.errors == []
    assert result.units[0].data["B01"]["contact_phone"] == "0912345678"
    assert result.units[0].data["B01"]["staff_total"] == 46


def test_a_missing_b01_line_is_named(assignment, general, write_workbook):
    rows = [row for row in general_rows(APPENDIX, general) if row[1:2] != ["Họ và tên người đầu mối*"]]
    path = write_workbook([("Thông tin chung", rows)])
    result = read(path, assignment)
    [error] = [e for e in result.errors if e.column == "Họ và tên người đầu mối"]
    assert error.row is None and error.sheet == "Thông tin chung"
    assert "Không tìm thấy dòng" in error.message


# --- values ---------------------------------------------------------------------------------------


def test_numbers_as_text_or_floats_are_read_as_numbers(assignment, general, write_workbook):
    record = {**DESKTOP, "quantity": "2", "year_acquired": 2020.0, "ram_gb": "0,5", "disk_gb": "256"}
    result = read(unit_workbook(write_workbook, general, b05_with([record])), assignment)
    assert result.errors == []
    row = result.units[0].data["B05"][0]
    assert (row["quantity"], row["year_acquired"], row["ram_gb"], row["disk_gb"]) == (
        2,
        2020,
        Decimal("0.5"),
        256,
    )


def test_a_thousands_separator_is_an_error_that_says_why(assignment, general, write_workbook):
    result = read(
        unit_workbook(write_workbook, general, b05_with([{**DESKTOP, "ram_gb": "1.000"}])), assignment
    )
    [error] = result.errors
    assert (error.sheet, error.sheet_code, error.row, error.column, error.value) == (
        "Thiết bị đầu cuối", "B05", 3, "RAM (GB)", "1.000"
    )  # fmt: skip
    assert "phân cách hàng nghìn" in error.message
    assert error.file_sheet == "Thiết bị đầu cuối" and error.file_col == 6


def test_a_date_in_a_year_column_is_an_error(assignment, general, write_workbook):
    record = {**DESKTOP, "year_acquired": datetime.date(2020, 3, 1)}
    result = read(unit_workbook(write_workbook, general, b05_with([record])), assignment)
    [error] = result.errors
    assert error.column == "Năm trang bị" and "ngày tháng" in error.message and "năm" in error.message


def test_every_issue_names_the_contract_header_even_when_the_file_spells_it_differently(
    assignment, general, write_workbook
):
    headers = [c.header.upper().replace(" ", "  ") for c in B05.columns]
    result = read(
        unit_workbook(write_workbook, general, b05_with([{**DESKTOP, "condition": "Tốt"}], headers)),
        assignment,
    )
    [error] = result.errors
    assert error.column == "Tình trạng" and error.value == "Tốt" and error.row == 3
    expected = {"sheet": "Thiết bị đầu cuối", "row": 3, "column": "Tình trạng", "value": "Tốt"}
    assert error.as_json() == {**expected, "message": error.message}


def test_blank_and_total_rows_are_ignored_and_counted(assignment, general, write_workbook):
    rows = b05_with([DESKTOP, PRINTER])
    rows.insert(3, [7, None, "   ", None])  # only an STT and spaces: blank whatever its STT
    rows.append([None] * 5)
    rows.append(["Tổng cộng", None, None, 3])
    rows.extend([[None], [None]])  # trailing empty rows are not "ignored rows"
    result = read(unit_workbook(write_workbook, general, rows), assignment)
    assert result.errors == []
    assert result.rows["B05"] == 2
    assert result.ignored["Thiết bị đầu cuối"] == {"blank": 2, "total": 1}


def test_unknown_columns_are_reported_and_ignored(assignment, general, write_workbook):
    rows = b05_with([DESKTOP])
    rows[1].append("NGƯỜI SỬ DỤNG")
    rows[2].append("Nguyễn Thị Hoa")
    result = read(unit_workbook(write_workbook, general, rows), assignment)
    assert result.errors == []
    assert result.unknown_columns == [{"sheet": "Thiết bị đầu cuối", "column": "NGƯỜI SỬ DỤNG"}]


def test_a_missing_required_column_is_one_error_for_the_sheet(assignment, general, write_workbook):
    keep = [c for c in B05.columns if c.key != "condition"]
    rows = [["B05"], [c.header for c in keep], *[cells(DESKTOP, keep) for _ in range(20)]]
    result = read(unit_workbook(write_workbook, general, rows), assignment)
    [error] = result.errors
    assert error.column == "Tình trạng" and error.row == 2 and "Thiếu cột bắt buộc" in error.message


def test_a_missing_conditionally_required_column_is_one_error_when_rows_need_it(
    assignment, general, write_workbook
):
    keep = [c for c in B05.columns if c.key != "cpu"]
    rows = [["B05"], [c.header for c in keep]] + [cells(r, keep) for r in (DESKTOP, PRINTER, DESKTOP)]
    result = read(unit_workbook(write_workbook, general, rows), assignment)
    [error] = result.errors
    assert error.column == "Bộ vi xử lý (CPU)" and "2 dòng" in error.message


def test_a_missing_optional_column_is_a_warning(assignment, general, write_workbook):
    keep = [c for c in B05.columns if c.key != "note"]
    rows = [["B05"], [c.header for c in keep], cells(PRINTER, keep)]
    result = read(unit_workbook(write_workbook, general, rows), assignment)
    assert result.errors == []
    assert any(w.column == "Ghi chú" and "để trống" in w.message for w in result.warnings)


def test_a_sheet_without_a_header_row_is_an_error(assignment, general, write_workbook):
    result = read(unit_workbook(write_workbook, general, [["Máy in", 1, 2020]]), assignment)
    assert any("Không tìm thấy dòng tiêu đề" in e.message and e.sheet_code == "B05" for e in result.errors)


def test_a_row_of_another_unit_in_a_unit_workbook_is_an_error(assignment, general, write_workbook):
    rows = b05_with([PRINTER, PRINTER])
    rows[1].append("Mã đơn vị")
    rows[2].append(SAMPLE_UNIT)
    rows[3].append("X.03637.DU")
    result = read(unit_workbook(write_workbook, general, rows), assignment)
    [error] = result.errors
    assert error.row == 4 and error.column == "Mã đơn vị" and "X.03637.DU" in error.message
    assert result.units[0].rows["B05"] == 1


def test_missing_sheets_unknown_sheets_and_duplicates(assignment, general, write_workbook):
    path = write_workbook(
        [("Thông tin chung", general_rows(APPENDIX, general)), ("Thiết bị đầu cuối", b05_with([PRINTER])),
         ("B05 Thiết bị đầu cuối", b05_with([PRINTER])), ("Ghi chép", [["x"]])]
    )  # fmt: skip
    result = read(path, assignment)
    assert [e.message for e in result.errors if "hai trang" in e.message]
    assert any(w.sheet == "Ghi chép" for w in result.warnings)
    assert {w.sheet_code for w in result.warnings if "Không có biểu" in w.message} == {
        "B02",
        "B03",
        "B04",
        "B06",
    }
    without_b01 = read(
        write_workbook([("Thiết bị đầu cuối", b05_with([PRINTER]))], name="b05.xlsx"), assignment
    )
    assert any(e.sheet_code == "B01" and "Không tìm thấy biểu" in e.message for e in without_b01.errors)


# --- _meta ----------------------------------------------------------------------------------------


def test_a_matching_meta_is_accepted_and_another_version_is_a_warning(assignment, general, write_workbook):
    sheets = [
        ("Thông tin chung", general_rows(APPENDIX, general)),
        ("_meta", meta_rows("RS2026", SAMPLE_UNIT, version="2025.9")),
    ]
    result = read(write_workbook(sheets, hidden=["_meta"]), assignment)
    assert result.errors == []
    assert any("2025.9" in w.message for w in result.warnings)


@pytest.mark.parametrize(
    ("campaign_code", "unit", "expected"),
    [
        ("RS2026", "X.03637.DU", "X.03637.DU"),
        ("RS2025", SAMPLE_UNIT, "RS2025"),
        ("RS2026", "X.03445", "cả xã"),
    ],
)
def test_a_meta_of_another_unit_or_campaign_rejects_the_file(
    assignment, general, write_workbook, campaign_code, unit, expected
):
    sheets = [("Thông tin chung", general_rows(APPENDIX, general)), ("_meta", meta_rows(campaign_code, unit))]
    with pytest.raises(WorkbookRejected) as rejected:
        read(write_workbook(sheets, hidden=["_meta"]), assignment)
    assert expected in rejected.value.message


# --- the same rules as the web ---------------------------------------------------------------------


def _workbook_rows(path, code):
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    for name in workbook.sheet_names:
        if sheet_key(name)[1] == header_key(APPENDIX.sheet(code).title):
            return workbook.get_sheet_by_name(name).to_python()
    raise AssertionError(code)


@pytest.mark.parametrize("path", [CLEAN_SAMPLE, MESSY_SAMPLE], ids=["clean", "messy"])
def test_the_memoised_cleaning_equals_clean_record(path):
    """Every row of the samples, and rows made to break every rule, clean exactly as clean_record."""
    context = Context(2026, UnitInfo("X.03445.DU", "Đảng ủy xã Mường Tè", "Khối Đảng", "Cấp xã"))
    for sheet in APPENDIX.repeating_sheets:
        rows = _workbook_rows(path, sheet.code)
        header = next(i for i, row in enumerate(rows) if any(header_key(c) == header_key("Số lượng") or
                      header_key(c) == header_key(sheet.columns[1].header) for c in row))  # fmt: skip
        positions = {header_key(c): j for j, c in enumerate(rows[header])}
        cleaner = SheetCleaner(sheet, context)
        records = [
            {
                c.key: row[positions[header_key(c.header)]]
                for c in sheet.data_columns
                if header_key(c.header) in positions
            }
            for row in rows[header + 1 :]
        ]
        broken = [
            {c.key: "x" for c in sheet.data_columns},
            {c.key: -5 for c in sheet.data_columns},
            {c.key: 10**9 for c in sheet.data_columns},
            {},
        ]
        for record in records + broken + records:  # twice: the second pass comes from the memo
            expected = clean_record(sheet, record, context)
            got = cleaner.clean(record)
            assert got.values == expected.values and got.issues == expected.issues
    b05 = SheetCleaner(B05, context)
    for record in (DESKTOP, {**DESKTOP, "cpu": None, "ram_gb": "abc"}, {**PRINTER, "cpu": "x", "ram_gb": 4}):
        assert b05.clean(record).issues == clean_record(B05, record, context).issues
    b01 = APPENDIX.sheet("B01")
    for record in (sample()["data"]["B01"], {"unit_code": "X", "staff_total": 3, "it_staff_fulltime": 9}):
        expected = clean_record(b01, record, context)
        got = SheetCleaner(b01, context).clean(record)
        assert got.values == expected.values and got.issues == expected.issues


# --- the template written by the system ------------------------------------------------------------


def test_the_prefilled_template_reads_back_to_the_same_data(assignment):
    load(assignment)
    from rasoat.inventory.data import unit_data

    stored = unit_data(assignment)
    content = write_unit_template(assignment, prefilled=True)
    result = read_unit_workbook(content, "mau.xlsx", assignment)
    assert result.errors == [] and result.unknown_columns == []
    assert not any(w.sheet_code is None for w in result.warnings)  # the hidden _lists sheet is not a warning
    from rasoat.inventory.data import plain

    read_back = {
        code: ({k: plain(v) for k, v in value.items()} if isinstance(value, dict)
               else [{k: plain(v) for k, v in row.items()} for row in value])
        for code, value in result.units[0].data.items()
    }  # fmt: skip
    assert read_back == stored


def test_a_blank_template_reads_without_rows_and_names_the_missing_b01_values(assignment):
    result = read_unit_workbook(write_unit_template(assignment, prefilled=False), "mau.xlsx", assignment)
    assert result.rows == {"B02": 0, "B03": 0, "B04": 0, "B05": 0, "B06": 0}
    assert {e.column for e in result.errors} == {
        "Họ và tên người đầu mối", "Số điện thoại", "Tổng số cán bộ, công chức, viên chức, người lao động",
        "Có mạng nội bộ (LAN)",
    }  # fmt: skip
    assert all(e.sheet == "Thông tin chung" and e.row is not None for e in result.errors)


def test_an_import_of_an_unchanged_unit_workbook_reads_sheets_once(assignment, general, write_workbook):
    """The whole sample data laid out by the test helper reads with no issue beyond the sample's warning."""
    path = write_workbook(workbook_sheets(APPENDIX, {**sample()["data"], "B01": general}))
    result = read(path, assignment)
    assert result.errors == []
    assert result.rows == sample()["rows"]

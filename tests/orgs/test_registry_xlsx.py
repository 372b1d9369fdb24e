"""The registry workbook: what the export writes and how an upload is read back into rows."""

import io
import zipfile

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook

from rasoat.orgs import registry
from rasoat.orgs.models import Kind, Unit
from rasoat.orgs.registry_xlsx import (
    SHEET_NAME,
    RegistryFileError,
    read_workbook,
    write_workbook,
)

pytestmark = pytest.mark.django_db

HEADERS = [title for _key, title in registry.COLUMNS]


def export_all() -> bytes:
    return write_workbook(registry.tree_order(Unit.objects.select_related("parent", "commune")))


def sheet_rows(content: bytes) -> list[list]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert workbook.sheet_names == [SHEET_NAME]
    return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)


def workbook_of(rows: list[list], name: str = "don-vi.xlsx") -> SimpleUploadedFile:
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = workbook.add_worksheet("Đơn vị")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    workbook.close()
    return SimpleUploadedFile(name, output.getvalue())


def test_export_writes_headers_then_units_in_tree_order(lai_chau):
    rows = sheet_rows(export_all())
    assert rows[0] == HEADERS
    data = rows[1:]
    assert len(data) == Unit.objects.count()
    by_code = {row[0]: dict(zip(HEADERS, row, strict=True)) for row in data}
    assert data[0][0] == "LC"
    codes = [row[0] for row in data]
    assert codes.index("T.TTPVHCC") == codes.index("T.VPUBND") + 1
    agency = by_code["X.03637.DU"]
    assert agency["Mã đơn vị cấp trên"] == "X.03637"
    assert agency["Cấp"] == "Cấp xã"
    assert agency["Khối"] == "Khối Đảng"
    assert agency["Loại"] == "Cơ quan"
    assert agency["Báo cáo"] == "Có"
    assert agency["Mã xã"] == "X.03637"
    assert agency["Huyện cũ"] == "Than Uyên"
    assert agency["Hoạt động"] == "Có"
    assert by_code["LC"]["Báo cáo"] == "Không"
    assert by_code["LC"]["Mã đơn vị cấp trên"] == ""


def test_export_freezes_the_header_row(lai_chau):
    with zipfile.ZipFile(io.BytesIO(export_all())) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert 'ySplit="1"' in xml and 'state="frozen"' in xml


def test_export_writes_formula_like_text_as_text(lai_chau):
    Unit.objects.create(code="=1+2", name='=HYPERLINK("http://x","y")', parent=lai_chau, kind=Kind.AGENCY,
                        former_district="@SUM(A1)")  # fmt: skip
    content = export_all()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    row = next(row for row in sheet_rows(content) if row[0] == "=1+2")
    assert row[1] == '=HYPERLINK("http://x","y")'
    assert row[8] == "@SUM(A1)"


def test_export_labels_do_not_depend_on_the_language(lai_chau, settings):
    from django.utils import translation

    with translation.override("en"):
        content = export_all()
    row = next(row for row in sheet_rows(content) if row[0] == "X.03637.TT")
    assert row[5] == "Bộ phận một cửa"


def test_read_back_the_export_validates_without_error(lai_chau):
    parsed = read_workbook(SimpleUploadedFile("danh-muc-don-vi.xlsx", export_all()))
    assert parsed.row_numbers[:2] == [2, 3]
    rows, errors = registry.validate_rows(parsed.rows, first_row=2, row_numbers=parsed.row_numbers)
    assert errors == []
    assert len(rows) == Unit.objects.count()
    assert registry.diff_rows(rows) == {"created": [], "changed": [], "unchanged": len(rows)}


def test_header_below_a_title_and_blank_rows_keep_excel_row_numbers(lai_chau):
    upload = workbook_of([
        ["Danh mục đơn vị"],
        [],
        [f"  {title.upper()} " for title in HEADERS],
        ["X.A", "Cơ quan A", "LC", "Cấp tỉnh", "Khối UBND", "Cơ quan", "Có", None, None, "Có"],
        [],
        [None, "", None],
        ["X.B", "Cơ quan B", "LC", "tinh", "ubnd", "agency", 1, None, None, 1],
    ])  # fmt: skip
    parsed = read_workbook(upload)
    assert parsed.row_numbers == [4, 7]
    assert parsed.rows[1]["reports"] == 1
    rows, errors = registry.validate_rows(parsed.rows, first_row=4, row_numbers=parsed.row_numbers)
    assert errors == []
    assert [row["kind"] for row in rows] == ["agency", "agency"]


def test_errors_name_the_real_row_after_blank_rows(lai_chau):
    upload = workbook_of([HEADERS, ["X.A", "A", "LC", "", "", "agency", "", "", "", ""], [],
                          ["X.B", "B", "KHONG-CO", "", "", "agency", "", "", "", ""]])  # fmt: skip
    parsed = read_workbook(upload)
    _rows, errors = registry.validate_rows(parsed.rows, first_row=2, row_numbers=parsed.row_numbers)
    assert [(e.row, e.column, e.value) for e in errors] == [(4, "Mã đơn vị cấp trên", "KHONG-CO")]


def test_missing_column_is_named(lai_chau):
    upload = workbook_of([HEADERS[:-1], ["X.A", "A", "LC", "", "", "agency", "", "", ""]])
    with pytest.raises(RegistryFileError) as raised:
        read_workbook(upload)
    assert "Hoạt động" in raised.value.message


def test_no_header_row(lai_chau):
    with pytest.raises(RegistryFileError) as raised:
        read_workbook(workbook_of([["a", "b"], ["c", "d"]]))
    assert "Mã đơn vị" in raised.value.message


def test_header_without_rows(lai_chau):
    with pytest.raises(RegistryFileError):
        read_workbook(workbook_of([HEADERS]))


@pytest.mark.parametrize(
    "name, content",
    [
        ("danh-muc.xlsx", b"this is not a workbook"),
        ("danh-muc.xls", b"\xd0\xcf\x11\xe0 damaged"),
        ("danh-muc.ods", b"PK\x03\x04 broken zip"),
        ("danh-muc.csv", b"code,name\n"),
        ("danh-muc", b""),
    ],
)
def test_unreadable_files_raise_a_clear_error(lai_chau, name, content):
    with pytest.raises(RegistryFileError) as raised:
        read_workbook(SimpleUploadedFile(name, content))
    assert raised.value.message


def test_file_over_the_size_limit_is_refused_before_reading(lai_chau, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    with pytest.raises(RegistryFileError) as raised:
        read_workbook(SimpleUploadedFile("danh-muc.xlsx", export_all()))
    assert "1000" in raised.value.message


def test_workbook_unpacking_too_large_is_refused(lai_chau, settings):
    settings.WORKBOOK_MAX_UNCOMPRESSED_BYTES = 2000
    with pytest.raises(RegistryFileError):
        read_workbook(SimpleUploadedFile("danh-muc.xlsx", export_all()))

"""The appendix workbook a unit or a commune downloads: sheets, headers, checks, pre-filled data.

Values are read back with python-calamine (what the reader uses); what calamine does not expose
(frozen panes, data validations, hidden sheets, cell types) is read from the xlsx XML.
"""

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from rasoat.appendix.declaration import get_appendix
from rasoat.campaigns.models import Assignment
from rasoat.orgs.models import Unit
from rasoat.workbooks.template import (
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    META_SHEET,
    write_commune_template,
    write_unit_template,
)
from tests.inventory.test_workflow import assignment_of, data_for, load
from tests.workbooks.conftest import convert

APPENDIX = get_appendix("2026.1")
SHEET_NAMES = [INSTRUCTIONS_SHEET, *[s.title for s in APPENDIX], META_SHEET]
UNIT = "X.03637.UB"
COMMUNE = "X.03637"


# --- helpers ---------------------------------------------------------------------------------------


def book(content: bytes) -> CalamineWorkbook:
    return CalamineWorkbook.from_filelike(io.BytesIO(content))


def rows(content: bytes, name: str) -> list[list]:
    return book(content).get_sheet_by_name(name).to_python(skip_empty_area=False)


def sheet_xml(content: bytes, name: str) -> str:
    """The XML of a worksheet, found through workbook.xml and its relationships."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(
            rf'<sheet name="{re.escape(name)}" sheetId="\d+"(?: state="\w+")? r:id="(rId\d+)"', workbook
        )
        assert rid, f"no sheet {name!r}"
        target = re.search(rf'Id="{rid.group(1)}" Type="[^"]+" Target="([^"]+)"', rels).group(1)
        return archive.read(f"xl/{target}").decode()


def validations(xml: str) -> dict[str, str]:
    """Data validations by the column letter of their range ("D3:D1002" → "D")."""
    found = {}
    for match in re.finditer(r"<dataValidation (.*?)</dataValidation>", xml, re.S):
        sqref = re.search(r'sqref="([A-Z]+)\d+', match.group(1)).group(1)
        found[sqref] = match.group(0)
    return found


def column_letter(index: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[index]


def to_pdf(libreoffice: dict, content: bytes, tmp_path: Path, name: str = "book.xlsx") -> Path:
    """Convert with LibreOffice headless (the `libreoffice` fixture skips, or fails when
    RASOAT_REQUIRE_LIBREOFFICE is set, without it)."""
    source = tmp_path / name
    source.write_bytes(content)
    return convert(libreoffice, source, "pdf", tmp_path / "pdf")


@pytest.fixture
def assignment(campaign) -> Assignment:
    return assignment_of(campaign, UNIT)


@pytest.fixture
def blank(assignment) -> bytes:
    return write_unit_template(assignment, prefilled=False)


# --- sheets and headers ----------------------------------------------------------------------------


def test_sheets_come_in_the_contract_order_with_meta_hidden(blank):
    workbook = book(blank)
    assert workbook.sheet_names[: len(SHEET_NAMES)] == SHEET_NAMES
    # Only the hidden dropdown lists may follow _meta.
    assert workbook.sheet_names[len(SHEET_NAMES) :] in ([], [LISTS_SHEET])
    hidden = {m.name for m in workbook.sheets_metadata if m.visible != SheetVisibleEnum.Visible}
    assert hidden == {META_SHEET, LISTS_SHEET} & set(workbook.sheet_names)
    with zipfile.ZipFile(io.BytesIO(blank)) as archive:
        assert re.search(
            r'<sheet name="_meta" sheetId="\d+" state="hidden"', archive.read("xl/workbook.xml").decode()
        )


def test_meta_holds_version_campaign_unit_and_time(blank, assignment):
    meta = {row[0]: row[1] for row in rows(blank, META_SHEET) if row[0]}
    assert meta["appendix_version"] == "2026.1"
    assert meta["campaign"] == "RS2026"
    assert meta["unit"] == UNIT
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", meta["generated_at"])
    assert meta["kind"] == "unit"
    assert list(meta) == ["appendix_version", "campaign", "unit", "kind", "generated_at"]


def test_each_table_has_a_title_row_naming_the_unit_and_marked_headers(blank, assignment):
    for sheet in APPENDIX.repeating_sheets:
        found = rows(blank, sheet.title)
        assert assignment.unit.name in found[0][0]
        assert sheet.title.upper() in found[0][0]
        assert found[1] == [c.marked_header for c in sheet.columns]
    b05 = rows(blank, "Thiết bị đầu cuối")[1]
    assert "Loại thiết bị*" in b05 and "Hãng, model" in b05 and "Năm trang bị*" in b05


def test_headers_are_frozen_bold_and_wrapped(blank):
    for sheet in APPENDIX.repeating_sheets:
        xml = sheet_xml(blank, sheet.title)
        assert re.search(r'<pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/>', xml)
    with zipfile.ZipFile(io.BytesIO(blank)) as archive:
        styles = archive.read("xl/styles.xml").decode()
    assert "<b/>" in styles and 'wrapText="1"' in styles


def test_columns_are_wide_enough_for_their_headers(blank):
    xml = sheet_xml(blank, "Thiết bị đầu cuối")
    widths = [
        float(width)
        for low, high, width in re.findall(r'<col min="(\d+)" max="(\d+)" width="([\d.]+)"', xml)
        for _ in range(int(low), int(high) + 1)
    ]
    assert len(widths) == len(APPENDIX.sheet("B05").columns)
    assert all(width >= 6 for width in widths)
    # The widest label of the device type list fits on one line.
    assert widths[1] >= len("Máy đa chức năng (in, scan, photo)")


# --- checks ----------------------------------------------------------------------------------------


def test_every_choice_and_yes_no_column_has_a_dropdown(blank):
    for sheet in APPENDIX.repeating_sheets:
        found = validations(sheet_xml(blank, sheet.title))
        for index, column in enumerate(sheet.columns):
            letter = column_letter(index)
            if column.has_choices:
                assert 'type="list"' in found[letter], (sheet.code, column.key)
                assert "Chọn một giá trị trong danh sách" in found[letter]


def test_lists_with_commas_are_referenced_from_the_hidden_sheet(blank):
    b05 = validations(sheet_xml(blank, "Thiết bị đầu cuối"))
    # "Máy đa chức năng (in, scan, photo)" holds commas: an inline list would split it.
    assert re.search(r"<formula1>'_lists'!\$[A-Z]+\$1:\$[A-Z]+\$14</formula1>", b05["B"])
    # Có/Không is short and comma-free: inline.
    assert '<formula1>"Có,Không"</formula1>' in b05["M"]
    listed = rows(blank, LISTS_SHEET)
    columns = list(zip(*listed, strict=True))
    assert any(
        [v for v in col if v] == list(APPENDIX.sheet("B05").column("device_type").choices) for col in columns
    )


def test_numbers_and_years_are_checked_within_the_declared_limits(blank):
    b05 = validations(sheet_xml(blank, "Thiết bị đầu cuối"))
    quantity = b05["D"]
    assert (
        'type="whole"' in quantity
        and "<formula1>1</formula1>" in quantity
        and "<formula2>10000</formula2>" in quantity
    )
    year = b05["E"]
    assert (
        'type="whole"' in year and "<formula1>1990</formula1>" in year and "<formula2>2026</formula2>" in year
    )
    ram = b05["G"]
    assert (
        'type="decimal"' in ram and "<formula1>0.5</formula1>" in ram and "<formula2>1024</formula2>" in ram
    )
    b02 = validations(sheet_xml(blank, "Kết nối mạng"))
    assert 'type="decimal"' in b02["D"]  # bandwidth > 0
    b06 = validations(sheet_xml(blank, "Đề xuất nhu cầu"))
    target = b06["G"]  # target year: reference year … +5
    assert "<formula1>2026</formula1>" in target and "<formula2>2031</formula2>" in target
    # Input messages in Vietnamese, on a generous range of rows.
    assert 'promptTitle="Năm trang bị"' in year and "Nhập năm có 4 chữ số" in year
    assert re.search(r'sqref="E3:E1002"', year)


# --- B01 and the instructions ----------------------------------------------------------------------


def test_general_sheet_has_numbers_labels_and_prefilled_identity(blank, assignment):
    found = rows(blank, "Thông tin chung")
    lines = {row[1]: row for row in found[2:] if row[1]}
    general = APPENDIX.sheet("B01")
    assert [row[1] for row in found[2:] if row[1]] == [c.marked_header for c in general.data_columns]
    assert lines["Tên cơ quan, đơn vị*"][2] == assignment.unit.name
    assert lines["Mã đơn vị*"][2] == UNIT
    assert lines["Khối*"][2] == "Khối UBND"
    assert lines["Cấp*"][2] == "Cấp xã"
    assert lines["Tên cơ quan, đơn vị*"][0] == 1
    assert lines["Địa chỉ trụ sở"][2] == ""


def test_unit_code_cell_is_locked_grey_with_a_note(blank):
    xml = sheet_xml(blank, "Thông tin chung")
    assert "<sheetProtection" in xml
    with zipfile.ZipFile(io.BytesIO(blank)) as archive:
        comments = "".join(archive.read(n).decode() for n in archive.namelist() if "comments" in n)
    assert "không sửa" in comments
    assert 'ref="C4"' in comments


def test_instructions_give_the_deadline_contact_and_how_to_fill(blank, campaign):
    text = "\n".join(str(cell) for row in rows(blank, INSTRUCTIONS_SHEET) for cell in row if cell)
    assert "20/05/2026" in text
    assert campaign.contact_phone in text
    for words in (
        "bắt buộc",
        "Số lượng",
        "danh sách",
        "Có",
        "4 chữ số",
        "tên các trang",
        "Tải lên tệp Excel",
    ):
        assert words in text
    # The column guide covers every header.
    for sheet in APPENDIX:
        for column in sheet.data_columns:
            assert column.header in text


# --- pre-filled ------------------------------------------------------------------------------------


def test_prefilled_template_holds_the_current_data(assignment):
    data = data_for(assignment.unit)
    load(assignment, data)
    content = write_unit_template(assignment, prefilled=True)
    b05 = rows(content, "Thiết bị đầu cuối")
    stored = data["B05"]
    assert len([r for r in b05[2:] if any(r)]) == len(stored)
    header = b05[1]
    first = dict(zip(header, b05[2], strict=True))
    assert first["STT"] == 1
    assert first["Loại thiết bị*"] == stored[0]["device_type"]
    assert first["Số lượng*"] == float(stored[0]["quantity"])
    general = {row[1]: row[2] for row in rows(content, "Thông tin chung")[2:] if row[1]}
    assert general["Số điện thoại*"] == data["B01"]["contact_phone"]
    assert general["Tổng số cán bộ, công chức, viên chức, người lao động*"] == 46
    # The blank template of the same unit carries no data row.
    blank = write_unit_template(assignment, prefilled=False)
    assert not any(any(r) for r in rows(blank, "Thiết bị đầu cuối")[2:])


def test_formula_like_text_is_written_as_text(assignment):
    data = data_for(assignment.unit)
    data["B05"][0]["model"] = '=HYPERLINK("http://x","y")'
    data["B05"][0]["note"] = "+84 912"
    data["B01"]["address"] = "@Bản Mường Kim"
    load(assignment, data)
    content = write_unit_template(assignment, prefilled=True)
    for name in ("Thiết bị đầu cuối", "Thông tin chung"):
        assert "<f>" not in sheet_xml(content, name)
    b05 = rows(content, "Thiết bị đầu cuối")
    assert b05[2][2] == '=HYPERLINK("http://x","y")'
    assert b05[2][-1] == "+84 912"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        shared = archive.read("xl/sharedStrings.xml").decode()
    assert '<t>=HYPERLINK("http://x","y")</t>' in shared.replace("&quot;", '"')
    xml = sheet_xml(content, "Thiết bị đầu cuối")
    cell = re.search(r'<c r="C3"[^>]*>', xml).group(0)
    assert 't="s"' in cell


# --- the commune workbook --------------------------------------------------------------------------


def test_commune_template_routes_rows_by_unit_code(campaign):
    commune = Unit.objects.get(code=COMMUNE)
    assignments = list(
        Assignment.objects.filter(campaign=campaign, unit__commune=commune).select_related("unit", "campaign")
    )
    load(assignments[0], data_for(assignments[0].unit))
    content = write_commune_template(campaign, commune, assignments, prefilled=True)
    assert book(content).sheet_names[: len(SHEET_NAMES)] == SHEET_NAMES
    meta = {row[0]: row[1] for row in rows(content, META_SHEET) if row[0]}
    assert (meta["unit"], meta["kind"]) == (COMMUNE, "commune")
    codes = [a.unit.code for a in assignments]
    b05 = rows(content, "Thiết bị đầu cuối")
    assert b05[1][:2] == ["STT", "Mã đơn vị*"]
    assert b05[1][2:] == [c.marked_header for c in APPENDIX.sheet("B05").columns[1:]]
    data_rows = [r for r in b05[2:] if any(r)]
    assert data_rows and {r[1] for r in data_rows} == {assignments[0].unit.code}
    unit_dropdown = validations(sheet_xml(content, "Thiết bị đầu cuối"))["B"]
    assert f'<formula1>"{",".join(codes)}"</formula1>' in unit_dropdown
    general = rows(content, "Thông tin chung")
    code_line = next(row for row in general if row[1] == "Mã đơn vị*")
    assert code_line[2 : 2 + len(codes)] == codes
    text = "\n".join(str(c) for row in rows(content, INSTRUCTIONS_SHEET) for c in row if c)
    assert all(code in text for code in codes)


# --- the command and LibreOffice -------------------------------------------------------------------


def test_template_command_writes_a_unit_or_a_commune_workbook(assignment, tmp_path):
    out = tmp_path / "unit.xlsx"
    call_command("template", "RS2026", UNIT, "-o", str(out), "--prefilled", stdout=io.StringIO())
    assert rows(out.read_bytes(), META_SHEET)[2][1] == UNIT
    out = tmp_path / "commune.xlsx"
    call_command("template", "RS2026", COMMUNE, "-o", str(out), stdout=io.StringIO())
    assert rows(out.read_bytes(), META_SHEET)[2][1] == COMMUNE
    with pytest.raises(CommandError):
        call_command("template", "RS2026", "KHONG.CO", "-o", str(out), stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("template", "KHONGCO", UNIT, "-o", str(out), stdout=io.StringIO())


def test_template_opens_in_libreoffice(assignment, tmp_path, libreoffice):
    load(assignment, data_for(assignment.unit))
    pdf = to_pdf(libreoffice, write_unit_template(assignment, prefilled=True), tmp_path)
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")

"""The parts of the workbooks that a version made as data changes, one by one (see test_versions.py for
the whole way): the template's checks and instructions, the preview template of the appendix editor,
the reader's tolerance (earlier headers, sheet titles, every form of a date), the commune workbook's
added sheets, the error workbook, the export's sheet names and the entry form's date input."""

from __future__ import annotations

import copy
import datetime
import io
import re

import pytest
from python_calamine import CalamineWorkbook

from rasoat.appendix.declaration import get_appendix
from rasoat.campaigns.models import Assignment
from rasoat.campaigns.services import create_campaign
from rasoat.inventory import services
from rasoat.inventory.data import unit_data
from rasoat.inventory.forms import DateInput, RecordForm, initial_for
from rasoat.inventory.models import CustomRow, EndDevice
from rasoat.orgs.models import Unit
from rasoat.workbooks.error_workbook import LIST_SHEET, write_error_workbook
from rasoat.workbooks.export import write_consolidated
from rasoat.workbooks.reader import read_commune_workbook, read_unit_workbook
from rasoat.workbooks.reading.matching import sheet_name
from rasoat.workbooks.template import (
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    META_SHEET,
    write_appendix_template,
    write_commune_template,
    write_unit_template,
)
from tests.inventory.test_workflow import assignment_of, data_for
from tests.workbooks.conftest import SAMPLE_UNIT, general_rows, sheet_rows, xlsx_bytes
from tests.workbooks.test_template import column_letter, sheet_xml, validations
from tests.workbooks.test_versions import (
    NEW_DEVICE,
    PLAN,
    SOURCES,
    TRAINING,
    VERSION,
    fill,
    lc_campaign,  # noqa: F401 - a fixture
    make_version,
    version_definition,
)

REFERENCE = datetime.date(2026, 6, 30)
MARCH_15 = datetime.date(2026, 3, 15)


def book_rows(content: bytes, name: str) -> list[list]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)


def text_of(content: bytes, name: str = INSTRUCTIONS_SHEET) -> str:
    return "\n".join(str(cell) for row in book_rows(content, name) for cell in row if cell != "")


@pytest.fixture
def assignment(lc_campaign) -> Assignment:  # noqa: F811 - the fixture imported above
    return assignment_of(lc_campaign, SAMPLE_UNIT)


def version_data(assignment) -> dict:
    """The sample's data for the version: 2026.1's sample without the hidden column."""
    data = data_for(assignment.unit)
    for row in data["B03"]:
        row.pop("location", None)
    return data


# --- the template ---------------------------------------------------------------------------------


def test_template_checks_new_columns_dates_and_marks_required_headers(assignment):
    appendix = get_appendix(VERSION)
    content = write_unit_template(assignment, prefilled=False)
    b05 = appendix.sheet("B05")
    found = validations(sheet_xml(content, b05.title))
    source = found[column_letter(b05.columns.index(b05.column("source")))]
    # "Chương trình, dự án" has a comma: the list lives in `_lists`.
    assert re.search(r"<formula1>'_lists'!\$[A-Z]+\$1:\$[A-Z]+\$5</formula1>", source)
    device = found[column_letter(b05.columns.index(b05.column("device_type")))]
    count = len(b05.column("device_type").choices)
    assert re.search(rf"<formula1>'_lists'!\$[A-Z]+\$1:\$[A-Z]+\${count}</formula1>", device)
    listed = [[v for v in col if v] for col in zip(*book_rows(content, LISTS_SHEET), strict=True)]
    assert list(SOURCES) in listed and NEW_DEVICE in next(c for c in listed if "Máy in" in c)

    b07 = appendix.sheet("B07")
    training = validations(sheet_xml(content, TRAINING))
    date = training[column_letter(b07.columns.index(b07.column("started_on")))]
    # Up to 2100-12-31 (Excel serial 73415); the reader refuses what the check lets through anyway.
    assert 'type="date"' in date and "<formula2>73415</formula2>" in date
    assert "ngày/tháng/năm" in date
    year = training[column_letter(b07.columns.index(b07.column("year_held")))]
    assert "<formula1>1990</formula1>" in year and "<formula2>2026</formula2>" in year
    assert 'type="list"' in training[column_letter(b07.columns.index(b07.column("online")))]
    header = book_rows(content, TRAINING)[1]
    assert header[:5] == ["STT", "Tên lớp, khóa đào tạo*", "Hình thức", "Năm tổ chức", "Ngày khai giảng*"]

    plan = book_rows(content, PLAN)
    assert [row[:2] for row in plan[2:6]] == [
        [1, "Đã ban hành kế hoạch chuyển đổi số*"],
        [2, "Ngày ban hành"],
        [3, "Số hiệu văn bản"],
        [4, "Kinh phí bố trí (triệu đồng)"],
    ]
    plan_xml = sheet_xml(content, PLAN)
    assert re.search(r'sqref="C3"><formula1>"Có,Không"</formula1>', plan_xml)  # line 1: yes/no
    assert re.search(r'<dataValidation type="date"[^>]*sqref="C4">', plan_xml)  # line 2: a date


def test_prefilled_template_writes_stored_dates_as_dates(assignment):
    services.write_unit_data(
        assignment,
        {
            **version_data(assignment),
            "B07": [{"course": "Lớp 1", "started_on": MARCH_15}],
            "B08": {"plan_approved": "Có", "approved_on": datetime.date(2026, 1, 5)},
        },
    )
    content = write_unit_template(assignment, prefilled=True)
    b07 = book_rows(content, TRAINING)
    assert b07[2][1] == "Lớp 1" and b07[2][4] == MARCH_15  # a date cell, shown dd/mm/yyyy
    plan = {row[1]: row[2] for row in book_rows(content, PLAN)[2:]}
    assert (
        plan["Ngày ban hành"] == datetime.date(2026, 1, 5)
        and plan["Đã ban hành kế hoạch chuyển đổi số*"] == "Có"
    )
    assert 'formatCode="dd/mm/yyyy"' in _styles(content)


def _styles(content: bytes) -> str:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("xl/styles.xml").decode()


def test_instructions_list_what_is_new_compared_with_2026_1(assignment, campaign):
    content = write_unit_template(assignment, prefilled=False)
    text = text_of(content)
    assert f"Những điểm mới của phụ lục phiên bản {VERSION} so với phiên bản 2026.1" in text
    assert f"Biểu mới B07. {TRAINING} (ghi theo bảng" in text and f"Biểu mới B08. {PLAN}" in text
    assert 'Cột mới ở biểu B05: "Nguồn trang bị"' in text
    assert 'Cột mới ở biểu B01: "Số cán bộ được trang bị máy tính riêng"' in text
    assert '"Nhà cung cấp" nay ghi là "Doanh nghiệp cung cấp dịch vụ"' in text
    assert 'Biểu B05, cột "Loại thiết bị": thêm lựa chọn "Máy lấy số tự động".' in text
    assert "Tệp có 8 biểu" in text and "Cột ngày" in text
    # The column guide marks the new columns, and lists no hidden one.
    assert "Nguồn trang bị (mới)" in text and "Ngày khai giảng (mới)" in text
    assert "Vị trí lắp đặt" not in text
    # 2026.1's workbook has nothing new to tell.
    original = write_unit_template(assignment_of(campaign, SAMPLE_UNIT), prefilled=False)
    assert "so với phiên bản 2026.1" not in text_of(original) and "(mới)" not in text_of(original)
    assert "Tệp có 6 biểu" in text_of(original) and "Cột ngày" not in text_of(original)


def test_preview_template_needs_no_campaign_and_reads_back(assignment):
    appendix = get_appendix(VERSION)
    content = write_appendix_template(appendix, REFERENCE)
    names = CalamineWorkbook.from_filelike(io.BytesIO(content)).sheet_names
    assert names == [INSTRUCTIONS_SHEET, *[sheet_name(s.title) for s in appendix], META_SHEET, LISTS_SHEET]
    meta = {row[0]: row[1] for row in book_rows(content, META_SHEET)}
    assert meta["appendix_version"] == VERSION and meta["campaign"] == "" and meta["unit"] == ""
    assert "Mẫu xem trước" in text_of(content) and f"Phụ lục phiên bản {VERSION}" in text_of(content)
    general = book_rows(content, "Thông tin chung")
    assert general[3][1] == "Mã đơn vị*" and general[3][2] == ""
    # Filled like any template, it is read for a campaign of that version without complaint.
    filled = fill(
        content,
        lines={"Thông tin chung": {"Mã đơn vị": SAMPLE_UNIT}},
        rows={TRAINING: [{"Tên lớp, khóa đào tạo": "Lớp A", "Ngày khai giảng": "15/03/2026"}]},
    )
    result = read_unit_workbook(filled, "xem-truoc.xlsx", assignment)
    assert result.units[0].data["B07"][0]["started_on"] == MARCH_15
    assert not [issue for issue in result.errors if issue.sheet_code == "B07"]
    # The required line of the added form sheet was left empty: reported on its line, as for B01.
    plan = [(i.sheet, i.row, i.column) for i in result.errors if i.sheet_code == "B08"]
    assert plan == [(PLAN, 3, "Đã ban hành kế hoạch chuyển đổi số")]


# --- the reader -----------------------------------------------------------------------------------


def _unit_workbook(assignment, **sheets) -> bytes:
    appendix = get_appendix(VERSION)
    data = version_data(assignment)
    layout = [("Thông tin chung", general_rows(appendix, data["B01"]))]
    for sheet in appendix.repeating_sheets:
        if sheet.code in data or sheet.code in sheets:
            rows = sheets.get(sheet.code) or sheet_rows(appendix, sheet.code, data.get(sheet.code) or [])
            layout.append((sheets.get(f"{sheet.code}_title") or sheet.title, rows))
    return xlsx_bytes(layout)


def test_reader_takes_earlier_headers_and_every_form_of_a_date(assignment):
    appendix = get_appendix(VERSION)
    b02 = sheet_rows(appendix, "B02", version_data(assignment)["B02"])
    b02[1] = [("Nhà cung cấp" if h == "Doanh nghiệp cung cấp dịch vụ" else h) for h in b02[1]]
    serial = float((MARCH_15 - datetime.date(1899, 12, 30)).days)
    dates = [MARCH_15, datetime.datetime(2026, 3, 15), serial, "15/03/2026", "15.03.2026", "2026-03-15"]
    b07 = sheet_rows(appendix, "B07", [{"course": f"Lớp {i}", "started_on": d} for i, d in enumerate(dates)])
    result = read_unit_workbook(_unit_workbook(assignment, B02=b02, B07=b07), "phu-luc.xlsx", assignment)
    assert result.errors == [] and result.unknown_columns == []
    unit = result.units[0]
    assert [row["provider"] for row in unit.data["B02"]] == [
        row["provider"] for row in version_data(assignment)["B02"]
    ]
    assert [row["started_on"] for row in unit.data["B07"]] == [MARCH_15] * len(dates)


def test_reader_names_sheet_row_and_header_of_a_bad_date_and_marks_it_in_the_error_workbook(assignment):
    appendix = get_appendix(VERSION)
    rows = [{"course": "Lớp 1", "started_on": "15/03/2026"}, {"course": "Lớp 2", "started_on": "03/15/2026"}]
    content = _unit_workbook(assignment, B07=sheet_rows(appendix, "B07", rows))
    result = read_unit_workbook(content, "phu-luc.xlsx", assignment)
    assert [(e.sheet, e.row, e.column, e.value) for e in result.errors] == [
        (TRAINING, 4, "Ngày khai giảng", "03/15/2026")
    ]
    assert "không có trên lịch" in result.errors[0].message
    marked = write_error_workbook(content, "phu-luc.xlsx", result)
    listed = book_rows(marked, LIST_SHEET)
    assert listed[3][:5] == ["Lỗi", f"B07. {TRAINING}", 4, "Ngày khai giảng", "03/15/2026"]


def test_reader_finds_retitled_and_long_titled_sheets(campaign):
    definition = copy.deepcopy(version_definition())
    long_title = "Danh sách các lớp đào tạo, bồi dưỡng kỹ năng số cho cán bộ, công chức"
    for sheet in definition["sheets"]:
        if sheet["code"] == "B05":
            sheet["title"] = "Thiết bị đầu cuối, máy tính"
        if sheet["code"] == "B07":
            sheet["title"] = long_title
    make_version("LC-DAI", definition)
    other = create_campaign(
        code="LCDAI",
        title="Tên biểu dài",
        deadline=REFERENCE,
        reference_date=REFERENCE,
        appendix_version="LC-DAI",
    )
    assignment = assignment_of(other, SAMPLE_UNIT)
    appendix = get_appendix("LC-DAI")
    template = write_unit_template(assignment, prefilled=False)
    names = CalamineWorkbook.from_filelike(io.BytesIO(template)).sheet_names
    assert sheet_name(long_title) in names and len(sheet_name(long_title)) <= 31
    data = version_data(assignment)
    layout = [
        ("Thông tin chung", general_rows(appendix, data["B01"])),
        # The 2026.1 title of B05 still finds the retitled sheet; the clipped name finds B07.
        ("Thiết bị đầu cuối", sheet_rows(appendix, "B05", data["B05"])),
        (sheet_name(long_title), sheet_rows(appendix, "B07", [{"course": "Lớp 1", "started_on": MARCH_15}])),
    ]
    result = read_unit_workbook(xlsx_bytes(layout), "phu-luc.xlsx", assignment)
    assert result.errors == []
    assert len(result.units[0].data["B05"]) == len(data["B05"]) and len(result.units[0].data["B07"]) == 1
    services.write_unit_data(assignment, result.units[0].data)
    target = io.BytesIO()
    write_consolidated(other, Assignment.objects.filter(campaign=other, unit__code=SAMPLE_UNIT), target)
    exported = CalamineWorkbook.from_filelike(io.BytesIO(target.getvalue()))
    assert sheet_name(long_title) in exported.sheet_names
    assert exported.get_sheet_by_name(sheet_name(long_title)).to_python()[1][0] == SAMPLE_UNIT


# --- the commune workbook -------------------------------------------------------------------------


def test_commune_workbook_routes_added_sheets_to_each_unit(lc_campaign):  # noqa: F811
    commune = Unit.objects.get(code="X.03445")
    assignments = list(
        Assignment.objects.filter(campaign=lc_campaign, unit__commune=commune)
        .exclude(unit=commune)
        .select_related("unit", "campaign")
        .order_by("unit__position", "unit__code")
    )
    first, second = assignments[0].unit.code, assignments[1].unit.code
    content = write_commune_template(lc_campaign, commune, assignments, prefilled=False)
    plan = book_rows(content, PLAN)
    code_line = plan[2]
    assert code_line[1] == "Mã đơn vị*" and code_line[2 : 2 + len(assignments)] == [
        a.unit.code for a in assignments
    ]

    rows = book_rows(content, PLAN)
    approved = next(i for i, row in enumerate(rows) if row[1] == "Đã ban hành kế hoạch chuyển đổi số*")
    when = next(i for i, row in enumerate(rows) if row[1] == "Ngày ban hành")
    filled = fill(
        content,
        rows={
            TRAINING: [
                {
                    "Mã đơn vị": second,
                    "Tên lớp, khóa đào tạo": "Lớp của đơn vị 2",
                    "Ngày khai giảng": MARCH_15,
                },
                {
                    "Mã đơn vị": first,
                    "Tên lớp, khóa đào tạo": "Lớp của đơn vị 1",
                    "Ngày khai giảng": "01/04/2026",
                },
            ]
        },
    )
    # The B08 values of the first two units, in their own columns.
    sheets = [
        (name, book_rows(filled, name))
        for name in CalamineWorkbook.from_filelike(io.BytesIO(filled)).sheet_names
        if name not in (META_SHEET, LISTS_SHEET)
    ]
    edited = []
    for name, data in sheets:
        data = [list(row) for row in data]
        if name == PLAN:
            data[approved][2], data[approved][3] = "Có", "Không"
            data[when][2] = "05/01/2026"
        edited.append((name, [[None if c == "" else c for c in row] for row in data]))
    result = read_commune_workbook(xlsx_bytes(edited), "xa.xlsx", lc_campaign, commune, assignments)
    assert [i for i in result.errors if i.sheet_code in ("B07", "B08")] == []
    one, two = result.unit(first), result.unit(second)
    assert [row["course"] for row in one.data["B07"]] == ["Lớp của đơn vị 1"]
    assert one.data["B07"][0]["started_on"] == datetime.date(2026, 4, 1)
    assert [row["course"] for row in two.data["B07"]] == ["Lớp của đơn vị 2"]
    assert one.data["B08"]["plan_approved"] == "Có" and one.data["B08"]["approved_on"] == datetime.date(
        2026, 1, 5
    )
    assert two.data["B08"]["plan_approved"] == "Không" and two.data["B08"]["approved_on"] is None


# --- the entry form -------------------------------------------------------------------------------


def test_entry_form_asks_a_date_with_the_date_input_and_reads_both_forms(assignment):
    appendix = get_appendix(VERSION)
    sheet = appendix.sheet("B07")
    form = RecordForm(sheet, initial=initial_for(sheet, {"started_on": "2026-03-15"}, 1))
    html = str(form["started_on"])
    assert 'type="date"' in html and 'value="2026-03-15"' in html and 'placeholder="dd/mm/yyyy"' in html
    assert 'min="1900-01-01"' in html and 'max="2100-12-31"' in html
    # A browser without a date picker sends what was typed: dd/mm/yyyy shows back as ISO for the input.
    assert DateInput().format_value("15/03/2026") == "2026-03-15"
    assert DateInput().format_value("không phải ngày") == "không phải ngày"
    # Phones: the picker sends ISO; a keyboard sends dd/mm/yyyy; both are stored as the same date.
    for typed in ("2026-03-15", "15/03/2026"):
        result = services.save_record(
            assignment, "B07", {"course": "Lớp", "started_on": typed, "organiser_phone": "0912 345 678"}
        )
        assert result.saved and result.errors == []
    stored = CustomRow.objects.filter(assignment=assignment, sheet="B07").order_by("position")
    assert [row.extra["started_on"] for row in stored] == ["2026-03-15", "2026-03-15"]
    assert unit_data(assignment)["B07"][0]["organiser_phone"] == "0912345678"
    refused = services.save_record(assignment, "B07", {"course": "Lớp", "started_on": "31/02/2026"})
    assert not refused.saved and "không có trên lịch" in refused.errors[0].message
    plan = RecordForm(appendix.sheet("B08"))
    assert 'type="date"' in str(plan["approved_on"]) and 'type="date"' not in str(plan["plan_number"])


def test_a_2026_1_workbook_is_read_for_the_version_hidden_column_skipped_silently(assignment):
    """A clerk's workbook of last year's layout: old B02 header, the hidden B03 column, no new sheets."""
    original = get_appendix("2026.1")
    data = data_for(assignment.unit)
    layout = [("Thông tin chung", general_rows(original, data["B01"]))]
    layout += [
        (sheet.title, sheet_rows(original, sheet.code, data[sheet.code]))
        for sheet in original.repeating_sheets
    ]
    assert any(row.get("location") for row in data["B03"])
    result = read_unit_workbook(xlsx_bytes(layout), "nam-ngoai.xlsx", assignment)
    assert result.errors == [] and result.unknown_columns == []
    unit = result.units[0]
    # B01's relabelled line is found under its 2026.1 label.
    assert unit.data["B01"]["contact_name"] == data["B01"]["contact_name"] is not None
    assert all("location" not in row for row in unit.data["B03"]) and len(unit.data["B03"]) == len(
        data["B03"]
    )
    # The added sheets are missing: a warning each, and they will be empty.
    missing = [w for w in result.warnings if w.sheet_code in ("B07", "B08")]
    assert [(w.sheet_code, w.row) for w in missing] == [("B07", None), ("B08", None)]
    assert unit.data["B07"] == [] and unit.data["B08"] == dict.fromkeys(
        get_appendix(VERSION).sheet("B08").keys
    )


def test_entry_tables_show_added_columns_and_sheets_with_dates_day_first(assignment):
    """The table pages read values through storage: an added column (in `extra`) and an added sheet
    (CustomRow) are shown, dates as typed (dd/mm/yyyy), and a row is added through the page."""
    from django.urls import reverse

    from tests.conftest import client_for, make_user

    services.write_unit_data(assignment, version_data(assignment))
    device = EndDevice.objects.filter(assignment=assignment).order_by("position").first()
    saved = services.save_record(
        assignment, "B05", {**unit_data(assignment)["B05"][0], "source": "Tài trợ"}, row_id=device.pk
    )
    assert saved.saved
    client = client_for(make_user("bien_tap_vien", "editor", "X.03445"))
    args = [assignment.campaign.code, assignment.unit_id]
    created = client.post(
        reverse("entry_row_create", args=[*args, "B07"]),
        {"course": "Lớp kỹ năng số", "started_on": "2026-03-15", "organiser_phone": "0912 345 678"},
    )
    assert created.status_code in (200, 302)
    page = client.get(reverse("entry_sheet", args=[*args, "B07"]))
    html = page.content.decode()
    assert page.status_code == 200 and "Lớp kỹ năng số" in html and "15/03/2026" in html
    assert "Ngày khai giảng" in html and "0912345678" in html
    devices = client.get(reverse("entry_sheet", args=[*args, "B05"])).content.decode()
    assert "Nguồn trang bị" in devices and "Tài trợ" in devices


def test_entry_page_of_an_added_form_sheet_asks_its_date_with_a_date_input(assignment):
    from django.urls import reverse

    from tests.conftest import client_for, make_user

    client = client_for(make_user("bien_tap_vien", "editor", "X.03445"))
    url = reverse("entry_sheet", args=[assignment.campaign.code, assignment.unit_id, "B08"])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and re.search(r'<input type="date" name="approved_on"', html)
    client.post(url, {"plan_approved": "Có", "approved_on": "2026-01-05", "version": "0"})
    assert unit_data(assignment)["B08"]["approved_on"] == "2026-01-05"
    assert 'value="2026-01-05"' in client.get(url).content.decode()

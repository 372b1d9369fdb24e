"""A version of the appendix made as data, the whole way through the workbooks (issue 9, item 4).

The version is 2026.1's definition edited as an administrator would: a new B05 choice column (its
list has a label with a comma, so it lives in `_lists`), a new B05 device type, a relabelled B02
header, a hidden B03 column, a new B01 line (numbered "12a"), a new repeating sheet with a year and
a date column, and a new label/value sheet. A campaign pinned to it starts from the sample unit's
accepted 2026.1 data (carried forward), downloads its template, fills the new columns and sheets,
imports it (first with one faulty date cell, reported at its sheet, Excel row and header), dumps it,
exports it, and carries it forward into a third campaign on yet another version.

Workbooks are filled the way the other workbook tests write them: the template is read back with
python-calamine and written again, with the values typed in, by XlsxWriter (`conftest.xlsx_bytes`).
"""

from __future__ import annotations

import copy
import datetime
import io
import json
import tempfile
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from rasoat.appendix.declaration import get_appendix
from rasoat.appendix.definition import definition_of
from rasoat.appendix.models import AppendixVersion
from rasoat.appendix.workbook import write_definition
from rasoat.campaigns.models import Assignment, Campaign, Snapshot
from rasoat.campaigns.services import create_campaign
from rasoat.inventory import workflow
from rasoat.inventory.data import unit_data
from rasoat.inventory.diff import diff_snapshots
from rasoat.inventory.models import CustomRow, EndDevice, InfraDevice
from rasoat.workbooks.export import write_consolidated
from rasoat.workbooks.reading.matching import header_key, label_key
from rasoat.workbooks.template import write_unit_template
from tests.conftest import client_for, make_user
from tests.dashboard.helpers import dashboard_url
from tests.inventory.test_workflow import assignment_of, load
from tests.workbooks.conftest import SAMPLE_UNIT, xlsx_bytes

VERSION = "LC-2026"
NEXT_VERSION = "LC-2027"
TRAINING = "Đào tạo, bồi dưỡng kỹ năng số"
PLAN = "Kế hoạch chuyển đổi số"
SOURCE_HEADER = "Nguồn trang bị"
SOURCES = ("Đơn vị tự mua sắm", "Tỉnh cấp", "Chương trình, dự án", "Tài trợ", "Khác")
NEW_DEVICE = "Máy lấy số tự động"
PROVIDER_HEADER = "Doanh nghiệp cung cấp dịch vụ"
CONTACT_LABEL = "Họ và tên người đầu mối rà soát"


# --- the versions -----------------------------------------------------------------------------------


def column(sheet: str, key: str, header: str, kind: str, **rules: Any) -> dict[str, Any]:
    """A row of a definition's `columns`, every field given as the definition workbook has it."""
    row = {
        "sheet": sheet,
        "key": key,
        "header": header,
        "type": kind,
        "required": False,
        "choices": "",
        "min": None,
        "max": None,
        "warn_above": None,
        "required_if": "",
        "hidden": False,
        "help": "",
        "old_headers": [],
    }
    row.update(rules)
    return row


def _insert_after(columns: list[dict], sheet: str, key: str, *rows: dict) -> None:
    index = next(i for i, c in enumerate(columns) if c["sheet"] == sheet and c["key"] == key)
    columns[index + 1 : index + 1] = rows


def version_definition() -> dict:
    """2026.1's definition with the edits this file is about."""
    definition = copy.deepcopy(definition_of(get_appendix("2026.1")))
    columns, choices = definition["columns"], definition["choices"]
    # B05: a choice column before "Ghi chú", and a device type before "Khác".
    _insert_after(
        columns, "B05", "condition", column("B05", "source", SOURCE_HEADER, "choice", choices="source")
    )
    choices += [{"list": "source", "label": label} for label in SOURCES]
    other = next(
        i for i, c in enumerate(choices) if c["list"] == "b05_device_type" and c["label"].startswith("Khác")
    )
    choices.insert(other, {"list": "b05_device_type", "label": NEW_DEVICE})
    # B02 and B01: a relabelled header and line (the old ones stay accepted); B03: a hidden column.
    for row in columns:
        if (row["sheet"], row["key"]) == ("B02", "provider"):
            row["old_headers"] = [row["header"]]
            row["header"] = PROVIDER_HEADER
        if (row["sheet"], row["key"]) == ("B01", "contact_name"):
            row["old_headers"] = [row["header"]]
            row["header"] = CONTACT_LABEL
        if (row["sheet"], row["key"]) == ("B03", "location"):
            row["hidden"] = True
    # B01: a line after line 12.
    _insert_after(
        columns,
        "B01",
        "it_staff_parttime",
        column("B01", "staff_with_computer", "Số cán bộ được trang bị máy tính riêng", "int", min=0),
    )
    # A repeating sheet with every kind of column, and a label/value sheet.
    definition["sheets"] += [
        {"code": "B07", "title": TRAINING, "kind": "table", "help": "Các lớp đào tạo trong năm."},
        {"code": "B08", "title": PLAN, "kind": "form", "help": ""},
    ]
    columns += [
        column("B07", "course", "Tên lớp, khóa đào tạo", "text", required=True),
        column("B07", "training_form", "Hình thức", "choice", choices="training_form"),
        column("B07", "year_held", "Năm tổ chức", "year"),
        column("B07", "started_on", "Ngày khai giảng", "date", required=True),
        column("B07", "attendees", "Số người tham gia", "int", min=0, max=10000, warn_above=500),
        column("B07", "online", "Học trực tuyến", "yesno"),
        column("B07", "organiser_email", "Thư điện tử đơn vị tổ chức", "email"),
        column("B07", "organiser_phone", "Điện thoại đơn vị tổ chức", "phone"),
        column("B07", "cost_mvnd", "Kinh phí (triệu đồng)", "dec", min=0),
        column("B07", "outcome", "Kết quả", "longtext"),
        column("B08", "plan_approved", "Đã ban hành kế hoạch chuyển đổi số", "yesno", required=True),
        column("B08", "approved_on", "Ngày ban hành", "date"),
        column("B08", "plan_number", "Số hiệu văn bản", "text"),
        column("B08", "budget_mvnd", "Kinh phí bố trí (triệu đồng)", "dec", min=0),
    ]
    choices += [{"list": "training_form", "label": label} for label in ("Tập trung", "Trực tuyến", "Kết hợp")]
    return definition


def next_definition() -> dict:
    """LC-2027: LC-2026 with a B07 column dropped, one retyped and one added."""
    definition = version_definition()
    columns = [c for c in definition["columns"] if (c["sheet"], c["key"]) != ("B07", "cost_mvnd")]
    for row in columns:
        if (row["sheet"], row["key"]) == ("B07", "attendees"):
            row["type"] = "dec"
    columns.append(column("B07", "certificate", "Có cấp chứng chỉ", "yesno"))
    definition["columns"] = columns
    return definition


def make_version(code: str = VERSION, definition: dict | None = None) -> AppendixVersion:
    """The version made as an administrator makes it from a definition workbook: written, then loaded
    with `rasoat appendix import` (which checks it as an upload on the web does)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"dinh-nghia-{code}.xlsx"
        write_definition(definition or version_definition(), path, code=code, title=f"Phụ lục {code}")
        output, exit_code = run(
            "appendix", "import", str(path), "--version", code, "--title", f"Phụ lục {code}"
        )
    assert (exit_code, output["errors"], output["created"]) == (0, [], True), output
    return AppendixVersion.objects.get(code=code)


# --- filling a template ---------------------------------------------------------------------------


def sheets_of(content: bytes) -> list[tuple[str, list[list], bool]]:
    """(name, rows, visible) of every sheet, as calamine reads them."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    visible = {m.name: m.visible == SheetVisibleEnum.Visible for m in book.sheets_metadata}
    return [
        (name, book.get_sheet_by_name(name).to_python(skip_empty_area=False), visible[name])
        for name in book.sheet_names
    ]


def fill(
    content: bytes,
    *,
    rows: dict[str, list[dict[str, Any]]] | None = None,
    lines: dict[str, dict[str, Any]] | None = None,
    cells: dict[tuple[str, int, str], Any] | None = None,
) -> bytes:
    """The template `content` with values typed in, written again with XlsxWriter.

    `rows`: sheet name → rows to add under the table's data ({header: value}); `lines`: sheet name →
    {label: value} of a label/value sheet (value in column C); `cells`: (sheet, Excel row, header) →
    value of an existing table row. Headers and labels are matched without their `*`.
    """
    rows, lines, cells = rows or {}, lines or {}, cells or {}
    written, hidden = [], []
    for name, data, visible in sheets_of(content):
        data = [list(row) for row in data]
        if name in lines:
            wanted = {label_key(label): value for label, value in lines[name].items()}
            for row in data:
                key = label_key(row[1]) if len(row) > 1 and isinstance(row[1], str) else None
                if key in wanted:
                    row[2] = wanted.pop(key)
            assert not wanted, f"labels not found in {name}: {wanted}"
        header = (
            [header_key(cell) if isinstance(cell, str) else None for cell in data[1]] if len(data) > 1 else []
        )
        for (sheet, excel_row, title), value in cells.items():
            if sheet == name:
                data[excel_row - 1][header.index(header_key(title))] = value
        for record in rows.get(name, ()):
            line = [None] * len(header)
            for title, value in record.items():
                line[header.index(header_key(title))] = value
            data.append(line)
        written.append((name, [[None if cell == "" else cell for cell in row] for row in data]))
        if not visible:
            hidden.append(name)
    return xlsx_bytes(written, hidden=hidden)


def read_back(content: bytes, name: str) -> list[list]:
    return {n: r for n, r, _v in sheets_of(content)}[name]


def run(command: str, *args) -> tuple[Any, int]:
    out = StringIO()
    try:
        call_command(command, *args, stdout=out)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return json.loads(out.getvalue()), code


# --- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(lai_chau):
    return make_user("bien_tap_vien", "editor", "X.03445"), make_user("tong_hop", "reviewer", "LC")


@pytest.fixture
def accepted_2026_1(campaign, people) -> Assignment:
    """The sample unit's data in RS2026 (2026.1), submitted and accepted."""
    editor, reviewer = people
    assignment = assignment_of(campaign, SAMPLE_UNIT)
    load(assignment, actor=editor)
    workflow.submit(assignment, editor, acknowledge_warnings=True)
    workflow.accept(assignment, reviewer)
    return assignment


@pytest.fixture
def lc_campaign(campaign) -> Campaign:
    make_version()
    return create_campaign(
        code="LC2026",
        title="Rà soát theo phụ lục của Sở",
        deadline=datetime.date(2026, 7, 31),
        reference_date=datetime.date(2026, 6, 30),
        appendix_version=VERSION,
        previous=campaign,
    )


# --- the whole way ------------------------------------------------------------------------------------


def test_a_version_made_as_data_goes_the_whole_way(accepted_2026_1, lc_campaign, people, tmp_path):
    editor, reviewer = people
    appendix = get_appendix(VERSION)

    # 1. Started from the accepted 2026.1 data: every shared key, the hidden column left behind.
    assignment = assignment_of(lc_campaign, SAMPLE_UNIT)
    workflow.carry_forward(assignment, editor)
    started = unit_data(assignment)
    before = unit_data(accepted_2026_1)
    assert started["B05"] == [{**row, "source": None} for row in before["B05"]]
    assert started["B03"] == [{k: v for k, v in row.items() if k != "location"} for row in before["B03"]]
    assert started["B07"] == [] and started["B08"] == dict.fromkeys(appendix.sheet("B08").keys)

    # 2. The template of the campaign's version, pre-filled with that data.
    template = write_unit_template(assignment, prefilled=True)
    names = [name for name, _rows, _visible in sheets_of(template)]
    assert names[1:9] == [sheet.title for sheet in appendix]
    b02 = read_back(template, "Kết nối mạng")
    assert (
        f"{PROVIDER_HEADER}" in b02[1] and "Vị trí lắp đặt" not in read_back(template, "Thiết bị hạ tầng")[1]
    )
    general = read_back(template, "Thông tin chung")
    assert general[14][:2] == ["12a", "Số cán bộ được trang bị máy tính riêng"]

    # 3. Filled: the new columns and sheets, one date typed as a date, one as text, one impossible.
    filled_rows = {
        TRAINING: [
            {
                "Tên lớp, khóa đào tạo": "Kỹ năng số cho cán bộ xã",
                "Hình thức": "Tập trung",
                "Năm tổ chức": 2026,
                "Ngày khai giảng": datetime.date(2026, 3, 15),
                "Số người tham gia": 45,
                "Học trực tuyến": "Không",
                "Thư điện tử đơn vị tổ chức": "sotttt@laichau.gov.vn",
                "Điện thoại đơn vị tổ chức": "0213 3876 543",
                "Kinh phí (triệu đồng)": 12.5,
                "Kết quả": "Đạt yêu cầu.\nCấp giấy chứng nhận.",
            },
            {
                "Tên lớp, khóa đào tạo": "An toàn thông tin cơ bản",
                "Hình thức": "Trực tuyến",
                "Năm tổ chức": "2025",
                "Ngày khai giảng": "31/02/2026",
                "Số người tham gia": "120",
                "Học trực tuyến": "Có",
            },
        ]
    }
    lines = {
        PLAN: {
            "Đã ban hành kế hoạch chuyển đổi số": "Có",
            "Ngày ban hành": "05/01/2026",
            "Số hiệu văn bản": "12/KH-UBND",
            "Kinh phí bố trí (triệu đồng)": 150,
        },
        "Thông tin chung": {"Số cán bộ được trang bị máy tính riêng": 18},
    }
    b05_first = 3  # Excel row of B05's first data row (title, header, data)
    cells = {
        ("Thiết bị đầu cuối", b05_first, SOURCE_HEADER): "Chương trình, dự án",
        ("Thiết bị đầu cuối", b05_first + 1, "Loại thiết bị"): NEW_DEVICE,
    }
    faulty = tmp_path / "phu-luc-loi.xlsx"
    faulty.write_bytes(fill(template, rows=filled_rows, lines=lines, cells=cells))

    # 4. Imported: the impossible date is the one error, at its sheet, Excel row and header.
    output, code = run("import", "LC2026", SAMPLE_UNIT, str(faulty))
    assert code == 1 and output["saved"] is False
    # Title row, header row, then the two rows: the second is Excel row 4.
    assert [(e["sheet"], e["row"], e["column"]) for e in output["errors"]] == [
        (TRAINING, 4, "Ngày khai giảng")
    ]
    assert "31/02/2026" in output["errors"][0]["message"]
    assert unit_data(assignment) == started

    filled_rows[TRAINING][1]["Ngày khai giảng"] = "28/02/2026"
    good = tmp_path / "phu-luc.xlsx"
    good.write_bytes(fill(template, rows=filled_rows, lines=lines, cells=cells))
    output, code = run("import", "LC2026", SAMPLE_UNIT, str(good))
    assert (code, output["errors"], output["saved"]) == (0, [], True)
    assert output["rows"]["B07"] == 2 and "B08" not in output["rows"]
    assert output["unknown_columns"] == []

    # 5. Stored where storage says: new columns in `extra`, new sheets in CustomRow.
    device = EndDevice.objects.get(assignment=assignment, position=1)
    assert device.extra == {"source": "Chương trình, dự án"}
    assert EndDevice.objects.get(assignment=assignment, position=2).device_type == NEW_DEVICE
    training = CustomRow.objects.filter(assignment=assignment, sheet="B07").order_by("position")
    assert [row.extra["started_on"] for row in training] == ["2026-03-15", "2026-02-28"]
    assert CustomRow.objects.get(assignment=assignment, sheet="B08").extra["approved_on"] == "2026-01-05"

    # 5b. The dashboard's "Thống kê theo cột" counts the new B05 column, weighted by the quantity.
    response = client_for(reviewer).get(dashboard_url(lc_campaign, column="B05.source"))
    counted = response.context["column_counts"]
    assert counted.ref == "B05.source" and not counted.unknown
    shown = {line.label: (line.rows, line.quantity) for line in counted.lines if line.rows}
    assert shown["Chương trình, dự án"] == (1, device.quantity)
    assert sum(rows for rows, _q in shown.values()) == EndDevice.objects.filter(assignment=assignment).count()
    assert [line.label for line in counted.lines][: len(SOURCES)] == list(SOURCES)
    assert "Thống kê theo cột" in response.content.decode()

    # 6. Dumped with the declared keys, dates ISO, and loaded back unchanged.
    dumped, code = run("dump", "LC2026", SAMPLE_UNIT)
    assert list(dumped) == [sheet.code for sheet in appendix]
    assert dumped["B07"][0] == {
        "course": "Kỹ năng số cho cán bộ xã",
        "training_form": "Tập trung",
        "year_held": 2026,
        "started_on": "2026-03-15",
        "attendees": 45,
        "online": "Không",
        "organiser_email": "sotttt@laichau.gov.vn",
        "organiser_phone": "02133876543",
        "cost_mvnd": 12.5,
        "outcome": "Đạt yêu cầu.\nCấp giấy chứng nhận.",
    }
    assert dumped["B07"][1]["started_on"] == "2026-02-28" and dumped["B07"][1]["year_held"] == 2025
    assert dumped["B08"] == {
        "plan_approved": "Có",
        "approved_on": "2026-01-05",
        "plan_number": "12/KH-UBND",
        "budget_mvnd": 150,
    }
    assert dumped["B01"]["staff_with_computer"] == 18
    assert dumped["B05"][0]["source"] == "Chương trình, dự án" and "location" not in dumped["B03"][0]
    path = tmp_path / "du-lieu.json"
    path.write_text(json.dumps(dumped, ensure_ascii=False), encoding="utf-8")
    loaded, code = run("load", "LC2026", SAMPLE_UNIT, str(path), "--dry-run")
    assert (code, loaded["errors"]) == (0, [])
    assert unit_data(assignment) == dumped

    # 7. Snapshots and their diff: the import's before-snapshot against the submission.
    workflow.submit(assignment, editor, acknowledge_warnings=True)
    workflow.accept(assignment, reviewer)
    submitted = assignment.snapshots.filter(kind=Snapshot.Kind.SUBMIT).first()
    assert submitted.data == dumped and submitted.appendix_version == VERSION
    before_import = assignment.snapshots.filter(kind=Snapshot.Kind.BEFORE_IMPORT).order_by("pk").last()
    changes = {d.code: d for d in diff_snapshots(appendix, before_import, submitted)}
    assert [c.kind for c in changes["B07"].changes] == ["added", "added"]
    assert changes["B07"].headers["started_on"] == "Ngày khai giảng"
    assert changes["B08"].changes[0].fields["approved_on"] == [None, "2026-01-05"]
    # The import replaced B05's rows: the two it changed are matched by content no more.
    b05 = [(c.kind, c.row) for c in changes["B05"].changes]
    assert b05 == [("added", 1), ("added", 2), ("removed", 1), ("removed", 2)]
    assert changes["B05"].changes[0].values["source"] == "Chương trình, dự án"
    assert changes["B05"].changes[1].values["device_type"] == NEW_DEVICE
    assert changes["B01"].changes[0].fields == {"staff_with_computer": [None, 18]}

    # 8. The consolidated export: new columns and sheets, each row with the unit's columns.
    export = tmp_path / "tong-hop.xlsx"
    write_consolidated(lc_campaign, Assignment.objects.filter(campaign=lc_campaign), str(export))
    exported = {n: r for n, r, _v in sheets_of(export.read_bytes())}
    header = exported[TRAINING][0]
    assert header[:6] == ["Mã đơn vị", "Tên cơ quan, đơn vị", "Khối", "Cấp", "Xã, phường", "STT"]
    assert header[6:] == [c.header for c in appendix.sheet("B07").data_columns]
    first = dict(zip(header, exported[TRAINING][1], strict=True))
    assert first["Mã đơn vị"] == SAMPLE_UNIT and first["Ngày khai giảng"] == "15/03/2026"
    assert first["Kinh phí (triệu đồng)"] == 12.5 and first["Điện thoại đơn vị tổ chức"] == "02133876543"
    plan = {row[0]: dict(zip(exported[PLAN][0], row, strict=True)) for row in exported[PLAN][1:]}
    assert len(plan) == Assignment.objects.filter(campaign=lc_campaign).count()
    assert (
        plan[SAMPLE_UNIT]["Ngày ban hành"] == "05/01/2026"
        and plan[SAMPLE_UNIT]["Kinh phí bố trí (triệu đồng)"] == 150
    )
    devices = exported["Thiết bị đầu cuối"]
    assert SOURCE_HEADER in devices[0]
    assert dict(zip(devices[0], devices[1], strict=True))[SOURCE_HEADER] == "Chương trình, dự án"
    assert "Vị trí lắp đặt" not in exported["Thiết bị hạ tầng"][0]
    assert PROVIDER_HEADER in exported["Kết nối mạng"][0]

    # 9. Carried forward into a third campaign on yet another version.
    make_version(NEXT_VERSION, next_definition())
    third = create_campaign(
        code="LC2027",
        title="Rà soát năm 2027",
        deadline=datetime.date(2027, 7, 31),
        reference_date=datetime.date(2027, 6, 30),
        appendix_version=NEXT_VERSION,
        previous=lc_campaign,
    )
    following = assignment_of(third, SAMPLE_UNIT)
    counts = workflow.carry_forward(following, editor)
    assert counts["B07"] == 2 and counts["B05"] == len(dumped["B05"])
    carried = unit_data(following)
    assert carried["B08"] == dumped["B08"]
    assert carried["B05"] == dumped["B05"]
    assert carried["B07"][0] == {
        **{k: v for k, v in dumped["B07"][0].items() if k not in ("cost_mvnd", "attendees")},
        "attendees": None,  # retyped (int → dec): not a shared key, starts empty
        "certificate": None,  # new
    }
    assert "cost_mvnd" not in carried["B07"][0]
    assert CustomRow.objects.filter(assignment=following, sheet="B07", carried_forward=True).count() == 2
    # The dropped column stays in LC2026's snapshots.
    assert submitted.data["B07"][0]["cost_mvnd"] == 12.5
    assert InfraDevice.objects.filter(assignment=following).count() == len(dumped["B03"])


def test_version_definition_builds(lc_campaign):
    """The edits above make the appendix they describe (guards the test's own assumptions)."""
    appendix = get_appendix(VERSION)
    assert appendix.codes == ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08")
    assert appendix.sheet("B05").column("source").choices == SOURCES
    assert NEW_DEVICE in appendix.sheet("B05").column("device_type").choices
    assert appendix.sheet("B02").column("provider").aliases == ("Nhà cung cấp",)
    assert not appendix.sheet("B03").has_column("location")
    assert appendix.sheet("B01").column("staff_with_computer").number == "12a"
    assert appendix.sheet("B07").repeating and not appendix.sheet("B08").repeating
    assert Decimal(0) == appendix.sheet("B07").column("cost_mvnd").min

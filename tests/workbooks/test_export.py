"""The consolidated workbook: its totals equal the database, its rows are the stored rows, text stays
text, LibreOffice opens it, and it costs a fixed number of queries however many units it holds."""

import copy
import datetime
import json
import os
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Q, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from python_calamine import CalamineWorkbook

from rasoat import xlsx_text
from rasoat.appendix.declaration import UnitInfo
from rasoat.appendix.validation import clean_unit_data
from rasoat.campaigns.models import Assignment, Status
from rasoat.inventory.data import appendix_for
from rasoat.inventory.models import ROW_MODELS, EndDevice, InfraDevice, NetworkLink
from rasoat.inventory.services import replace_unit_data
from rasoat.orgs.models import Block, Level
from rasoat.workbooks.export import STATUS_SHEET, SUMMARY_SHEET, write_consolidated
from rasoat.workbooks.xlsx import new_workbook, write_cells, write_row
from tests.conftest import MUONG_KIM, MUONG_KIM_UNITS, MUONG_TE_UNITS

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "mau_dang_uy_muong_te.json"
SAMPLE = json.loads(FIXTURE.read_text(encoding="utf-8"))["data"]
SHEET_TITLES = {
    "B01": "Thông tin chung",
    "B02": "Kết nối mạng",
    "B03": "Thiết bị hạ tầng",
    "B04": "Nền tảng, phần mềm",
    "B05": "Thiết bị đầu cuối",
    "B06": "Đề xuất nhu cầu",
}
FORMULA_LIKE = {
    ("B04", "name"): "=1+1",
    ("B05", "model"): "+84912345678",
    ("B03", "note"): "-",
    ("B06", "item"): "@x",
    ("B02", "purpose"): '=HYPERLINK("http://example.com","x")',
    # XlsxWriter writes a text shaped like rich-text XML unescaped: this one would add a formula cell.
    ("B05", "note"): '<r><t>a</t></r></is></c><c r="ZZ1"><f>1+1</f><v>2</v></c><c><is><r><t>b</t></r>',
}


def local(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


# (unit code, factor applied to quantities and row counts, status, submitted_at)
UNITS = [
    (MUONG_KIM_UNITS[0], 1, Status.IN_PROGRESS, None),
    (MUONG_KIM_UNITS[2], 2, Status.SUBMITTED, local(2026, 5, 20, 23, 50)),  # on time: same local day
    (MUONG_KIM_UNITS[3], 3, Status.ACCEPTED, local(2026, 5, 21, 0, 30)),  # late, though the 20th in UTC
    (MUONG_TE_UNITS[0], 4, Status.IN_PROGRESS, None),
    (MUONG_TE_UNITS[1], 5, Status.RETURNED, local(2026, 5, 18, 9, 5)),
    ("T.VPTU", 2, Status.SUBMITTED, local(2026, 5, 19, 14, 0)),
]


def varied_data(factor: int, formula_like: bool = False) -> dict:
    """The sample unit's data with quantities and row counts that differ by `factor`."""
    data = copy.deepcopy(SAMPLE)
    for code, rows in data.items():
        if code == "B01":
            continue
        drop = factor % len(rows)
        if drop and drop < len(rows):
            del rows[len(rows) - drop :]
        for index, row in enumerate(rows):
            if row.get("quantity") is not None:
                row["quantity"] = min(
                    int(row["quantity"]) * factor + index % 3, 100 if code == "B02" else 10000
                )
            if code == "B02":
                row["shared"] = "Có" if (index + factor) % 2 else "Không"
    if formula_like:
        for (code, key), text in FORMULA_LIKE.items():
            data[code][0][key] = text
        data["B01"]["address"] = "=SUM(A1:A3)"
    return data


def load_unit(campaign, code: str, factor: int, status=None, submitted_at=None, formula_like=False):
    """Store data for one unit as a clerk would (cleaned through the declaration), then set its status."""
    assignment = Assignment.objects.select_related("campaign", "unit").get(campaign=campaign, unit__code=code)
    result = clean_unit_data(
        appendix_for(assignment),
        varied_data(factor, formula_like),
        UnitInfo.from_unit(assignment.unit),
        campaign.reference_date,
    )
    replace_unit_data(assignment, result.data)
    if status is not None:
        Assignment.objects.filter(pk=assignment.pk).update(status=status, submitted_at=submitted_at)
    return assignment


@pytest.fixture
def loaded(campaign):
    """Six units of two communes and one province agency, with varied data and statuses."""
    for code, factor, status, submitted_at in UNITS:
        load_unit(campaign, code, factor, status, submitted_at, formula_like=factor == 3)
    return campaign


def read_book(path) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def export(campaign, tmp_path, assignments=None, name="tong-hop.xlsx") -> dict[str, list[list]]:
    path = tmp_path / name
    write_consolidated(
        campaign, assignments if assignments is not None else campaign.assignments.all(), str(path)
    )
    return read_book(path)


def table(rows: list[list], heading: str) -> list[dict]:
    """The rows of a table of the Tổng hợp sheet (total row included), keyed by its header."""
    start = next(i for i, row in enumerate(rows) if str(row[0]).startswith(heading))
    header = [cell for cell in rows[start + 1] if cell != ""]
    result = []
    for row in rows[start + 2 :]:
        result.append(dict(zip(header, row, strict=False)))
        if row[0] == "Tổng cộng":
            return result
    raise AssertionError(f"no total row after {heading!r}")


def as_int(value) -> int:
    return int(value or 0)


def quantity(model, **filters) -> int:
    return model.objects.filter(**filters).aggregate(q=Sum("quantity"))["q"] or 0


# --- totals -------------------------------------------------------------------------------------


def test_progress_by_level_and_block_equals_the_database(loaded, tmp_path):
    rows = table(export(loaded, tmp_path)[SUMMARY_SHEET], "1.")
    levels = {label: value for value, label in Level.choices}
    blocks = {label: value for value, label in Block.choices}
    assignments = Assignment.objects.filter(campaign=loaded)
    groups = {(a["unit__level"], a["unit__block"]) for a in assignments.values("unit__level", "unit__block")}
    assert len(rows) == len(groups) + 1
    for row in rows[:-1]:
        scope = {"unit__level": levels[row["Cấp"]], "unit__block": blocks[row["Khối"]]}
        rows_scope = {f"assignment__{key}": value for key, value in scope.items()} | {
            "assignment__campaign": loaded
        }
        group = assignments.filter(**scope)
        assert as_int(row["Số đơn vị được giao"]) == group.count()
        assert (
            as_int(row["Đã gửi (kể cả đã duyệt)"])
            == group.filter(status__in=["submitted", "accepted"]).count()
        )
        assert as_int(row["Đã duyệt"]) == group.filter(status="accepted").count()
        assert as_int(row["Thiết bị hạ tầng (B03, số lượng)"]) == quantity(InfraDevice, **rows_scope)
        assert as_int(row["Thiết bị đầu cuối (B05, số lượng)"]) == quantity(EndDevice, **rows_scope)
        assert as_int(row["Đường truyền dùng chung (B02)"]) == quantity(
            NetworkLink, shared="Có", **rows_scope
        )
        assert as_int(row["Đường truyền riêng (B02)"]) == quantity(NetworkLink, **rows_scope) - quantity(
            NetworkLink, shared="Có", **rows_scope
        )
    total = rows[-1]
    assert as_int(total["Số đơn vị được giao"]) == assignments.count() == 220
    assert as_int(total["Đã gửi (kể cả đã duyệt)"]) == 3
    assert as_int(total["Đã duyệt"]) == 1
    assert as_int(total["Thiết bị đầu cuối (B05, số lượng)"]) == quantity(
        EndDevice, assignment__campaign=loaded
    )
    assert as_int(total["Thiết bị đầu cuối (B05, số lượng)"]) > 0


def test_progress_by_commune_equals_the_database(loaded, tmp_path):
    rows = table(export(loaded, tmp_path)[SUMMARY_SHEET], "2.")
    by_code = {row["Mã xã"]: row for row in rows[:-1]}
    assert len(by_code) == 38  # every commune of Lai Châu, the province agencies in none
    for code, row in by_code.items():
        group = Assignment.objects.filter(campaign=loaded, unit__commune__code=code)
        assert as_int(row["Số đơn vị được giao"]) == group.count() == 5
        assert (
            as_int(row["Đã gửi (kể cả đã duyệt)"])
            == group.filter(status__in=["submitted", "accepted"]).count()
        )
        assert as_int(row["Đã duyệt"]) == group.filter(status="accepted").count()
        in_commune = {"assignment__campaign": loaded, "assignment__unit__commune__code": code}
        assert as_int(row["Thiết bị đầu cuối (B05, số lượng)"]) == quantity(EndDevice, **in_commune)
        assert as_int(row["Thiết bị hạ tầng (B03, số lượng)"]) == quantity(InfraDevice, **in_commune)
    muong_kim = by_code[MUONG_KIM]
    assert as_int(muong_kim["Đã gửi (kể cả đã duyệt)"]) == 2
    assert as_int(muong_kim["Thiết bị đầu cuối (B05, số lượng)"]) > 0
    total = rows[-1]
    assert as_int(total["Số đơn vị được giao"]) == 190


@pytest.mark.parametrize(("heading", "model"), [("3.", InfraDevice), ("4.", EndDevice)])
def test_devices_by_type_and_condition_equal_the_database(loaded, tmp_path, heading, model):
    rows = table(export(loaded, tmp_path)[SUMMARY_SHEET], heading)
    conditions = ["Hoạt động tốt", "Hoạt động nhưng xuống cấp", "Hỏng, không sử dụng được"]
    in_campaign = {"assignment__campaign": loaded}
    for row in rows[:-1]:
        kind = row["Loại thiết bị"]
        for condition in conditions:
            expected = quantity(model, device_type=kind, condition=condition, **in_campaign)
            assert as_int(row[condition]) == expected, (kind, condition)
        assert as_int(row["Tổng cộng"]) == quantity(model, device_type=kind, **in_campaign)
    assert as_int(rows[-1]["Tổng cộng"]) == quantity(model, **in_campaign) > 0
    assert sum(as_int(rows[-1][c]) for c in conditions) == quantity(model, **in_campaign)


def test_links_by_type_count_shared_lines_apart(loaded, tmp_path):
    rows = table(export(loaded, tmp_path)[SUMMARY_SHEET], "5.")
    in_campaign = {"assignment__campaign": loaded}
    for row in rows[:-1]:
        kind = row["Loại kết nối"]
        shared = quantity(NetworkLink, link_type=kind, shared="Có", **in_campaign)
        own = NetworkLink.objects.filter(~Q(shared="Có"), link_type=kind, **in_campaign).aggregate(
            q=Sum("quantity")
        )
        assert as_int(row["Đường truyền dùng chung"]) == shared
        assert as_int(row["Đường truyền riêng"]) == (own["q"] or 0)
    total = rows[-1]
    assert as_int(total["Đường truyền dùng chung"]) > 0
    assert as_int(total["Đường truyền riêng"]) > 0
    assert as_int(total["Đường truyền riêng"]) + as_int(total["Đường truyền dùng chung"]) == quantity(
        NetworkLink, **in_campaign
    )


# --- rows ---------------------------------------------------------------------------------------


def test_every_stored_row_is_exported_with_its_unit(loaded, tmp_path):
    book = export(loaded, tmp_path)
    assert list(book)[:2] == [SUMMARY_SHEET, STATUS_SHEET]
    assert list(book)[2:] == list(SHEET_TITLES.values())
    assignments = Assignment.objects.filter(campaign=loaded)
    assert len(book[SHEET_TITLES["B01"]]) - 1 == assignments.count()
    assert len(book[STATUS_SHEET]) - 1 == assignments.count()
    for code, model in ROW_MODELS.items():
        rows = book[SHEET_TITLES[code]]
        assert rows[0][:6] == ["Mã đơn vị", "Tên cơ quan, đơn vị", "Khối", "Cấp", "Xã, phường", "STT"]
        stored = model.objects.filter(assignment__campaign=loaded)
        assert len(rows) - 1 == stored.count() > 0
        per_unit = {}
        for row in rows[1:]:
            per_unit.setdefault(row[0], []).append(int(row[5]))
        for unit_code, numbers in per_unit.items():
            assert numbers == list(range(1, len(numbers) + 1)), unit_code  # STT restarts in each unit
            assert len(numbers) == stored.filter(assignment__unit__code=unit_code).count()
    b05 = book[SHEET_TITLES["B05"]]
    column = b05[0].index("Số lượng")
    assert sum(int(row[column]) for row in b05[1:]) == quantity(EndDevice, assignment__campaign=loaded)
    by_unit = {row[0]: row for row in b05[1:]}
    assert by_unit[MUONG_KIM_UNITS[0]][1:5] == ["Đảng ủy xã Mường Kim", "Khối Đảng", "Cấp xã", "Xã Mường Kim"]
    assert by_unit["T.VPTU"][2:5] == ["Khối Đảng", "Cấp tỉnh", ""]


def test_b01_has_one_row_per_unit_with_its_stored_lines(loaded, tmp_path):
    rows = export(loaded, tmp_path)[SHEET_TITLES["B01"]]
    header = rows[0]
    assert header.count("Mã đơn vị") == 1  # the prefilled lines are not repeated after the registry's
    by_code = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    filled = by_code[MUONG_KIM_UNITS[0]]
    assert filled["Họ và tên người đầu mối"] == SAMPLE["B01"]["contact_name"]
    assert int(filled["Tổng số cán bộ, công chức, viên chức, người lao động"]) == 46
    empty = by_code[MUONG_KIM_UNITS[1]]
    assert empty["Tên cơ quan, đơn vị"] == "Hội đồng nhân dân xã Mường Kim"
    assert empty["Họ và tên người đầu mối"] == ""


def test_status_sheet_gives_status_local_submission_time_and_timeliness(loaded, tmp_path):
    rows = export(loaded, tmp_path)[STATUS_SHEET]
    assert rows[0][5:] == ["Tình trạng", "Thời điểm gửi", "Đúng hạn/Quá hạn"]
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code[MUONG_KIM_UNITS[2]][5:] == ["Đã gửi", datetime.datetime(2026, 5, 20, 23, 50), "Đúng hạn"]
    assert by_code[MUONG_KIM_UNITS[3]][5:] == ["Đã duyệt", datetime.datetime(2026, 5, 21, 0, 30), "Quá hạn"]
    assert by_code[MUONG_TE_UNITS[1]][5:] == ["Trả lại", datetime.datetime(2026, 5, 18, 9, 5), "Đúng hạn"]
    assert by_code[MUONG_KIM_UNITS[0]][5:] == ["Đang nhập", "", ""]
    assert by_code[MUONG_KIM_UNITS[1]][5:] == ["Chưa thực hiện", "", ""]


def test_formula_like_text_is_written_as_text(campaign, tmp_path):
    load_unit(campaign, MUONG_KIM_UNITS[0], 3, formula_like=True)
    path = tmp_path / "text.xlsx"
    write_consolidated(campaign, campaign.assignments.filter(unit__code=MUONG_KIM_UNITS[0]), str(path))
    with zipfile.ZipFile(path) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 8
        for name in sheets:
            xml = archive.read(name).decode("utf-8")
            assert "<f>" not in xml and "<f " not in xml, name
    book = read_book(path)
    for (code, key), text in FORMULA_LIKE.items():
        rows = book[SHEET_TITLES[code]]
        header = [h.rstrip("*") for h in rows[0]]
        column = header.index(campaign_sheet_header(campaign, code, key))
        assert rows[1][column] == text
    b01 = book[SHEET_TITLES["B01"]]
    assert b01[1][b01[0].index("Địa chỉ trụ sở")] == "=SUM(A1:A3)"


TRICKY_TEXTS = [
    "plain",
    " leading space",
    "trailing space ",
    "a & b < c > d",
    "quote \" and apostrophe '",
    "bell\x07inside",
    "_x0041_ looks like an escape",
    "tab\tand\nnew line",
    "Tiếng Việt có dấu",
    "=1+1",
    "\ufffe",
]


def sheet_xml(path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode("utf-8")


def test_streaming_worksheet_writes_what_xlsxwriter_writes(tmp_path):

    plain_rows = [
        [text, row, Decimal("1.25") * row, 2.5, None, "", -7, 10**12] for row, text in enumerate(TRICKY_TEXTS)
    ]
    plain_rows[3][4] = datetime.datetime(2026, 5, 20, 8, 30)  # not plain: written cell by cell
    plain_rows[5] = [None, "", None]  # nothing at all

    def fill(workbook, row_writer) -> None:
        bold = workbook.add_format({"bold": True})
        money = workbook.add_format({"num_format": "0.00"})
        formatted = workbook.add_worksheet("S")  # column and row formats: XlsxWriter's precedence
        formatted.set_column(3, 3, 12, money)
        formatted.set_row(2, None, bold)
        for row, cells in enumerate(plain_rows):
            write_cells(formatted, row, cells, bold if row == 1 else None, money)
        plain = workbook.add_worksheet("P")  # a header, then rows written in one piece when plain
        plain.set_row(0, 40)
        plain.set_column(0, 7, 20)
        write_cells(plain, 0, ["Mã", "Tên", "Số"], bold)
        for row, cells in enumerate(plain_rows, start=1):
            row_writer(plain, row, cells, money)
        workbook.close()

    # The reference: XlsxWriter's own cell writer (the safe factory's plain worksheet class).
    fill(
        xlsx_text.new_workbook(str(tmp_path / "reference.xlsx"), constant_memory=True),
        write_cells_unformatted,
    )
    fill(new_workbook(str(tmp_path / "streaming.xlsx"), constant_memory=True), write_row)
    with (
        zipfile.ZipFile(tmp_path / "reference.xlsx") as ref,
        zipfile.ZipFile(tmp_path / "streaming.xlsx") as out,
    ):
        for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
            assert out.read(name) == ref.read(name), name
    book = read_book(tmp_path / "streaming.xlsx")
    # Row 5 was emptied; the others read back as written (Excel's own escape kept for U+FFFE).
    expected = [t.replace("\ufffe", "_xFFFE_") for i, t in enumerate(TRICKY_TEXTS) if i != 5]
    assert [row[0] for i, row in enumerate(book["S"][: len(TRICKY_TEXTS)]) if i != 5] == expected
    assert book["P"][1][:4] == ["plain", 0.0, 0.0, 2.5]
    assert book["P"][8][7] == 10**12


def write_cells_unformatted(worksheet, row, cells, datetime_format) -> None:
    write_cells(worksheet, row, cells, None, datetime_format)


@pytest.mark.parametrize("constant_memory", [True, False])
def test_text_shaped_like_rich_text_xml_stays_that_text(tmp_path, constant_memory):
    text = FORMULA_LIKE[("B05", "note")]
    path = tmp_path / "rich.xlsx"
    workbook = new_workbook(str(path), constant_memory=constant_memory)
    sheet = workbook.add_worksheet("S")
    write_cells(sheet, 0, [text, "<r>x</r>"])
    workbook.close()
    with zipfile.ZipFile(path) as archive:
        xml = "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml"))
    assert "<f>" not in xml
    assert read_book(path)["S"] == [[text, "<r>x</r>"]]


def campaign_sheet_header(campaign, code: str, key: str) -> str:
    from rasoat.appendix.declaration import get_appendix

    return get_appendix(campaign.appendix_version).sheet(code).column(key).header


def test_the_workbook_opens_in_libreoffice(loaded, tmp_path):
    soffice = shutil.which("soffice") or ("/usr/bin/soffice" if os.path.exists("/usr/bin/soffice") else None)
    if soffice is None:
        if os.environ.get("RASOAT_REQUIRE_LIBREOFFICE"):
            pytest.fail(
                "LibreOffice (soffice) is required by RASOAT_REQUIRE_LIBREOFFICE but is not installed"
            )
        print("skipped: LibreOffice (soffice) is not installed")
        pytest.skip("LibreOffice (soffice) is not installed")
    path = tmp_path / "tong-hop.xlsx"
    write_consolidated(loaded, loaded.assignments.all(), str(path))
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "pdf"),
            str(path),
        ],
        capture_output=True,
        timeout=180,
        check=False,
    )
    pdf = tmp_path / "pdf" / "tong-hop.pdf"
    assert result.returncode == 0, result.stderr
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF"), result.stdout


# --- cost ---------------------------------------------------------------------------------------


def count_queries(campaign, tmp_path, name) -> int:
    with CaptureQueriesContext(connection) as context:
        write_consolidated(campaign, campaign.assignments.all(), str(tmp_path / name))
    return len(context)


def test_export_runs_a_fixed_number_of_queries(campaign, tmp_path, django_assert_num_queries):
    load_unit(campaign, MUONG_KIM_UNITS[0], 1)
    small = count_queries(campaign, tmp_path, "small.xlsx")
    for code, factor, status, submitted_at in UNITS[1:]:
        load_unit(campaign, code, factor, status, submitted_at)
    with django_assert_num_queries(small):
        write_consolidated(campaign, campaign.assignments.all(), str(tmp_path / "large.xlsx"))
    assert small <= 16


# --- command ------------------------------------------------------------------------------------


def test_command_writes_the_workbook_of_a_subtree(loaded, tmp_path, capsys):
    path = tmp_path / "muong-kim.xlsx"
    call_command("export", loaded.code, "--scope", MUONG_KIM, "-o", str(path))
    assert str(path) in capsys.readouterr().out
    book = read_book(path)
    for name, rows in book.items():
        if name != SUMMARY_SHEET:
            assert {row[0][:7] for row in rows[1:]} <= {MUONG_KIM}, name
    assert len(book[STATUS_SHEET]) - 1 == 5
    progress = table(book[SUMMARY_SHEET], "1.")
    assert as_int(progress[-1]["Số đơn vị được giao"]) == 5


def test_command_refuses_unknown_campaign_or_scope(loaded, tmp_path):
    with pytest.raises(CommandError, match="KHONGCO"):
        call_command("export", "KHONGCO", "-o", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="X.99999"):
        call_command("export", loaded.code, "--scope", "X.99999", "-o", str(tmp_path / "x.xlsx"))
    assert not (tmp_path / "x.xlsx").exists()

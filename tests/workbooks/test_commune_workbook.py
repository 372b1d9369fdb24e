"""The commune workbook: the same sheets, B01 with one column per unit, B02–B06 rows routed by "Mã đơn vị"
to the commune's units; imported all or nothing."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from rasoat.appendix.declaration import get_appendix
from rasoat.campaigns.models import Assignment, Status
from rasoat.inventory.data import unit_data
from rasoat.inventory.services import NotEditable
from rasoat.orgs.models import Unit
from rasoat.workbooks.importer import apply_import
from rasoat.workbooks.models import ImportedSnapshot, Upload
from rasoat.workbooks.reader import WorkbookRejected, read_commune_workbook
from rasoat.workbooks.template import write_commune_template
from tests.conftest import MUONG_TE, MUONG_TE_UNITS
from tests.inventory.test_workflow import data_for, load
from tests.workbooks.conftest import meta_rows

APPENDIX = get_appendix("2026.1")
DU, HD, UB, TT, MT = MUONG_TE_UNITS
PRINTER = {
    "device_type": "Máy in",
    "model": "Canon",
    "quantity": 3,
    "year_acquired": 2019,
    "condition": "Hoạt động tốt",
}
LAPTOP = {
    **PRINTER,
    "device_type": "Máy tính xách tay",
    "model": "Dell",
    "quantity": 1,
    "year_acquired": 2022,
    "cpu": "i5",
    "ram_gb": 8,
    "disk_type": "SSD",
    "os": "Windows 11",
    "os_licensed": "Có",
    "antivirus": "Miễn phí",
}


@pytest.fixture
def commune(lai_chau) -> Unit:
    return Unit.objects.get(code=MUONG_TE)


@pytest.fixture
def assignments(campaign, commune) -> list[Assignment]:
    return list(
        Assignment.objects.select_related("campaign", "unit")
        .filter(campaign=campaign, unit__commune=commune)
        .exclude(unit=commune)
    )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def by_code(assignments) -> dict[str, Assignment]:
    return {a.unit.code: a for a in assignments}


def general_block(columns: dict[str, dict]) -> list[list]:
    """B01 of a commune workbook: labels in B, one value column per unit from C, codes on "Mã đơn vị"."""
    rows: list[list] = [["THÔNG TIN CHUNG"], ["#", "Nội dung", *columns]]
    for number, column in enumerate(APPENDIX.sheet("B01").data_columns, start=1):
        rows.append([number, column.marked_header, *[values.get(column.key) for values in columns.values()]])
    return rows


def table(code: str, records: list[tuple[str | None, dict]], *, with_code: bool = True) -> list[list]:
    sheet = APPENDIX.sheet(code)
    header = ["STT", *(["Mã đơn vị*"] if with_code else []), *[c.marked_header for c in sheet.data_columns]]
    rows: list[list] = [[sheet.title.upper()], header]
    for number, (unit, record) in enumerate(records, start=1):
        rows.append(
            [number, *([unit] if with_code else []), *[record.get(c.key) for c in sheet.data_columns]]
        )
    return rows


def general_of(assignments, code: str) -> dict:
    return data_for(by_code(assignments)[code].unit)["B01"]


def commune_book(write_workbook, assignments, units: list[str], b05: list[tuple[str | None, dict]], **extra):
    sheets = [("Thông tin chung", general_block({code: general_of(assignments, code) for code in units})),
              ("Thiết bị đầu cuối", table("B05", b05)), *extra.items()]  # fmt: skip
    return write_workbook(sheets, hidden=["_meta"])


def read(path, campaign, commune, assignments):
    return read_commune_workbook(path, path.name, campaign, commune, assignments)


def test_rows_are_routed_to_their_units(campaign, commune, assignments, write_workbook):
    b05 = [(DU, PRINTER), (UB.lower(), LAPTOP), (DU, LAPTOP), (UB, PRINTER), (f" {DU} ", PRINTER)]
    path = commune_book(
        write_workbook, assignments, [DU, UB], b05, _meta=meta_rows("RS2026", MUONG_TE, "commune")
    )
    result = read(path, campaign, commune, assignments)
    assert result.errors == []
    assert [u.unit_code for u in result.units] == [DU, UB]
    du, ub = result.units
    assert du.rows["B05"] == 3 and ub.rows["B05"] == 2 and result.rows["B05"] == 5
    assert [r["device_type"] for r in ub.data["B05"]] == ["Máy tính xách tay", "Máy in"]
    assert (
        du.data["B01"]["unit_code"] == DU
        and ub.data["B01"]["unit_name"] == general_of(assignments, UB)["unit_name"]
    )
    apply_import(result, by_code(assignments), None, None, None)
    for assignment in assignments:
        stored = unit_data(assignment)
        expected = {DU: 3, UB: 2}.get(assignment.unit.code, 0)
        assert len(stored["B05"]) == expected


def test_an_unknown_or_missing_unit_code_is_an_error_naming_it(
    campaign, commune, assignments, write_workbook
):
    b05 = [(DU, PRINTER), ("X.03637.DU", PRINTER), (None, LAPTOP)]
    result = read(commune_book(write_workbook, assignments, [DU], b05), campaign, commune, assignments)
    routing = [e for e in result.errors if e.column == "Mã đơn vị"]
    assert [(e.row, e.value) for e in routing] == [(4, "X.03637.DU"), (5, None)]
    assert "X.03637.DU" in routing[0].message and DU in routing[0].message
    assert "Chưa nhập" in routing[1].message
    assert result.units[0].rows["B05"] == 1


def test_a_b01_column_of_an_unknown_unit_is_an_error(campaign, commune, assignments, write_workbook):
    columns = {
        DU: general_of(assignments, DU),
        "X.99999.ZZ": {**general_of(assignments, DU), "unit_code": "X.99999.ZZ"},
    }
    path = write_workbook(
        [("Thông tin chung", general_block(columns)), ("Thiết bị đầu cuối", table("B05", []))]
    )
    result = read(path, campaign, commune, assignments)
    [error] = result.errors
    assert (
        error.sheet == "Thông tin chung"
        and error.value == "X.99999.ZZ"
        and error.row == 4
        and error.file_col == 3
    )


def test_a_unit_with_rows_but_no_b01_column_is_an_error(campaign, commune, assignments, write_workbook):
    path = commune_book(write_workbook, assignments, [DU], [(DU, PRINTER), (HD, PRINTER)])
    result = read(path, campaign, commune, assignments)
    [error] = result.errors
    assert error.unit_code == HD and "không có cột của đơn vị" in error.message


def test_units_with_only_their_prefilled_lines_are_left_alone(campaign, commune, assignments, write_workbook):
    load(by_code(assignments)[TT])
    before = unit_data(by_code(assignments)[TT])
    identity = {k: general_of(assignments, TT)[k] for k in ("unit_name", "unit_code", "block", "level")}
    columns = {DU: general_of(assignments, DU), TT: identity}
    path = write_workbook(
        [("Thông tin chung", general_block(columns)), ("Thiết bị đầu cuối", table("B05", []))]
    )
    result = read(path, campaign, commune, assignments)
    assert result.errors == []
    assert [u.unit_code for u in result.units] == [DU]
    assert any(w.unit_code == TT and "giữ nguyên" in w.message for w in result.warnings)
    apply_import(result, by_code(assignments), None, None, None)
    assert unit_data(by_code(assignments)[TT]) == before


def test_a_commune_workbook_needs_the_unit_code_column(campaign, commune, assignments, write_workbook):
    sheets = [("Thông tin chung", general_block({DU: general_of(assignments, DU)})),
              ("Thiết bị đầu cuối", table("B05", [(DU, PRINTER)], with_code=False))]  # fmt: skip
    result = read(write_workbook(sheets), campaign, commune, assignments)
    [error] = result.errors
    assert error.column == "Mã đơn vị" and error.sheet_code == "B05" and "Thiếu cột" in error.message


def test_a_unit_workbook_uploaded_as_the_commune_workbook_is_rejected(
    campaign, commune, assignments, write_workbook
):
    path = commune_book(write_workbook, assignments, [DU], [], _meta=meta_rows("RS2026", DU))
    with pytest.raises(WorkbookRejected) as rejected:
        read(path, campaign, commune, assignments)
    assert "riêng đơn vị" in rejected.value.message and DU in rejected.value.message


def test_the_prefilled_commune_template_reads_back(campaign, commune, assignments):
    load(by_code(assignments)[DU])
    load(by_code(assignments)[UB], data_for(by_code(assignments)[UB].unit))
    stored = {code: unit_data(by_code(assignments)[code]) for code in (DU, UB)}
    content = write_commune_template(campaign, commune, assignments, prefilled=True)
    result = read_commune_workbook(content, "xa.xlsx", campaign, commune, assignments)
    assert result.errors == [] and result.unknown_columns == []
    assert [u.unit_code for u in result.units] == [DU, UB]
    assert {w.unit_code for w in result.warnings if "giữ nguyên" in w.message} == {HD, TT, MT}
    apply_import(result, by_code(assignments), None, None, None)
    assert {code: unit_data(by_code(assignments)[code]) for code in (DU, UB)} == stored


def test_a_locked_unit_fails_the_whole_commune_import(campaign, commune, assignments, write_workbook):
    load(by_code(assignments)[DU])
    before = unit_data(by_code(assignments)[DU])
    path = commune_book(write_workbook, assignments, [DU, UB], [(DU, PRINTER), (UB, PRINTER)])
    result = read(path, campaign, commune, assignments)
    assert result.errors == []
    # Submitted meanwhile: the in-memory assignment still says "in progress".
    Assignment.objects.filter(pk=by_code(assignments)[UB].pk).update(status=Status.SUBMITTED)
    with pytest.raises(NotEditable):
        apply_import(result, by_code(assignments), None, None, None)
    assert unit_data(by_code(assignments)[DU]) == before
    assert unit_data(by_code(assignments)[UB])["B05"] == []


def test_the_command_reads_a_commune_code_as_a_commune_workbook(
    campaign, commune, assignments, write_workbook
):
    b05 = [(DU, PRINTER), (UB, LAPTOP), ("X.03637.DU", PRINTER)]
    path = commune_book(write_workbook, assignments, [DU, UB], b05)
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import", "RS2026", MUONG_TE, str(path), stdout=out)
    assert exit_.value.code == 1
    output = json.loads(out.getvalue())
    [error] = output["errors"]
    assert error["unit"] is None and error["column"] == "Mã đơn vị" and error["value"] == "X.03637.DU"
    assert output["units"] == {DU: {"B02": 0, "B03": 0, "B04": 0, "B05": 1, "B06": 0},
                               UB: {"B02": 0, "B03": 0, "B04": 0, "B05": 1, "B06": 0}}  # fmt: skip
    assert not Upload.objects.exists()

    path = commune_book(write_workbook, assignments, [DU, UB], b05[:2])
    out = StringIO()
    call_command("import", "RS2026", MUONG_TE, str(path), stdout=out)
    assert json.loads(out.getvalue())["saved"] is True
    [upload] = Upload.objects.all()
    assert upload.unit == commune and upload.state == Upload.State.IMPORTED
    assert ImportedSnapshot.objects.filter(upload=upload).count() == 2
    assert len(unit_data(by_code(assignments)[UB])["B05"]) == 1

"""The extent of every sheet is measured before python-calamine builds anything (issue 8, failure 1).

A 2 KB workbook with a cell at A1 and one at XFD1048576 made calamine allocate 549 GB and kill the
worker. These tests hold the gate to three promises: the grid it measures is the one calamine builds
(so honest files are never refused by mistake), anything past a limit is refused with a message
naming the sheet, and the hostile files are refused quickly in little memory, measured in a fresh
process.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from rasoat.spreadsheets.errors import WorkbookRejected
from rasoat.spreadsheets.extents import check_extents
from rasoat.spreadsheets.gate import check_workbook
from tests.spreadsheets.builders import (
    MAIN,
    biff_dimensions,
    biff_mulrk,
    biff_number,
    ods_empty_cells,
    ods_of,
    ods_row,
    ods_text_cell,
    sheet_data,
    xls_of,
    xlsx_of,
)
from tests.workbooks.conftest import xlsx_bytes

ROOT = Path(__file__).resolve().parents[2]
PEAK_MEMORY_LIMIT_KB = 200 * 1024
TIME_LIMIT_SECONDS = 1.0


def calamine_grid(data: bytes) -> list[tuple[str, int, int]]:
    """(sheet, rows, columns) of the grids python-calamine builds, from A1."""
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    grids = []
    for name in workbook.sheet_names:
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        grids.append((name, len(rows), max((len(row) for row in rows), default=0)))
    return grids


def refused(data: bytes, filename: str) -> str:
    with pytest.raises(WorkbookRejected) as raised:
        check_workbook(data, filename)
    return raised.value.message


# --- the hostile files --------------------------------------------------------------------------------


def sparse_xlsx() -> bytes:
    return xlsx_of({"Thiết bị đầu cuối": sheet_data(("A1", "a"), ("XFD1048576", "b"))})


def sparse_meta_xlsx() -> bytes:
    return xlsx_of(
        {
            "Thiết bị đầu cuối": sheet_data(("A1", "STT"), ("B2", "1")),
            "_meta": sheet_data(("A1", "campaign"), ("XFD1048576", "x")),
        }
    )


def sparse_xlsx_written_by_xlsxwriter() -> bytes:
    def rows():
        yield ["a"]
        yield from ([] for _ in range(1048574))
        yield [None] * 16383 + ["b"]

    return xlsx_bytes({"Thiết bị đầu cuối": rows()}, constant_memory=True)


def sparse_ods() -> bytes:
    rows = (
        ods_row(ods_text_cell("a"))
        + ods_row(ods_empty_cells(16384), repeat=1048574)
        + ods_row(ods_empty_cells(16383) + ods_text_cell("b"))
    )
    return ods_of({"Thiết bị đầu cuối": rows})


def sparse_meta_ods() -> bytes:
    meta = ods_row(ods_text_cell("campaign")) + ods_row(ods_empty_cells(16383) + ods_text_cell("x"), 1048575)
    return ods_of({"Thiết bị đầu cuối": ods_row(ods_text_cell("STT")), "_meta": meta})


def sparse_xls() -> bytes:
    return xls_of({"Thiet bi": [biff_number(0, 0, 1.0), biff_number(65535, 255, 2.0)]})


HOSTILE = {
    "xlsx, data sheet": ("phu-luc.xlsx", sparse_xlsx, "Thiết bị đầu cuối"),
    "xlsx, _meta": ("phu-luc.xlsx", sparse_meta_xlsx, "_meta"),
    "xlsx written by XlsxWriter": ("phu-luc.xlsx", sparse_xlsx_written_by_xlsxwriter, "Thiết bị đầu cuối"),
    "ods, data sheet": ("phu-luc.ods", sparse_ods, "Thiết bị đầu cuối"),
    "ods, _meta": ("phu-luc.ods", sparse_meta_ods, "_meta"),
    "xls, A1 + IV65536": ("phu-luc.xls", sparse_xls, "Thiet bi"),
}

_CHILD = r"""
import json, os, resource, sys, time
# Should the gate ever let the file through, the child fails instead of taking the machine's memory.
resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))
import django
django.setup()
from rasoat.spreadsheets.errors import WorkbookRejected

path, mode = sys.argv[1], sys.argv[2]
with open(path, "rb") as handle:
    data = handle.read()
name = os.path.basename(path)
start = time.perf_counter()
if mode == "appendix":
    from rasoat.workbooks.reading.workbook import open_workbook
    try:
        open_workbook(data, name).close()
        outcome = "opened"
    except WorkbookRejected as rejected:
        outcome = rejected.message
else:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rasoat.orgs.registry_xlsx import RegistryFileError, read_workbook
    try:
        read_workbook(SimpleUploadedFile(name, data))
        outcome = "read"
    except RegistryFileError as error:
        outcome = error.message
elapsed = time.perf_counter() - start
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"outcome": outcome, "seconds": elapsed, "peak_kb": peak}))
"""


def run_child(tmp_path: Path, filename: str, data: bytes, mode: str) -> dict:
    """Open `data` in a fresh interpreter (Django set up, nothing else) and report what happened.

    The peak is the child's VmHWM: unlike getrusage's ru_maxrss it does not carry over the parent's
    peak through fork and exec, so it is the memory this one read needed.
    """
    path = tmp_path / filename
    path.write_bytes(data)
    env = {**os.environ, "RASOAT_VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "rasoat.settings"}
    completed = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), mode],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
@pytest.mark.parametrize("mode", ["appendix", "registry"])
def test_sparse_workbooks_are_refused_quickly_in_little_memory(tmp_path, case, mode):
    filename, build, sheet = HOSTILE[case]
    report = run_child(tmp_path, filename, build(), mode)
    assert "quá lớn" in report["outcome"], report
    assert f'"{sheet}"' in report["outcome"]
    assert report["seconds"] < TIME_LIMIT_SECONDS, report
    assert report["peak_kb"] < PEAK_MEMORY_LIMIT_KB, report


def test_the_appendix_import_names_the_sheet_and_changes_nothing(tmp_path, campaign, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "phu-luc.xlsx"
    path.write_bytes(sparse_meta_xlsx())
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import", "RS2026", "X.03445.DU", str(path), stdout=out)
    [error] = json.loads(out.getvalue())["errors"]
    assert '"_meta"' in error["message"] and "cột XFD" in error["message"]


def test_the_registry_upload_page_shows_the_refusal(clients, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    response = clients["admin"].post(
        reverse("registry_import"), {"file": SimpleUploadedFile("don-vi.ods", sparse_ods())}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "quá lớn" in body and "XFD" in body


# --- the measured grid is calamine's -------------------------------------------------------------------

POSITIONAL = (
    "<sheetData>"
    '<row><c t="inlineStr"><is><t>a</t></is></c><c/><c t="inlineStr"><is><t>b</t></is></c></row>'
    "<row/>"
    "<row><c><v>1</v></c></row>"
    '<row r="10"><c r="E10" s="1"/><c><v>2</v></c></row>'
    "</sheetData>"
)
PREFIXED = (
    f'<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="{MAIN}"><x:sheetData>'
    '<x:row r="3"><x:c r="C3"><x:v>1</x:v></x:c>'
    '<x:c r="H3" t="inlineStr"><x:is><x:t>z</x:t></x:is></x:c></x:row>'
    "</x:sheetData></x:worksheet>"
)
LYING_DIMENSION = '<dimension ref="A1"/>' + sheet_data(("A1", "a"), ("K40", "b"))
FORMATTED_FAR_AWAY = (
    '<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="XFD1048576" s="3"></c><c r="XFD2" s="3"/></row>'
    '</sheetData><mergeCells count="1"><mergeCell ref="A1:B2"/></mergeCells>'
)

HONEST = {
    "xlsx, cells and rows without references": (
        "x.xlsx",
        lambda: xlsx_of({"S": POSITIONAL}),
    ),
    "xlsx, prefixed element names": ("x.xlsx", lambda: xlsx_of({"S": PREFIXED})),
    "xlsx, a dimension that lies": ("x.xlsx", lambda: xlsx_of({"S": LYING_DIMENSION})),
    "xlsx, a far cell only formatted": ("x.xlsx", lambda: xlsx_of({"S": FORMATTED_FAR_AWAY})),
    "xlsx, several sheets": (
        "x.xlsx",
        lambda: xlsx_of({"A": sheet_data(("B2", "x")), "B": sheet_data(("T500", "y")), "C": "<sheetData/>"}),
    ),
    "ods, repeated rows and cells, trailing empty repeats": (
        "x.ods",
        lambda: ods_of(
            {
                "T": ods_row(ods_text_cell("a"))
                + ods_row(ods_empty_cells(5) + ods_text_cell("b", 3), repeat=4)
                + ods_row(ods_empty_cells(1024), repeat=1048570)
            }
        ),
    ),
    "xls, number and MULRK records": (
        "x.xls",
        lambda: xls_of({"S": [biff_dimensions(0, 5, 0, 9), biff_number(0, 0, 1.0), biff_mulrk(4, 2, 7)]}),
    ),
}


@pytest.mark.parametrize("case", list(HONEST), ids=list(HONEST))
def test_the_measured_grid_is_the_one_calamine_builds(case):
    filename, build = HONEST[case]
    data = build()
    kind = check_workbook(data, filename)
    assert check_extents(data, kind, filename, exact=True) == calamine_grid(data)


def test_the_shipped_samples_pass(tmp_path):
    fixtures = ROOT / "tests" / "fixtures"
    for path in sorted(fixtures.glob("*.xlsx")):
        data = path.read_bytes()
        kind = check_workbook(data, path.name)
        assert check_extents(data, kind, path.name, exact=True) == calamine_grid(data)


# --- each limit, exactly ----------------------------------------------------------------------------


def test_the_column_limit_is_exact(settings):
    settings.WORKBOOK_MAX_COLUMNS = 30
    check_workbook(xlsx_of({"S": sheet_data(("AD5", "x"))}), "x.xlsx")  # column 30
    message = refused(xlsx_of({"S": sheet_data(("AE5", "x"))}), "x.xlsx")
    assert '"S"' in message and "cột AE (cột thứ 31)" in message and "giới hạn 30 cột" in message


def test_the_row_limit_counts_the_allowance(settings):
    settings.WORKBOOK_MAX_ROWS = 100
    settings.WORKBOOK_ROW_ALLOWANCE = 10
    check_workbook(xlsx_of({"S": sheet_data(("A110", "x"))}), "x.xlsx")
    message = refused(xlsx_of({"S": sheet_data(("A111", "x"))}), "x.xlsx")
    assert "dòng 111" in message and "giới hạn 100 dòng dữ liệu" in message


def test_cells_without_references_are_placed_one_after_the_other(settings):
    settings.WORKBOOK_MAX_COLUMNS = 30
    cells = "<c><v>1</v></c>" * 31
    message = refused(xlsx_of({"S": f"<sheetData><row>{cells}</row></sheetData>"}), "x.xlsx")
    assert "cột thứ 31" in message


def test_a_cell_inside_a_cell_counts_the_outer_one():
    """calamine refuses such a sheet today; were it to give the outer cell the value, it is counted."""
    data = xlsx_of({"S": '<sheetData><row r="1"><c r="XFD1"><c r="A1"><v>1</v></c></c></row></sheetData>'})
    assert "cột XFD" in refused(data, "x.xlsx")


def test_a_dimension_claiming_one_cell_does_not_hide_a_far_one():
    data = xlsx_of({"S": '<dimension ref="A1"/>' + sheet_data(("A1", "a"), ("XFD1", "b"))})
    assert "cột XFD" in refused(data, "x.xlsx")


def test_the_grids_of_all_sheets_add_up(settings):
    settings.WORKBOOK_MAX_CELLS = 1000
    one = sheet_data(("J50", "x"))  # 500 cells from A1
    check_workbook(xlsx_of({"A": one, "B": one}), "x.xlsx")
    assert "quá lớn" in refused(xlsx_of({"A": one, "B": one, "C": sheet_data(("A1", "y"))}), "x.xlsx")


def test_too_many_shared_strings(settings):
    settings.WORKBOOK_MAX_CELLS = 100
    strings = f'<sst xmlns="{MAIN}">' + "<si><t>x</t></si>" * 101 + "</sst>"
    data = xlsx_of({"S": sheet_data(("A1", "a"))}, shared_strings=strings)
    assert "quá lớn" in refused(data, "x.xlsx")


def test_an_ods_value_repeated_across_the_columns(settings):
    data = ods_of({"T": ods_row(ods_text_cell("x", repeat=16384))})
    assert "cột XFD" in refused(data, "x.ods")


def test_an_ods_row_repeated_down_the_sheet():
    data = ods_of({"T": ods_row(ods_text_cell("x"), repeat=1_000_000)})
    assert "dòng 1.000.000" in refused(data, "x.ods")


@pytest.mark.parametrize(
    "body",
    [
        '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><worksheet><sheetData/></worksheet>',
        "<worksheet><sheetData><row><c><v>1</v></row></sheetData></worksheet>",
    ],
    ids=["document type declaration", "not well-formed"],
)
def test_sheet_xml_that_is_not_plain_is_refused_as_damaged(body):
    assert "bị hỏng" in refused(xlsx_of({"S": body}), "x.xlsx")


def test_an_xls_dimensions_record_beyond_the_grid_is_refused():
    data = xls_of({"S": [biff_dimensions(10, 5, 0, 9), biff_number(0, 0, 1.0)]})
    assert "bị hỏng" in refused(data, "x.xls")


def test_an_xls_mulrk_past_the_column_limit(settings):
    settings.WORKBOOK_MAX_COLUMNS = 30
    assert "cột thứ 40" in refused(xls_of({"S": [biff_mulrk(0, 20, 20)]}), "x.xls")

"""Text that looks like a formula or like markup stays text in every workbook rasoat writes.

Issue 8, failure 4: the "Danh sách lỗi" sheet of the error workbook wrote faulty values with plain
`write_string`, so a value `<r>…</r>` went out as raw XML and an injected HYPERLINK formula opened and
computed in LibreOffice. Here a clerk's file carries such values; the error workbook must hold no
formula (no `<f>` element anywhere), and python-calamine and LibreOffice must show the literal text.
"""

from __future__ import annotations

import ast
import csv
import io
import subprocess
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from rasoat.workbooks import reader
from rasoat.workbooks.error_workbook import LIST_HEADERS, LIST_SHEET, write_error_workbook
from rasoat.xlsx_text import new_workbook, write_text
from tests.inventory.test_workflow import assignment_of
from tests.workbooks.test_error_workbook import B05_HEADERS

ROOT = Path(__file__).resolve().parents[2]
HYPERLINK = '=HYPERLINK("http://example.invalid/lay-du-lieu","Bấm vào đây")'
RICH = '<r><t>a</t></r></is><f>HYPERLINK("http://example.invalid","b")</f><is><r><t>c</t></r>'
ESCAPE = "_x0000_"
DECODABLE = "_x0041_ (Excel would show A)"
TRAPS = [HYPERLINK, RICH, ESCAPE, DECODABLE, "@SUM(1+1)*cmd|' /C calc'!A0", "+1", "-1"]


def clerk_file() -> bytes:
    """A unit workbook whose B05 "Loại thiết bị" cells hold the traps as plain text (as a clerk types
    them in Excel): each is not one of the choices, so each is an error listed with its value."""
    output = io.BytesIO()
    book = new_workbook(output)
    devices = book.add_worksheet("Thiết bị đầu cuối")
    write_text(devices, 0, 0, "THIẾT BỊ ĐẦU CUỐI")
    for col, header in enumerate(B05_HEADERS):
        write_text(devices, 1, col, header)
    for index, trap in enumerate(TRAPS):
        row = 2 + index
        devices.write_number(row, 0, index + 1)
        write_text(devices, row, 1, trap)
        devices.write_number(row, 3, 1)
    book.close()
    return output.getvalue()


@pytest.fixture
def error_workbook(campaign) -> bytes:
    data = clerk_file()
    result = reader.read_unit_workbook(data, "tu_lam.xlsx", assignment_of(campaign, "X.03637.UB"))
    assert {issue.value for issue in result.errors} >= set(TRAPS)
    return write_error_workbook(data, "tu_lam.xlsx", result)


def xml_parts(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {n: archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml")}


def test_the_error_workbook_holds_no_formula_and_no_injected_markup(error_workbook):
    for name, xml in xml_parts(error_workbook).items():
        assert "<f>" not in xml and "<f " not in xml, name
        assert "<is><r><t>a</t></r></is>" not in xml, name


def test_the_list_shows_each_value_as_the_clerk_typed_it(error_workbook):
    book = CalamineWorkbook.from_filelike(io.BytesIO(error_workbook))
    rows = book.get_sheet_by_name(LIST_SHEET).to_python()
    value_col = LIST_HEADERS.index("Giá trị")
    listed = {row[value_col] for row in rows[3:]}
    assert set(TRAPS) <= listed
    # The copy of the clerk's sheet keeps the same texts in the same cells.
    copy = CalamineWorkbook.from_filelike(io.BytesIO(error_workbook)).get_sheet_by_name("Thiết bị đầu cuối")
    assert [row[1] for row in copy.to_python()[2 : 2 + len(TRAPS)]] == TRAPS


def test_libreoffice_shows_the_literal_text(error_workbook, tmp_path, libreoffice):
    path = tmp_path / "bao-loi.xlsx"
    path.write_bytes(error_workbook)
    outdir = tmp_path / "csv"
    command = [
        libreoffice["soffice"],
        f"-env:UserInstallation={Path(libreoffice['profile']).as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        "csv:Text - txt - csv (StarCalc):44,34,76",  # comma, double quote, UTF-8
        "--outdir",
        str(outdir),
        str(path),
    ]
    completed = subprocess.run(command, capture_output=True, timeout=180, check=False)
    converted = outdir / "bao-loi.csv"
    assert completed.returncode == 0 and converted.exists(), completed.stderr
    with converted.open(encoding="utf-8", newline="") as handle:
        cells = {cell for row in csv.reader(handle) for cell in row}
    # The list sheet is the one LibreOffice converts (it is the active sheet).
    assert set(LIST_HEADERS) <= cells
    for trap in TRAPS:
        assert trap in cells, trap
    assert "Bấm vào đây" not in cells  # the HYPERLINK was not computed into its shown text


# --- one safe writer --------------------------------------------------------------------------------

TEXT_WRITERS = {
    "write_string",
    "write_rich_string",
    "write_url",
    "write_comment",
    "write_formula",
    "write_array_formula",
    "write_dynamic_array_formula",
    "write_column",
    "insert_textbox",
}
SAFE_WRITER = ROOT / "rasoat" / "xlsx_text.py"


def bypasses(source: str, where: str) -> list[str]:
    """XlsxWriter text calls and workbook constructions in `source` (found on the syntax tree)."""
    tree = ast.parse(source)
    imported_workbook = any(
        isinstance(node, ast.ImportFrom)
        and (node.module or "").startswith("xlsxwriter")
        and any(alias.name == "Workbook" for alias in node.names)
        for node in ast.walk(tree)
    )
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in TEXT_WRITERS:
            found.append(f"{where}:{node.lineno} calls .{func.attr}()")
        elif (isinstance(func, ast.Attribute) and func.attr == "Workbook") or (
            isinstance(func, ast.Name) and func.id == "Workbook" and imported_workbook
        ):
            found.append(f"{where}:{node.lineno} makes an XlsxWriter workbook")
    return found


def test_no_code_writes_workbook_text_or_makes_a_workbook_outside_the_safe_writer():
    """Every XlsxWriter text call and every `xlsxwriter.Workbook(...)` lives in rasoat/xlsx_text.py,
    so a new writer cannot bypass it."""
    offences = []
    for path in sorted((ROOT / "rasoat").rglob("*.py")):
        if path != SAFE_WRITER and "migrations" not in path.parts:
            offences += bypasses(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert offences == []
    assert bypasses(SAFE_WRITER.read_text(encoding="utf-8"), "xlsx_text.py")  # the writer itself is seen


@pytest.mark.parametrize(
    "source",
    [
        "import xlsxwriter\nbook = xlsxwriter.Workbook('x.xlsx')\n",
        "from xlsxwriter import Workbook\nbook = Workbook('x.xlsx')\n",
        "sheet.write_string(0, 0, value)\n",
        "sheet.write_url(0, 1, url, None, string=name)\n",
        "sheet.write_comment(0, 1, note)\n",
        "self.sheet.write_formula('A1', '=1+1')\n",
    ],
)
def test_the_check_sees_each_way_of_bypassing_the_writer(source):
    assert bypasses(source, "new.py")

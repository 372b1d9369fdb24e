"""The definition workbook: written for any version, read back to the same definition, read tolerantly,
every fault at its Excel row, and hostile files refused by the same gate as data workbooks."""

import copy
import io
import zipfile

import pytest
from python_calamine import CalamineWorkbook

from rasoat.appendix.definition import COLUMN_FIELDS, build_appendix, definition_of
from rasoat.appendix.v2026_1 import APPENDIX
from rasoat.appendix.workbook import read_code, read_definition, read_title, write_definition
from rasoat.spreadsheets import limits
from tests.appendix.test_definition_checks import column, new_column, row_of
from tests.workbooks.conftest import xlsx_bytes


@pytest.fixture
def definition() -> dict:
    return copy.deepcopy(definition_of(APPENDIX))


def written(definition: dict, code: str = "LC-2027", title: str = "Phụ lục Lai Châu 2027") -> bytes:
    output = io.BytesIO()
    write_definition(definition, output, code=code, title=title)
    return output.getvalue()


def as_rows(definition: dict) -> dict[str, list[list]]:
    """The three sheets as rows of cells, as a person would type them."""

    def cell(field, value):
        if field in ("required", "hidden"):
            return "Có" if value else None
        if field == "old_headers":
            return "|".join(value) or None
        return None if value in ("", None) else value

    sheets = {}
    for name, fields in (
        ("sheets", ("code", "title", "kind", "help")),
        ("columns", COLUMN_FIELDS),
        ("choices", ("list", "label")),
    ):
        sheets[name] = [list(fields)] + [[cell(f, row[f]) for f in fields] for row in definition[name]]
    return sheets


def test_round_trip_of_2026_1(definition):
    read, faults = read_definition(written(definition))
    assert faults == []
    assert read == definition
    assert build_appendix("2026.1", "", read) == APPENDIX


def test_round_trip_of_a_changed_version(definition):
    definition["sheets"].append(
        {"code": "B07", "title": "Camera giám sát", "kind": "table", "help": "Mỗi dòng"}
    )
    definition["columns"] += [
        new_column("B07", "place", header="Vị trí lắp đặt", required=True, help="Ghi rõ phòng"),
        new_column("B07", "year_installed", header="Năm lắp đặt", type="year", min=2000, max=2026),
        new_column("B07", "cost", header="Kinh phí", type="dec", min=0.5, warn_above=1000.25),
        new_column("B07", "installed_on", header="Ngày lắp", type="date"),
        new_column("B07", "origin", header="Nguồn", type="choice", choices="origin", hidden=True),
    ]
    definition["choices"] += [{"list": "origin", "label": "Mua sắm"}, {"list": "origin", "label": "Được cấp"}]
    column(definition, "B02", "bandwidth_mbps")["old_headers"] = ["Băng thông", "Tốc độ / Mbps"]
    column(definition, "B05", "cpu")["required_if"] = "device_type=Máy tính để bàn"
    read, faults = read_definition(written(definition))
    assert faults == []
    assert read == definition


def test_the_workbook_has_the_guide_and_the_three_sheets_with_english_headers(definition):
    content = written(definition)
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert book.sheet_names == ["Hướng dẫn", "sheets", "columns", "choices"]
    assert book.get_sheet_by_name("sheets").to_python()[0] == ["code", "title", "kind", "help"]
    assert book.get_sheet_by_name("columns").to_python()[0] == list(COLUMN_FIELDS)
    guide = "\n".join(
        " ".join(str(c) for c in row) for row in book.get_sheet_by_name("Hướng dẫn").to_python()
    )
    for field in COLUMN_FIELDS:
        assert f"columns {field} " in guide
    assert "Ghi “Có” nếu bắt buộc nhập" in guide and "bắt buộc khi cột khác" in guide.lower()
    # What the assessment reads, derived from the contract, with the labels to keep.
    assert "B05 disk_type (choice) D-HDD; giữ các lựa chọn: HDD" in guide
    assert (read_code(content), read_title(content)) == ("LC-2027", "Phụ lục Lai Châu 2027")
    columns = book.get_sheet_by_name("columns").to_python()
    quantity = columns[row_of(definition, "B05", "quantity") - 1]
    assert quantity[COLUMN_FIELDS.index("required")] == "Có" and quantity[COLUMN_FIELDS.index("min")] == 1


def test_headers_in_any_case_and_spacing_any_column_order_and_other_sheets(definition):
    rows = as_rows(definition)
    rows["columns"][0] = [f"  {h.upper().replace('_', ' ')} " for h in rows["columns"][0]]
    rows["sheets"] = [[r[1], r[0], r[3], r[2]] for r in rows["sheets"]]  # title, code, help, kind
    rows["columns"] = [r[:-1] for r in rows["columns"]]  # no old_headers column at all
    content = xlsx_bytes(
        {
            "Ghi chú": [["bất kỳ"]],
            " Choices ": rows["choices"],
            "SHEETS": rows["sheets"],
            "Columns": rows["columns"],
            "Hướng dẫn": [["x"]],
        }
    )
    read, faults = read_definition(content)
    assert faults == []
    assert read == definition


def test_flags_in_any_case_and_blank_rows_are_skipped_with_faults_at_excel_rows(definition):
    rows = as_rows(definition)
    required = COLUMN_FIELDS.index("required")
    hidden = COLUMN_FIELDS.index("hidden")
    b05_os = row_of(definition, "B05", "os") - 1
    rows["columns"][b05_os][required] = "CÓ"
    rows["columns"].insert(3, [None] * len(COLUMN_FIELDS))  # a blank row: Excel row 4
    rows["columns"].insert(3, [])
    # Row numbers below the blank rows moved down by two.
    rows["columns"][b05_os + 2 + 1][hidden] = "x"  # the column after os (os_licensed)
    content = xlsx_bytes(rows)
    read, faults = read_definition(content)
    assert read is None
    assert [(f.sheet, f.row, f.column) for f in faults] == [("columns", b05_os + 2 + 2, "hidden")]
    assert faults[0].message == "Không dùng được “x” ở đây: ghi “Có” hoặc để trống ô."
    rows["columns"][b05_os + 3][hidden] = None
    read, faults = read_definition(xlsx_bytes(rows))
    assert faults == []
    assert column(read, "B05", "os")["required"] is True


def test_faults_of_checks_and_contract_together_at_excel_rows(definition):
    rows = as_rows(definition)
    type_col, min_col = COLUMN_FIELDS.index("type"), COLUMN_FIELDS.index("min")
    rows["columns"][row_of(definition, "B05", "model") - 1][type_col] = "chữ"
    rows["columns"][row_of(definition, "B05", "ram_gb") - 1][min_col] = "tám"
    read, faults = read_definition(xlsx_bytes(rows))
    assert read is None
    assert [(f.sheet, f.row, f.column) for f in faults] == [
        ("columns", row_of(definition, "B05", "model"), "type"),
        ("columns", row_of(definition, "B05", "ram_gb"), "min"),
    ]
    # Once the definition makes sense, what the assessment needs is checked, at its row too.
    rows = as_rows(definition)
    rows["columns"][row_of(definition, "B05", "ram_gb") - 1][type_col] = "int"
    rows["columns"][row_of(definition, "B05", "ram_gb") - 1][min_col] = 1
    rows["columns"].insert(1, [None])
    read, faults = read_definition(xlsx_bytes(rows))
    assert [(f.sheet, f.row, f.column) for f in faults] == [
        ("columns", row_of(definition, "B05", "ram_gb") + 1, "type")
    ]
    assert "D-RAM" in faults[0].message


def test_a_missing_sheet_or_column(definition):
    rows = as_rows(definition)
    del rows["sheets"]
    rows["columns"] = [[c for i, c in enumerate(r) if i != 3] for r in rows["columns"]]  # no `type`
    read, faults = read_definition(xlsx_bytes(rows))
    assert read is None
    assert [(f.sheet, f.row, f.column, f.message) for f in faults] == [
        ("sheets", None, None, "Tệp không có trang “sheets”."),
        ("columns", 1, "type", "Trang “columns” thiếu cột “type”."),
    ]


def test_numbers_typed_where_text_belongs_are_read_as_their_text(definition):
    rows = as_rows(definition)
    rows["choices"].append(["os", 2025])
    read, faults = read_definition(xlsx_bytes(rows))
    assert faults == []
    assert read["choices"][-1] == {"list": "os", "label": "2025"}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("Báo cáo\n".encode() * 50, "không phải là bảng tính"),
        (b"", None),
        (b"PK\x03\x04" + b"\x00" * 40, None),  # a zip cut short
    ],
)
def test_files_that_are_not_workbooks(content, expected):
    read, faults = read_definition(content)
    assert read is None
    assert len(faults) == 1 and faults[0].sheet == "" and faults[0].row is None
    if expected:
        assert expected in faults[0].message


def test_a_zip_bomb_is_refused_before_it_is_opened():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * limits.MB))
    read, faults = read_definition(output.getvalue())
    assert read is None and "bom nén" in faults[0].message


def test_a_sheet_past_the_cell_limit(definition, settings):
    settings.WORKBOOK_MAX_CELLS = 2_000
    rows = as_rows(definition)
    rows["choices"][5] = rows["choices"][5] + [None] * 150 + ["x"]
    read, faults = read_definition(xlsx_bytes(rows))
    assert read is None and "quá lớn" in faults[0].message


def test_read_from_a_path_and_a_file_object(definition, tmp_path):
    path = tmp_path / "phu-luc.xlsx"
    write_definition(definition, path, code="A", title="B")
    assert read_definition(path) == (definition, [])
    with open(path, "rb") as handle:
        assert read_definition(handle) == (definition, [])
    assert read_title(path) == "B"


def test_one_definition_always_gives_the_same_bytes(definition):
    """A version made on the web and the same one made from a workbook download identically."""
    assert written(definition) == written(copy.deepcopy(definition))
    assert written(definition) != written(definition, title="Khác")

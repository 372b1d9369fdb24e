"""`checks.check_definition`: every fault of a definition, each at its sheet, row and column.

Rows are those of the definition workbook: the list index + 2 (row 1 holds the headers). Each test
starts from the definition of 2026.1, which has no fault, and breaks one thing.
"""

import copy

import pytest

from rasoat.appendix.checks import Fault, check_definition, normalize_definition
from rasoat.appendix.definition import build_appendix, definition_of
from rasoat.appendix.v2026_1 import APPENDIX


@pytest.fixture
def definition() -> dict:
    return copy.deepcopy(definition_of(APPENDIX))


def column_index(definition: dict, sheet: str, key: str) -> int:
    return next(i for i, c in enumerate(definition["columns"]) if c["sheet"] == sheet and c["key"] == key)


def column(definition: dict, sheet: str, key: str) -> dict:
    return definition["columns"][column_index(definition, sheet, key)]


def row_of(definition: dict, sheet: str, key: str) -> int:
    return column_index(definition, sheet, key) + 2


def only(faults: list[Fault]) -> Fault:
    assert len(faults) == 1, faults
    return faults[0]


def new_column(sheet: str, key: str, **fields) -> dict:
    row = {
        "sheet": sheet,
        "key": key,
        "header": f"Cột {key}",
        "type": "text",
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
    row.update(fields)
    return row


def test_the_definition_of_2026_1_has_no_fault_and_builds_2026_1_again(definition):
    assert check_definition(definition) == []
    assert normalize_definition(definition) == definition
    assert build_appendix("2026.1", "", definition) == APPENDIX


def test_unknown_type(definition):
    column(definition, "B05", "os")["type"] = "dropdown"
    fault = only(check_definition(definition))
    assert (fault.sheet, fault.row, fault.column) == ("columns", row_of(definition, "B05", "os"), "type")
    assert "Kiểu dữ liệu “dropdown” không hợp lệ" in fault.message
    assert "choice" in fault.message and "date" in fault.message


def test_duplicate_key_in_one_sheet_but_not_across_sheets(definition):
    definition["columns"].append(new_column("B05", "os"))
    definition["columns"].append(new_column("B06", "serial"))  # B06 has no serial; B05's does not clash
    fault = only(check_definition(definition))
    assert (fault.sheet, fault.row, fault.column) == ("columns", len(definition["columns"]), "key")
    assert fault.message == (f"Biểu B05 đã có cột mang mã “os” (dòng {row_of(definition, 'B05', 'os')}).")


def test_duplicate_sheet_code(definition):
    definition["sheets"].append({"code": "B03", "title": "Biểu trùng", "kind": "table", "help": ""})
    fault = only(check_definition(definition))
    assert (fault.sheet, fault.row, fault.column) == ("sheets", 8, "code")
    assert fault.message == "Đã có biểu khác mang mã “B03”."


def test_choice_list_missing(definition):
    column(definition, "B05", "os")["choices"] = "he_dieu_hanh"
    fault = only(check_definition(definition))
    assert (fault.sheet, fault.row, fault.column) == ("columns", row_of(definition, "B05", "os"), "choices")
    assert fault.message == "Không có danh sách lựa chọn “he_dieu_hanh” trong trang “choices”."


def test_choice_list_empty(definition):
    definition["choices"].append({"list": "empty_list", "label": ""})
    definition["columns"].append(new_column("B05", "origin", type="choice", choices="empty_list"))
    faults = check_definition(definition)
    assert [(f.sheet, f.row, f.column) for f in faults] == [
        ("columns", len(definition["columns"]) + 1, "choices"),
        ("choices", len(definition["choices"]) + 1, "label"),
    ]
    assert faults[0].message == "Danh sách lựa chọn “empty_list” chưa có lựa chọn nào."
    assert faults[1].message == "Lựa chọn đang để trống."


def test_choice_column_without_a_list(definition):
    column(definition, "B02", "adequacy")["choices"] = ""
    fault = only(check_definition(definition))
    assert (fault.sheet, fault.row, fault.column) == (
        "columns",
        row_of(definition, "B02", "adequacy"),
        "choices",
    )
    assert fault.message == "Cột kiểu choice cần tên danh sách lựa chọn của nó."


def test_a_list_on_a_column_that_is_not_a_choice(definition):
    column(definition, "B05", "model")["choices"] = "os"
    fault = only(check_definition(definition))
    assert (fault.row, fault.column) == (row_of(definition, "B05", "model"), "choices")
    assert "Chỉ cột kiểu “choice” mới có danh sách lựa chọn" in fault.message


def test_min_above_max(definition):
    ram = column(definition, "B05", "ram_gb")
    ram["min"], ram["max"] = 64, 8
    fault = only(check_definition(definition))
    assert (fault.sheet, fault.row, fault.column) == ("columns", row_of(definition, "B05", "ram_gb"), "min")
    assert fault.message == "Giá trị nhỏ nhất (64) lớn hơn giá trị lớn nhất (8)."


@pytest.mark.parametrize("field", ["min", "max", "warn_above"])
def test_limits_that_are_not_numbers(definition, field):
    column(definition, "B02", "bandwidth_mbps")[field] = "nhiều"
    fault = only(check_definition(definition))
    assert (fault.sheet, fault.row, fault.column) == (
        "columns",
        row_of(definition, "B02", "bandwidth_mbps"),
        field,
    )
    assert fault.message == "“nhiều” không phải là số."


def test_limits_in_words_of_either_decimal_mark_are_numbers(definition):
    column(definition, "B02", "bandwidth_mbps")["warn_above"] = "2500,5"
    assert check_definition(definition) == []
    assert column(normalize_definition(definition), "B02", "bandwidth_mbps")["warn_above"] == 2500.5


def test_a_limit_on_a_text_column_and_a_fraction_on_a_whole_number_column(definition):
    column(definition, "B05", "model")["max"] = 10
    column(definition, "B05", "quantity")["min"] = 0.5
    faults = check_definition(definition)
    assert [(f.row, f.column) for f in faults] == [
        (row_of(definition, "B05", "model"), "max"),
        (row_of(definition, "B05", "quantity"), "min"),
    ]
    assert "Chỉ cột kiểu số (int, dec, year) mới có giới hạn" in faults[0].message
    assert faults[1].message == "Cột kiểu “int” chỉ nhận số nguyên: 0.5 không phải là số nguyên."


def test_required_if_naming_an_unknown_column(definition):
    column(definition, "B05", "cpu")["required_if"] = "loai_thiet_bi=Máy tính để bàn"
    fault = only(check_definition(definition))
    assert (fault.sheet, fault.row, fault.column) == (
        "columns",
        row_of(definition, "B05", "cpu"),
        "required_if",
    )
    assert fault.message == "Biểu B05 không có cột mang mã “loai_thiet_bi”."


def test_required_if_naming_an_unknown_label(definition):
    column(definition, "B05", "cpu")["required_if"] = "device_type=Máy tính để bàn|Máy bay"
    fault = only(check_definition(definition))
    assert (fault.row, fault.column) == (row_of(definition, "B05", "cpu"), "required_if")
    assert fault.message == "Cột “device_type” không có lựa chọn “Máy bay”."


def test_required_if_malformed_or_on_a_column_without_labels(definition):
    column(definition, "B05", "cpu")["required_if"] = "device_type"
    column(definition, "B05", "ram_gb")["required_if"] = "model=ABC"
    faults = check_definition(definition)
    assert [(f.row, f.column) for f in faults] == [
        (row_of(definition, "B05", "cpu"), "required_if"),
        (row_of(definition, "B05", "ram_gb"), "required_if"),
    ]
    assert faults[0].message.startswith("Ghi điều kiện theo dạng mã_cột=lựa chọn 1|lựa chọn 2")
    assert faults[1].message == "Cột “model” không phải là cột lựa chọn hay cột Có/Không."


def test_required_if_on_a_yes_no_column_knows_its_labels(definition):
    definition["columns"].append(new_column("B05", "one_stop_note", required_if="at_one_stop=Có"))
    assert check_definition(definition) == []


def test_unknown_kind(definition):
    definition["sheets"].append({"code": "B07", "title": "Biểu mới", "kind": "list", "help": ""})
    definition["columns"].append(new_column("B07", "name"))
    fault = only(check_definition(definition))
    assert (fault.sheet, fault.row, fault.column) == ("sheets", 8, "kind")
    assert fault.message.startswith("Loại biểu “list” không hợp lệ: ghi “form”")


def test_the_sheets_of_2026_1_keep_their_kind(definition):
    definition["sheets"][0]["kind"] = "table"
    fault = only(check_definition(definition))
    assert (fault.sheet, fault.row, fault.column) == ("sheets", 2, "kind")
    assert fault.message == "Biểu B01 phải giữ loại “form” như trong phiên bản 2026.1."


def test_a_column_naming_an_unknown_sheet(definition):
    definition["columns"].append(new_column("B09", "name"))
    fault = only(check_definition(definition))
    assert (fault.sheet, fault.row, fault.column) == ("columns", len(definition["columns"]) + 1, "sheet")
    assert fault.message == "Không có biểu “B09” trong trang “sheets”."


def test_a_sheet_without_columns(definition):
    definition["sheets"].append({"code": "B07", "title": "Biểu mới", "kind": "table", "help": ""})
    fault = only(check_definition(definition))
    assert (fault.sheet, fault.row, fault.column) == ("sheets", 8, "code")
    assert fault.message == "Biểu B07 chưa có cột nào trong trang “columns”."


def test_a_sheet_whose_every_column_is_hidden(definition):
    definition["sheets"].append({"code": "B07", "title": "Biểu mới", "kind": "table", "help": ""})
    definition["columns"].append(new_column("B07", "name", hidden=True))
    fault = only(check_definition(definition))
    assert (fault.sheet, fault.row, fault.column) == ("sheets", 8, "code")
    assert fault.message == "Mọi cột của biểu B07 đều bị ẩn: cần hiện ít nhất một cột."


def test_sheet_titles_and_codes_are_unique_ignoring_case(definition):
    definition["sheets"].append({"code": "b01", "title": "THÔNG TIN  chung", "kind": "form", "help": ""})
    definition["columns"].append(new_column("b01", "name"))
    faults = check_definition(definition)
    assert [(f.sheet, f.row, f.column) for f in faults] == [("sheets", 8, "code"), ("sheets", 8, "title")]
    assert faults[1].message == "Đã có biểu khác mang tên “THÔNG TIN  chung”."


@pytest.mark.parametrize("title", ["Hướng dẫn", "_META", "_lists"])
def test_titles_of_the_workbook_own_sheets_are_reserved(definition, title):
    definition["sheets"].append({"code": "B07", "title": title, "kind": "table", "help": ""})
    definition["columns"].append(new_column("B07", "name"))
    fault = only(check_definition(definition))
    assert (fault.sheet, fault.row, fault.column) == ("sheets", 8, "title")
    assert "là tên một trang có sẵn trong mọi tệp Excel" in fault.message


@pytest.mark.parametrize("key", ["Hosting", "2fa", "loại", "with space", "a-b"])
def test_a_key_that_is_not_an_identifier(definition, key):
    definition["columns"].append(new_column("B04", key))
    fault = only(check_definition(definition))
    assert (fault.sheet, fault.row, fault.column) == ("columns", len(definition["columns"]) + 1, "key")
    assert fault.message.startswith(f"“{key}” không phải là mã hợp lệ")


def test_the_row_number_key_is_reserved(definition):
    definition["columns"].append(new_column("B04", "row_no"))
    fault = only(check_definition(definition))
    assert fault.column == "key"
    assert fault.message == "Mã cột “row_no” được dành cho cột số thứ tự của biểu nhiều dòng."


@pytest.mark.parametrize("key", ["contains", "in", "isnull", "has_key", "pk"])
def test_keys_a_query_would_read_as_operators_are_reserved(definition, key):
    definition["columns"].append(new_column("B04", key))
    fault = only(check_definition(definition))
    assert fault.column == "key"
    assert fault.message == f"Mã cột “{key}” là từ dành riêng của hệ thống; hãy chọn mã khác."


def test_bad_sheet_codes(definition):
    definition["sheets"].append({"code": "Biểu 7", "title": "Biểu mới", "kind": "table", "help": ""})
    fault = only(check_definition(definition))
    assert (fault.sheet, fault.row, fault.column) == ("sheets", 8, "code")
    assert fault.message.startswith("Mã biểu “Biểu 7” phải bắt đầu bằng chữ cái")


def test_empty_header_and_empty_title(definition):
    column(definition, "B03", "model")["header"] = "   "
    definition["sheets"][2]["title"] = ""
    faults = check_definition(definition)
    assert [(f.sheet, f.row, f.column, f.message) for f in faults] == [
        ("sheets", 4, "title", "Tên biểu đang để trống."),
        ("columns", row_of(definition, "B03", "model"), "header", "Tiêu đề cột đang để trống."),
    ]


def test_two_columns_of_a_sheet_with_one_header(definition):
    column(definition, "B05", "cpu")["header"] = column(definition, "B05", "model")["header"].upper()
    fault = only(check_definition(definition))
    assert (fault.row, fault.column) == (row_of(definition, "B05", "cpu"), "header")
    assert "(mã model)" in fault.message


def test_an_old_header_of_another_column(definition):
    column(definition, "B05", "os")["old_headers"] = [column(definition, "B05", "cpu")["header"]]
    fault = only(check_definition(definition))
    assert (fault.row, fault.column) == (row_of(definition, "B05", "os"), "old_headers")
    assert "(mã cpu)" in fault.message


def test_choice_labels_longer_than_100_characters(definition):
    definition["choices"].append({"list": "os", "label": "x" * 101})
    fault = only(check_definition(definition))
    assert (fault.sheet, fault.row, fault.column) == ("choices", len(definition["choices"]) + 1, "label")
    assert fault.message == "Lựa chọn dài 101 ký tự; chỉ được tối đa 100 ký tự."
    definition["choices"][-1]["label"] = "x" * 100
    assert check_definition(definition) == []


def test_a_duplicate_label_in_a_list(definition):
    labels = [c for c in definition["choices"] if c["list"] == "disk_type"]
    definition["choices"].append({"list": "disk_type", "label": labels[0]["label"].lower()})
    fault = only(check_definition(definition))
    assert (fault.sheet, fault.row, fault.column) == ("choices", len(definition["choices"]) + 1, "label")
    assert fault.message == f"Danh sách “disk_type” đã có lựa chọn “{labels[0]['label'].lower()}”."


def test_a_list_name_that_is_not_an_identifier(definition):
    definition["choices"].append({"list": "Nguồn gốc", "label": "Mua sắm"})
    fault = only(check_definition(definition))
    assert (fault.sheet, fault.column) == ("choices", "list")


@pytest.mark.parametrize("field", ["required", "hidden"])
@pytest.mark.parametrize("value", ["x", "Không", "yes", 1])
def test_flags_are_co_or_empty(definition, field, value):
    column(definition, "B06", "reason")[field] = value
    fault = only(check_definition(definition))
    assert (fault.sheet, fault.row, fault.column) == ("columns", row_of(definition, "B06", "reason"), field)
    assert fault.message == f"Không dùng được “{value}” ở đây: ghi “Có” hoặc để trống ô."


@pytest.mark.parametrize("value", ["Có", "", None, True, False])
def test_flags_accept_co_empty_and_booleans(definition, value):
    column(definition, "B06", "reason")["hidden"] = value
    assert check_definition(definition) == []
    assert column(normalize_definition(definition), "B06", "reason")["hidden"] is (value in ("Có", True))


def test_every_fault_at_once_in_workbook_order(definition):
    definition["choices"].append({"list": "os", "label": "y" * 120})
    column(definition, "B05", "os")["type"] = "menu"
    definition["sheets"][1]["kind"] = "grid"
    column(definition, "B02", "quantity")["min"] = "một"
    faults = check_definition(definition)
    assert [(f.sheet, f.column) for f in faults] == [
        ("sheets", "kind"),
        ("columns", "min"),
        ("columns", "type"),
        ("choices", "label"),
    ]
    assert all(isinstance(f.message, str) and f.message for f in faults)
    assert faults[0].as_json() == {
        "sheet": "sheets",
        "row": 3,
        "column": "kind",
        "message": faults[0].message,
    }


@pytest.mark.parametrize("garbage", [None, [], "text", {"sheets": "B01"}, {"sheets": [None], "columns": [1]}])
def test_garbage_is_faults_not_a_crash(garbage):
    faults = check_definition(garbage)
    assert faults
    assert all(isinstance(f, Fault) for f in faults)

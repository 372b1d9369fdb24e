"""Every rule and warning of PHU_LUC.md: a record that triggers it and one that does not."""

import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from rasoat.appendix.declaration import Context, UnitInfo, get_appendix
from rasoat.appendix.validation import clean_record, clean_unit_data, validate_record, validate_unit_data

APPENDIX = get_appendix("2026.1")
SAMPLE = json.loads(
    (Path(__file__).resolve().parent.parent / "fixtures" / "mau_dang_uy_muong_te.json").read_text("utf-8")
)
REFERENCE_DATE = date(2026, 5, 20)
UNIT = UnitInfo(code="X.03445.DU", name="Đảng ủy xã Mường Tè", block="Khối Đảng", level="Cấp xã")
CTX = Context.for_date(REFERENCE_DATE, UNIT)

DESKTOP = "Máy tính để bàn"
LAPTOP = "Máy tính xách tay"


def base(code):
    """A valid record of the sheet, taken from the sample."""
    data = SAMPLE["data"][code]
    return copy.deepcopy(data if code == "B01" else data[0])


BASE = {
    "B01": base("B01"),
    "B02": base("B02"),
    "B03": base("B03"),
    "B04": base("B04"),
    "B05": {**base("B05"), "device_type": DESKTOP, "ram_gb": 8},
    "B06": base("B06"),
}


def issues(code, **changes):
    record = {**copy.deepcopy(BASE[code]), **changes}
    return validate_record(APPENDIX.sheet(code), record, CTX)


def errors(code, **changes):
    return [(i.column, i.message) for i in issues(code, **changes) if i.is_error]


def warnings(code, **changes):
    return [(i.column, i.message) for i in issues(code, **changes) if i.is_warning]


def error_columns(code, **changes):
    return [column for column, _ in errors(code, **changes)]


def warning_columns(code, **changes):
    return [column for column, _ in warnings(code, **changes)]


@pytest.mark.parametrize("code", list(BASE))
def test_base_records_are_clean(code):
    assert issues(code) == []


# --- required columns -------------------------------------------------------------------------

REQUIRED = [(sheet.code, c.key) for sheet in APPENDIX for c in sheet.data_columns if c.required]


def test_the_required_columns_are_those_marked_in_the_contract():
    assert len(REQUIRED) == 8 + 4 + 4 + 4 + 4 + 3


@pytest.mark.parametrize(("code", "key"), REQUIRED)
@pytest.mark.parametrize("empty", [None, "", "   "])
def test_a_missing_required_column_is_an_error(code, key, empty):
    found = errors(code, **{key: empty})
    assert [column for column, _ in found] == [key]
    header = APPENDIX.sheet(code).column(key).header
    assert found[0][1] == f'Chưa nhập "{header}"; đây là cột bắt buộc.'


def test_an_invalid_required_value_gives_one_error_not_also_missing():
    found = errors("B02", link_type="FTTH")
    assert len(found) == 1
    assert "không có trong danh sách" in found[0][1]


def test_an_optional_column_may_be_empty():
    assert errors("B02", provider=None, year_started=None, purpose="", note=None, shared=None) == []


# --- B01 --------------------------------------------------------------------------------------


def test_b01_unit_code_must_equal_the_unit_being_validated():
    found = errors("B01", unit_code="X.03637.DU")
    assert [c for c, _ in found] == ["unit_code"]
    assert '"X.03637.DU"' in found[0][1] and '"X.03445.DU"' in found[0][1]
    assert errors("B01", unit_code=" x.03445.du ") == []


def test_b01_unit_name_mismatch_is_only_a_warning():
    assert error_columns("B01", unit_name="Đảng ủy xã Mường Kim") == []
    found = warnings("B01", unit_name="Đảng ủy xã Mường Kim")
    assert [c for c, _ in found] == ["unit_name"]
    assert "Đảng ủy xã Mường Tè" in found[0][1]


def test_b01_unit_name_differing_only_in_case_spaces_or_unicode_form_is_not_a_mismatch():
    import unicodedata

    assert warnings("B01", unit_name="  ĐẢNG ỦY  xã Mường Tè") == []
    assert warnings("B01", unit_name=unicodedata.normalize("NFD", "Đảng ủy xã Mường Tè")) == []


@pytest.mark.parametrize(("key", "other"), [("block", "Khối UBND"), ("level", "Cấp tỉnh")])
def test_b01_block_and_level_differing_from_the_registry_are_warnings(key, other):
    assert error_columns("B01", **{key: other}) == []
    assert warning_columns("B01", **{key: other}) == [key]


@pytest.mark.parametrize(("key", "bad"), [("block", "Khối Chính quyền"), ("level", "Cấp huyện")])
def test_b01_block_and_level_must_be_listed_labels(key, bad):
    assert error_columns("B01", **{key: bad}) == [key]


def test_b01_without_unit_info_skips_the_registry_checks():
    record = {**BASE["B01"], "unit_code": "OTHER", "unit_name": "Khác"}
    assert validate_record(APPENDIX.sheet("B01"), record, Context(reference_year=2026)) == []


@pytest.mark.parametrize(("raw", "bad"), [(-1, True), (0, False), (100000, False), (100001, True)])
def test_b01_staff_total_is_0_to_100000(raw, bad):
    changes = {"staff_total": raw, "it_staff_fulltime": 0, "it_staff_parttime": 0}
    assert error_columns("B01", **changes) == (["staff_total"] if bad else [])


@pytest.mark.parametrize("key", ["it_staff_fulltime", "it_staff_parttime"])
def test_b01_it_staff_is_at_least_0(key):
    assert error_columns("B01", **{key: -1}) == [key]
    assert error_columns("B01", **{key: 0}) == []


@pytest.mark.parametrize("key", ["it_staff_fulltime", "it_staff_parttime"])
def test_b01_it_staff_cannot_exceed_staff_total(key):
    found = errors("B01", staff_total=46, **{key: 47})
    assert [c for c, _ in found] == [key]
    assert "47" in found[0][1] and "46" in found[0][1]
    assert errors("B01", staff_total=46, **{key: 46}) == []


def test_b01_it_staff_check_waits_for_a_staff_total():
    assert error_columns("B01", staff_total=None, it_staff_fulltime=5) == ["staff_total"]


def test_b01_lan_points_is_at_least_0():
    assert error_columns("B01", lan_points=-1) == ["lan_points"]


def test_b01_lan_with_zero_points_is_a_warning():
    assert warning_columns("B01", has_lan="Có", lan_points=0) == ["lan_points"]
    assert error_columns("B01", has_lan="Có", lan_points=0) == []


@pytest.mark.parametrize(("has_lan", "points"), [("Không", 0), ("Có", 5), ("Có", None)])
def test_b01_no_lan_warning_otherwise(has_lan, points):
    assert warnings("B01", has_lan=has_lan, lan_points=points) == []


@pytest.mark.parametrize(
    ("key", "bad"),
    [
        ("contact_phone", "12345"),
        ("contact_email", "thanglv@"),
        ("has_wifi", "Có lẽ"),
        ("proposals", "a" * 5001),
        ("address", "a" * 501),
    ],
)
def test_b01_typed_columns_refuse_bad_values(key, bad):
    assert error_columns("B01", **{key: bad}) == [key]


# --- B02 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "bad"), [(0, True), (-5, True), ("0,5", False), (100000, False), ("100001", True)]
)
def test_b02_bandwidth_is_above_0_and_at_most_100000(raw, bad):
    assert error_columns("B02", bandwidth_mbps=raw) == (["bandwidth_mbps"] if bad else [])


def test_b02_bandwidth_above_10000_is_a_warning():
    found = warnings("B02", bandwidth_mbps=10001)
    assert [c for c, _ in found] == ["bandwidth_mbps"]
    assert "10001" in found[0][1] and "10000" in found[0][1]
    assert warnings("B02", bandwidth_mbps=10000) == []


@pytest.mark.parametrize(("raw", "bad"), [(0, True), (1, False), (100, False), (101, True)])
def test_b02_quantity_is_1_to_100(raw, bad):
    assert error_columns("B02", quantity=raw) == (["quantity"] if bad else [])


@pytest.mark.parametrize(
    ("key", "bad"), [("provider", "Vinaphone"), ("adequacy", "Tốt"), ("shared", "có thể")]
)
def test_b02_choices_refuse_unlisted_labels(key, bad):
    assert error_columns("B02", **{key: bad}) == [key]


# --- year columns (B02, B03, B04, B05) ---------------------------------------------------------

YEAR_COLUMNS = [(s.code, c.key) for s in APPENDIX for c in s.data_columns if c.type == "year"]


def test_the_year_columns():
    assert YEAR_COLUMNS == [
        ("B02", "year_started"),
        ("B03", "year_in_use"),
        ("B04", "year_in_use"),
        ("B05", "year_acquired"),
    ]


@pytest.mark.parametrize(("code", "key"), YEAR_COLUMNS)
@pytest.mark.parametrize(("raw", "bad"), [(1989, True), (1990, False), (2026, False), (2027, True)])
def test_year_columns_are_1990_to_the_reference_year(code, key, raw, bad):
    assert error_columns(code, **{key: raw}) == ([key] if bad else [])


# --- B03 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "bad"), [(0, True), (1, False), (10000, False), (10001, True)])
@pytest.mark.parametrize("code", ["B03", "B05"])
def test_b03_and_b05_quantity_is_1_to_10000(code, raw, bad):
    assert error_columns(code, quantity=raw) == (["quantity"] if bad else [])


def test_b03_condition_must_be_listed():
    assert error_columns("B03", condition="Tốt") == ["condition"]
    assert error_columns("B03", condition="hỏng, không sử dụng được") == []


# --- B04 --------------------------------------------------------------------------------------


def test_b04_user_accounts_is_at_least_0():
    assert error_columns("B04", user_accounts=-1) == ["user_accounts"]
    assert error_columns("B04", user_accounts=0) == []


def test_b04_annual_cost_is_at_least_0():
    assert error_columns("B04", annual_cost_mvnd="-0,5") == ["annual_cost_mvnd"]
    assert error_columns("B04", annual_cost_mvnd=0) == []


def test_b04_cost_for_unused_software_is_a_warning():
    found = warnings("B04", usage="Không sử dụng", annual_cost_mvnd="8,5")
    assert [c for c, _ in found] == ["annual_cost_mvnd"]
    assert "8,5" in found[0][1]


@pytest.mark.parametrize(
    ("usage", "cost"), [("Không sử dụng", 0), ("Không sử dụng", None), ("Thường xuyên, hiệu quả", 24)]
)
def test_b04_no_cost_warning_otherwise(usage, cost):
    assert warnings("B04", usage=usage, annual_cost_mvnd=cost) == []


def test_b04_data_sharing_is_a_three_way_choice():
    assert error_columns("B04", data_sharing="không áp dụng") == []
    assert error_columns("B04", data_sharing="Chưa") == ["data_sharing"]


# --- B05 --------------------------------------------------------------------------------------

COMPUTER_COLUMNS = ["cpu", "ram_gb", "disk_type", "os", "os_licensed", "antivirus"]


@pytest.mark.parametrize("device", [DESKTOP, LAPTOP])
@pytest.mark.parametrize("key", COMPUTER_COLUMNS)
def test_b05_computer_without_a_computer_column_is_an_error(device, key):
    found = errors("B05", device_type=device, **{key: None})
    assert [c for c, _ in found] == [key]
    assert device in found[0][1]


@pytest.mark.parametrize("device", ["Máy tính bảng", "Máy in", "Khác"])
def test_b05_computer_columns_are_not_required_for_other_devices(device):
    empty = dict.fromkeys(COMPUTER_COLUMNS + ["disk_gb"])
    assert errors("B05", device_type=device, **empty) == []


def test_b05_disk_size_is_not_required_for_computers():
    assert errors("B05", device_type=DESKTOP, disk_gb=None) == []


@pytest.mark.parametrize(("raw", "bad"), [("0,4", True), ("0,5", False), (1024, False), ("1025", True)])
def test_b05_ram_is_0_5_to_1024(raw, bad):
    assert error_columns("B05", ram_gb=raw) == (["ram_gb"] if bad else [])


@pytest.mark.parametrize(("raw", "bad"), [(7, True), (8, False), (100000, False), (100001, True)])
def test_b05_disk_size_is_8_to_100000(raw, bad):
    assert error_columns("B05", disk_gb=raw) == (["disk_gb"] if bad else [])


NON_COMPUTER = {**BASE["B05"], "device_type": "Máy in", **dict.fromkeys(COMPUTER_COLUMNS + ["disk_gb"])}
CONFIG_VALUES = {
    "cpu": "Intel Core i5",
    "ram_gb": 8,
    "disk_type": "SSD",
    "disk_gb": 256,
    "os": "Windows 10",
    "os_licensed": "Có",
}


@pytest.mark.parametrize("key", list(CONFIG_VALUES))
def test_b05_configuration_filled_for_a_non_computer_is_a_warning(key):
    record = {**NON_COMPUTER, key: CONFIG_VALUES[key]}
    found = validate_record(APPENDIX.sheet("B05"), record, CTX)
    assert [(i.kind, i.column) for i in found] == [("warning", "device_type")]
    assert APPENDIX.sheet("B05").column(key).header in found[0].message


@pytest.mark.parametrize("device", [DESKTOP, LAPTOP, "Máy tính bảng"])
def test_b05_configuration_of_computers_and_tablets_is_no_warning(device):
    record = {**NON_COMPUTER, **CONFIG_VALUES, "antivirus": "Miễn phí", "device_type": device}
    assert validate_record(APPENDIX.sheet("B05"), record, CTX) == []


def test_b05_a_non_computer_without_configuration_is_no_warning():
    assert validate_record(APPENDIX.sheet("B05"), {**NON_COMPUTER, "antivirus": "Miễn phí"}, CTX) == []


# --- B06 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "bad"), [(0, True), (1, False), (46, False)])
def test_b06_quantity_is_at_least_1(raw, bad):
    assert error_columns("B06", quantity=raw) == (["quantity"] if bad else [])


@pytest.mark.parametrize(("raw", "bad"), [(-1, True), (0, False), ("12,5", False)])
def test_b06_budget_is_at_least_0(raw, bad):
    assert error_columns("B06", budget_mvnd=raw) == (["budget_mvnd"] if bad else [])


@pytest.mark.parametrize(("raw", "bad"), [(2025, True), (2026, False), ("2031", False), (2032, True)])
def test_b06_target_year_is_the_reference_year_to_five_years_later(raw, bad):
    assert error_columns("B06", target_year=raw) == (["target_year"] if bad else [])


# --- records and whole units --------------------------------------------------------------------


def test_clean_record_returns_normalised_values():
    result = clean_record(
        APPENDIX.sheet("B02"),
        {"link_type": "internet cáp quang", "bandwidth_mbps": "0,5", "quantity": "2", "adequacy": "đáp ứng"},
        CTX,
    )
    assert result.issues == []
    assert result.values["link_type"] == "Internet cáp quang (FTTH)"
    assert result.values["bandwidth_mbps"] == Decimal("0.5")
    assert result.values["quantity"] == 2
    assert result.values["provider"] is None
    assert set(result.values) == set(APPENDIX.sheet("B02").keys)


def test_an_unknown_column_is_an_error():
    assert error_columns("B02", speed=20) == ["speed"]


def test_the_row_number_column_is_accepted_and_ignored():
    assert issues("B02", row_no="1a") == []


def test_issues_are_in_column_order():
    found = issues("B02", note="a" * 501, link_type="FTTH", quantity=0)
    assert [i.column for i in found] == ["link_type", "quantity", "note"]
    # Rule and required-column issues are found later but still listed in column order.
    found = issues("B01", has_wifi="x", it_staff_fulltime=999, contact_name=None)
    assert [i.column for i in found] == ["contact_name", "it_staff_fulltime", "has_wifi"]


def test_the_sample_unit_validates_without_errors():
    result = clean_unit_data(APPENDIX, SAMPLE["data"], UNIT, REFERENCE_DATE)
    assert result.errors == []
    assert result.rows == SAMPLE["rows"]
    assert sum(row["quantity"] for row in result.data["B05"]) == SAMPLE["b05_quantity"]


def test_the_sample_unit_has_only_the_unused_software_cost_warning():
    found = validate_unit_data(APPENDIX, SAMPLE["data"], UNIT, REFERENCE_DATE)
    assert [(i.kind, i.sheet, i.row, i.column) for i in found] == [("warning", "B04", 6, "annual_cost_mvnd")]


def test_the_sample_validates_with_the_registry_unit(lai_chau):
    from rasoat.orgs.models import Unit

    unit = UnitInfo.from_unit(Unit.objects.get(code="X.03445.DU"))
    assert unit == UNIT
    assert [i for i in validate_unit_data(APPENDIX, SAMPLE["data"], unit, REFERENCE_DATE) if i.is_error] == []


def test_unit_issues_carry_sheet_row_column_and_value():
    data = copy.deepcopy(SAMPLE["data"])
    data["B05"][2]["quantity"] = "1.000"
    data["B01"]["staff_total"] = "nhiều"
    found = validate_unit_data(APPENDIX, data, UNIT, REFERENCE_DATE)
    errs = [(i.sheet, i.row, i.column, i.value) for i in found if i.is_error]
    assert errs == [("B01", None, "staff_total", "nhiều"), ("B05", 3, "quantity", "1.000")]


def test_blank_rows_are_ignored_but_rows_keep_their_position():
    data = {
        "B01": SAMPLE["data"]["B01"],
        "B02": [{"row_no": 1, "note": "  "}, {**BASE["B02"], "quantity": 0}],
    }
    result = clean_unit_data(APPENDIX, data, UNIT, REFERENCE_DATE)
    assert [(i.sheet, i.row, i.column) for i in result.errors] == [("B02", 2, "quantity")]
    assert result.rows["B02"] == 1


def test_a_missing_b01_lacks_its_required_lines():
    found = validate_unit_data(APPENDIX, {}, UNIT, REFERENCE_DATE)
    assert {i.column for i in found if i.is_error} == {key for code, key in REQUIRED if code == "B01"}
    assert all(i.sheet == "B01" and i.row is None for i in found)


def test_malformed_data_is_reported_not_raised():
    data = {"B01": [], "B02": {"link_type": "Khác"}, "B03": ["x"], "B09": []}
    found = validate_unit_data(APPENDIX, data, UNIT, REFERENCE_DATE)
    shapes = [(i.sheet, i.row) for i in found if i.column is None]
    assert ("B09", None) in shapes and ("B01", None) in shapes and ("B02", None) in shapes
    assert ("B03", 1) in shapes
    assert validate_unit_data(APPENDIX, ["B01"], UNIT, REFERENCE_DATE)[0].is_error

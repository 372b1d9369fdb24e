"""Appendix 2026.2 equals PHU_LUC.md's "Version 2026.2" (tests/fixtures/PHU_LUC.md is a copy of
../shared/PHU_LUC.md), and 2026.1's contract still holds inside it."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from rasoat.appendix.definition import build_appendix, definition_of
from rasoat.appendix.spec import Context, UnitInfo
from rasoat.appendix.v2026_1 import APPENDIX as APPENDIX_2026_1
from rasoat.appendix.validation import clean_record
from tests import v2026_2
from tests.appendix.test_declaration import CONTRACT, _contract_limits, contract_columns

SECTION = "## Version 2026.2"
BLOCK = re.compile(r"^(B0\d) `[^`]+`(?: and (B0\d) `[^`]+`)?, (after line (\d+)|before `([^`]+)`):$")
ADDED_LABELS = re.compile(r"^(B0\d) device types: (.*) are added before `([^`]+)`\.$")


def parse_additions() -> dict:
    """The additions of PHU_LUC.md's 2026.2 section.

    {"columns": {sheet: [(anchor, row)]}, "labels": {sheet: (labels, before)}}: an anchor is
    ("after", line number) for B01 (taken from the row's own `#`: 12a goes after line 12, 17a after
    17) or ("before", header) for the tables.
    """
    text = CONTRACT.read_text(encoding="utf-8")
    assert SECTION in text, "tests/fixtures/PHU_LUC.md lacks the 2026.2 section: copy ../shared/PHU_LUC.md"
    columns: dict[str, list] = {}
    labels: dict[str, tuple] = {}
    sheets: tuple[str, ...] = ()
    before = None
    names = None
    for line in text.split(SECTION, 1)[1].splitlines():
        if line.startswith("## "):
            break
        if block := BLOCK.match(line):
            sheets = tuple(code for code in block.group(1, 2) if code)
            before, names = block.group(5), None
            continue
        if added := ADDED_LABELS.match(line):
            labels[added.group(1)] = (tuple(re.findall(r"`([^`]+)`", added.group(2))), added.group(3))
            continue
        if not line.startswith("|") or not sheets:
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if set("".join(cells)) <= {"-"}:
            continue
        if names is None:
            names = cells
            continue
        row = dict(zip(names, cells, strict=True))
        anchor = ("before", before) if before else ("after", int(re.match(r"\d+", row["#"]).group()))
        for code in sheets:
            columns.setdefault(code, []).append((anchor, row))
    return {"columns": columns, "labels": labels}


ADDITIONS = parse_additions()
DEFINITION = v2026_2.definition()
APPENDIX = build_appendix(v2026_2.CODE, v2026_2.script().TITLE, DEFINITION)
CONTEXT = Context.for_date(date(2026, 5, 20), UnitInfo("X.03637.UB"))


def header_of(row: dict) -> tuple[str, bool]:
    header = row.get("header") or row["label"]
    return header.rstrip("*"), header.endswith("*")


def expected_columns(code: str) -> list[tuple[str, str, bool, str]]:
    """(key, header, required, type) of a sheet of 2026.2: 2026.1's contract plus the additions."""
    columns = [(key, header, required, kind) for _, key, header, required, kind, _ in contract_columns(code)]
    numbers = [row.get("#") for row, *_ in contract_columns(code)]
    for (where, anchor), row in ADDITIONS["columns"].get(code, []):
        header, required = header_of(row)
        added = (row["key"], header, required, row["type"])
        if where == "after":
            # After line `anchor` and after the lines already added behind it (12a before 12b).
            at = numbers.index(str(anchor)) + 1
            while at < len(numbers) and numbers[at] is not None and not numbers[at].isdigit():
                at += 1
            numbers.insert(at, row["#"])
        else:
            at = next(i for i, column in enumerate(columns) if column[1] == anchor)
            numbers.insert(at, None)
        columns.insert(at, added)
    return columns


def added_rows(code: str) -> list[dict]:
    return [row for _anchor, row in ADDITIONS["columns"].get(code, [])]


def test_the_section_is_parsed_whole():
    assert [row["key"] for row in added_rows("B01")] == [
        "staff_with_computer",
        "staff_with_signature",
        "staff_digital_trained",
        "official_email_accounts",
        "has_video_point",
        "has_backup_power",
        "has_public_wifi",
    ]
    assert [row["key"] for row in added_rows("B03")] == ["source", "proposed_action"]
    assert added_rows("B03") == added_rows("B05")
    assert len(added_rows("B04")) == 6
    assert ADDITIONS["labels"] == {"B05": (("Máy lấy số tự động", "Màn hình hiển thị"), "Khác")}


def test_sheets_titles_and_layout_are_2026_1s():
    assert APPENDIX.codes == APPENDIX_2026_1.codes
    for sheet in APPENDIX:
        base = APPENDIX_2026_1.sheet(sheet.code)
        assert (sheet.title, sheet.repeating, sheet.help) == (base.title, base.repeating, base.help)


@pytest.mark.parametrize("code", APPENDIX_2026_1.codes)
def test_keys_headers_types_and_required_marks_equal_the_contract(code):
    declared = [(c.key, c.header, c.required, c.type.value) for c in APPENDIX.sheet(code).columns]
    assert declared == expected_columns(code)


def test_b01_lines_are_numbered_as_in_the_contract():
    numbers = [column.number for column in APPENDIX.sheet("B01").columns]
    assert numbers == [
        *range(1, 13),
        "12a",
        "12b",
        "12c",
        "12d",
        *range(13, 18),
        "17a",
        "17b",
        "17c",
        18,
        19,
        20,
    ]
    by_key = {column.key: str(column.number) for column in APPENDIX.sheet("B01").columns}
    for row in added_rows("B01"):
        assert by_key[row["key"]] == row["#"]


@pytest.mark.parametrize("code", ["B01", "B03", "B04", "B05"])
def test_added_choices_equal_the_contract(code):
    sheet = APPENDIX.sheet(code)
    for row in added_rows(code):
        column = sheet.column(row["key"])
        if row["type"] == "choice":
            assert column.choices == tuple(re.findall(r"`([^`]+)`", row["rule"].split(";")[0])), row["key"]
        elif row["type"] == "yesno":
            assert column.choices == ("Có", "Không")
        else:
            assert column.choices == ()


def test_b05_device_types_gain_two_labels_before_other_and_b03_none():
    labels, before = ADDITIONS["labels"]["B05"]
    base = list(APPENDIX_2026_1.sheet("B05").column("device_type").choices)
    at = base.index(before)
    assert APPENDIX.sheet("B05").column("device_type").choices == (*base[:at], *labels, *base[at:])
    assert APPENDIX.sheet("B03").column("device_type").choices == (
        APPENDIX_2026_1.sheet("B03").column("device_type").choices
    )
    lists = {row["sheet"]: row["choices"] for row in DEFINITION["columns"] if row["key"] == "device_type"}
    assert lists["B03"] != lists["B05"]


def test_added_numbers_are_whole_and_at_least_zero_and_optional():
    for code in ("B01", "B03", "B04", "B05"):
        for row in added_rows(code):
            column = APPENDIX.sheet(code).column(row["key"])
            assert not column.required, row["key"]
            if row["type"] == "int":
                assert (column.min, column.max, column.warn_above) == (0, None, None), row["key"]
                assert clean_record(APPENDIX.sheet(code), {row["key"]: -1}, CONTEXT).errors


# --- the rules of the added columns, each on a 2026.2 record --------------------------------------


def b01(**values) -> dict:
    return {
        "unit_name": "UBND xã Mường Kim",
        "unit_code": "X.03637.UB",
        "block": "Khối UBND",
        "level": "Cấp xã",
        "contact_name": "Lò Văn A",
        "contact_phone": "0912345678",
        "staff_total": 20,
        "has_lan": "Có",
        **values,
    }


def issues_of(result, key):
    return [issue for issue in result.issues if issue.column == key]


@pytest.mark.parametrize("key", ["staff_with_computer", "staff_with_signature", "staff_digital_trained"])
def test_staff_shares_at_most_the_staff_total(key):
    rule = next(row["rule"] for row in added_rows("B01") if row["key"] == key)
    assert rule == "≤ staff_total"
    sheet = APPENDIX.sheet("B01")
    assert not clean_record(sheet, b01(**{key: 20}), CONTEXT).issues
    result = clean_record(sheet, b01(**{key: 21}), CONTEXT)
    [issue] = issues_of(result, key)
    assert issue.is_error
    assert "(21)" in issue.message and "(20)" in issue.message


def test_email_accounts_above_twice_the_staff_are_a_warning():
    rule = next(row["rule"] for row in added_rows("B01") if row["key"] == "official_email_accounts")
    assert rule == "⚠ if > staff_total × 2"
    sheet = APPENDIX.sheet("B01")
    assert not clean_record(sheet, b01(official_email_accounts=40), CONTEXT).issues
    result = clean_record(sheet, b01(official_email_accounts=41), CONTEXT)
    [issue] = issues_of(result, "official_email_accounts")
    assert issue.is_warning and not result.errors


@pytest.mark.parametrize("code", ["B03", "B05"])
def test_keeping_a_broken_device_is_a_warning(code):
    rule = next(row["rule"] for row in added_rows(code) if row["key"] == "proposed_action")
    assert "⚠ if `Giữ nguyên` and condition = `Hỏng, không sử dụng được`" in rule
    sheet = APPENDIX.sheet(code)
    row = {
        "device_type": "Máy chủ" if code == "B03" else "Máy in",
        "quantity": 1,
        ("year_in_use" if code == "B03" else "year_acquired"): 2020,
        "condition": "Hỏng, không sử dụng được",
        "proposed_action": "Giữ nguyên",
        "source": "Tỉnh cấp",
    }
    result = clean_record(sheet, row, CONTEXT)
    [issue] = issues_of(result, "proposed_action")
    assert issue.is_warning and not result.errors
    assert not clean_record(sheet, {**row, "proposed_action": "Thanh lý"}, CONTEXT).issues
    assert not clean_record(sheet, {**row, "condition": "Hoạt động tốt"}, CONTEXT).issues


def test_new_device_types_are_accepted_in_b05_only():
    row = {
        "device_type": "Máy lấy số tự động",
        "quantity": 2,
        "year_acquired": 2025,
        "condition": "Hoạt động tốt",
    }
    assert not clean_record(APPENDIX.sheet("B05"), row, CONTEXT).issues
    assert clean_record(APPENDIX_2026_1.sheet("B05"), row, CONTEXT).errors
    assert clean_record(APPENDIX.sheet("B03"), {**row, "year_in_use": 2025}, CONTEXT).errors


# --- 2026.1's contract holds inside 2026.2 ---------------------------------------------------------


@pytest.mark.parametrize("code", APPENDIX_2026_1.codes)
def test_every_2026_1_column_keeps_its_contract(code):
    sheet, base = APPENDIX.sheet(code), APPENDIX_2026_1.sheet(code)
    for row, key, header, required, kind, rule in contract_columns(code):
        column, old = sheet.column(key), base.column(key)
        assert (column.header, column.required, column.type.value) == (header, required, kind), key
        assert (column.min, column.max, column.min_exclusive, column.warn_above, column.year_offsets) == (
            old.min,
            old.max,
            old.min_exclusive,
            old.warn_above,
            old.year_offsets,
        ), key
        if kind in ("int", "dec"):
            assert (column.min, column.max, column.min_exclusive, column.warn_above, column.year_offsets) == (
                _contract_limits(kind, rule)
            ), key
        assert (column.required_if, column.max_length, column.prefilled, column.read_only) == (
            old.required_if,
            old.max_length,
            old.prefilled,
            old.read_only,
        ), key
        if (code, key) == ("B05", "device_type"):
            assert set(old.choices) < set(column.choices)
        else:
            assert column.choices == old.choices, key
        if code == "B01":
            assert column.number == int(row["#"])


@pytest.mark.parametrize("code", APPENDIX_2026_1.codes)
def test_every_2026_1_rule_still_applies(code):
    assert set(APPENDIX_2026_1.sheet(code).rules) <= set(APPENDIX.sheet(code).rules)


def test_a_2026_1_unit_record_is_valid_in_2026_2():
    """What a unit filled in 2026.1 is, unchanged, a valid 2026.2 record (nothing new is required)."""
    row = {
        "device_type": "Máy tính để bàn",
        "quantity": 1,
        "year_acquired": 2022,
        "cpu": "Core i5",
        "ram_gb": Decimal(8),
        "disk_type": "SSD",
        "os": "Windows 11",
        "os_licensed": "Có",
        "antivirus": "Có bản quyền",
        "condition": "Hoạt động tốt",
    }
    for appendix in (APPENDIX_2026_1, APPENDIX):
        assert not clean_record(appendix.sheet("B05"), row, CONTEXT).issues
        assert not clean_record(appendix.sheet("B01"), b01(), CONTEXT).issues
    assert clean_record(APPENDIX.sheet("B05"), {**row, "os": None}, CONTEXT).errors


def test_the_definition_round_trips_through_build():
    """definition_of(build(definition)) gives the definition back: nothing is lost on the way."""
    assert definition_of(APPENDIX) == DEFINITION


@pytest.mark.django_db
def test_the_stored_version_is_the_built_one():
    from rasoat.appendix.versions import get_appendix

    v2026_2.stored_version()
    stored = get_appendix("2026.2")
    assert stored == APPENDIX
    assert [c.key for c in stored.sheet("B04").columns] == [c.key for c in APPENDIX.sheet("B04").columns]


# --- the shipped definition workbook ---------------------------------------------------------------

SHIPPED = v2026_2.SCRIPT.parents[1] / "rasoat" / "appendix" / "versions" / "2026.2.xlsx"


def test_the_committed_workbook_is_what_the_script_builds(tmp_path):
    built = tmp_path / "2026.2.xlsx"
    v2026_2.script().write_definition(DEFINITION, built, code=v2026_2.CODE, title=v2026_2.script().TITLE)
    assert built.read_bytes() == SHIPPED.read_bytes(), "run scripts/build_appendix_2026_2.py and commit"


def test_the_committed_workbook_reads_back_to_the_definition_without_fault():
    from rasoat.appendix.workbook import read_definition

    definition, faults = read_definition(SHIPPED)
    assert faults == []
    assert definition == DEFINITION


@pytest.mark.django_db
def test_the_shipped_version_is_loaded_read_only_and_is_the_default():
    from rasoat.appendix.models import AppendixVersion
    from rasoat.appendix.services import ensure_shipped, is_frozen
    from rasoat.appendix.versions import default_version, get_appendix

    ensure_shipped()
    stored = AppendixVersion.objects.get(code="2026.2")
    assert stored.shipped and stored.definition == DEFINITION
    assert is_frozen("2026.2")
    assert default_version() == "2026.2"
    assert get_appendix("2026.2") == APPENDIX

"""The declaration equals the contract: tests/fixtures/PHU_LUC.md is a copy of ../shared/PHU_LUC.md."""

import re
from decimal import Decimal
from pathlib import Path

import pytest

from rasoat.appendix.declaration import (
    STORAGE_VERSION,
    ColumnType,
    UnknownAppendixVersion,
    get_appendix,
    version_choices,
)
from rasoat.appendix.normalize import match_key
from rasoat.appendix.v2026_1 import BLOCKS, LEVELS

CONTRACT = Path(__file__).resolve().parent.parent / "fixtures" / "PHU_LUC.md"
SHEET_HEADING = re.compile(r"^## Sheet (B0\d) — `([^`]+)` \((.*)\)$")


def parse_contract() -> dict[str, dict]:
    """The sheets of PHU_LUC.md: code -> {title, repeating, rows: [dict of the table's cells]}."""
    sheets: dict[str, dict] = {}
    current = None
    names: list[str] | None = None
    for line in CONTRACT.read_text(encoding="utf-8").splitlines():
        heading = SHEET_HEADING.match(line)
        if heading:
            code, title, remark = heading.groups()
            current = sheets[code] = {"title": title, "repeating": remark.startswith("repeating"), "rows": []}
            names = None
            continue
        if line.startswith("## "):
            current = None
            continue
        if current is None or not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if set("".join(cells)) <= {"-"}:
            continue
        if names is None:
            names = cells
            continue
        current["rows"].append(dict(zip(names, cells, strict=True)))
    return sheets


CONTRACT_SHEETS = parse_contract()
APPENDIX = get_appendix("2026.1")


def contract_columns(code):
    """(key, header without '*', required, type, rule) of a sheet of the contract."""
    for row in CONTRACT_SHEETS[code]["rows"]:
        header = row.get("header") or row["label"]
        yield row, row["key"], header.rstrip("*"), header.endswith("*"), row["type"], row["rule"]


def test_contract_copy_has_the_six_sheets():
    assert list(CONTRACT_SHEETS) == ["B01", "B02", "B03", "B04", "B05", "B06"]
    assert sum(len(sheet["rows"]) for sheet in CONTRACT_SHEETS.values()) > 60


def test_declared_sheets_are_the_contract_sheets_in_order():
    assert APPENDIX.codes == tuple(CONTRACT_SHEETS)


@pytest.mark.parametrize("code", list(CONTRACT_SHEETS))
def test_sheet_title_and_layout_equal_the_contract(code):
    sheet = APPENDIX.sheet(code)
    assert sheet.title == CONTRACT_SHEETS[code]["title"]
    assert sheet.repeating == CONTRACT_SHEETS[code]["repeating"]


@pytest.mark.parametrize("code", list(CONTRACT_SHEETS))
def test_columns_keys_headers_types_and_required_marks_equal_the_contract(code):
    sheet = APPENDIX.sheet(code)
    expected = [(key, header, required, kind) for _, key, header, required, kind, _ in contract_columns(code)]
    declared = [(c.key, c.header, c.required, c.type.value) for c in sheet.columns]
    assert declared == expected


@pytest.mark.parametrize("code", list(CONTRACT_SHEETS))
def test_choice_labels_equal_the_contract(code):
    sheet = APPENDIX.sheet(code)
    for _, key, _, _, kind, rule in contract_columns(code):
        column = sheet.column(key)
        if kind == "choice":
            labels = tuple(re.findall(r"`([^`]+)`", rule.split(";")[0]))
            assert labels, key
            assert column.choices == labels, key
        elif kind == "yesno":
            assert column.choices == ("Có", "Không"), key
        else:
            assert column.choices == (), key


def _contract_limits(kind, rule):
    """min, max, min_exclusive, warn_above, year_offsets as the contract's rule text states them."""
    limits, _, warning = rule.partition(";")
    low = high = warn = offsets = None
    exclusive = False
    if "reference year" in limits:
        offsets = (0, int(re.search(r"\+ (\d+)", limits).group(1)))
    elif match := re.search(r">(\d+) and ≤(\d+)", limits):
        low, high, exclusive = Decimal(match.group(1)), Decimal(match.group(2)), True
    elif match := re.search(r"(\d+(?:\.\d+)?)–(\d+)", limits):
        low, high = Decimal(match.group(1)), Decimal(match.group(2))
    elif match := re.search(r"≥(\d+)", limits):
        low = Decimal(match.group(1))
    if match := re.fullmatch(r"⚠ if >(\d+)", warning.strip()):
        warn = Decimal(match.group(1))
    return low, high, exclusive, warn, offsets


@pytest.mark.parametrize("code", list(CONTRACT_SHEETS))
def test_numeric_limits_equal_the_contract(code):
    sheet = APPENDIX.sheet(code)
    for _, key, _, _, kind, rule in contract_columns(code):
        if kind not in ("int", "dec"):
            continue
        column = sheet.column(key)
        declared = (column.min, column.max, column.min_exclusive, column.warn_above, column.year_offsets)
        assert declared == _contract_limits(kind, rule), key


def test_b01_lines_are_numbered_1_to_20_as_in_the_contract():
    sheet = APPENDIX.sheet("B01")
    assert [c.number for c in sheet.columns] == [int(row["#"]) for row in CONTRACT_SHEETS["B01"]["rows"]]
    assert [c.number for c in sheet.columns] == list(range(1, 21))


def test_repeating_sheets_start_with_stt_which_is_not_a_data_column():
    for sheet in APPENDIX.repeating_sheets:
        first = sheet.columns[0]
        assert (first.key, first.header, first.row_number) == ("row_no", "STT", True)
        assert "row_no" not in sheet.keys
        assert len(sheet.data_columns) == len(sheet.columns) - 1


def test_marked_header_adds_the_required_mark_only_to_required_columns():
    sheet = APPENDIX.sheet("B02")
    assert sheet.column("link_type").marked_header == "Loại kết nối*"
    assert sheet.column("provider").marked_header == "Nhà cung cấp"
    assert APPENDIX.sheet("B01").column("staff_total").marked_header == (
        "Tổng số cán bộ, công chức, viên chức, người lao động*"
    )


def test_b05_computer_columns_are_required_for_desktops_and_laptops_only():
    sheet = APPENDIX.sheet("B05")
    conditional = {c.key: c.required_if for c in sheet.columns if c.required_if}
    assert set(conditional) == {"cpu", "ram_gb", "disk_type", "os", "os_licensed", "antivirus"}
    for other, labels in conditional.values():
        assert other == "device_type"
        assert labels == {"Máy tính để bàn", "Máy tính xách tay"}


def test_text_columns_have_the_contract_lengths():
    for sheet in APPENDIX:
        for column in sheet.columns:
            if column.type == ColumnType.TEXT:
                assert column.max_length == 500
            if column.type == ColumnType.LONGTEXT:
                assert column.max_length == 5000


def test_short_forms_of_choice_labels_are_unambiguous():
    """Omitting the bracketed text must still designate exactly one label of the column."""
    for sheet in APPENDIX:
        for column in sheet.columns:
            full = [match_key(label) for label in column.choices]
            short = [
                match_key(re.sub(r"\s*\([^()]*\)", "", label)) for label in column.choices if "(" in label
            ]
            assert len(set(full)) == len(full)
            assert len(set(short)) == len(short)
            assert not set(short) & set(full), column.key


def test_block_and_level_labels_equal_the_unit_registry():
    from rasoat.orgs.models import Block, Level

    assert tuple(Block.labels) == BLOCKS
    assert tuple(Level.labels) == LEVELS


def test_get_appendix_returns_the_pinned_version():
    from rasoat.appendix.v2026_1 import APPENDIX as SHIPPED

    assert get_appendix("2026.1") is SHIPPED
    assert get_appendix(STORAGE_VERSION).version == STORAGE_VERSION


@pytest.mark.django_db
def test_get_appendix_refuses_an_unknown_version():
    with pytest.raises(UnknownAppendixVersion):
        get_appendix("2030.9")


@pytest.mark.django_db
def test_every_version_choice_is_a_version():
    codes = [value for value, _ in version_choices()]
    assert codes[0] == "2026.1"
    for code in codes:
        assert get_appendix(code).version == code


def test_sheet_column_lookup():
    sheet = APPENDIX.sheet("B04")
    assert sheet.column("usage").header == "Mức độ sử dụng"
    assert sheet.has_column("usage")
    assert not sheet.has_column("nonexistent")
    with pytest.raises(KeyError):
        sheet.column("nonexistent")
    with pytest.raises(KeyError):
        APPENDIX.sheet("B07")

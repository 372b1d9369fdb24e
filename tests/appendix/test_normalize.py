"""Normalisation: exactly the tolerance PHU_LUC.md states, and a clear refusal for anything else."""

import unicodedata
from datetime import date, datetime
from decimal import Decimal

import pytest

from rasoat.appendix.declaration import Context, get_appendix
from rasoat.appendix.normalize import clean_text, format_number, is_empty, match_choice, normalize_value

APPENDIX = get_appendix("2026.1")
CTX = Context(reference_year=2026)


def col(code, key):
    return APPENDIX.sheet(code).column(key)


def ok(code, key, raw, context=CTX):
    value, error = normalize_value(col(code, key), raw, context)
    assert error is None, error
    return value


def refused(code, key, raw, context=CTX):
    value, error = normalize_value(col(code, key), raw, context)
    assert value is None
    assert error, f"{raw!r} should be refused"
    return error


def nfd(text):
    return unicodedata.normalize("NFD", text)


# --- text -------------------------------------------------------------------------------------


def test_text_is_trimmed_and_white_space_collapsed_including_line_breaks():
    assert (
        ok("B01", "address", "  Bản  Mường\nKim,\r\n\txã\u00a0Mường Kim  ") == "Bản Mường Kim, xã Mường Kim"
    )


def test_text_is_stored_in_nfc():
    value = ok("B01", "address", nfd("Bản Mường Kim"))
    assert value == "Bản Mường Kim"
    assert unicodedata.is_normalized("NFC", value)


@pytest.mark.parametrize("raw", [None, "", "   ", "\n\t", "\u200b"])
def test_empty_text_is_no_value(raw):
    assert normalize_value(col("B01", "address"), raw, CTX) == (None, None)
    assert is_empty(raw)


def test_invisible_and_control_characters_are_removed():
    assert ok("B02", "note", "\ufeffMất\x00 kết\u200b nối") == "Mất kết nối"


def _strip_by_character(text):
    """The definition the fast path must keep: NFC, no zero-width marks, no control character but
    white space."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if ch not in "\u200b\ufeff\u2060")
    return "".join(ch for ch in text if ch.isspace() or unicodedata.category(ch) != "Cc")


def test_text_cleaning_equals_the_character_by_character_definition_on_random_text():
    import random

    rng = random.Random(2026)
    # ASCII and its controls, C1 controls, Vietnamese letters composed and decomposed, zero-width marks.
    alphabet = [chr(c) for c in range(0, 0xA0)] + list("ươăâđêôơưỹ\u200b\ufeff\u2060\u0301\u0323")
    alphabet += [unicodedata.normalize("NFD", "Mường Tè")]
    for _ in range(3000):
        raw = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        expected = " ".join(_strip_by_character(raw).split()) or None
        assert clean_text(raw) == expected, repr(raw)


def test_a_number_in_a_text_column_reads_as_text_without_a_trailing_zero():
    assert ok("B03", "model", 2900.0) == "2900"
    assert ok("B03", "model", 60) == "60"


def test_text_up_to_500_characters_is_accepted():
    assert ok("B02", "note", "a" * 500) == "a" * 500


def test_text_over_500_characters_is_refused_with_its_length():
    error = refused("B02", "note", "a" * 501)
    assert "501" in error and "500" in error


def test_longtext_up_to_5000_characters_is_accepted_and_over_is_refused():
    assert ok("B01", "difficulties", "a" * 5000) == "a" * 5000
    error = refused("B01", "difficulties", "a" * 5001)
    assert "5001" in error and "5000" in error


def test_longtext_keeps_paragraphs_but_collapses_spaces_and_blank_lines():
    raw = "  Dòng  một \r\n\r\n\r\n  Dòng   hai\n"
    assert ok("B01", "proposals", raw) == "Dòng một\n\nDòng hai"


# --- choices ----------------------------------------------------------------------------------

ALL_CHOICES = [
    (sheet.code, column.key, label)
    for sheet in APPENDIX
    for column in sheet.columns
    if column.type == "choice"
    for label in column.choices
]


@pytest.mark.parametrize(("code", "key", "label"), ALL_CHOICES)
def test_every_choice_label_matches_itself_in_any_case_spacing_and_unicode_form(code, key, label):
    assert ok(code, key, label) == label
    assert ok(code, key, "  " + nfd(label.upper()).replace(" ", "   ") + " ") == label
    assert ok(code, key, label.lower()) == label


@pytest.mark.parametrize(
    ("code", "key", "label"), [item for item in ALL_CHOICES if "(" in item[2]], ids=lambda v: str(v)
)
def test_the_bracketed_text_of_a_label_may_be_omitted(code, key, label):
    short = label[: label.index("(")].strip()
    assert ok(code, key, short) == label
    assert ok(code, key, short.upper() + "  ") == label


def test_the_bracketed_text_alone_does_not_match():
    error = refused("B02", "link_type", "FTTH")
    assert '"FTTH"' in error
    for label in col("B02", "link_type").choices:
        assert f'"{label}"' in error


def test_a_label_with_another_bracket_text_does_not_match():
    refused("B02", "link_type", "Internet cáp quang (ADSL)")


def test_an_unknown_choice_is_refused_naming_the_allowed_labels():
    error = refused("B05", "os", "Windows XP")
    assert '"Windows XP"' in error
    assert '"Windows 7 hoặc cũ hơn"' in error and '"Android/iOS"' in error


def test_a_choice_without_its_diacritics_is_refused():
    refused("B04", "usage", "Khong su dung")


def test_match_choice_returns_the_exact_label():
    assert match_choice("máy quét", col("B05", "device_type").choices) == "Máy quét (scan)"
    assert match_choice("scan", col("B05", "device_type").choices) is None


# --- yes / no ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        ("Có", "Có"),
        ("có", "Có"),
        (" CÓ ", "Có"),
        (nfd("Có"), "Có"),
        ("Không", "Không"),
        ("KHÔNG", "Không"),
        (nfd(" không "), "Không"),
    ],
)
def test_yes_no_is_tolerant_of_case_spaces_and_unicode_form(raw, label):
    assert ok("B01", "has_lan", raw) == label


@pytest.mark.parametrize("raw", ["co", "khong", "Yes", "x", "1", True, "Có/Không"])
def test_yes_no_refuses_anything_else_including_unaccented_forms(raw):
    error = refused("B01", "has_lan", raw)
    assert '"Có" hoặc "Không"' in error


# --- phone ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["0912345678", " 0912 345 678 ", "0912.345.678", "0912-345-678", "091 234-56.78"]
)
def test_mobile_number_with_spaces_dots_or_dashes_is_accepted_as_digits(raw):
    assert ok("B01", "contact_phone", raw) == "0912345678"


@pytest.mark.parametrize("raw", ["0213 3876 543", "0213.3876.543", "02133876543"])
def test_landline_02xx_with_11_digits_is_accepted(raw):
    assert ok("B01", "contact_phone", raw) == "02133876543"


@pytest.mark.parametrize(
    "raw",
    [
        "091234567",
        "09123456789",
        "012345678901",
        "9123456789",
        "+84912345678",
        "0912 345 abc",
        "(0213) 3876543",
    ],
)
def test_other_phone_numbers_are_refused_saying_what_is_expected(raw):
    error = refused("B01", "contact_phone", raw)
    assert "10 chữ số bắt đầu bằng 0" in error and "02" in error


def test_a_phone_number_that_lost_its_leading_zero_in_excel_gets_a_hint():
    error = refused("B01", "contact_phone", 912345678.0)
    assert '"912345678"' in error and "số 0 ở đầu" in error


# --- e-mail -----------------------------------------------------------------------------------


def test_valid_email_is_accepted_trimmed():
    assert ok("B01", "contact_email", " thanglv@laichau.gov.vn ") == "thanglv@laichau.gov.vn"


@pytest.mark.parametrize("raw", ["thanglv@", "thanglv laichau.gov.vn", "a@b", "@laichau.gov.vn"])
def test_invalid_email_is_refused(raw):
    error = refused("B01", "contact_email", raw)
    assert "Thư điện tử" in error


def test_email_longer_than_254_characters_is_refused():
    address = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".gov.vn"
    assert len(address) > 254
    assert "254" in refused("B01", "contact_email", address)


# --- whole numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [8, "8", " 8 ", 8.0, "8.0", "8,0", Decimal("8"), "+8"])
def test_whole_number_given_as_number_or_text_is_read(raw):
    value = ok("B02", "quantity", raw)
    assert value == 8 and isinstance(value, int)


@pytest.mark.parametrize("raw", [8.5, "8.5", "8,5"])
def test_whole_number_refuses_a_fraction(raw):
    error = refused("B02", "quantity", raw)
    assert "không phải là số nguyên" in error
    assert str(raw).replace(".", ",") in error.replace(".", ",")


@pytest.mark.parametrize("raw", ["tám", "8 cái", True, datetime(2024, 1, 8), date(2024, 1, 8), float("nan")])
def test_whole_number_refuses_non_numbers(raw):
    error = refused("B02", "quantity", raw)
    assert "số nguyên từ 1 đến 100" in error


def test_a_number_with_a_unit_is_refused_asking_for_the_number_alone():
    error = refused("B02", "bandwidth_mbps", "20 Mbps")
    assert '"20 Mbps"' in error and "không kèm đơn vị" in error


# --- decimals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0,5", "0.5"),
        ("0.5", "0.5"),
        ("1,5", "1.5"),
        ("1.5", "1.5"),
        (5.5, "5.5"),
        (20, "20"),
        ("20", "20"),
        ("10.25", "10.25"),
        ("1.0000", "1"),
        ("0,500", "0.5"),
        ("1000", "1000"),
        (Decimal("12.5"), "12.5"),
    ],
)
def test_decimal_accepts_comma_or_dot_as_the_decimal_mark(raw, expected):
    value = ok("B04", "annual_cost_mvnd", raw)
    assert isinstance(value, Decimal)
    assert value == Decimal(expected)


@pytest.mark.parametrize(
    "raw", ["1.000", "12.500", "100.000", "1,000", "1.000.000", "1.234,5", "1,234.5", "1 000"]
)
def test_decimal_refuses_a_thousands_separator_saying_why(raw):
    error = refused("B04", "annual_cost_mvnd", raw)
    assert f'"{raw}"' in error
    assert "không đoán dấu phân cách hàng nghìn" in error


def test_whole_number_refuses_a_thousands_separator_too():
    error = refused("B03", "quantity", "1.000")
    assert "không đoán dấu phân cách hàng nghìn" in error


@pytest.mark.parametrize("raw", ["abc", "1,2,3x", "1e3", float("inf")])
def test_decimal_refuses_non_numbers(raw):
    assert "không phải là số" in refused("B04", "annual_cost_mvnd", raw)


# --- years ------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [2019, "2019", 2019.0, "2019.0", " 2019 "])
def test_year_given_as_number_or_text_is_read(raw):
    assert ok("B02", "year_started", raw) == 2019


def test_year_range_is_1990_to_the_reference_year():
    assert ok("B02", "year_started", 1990) == 1990
    assert ok("B02", "year_started", 2026) == 2026
    assert "từ 1990 đến 2026" in refused("B02", "year_started", 1989)
    assert "từ 1990 đến 2026" in refused("B02", "year_started", 2027)
    assert ok("B02", "year_started", 2027, Context(reference_year=2027)) == 2027


@pytest.mark.parametrize("raw", ["19", "20190", 2019.5, "năm 2019"])
def test_year_must_be_a_4_digit_year(raw):
    assert "năm có 4 chữ số" in refused("B02", "year_started", raw)


def test_year_needs_the_reference_year():
    with pytest.raises(ValueError):
        normalize_value(col("B02", "year_started"), "2019", None)


def test_target_year_is_the_reference_year_to_five_years_later():
    assert ok("B06", "target_year", "2026") == 2026
    assert ok("B06", "target_year", 2031.0) == 2031
    assert "từ 2026 đến 2031" in refused("B06", "target_year", 2025)
    assert "từ 2026 đến 2031" in refused("B06", "target_year", 2032)


# --- ranges declared on columns ---------------------------------------------------------------


def test_range_error_names_the_value_and_the_limits():
    error = refused("B02", "quantity", 101)
    assert "101" in error and "từ 1 đến 100" in error


def test_exclusive_minimum_is_described():
    error = refused("B02", "bandwidth_mbps", 0)
    assert "lớn hơn 0 và không quá 100000" in error


def test_decimal_limits_are_shown_with_a_decimal_comma():
    error = refused("B05", "ram_gb", "0,4")
    assert "từ 0,5 đến 1024" in error


# --- helpers ----------------------------------------------------------------------------------


def test_format_number_uses_a_decimal_comma_and_no_grouping():
    assert format_number(Decimal("0.50")) == "0,5"
    assert format_number(Decimal("100000")) == "100000"
    assert format_number(2019.0) == "2019"
    assert format_number(12) == "12"


def test_clean_text_formats_dates_the_vietnamese_way():
    assert clean_text(date(2026, 5, 20)) == "20/05/2026"


# --- magnitudes and precision -------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["9" * 5000, 10**5000, 1e300, "1" + "0" * 15], ids=["text", "int", "float", "1e15"]
)
def test_absurdly_large_numbers_are_refused_with_a_short_message(raw):
    error = refused("B02", "quantity", raw)
    assert "quá lớn" in error
    assert len(error) < 300


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(0.30000000000000004, "0.3"), ("12,3456", "12.346"), ("0,0005", "0.001"), (20, "20")],
)
def test_decimals_are_rounded_to_three_places(raw, expected):
    value = ok("B02", "bandwidth_mbps", raw)
    assert value == Decimal(expected)
    assert str(value) == expected


def test_a_decimal_that_rounds_to_zero_is_checked_after_rounding_and_quoted_as_typed():
    error = refused("B02", "bandwidth_mbps", "0,0001")
    assert "0,0001" in error and "lớn hơn 0" in error


def test_every_decimal_column_declares_numeric_15_3():
    decimals = [c for s in APPENDIX for c in s.columns if c.type == "dec"]
    assert decimals and all((c.max_digits, c.decimal_places) == (15, 3) for c in decimals)


@pytest.mark.parametrize(
    ("key", "fits", "too_large"),
    [("user_accounts", 2147483647, 2147483648), ("lan_points", 2147483647, "3000000000")],
)
def test_whole_numbers_without_a_maximum_must_fit_storage(key, fits, too_large):
    code = "B04" if key == "user_accounts" else "B01"
    assert ok(code, key, fits) == fits
    assert "quá lớn" in refused(code, key, too_large)


def test_decimals_without_a_maximum_must_fit_storage():
    assert ok("B06", "budget_mvnd", "999999999999,999") == Decimal("999999999999.999")
    assert "quá lớn" in refused("B06", "budget_mvnd", "1000000000000")

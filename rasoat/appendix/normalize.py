"""The single normalisation of appendix values, shared by the web forms and the Excel reader.

Exactly the tolerance PHU_LUC.md states, and no more:

- Text: Unicode NFC; white space (line breaks, tabs, non-breaking and repeated spaces) collapsed to
  one space and trimmed; invisible characters that cannot be told apart on screen (zero-width
  space, byte-order mark) and control characters removed (PostgreSQL refuses NUL). An empty result
  is "no value" (None).
- Long text (`longtext`) keeps its line breaks, because paragraphs of an assessment or of a list of
  difficulties are meaningful to the reader of the report; within each line white space is
  collapsed as for text, and runs of blank lines become one blank line.
- Choices and yes/no: case, surrounding and repeated spaces and the Unicode form do not matter; the
  text in brackets may be omitted ("Internet cáp quang" matches "Internet cáp quang (FTTH)",
  "FTTH" alone does not). Unaccented forms ("co", "khong") are NOT accepted: Vietnamese words
  without their marks can be different words, and the contract does not list that tolerance.
- Phone: spaces, dots and dashes removed; then 10 digits starting with 0, or an 11-digit landline
  starting with 02 (02xx + 7 digits).
- Numbers may come as numbers (2019.0) or as text ("8", "2019", "0,5"). In text, `,` or `.` is
  the decimal mark ("1.5" and "1,5" both read 1.5). A thousands separator is never guessed:
  text with more than one mark ("1.000.000", "1.234,5"), or one mark followed by exactly three
  digits after a non-zero integer part of one to three digits ("1.000", "12.500", "1,000"), or
  digits grouped by spaces ("1 000") is refused with a message saying so. "0,500" is read as 0.5
  (no thousands grouping starts with 0). The comma case is refused too because it is exactly as
  ambiguous: in Vietnamese "1,000" is one, in English it is a thousand.
- Whole numbers accept an integral decimal ("8.0", 8.0) but refuse a fraction (8.5). Decimals are
  rounded half up to the column's `decimal_places` (3) before their range is checked, so the float
  noise of a computed cell (0.30000000000000004) is harmless. Numbers storage cannot hold (whole
  numbers past 2^31 - 1, decimals of 10^12 and more) are refused as too large.

`normalize_value` returns the normalised value and an error message in Vietnamese that says what
was found and what was expected; the caller (form field, Excel reader) adds the cell's position.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from .spec import DECIMAL_MAX_DIGITS, FIRST_YEAR, INT_MAX, Column, ColumnType, Context

Result = tuple[Any, str | None]

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\ufeff\u2060"), None)
# The control characters (Unicode category Cc) that are not white space.
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_GROUPED_RE = re.compile(r"[+-]?[1-9]\d{0,2}[.,]\d{3}")
_SPACE_GROUPED_RE = re.compile(r"[+-]?\d{1,3}(?: \d{3})+(?:[.,]\d+)?")
_BRACKETS_RE = re.compile(r"\s*\([^()]*\)")
_PHONE_SEPARATORS = str.maketrans("", "", " .-")
_SHOWN_MAX = 60
_MAX_MAGNITUDE = 15
"""Numbers of 10^15 and more are refused outright (the largest limit of the appendix is 100000)."""

_email_validator = EmailValidator()


class NormalizationError(ValueError):
    """A value that cannot be read for its column; the message is the Vietnamese text to show."""


# --- text -------------------------------------------------------------------------------------


def _strip_invisible(text: str) -> str:
    # Most cells are plain ASCII, already NFC and without zero-width characters: skip that work there
    # (it was 8-14 % of a large import when done character by character).
    if not text.isascii():
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        text = text.translate(_INVISIBLE)
    # Control characters other than white space are never meant and break some databases.
    return _CONTROL_RE.sub("", text)


def _as_text(raw: Any) -> str:
    """Any cell value as text: integral floats without ".0", dates as dd/mm/yyyy."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int) and raw.bit_length() > 64:
        # str() of a huge int is refused by Python (and would flood a message).
        return format(Decimal(raw), ".6E")
    if isinstance(raw, datetime):
        return raw.strftime("%d/%m/%Y %H:%M") if raw.time() != time(0) else raw.strftime("%d/%m/%Y")
    if isinstance(raw, date):
        return raw.strftime("%d/%m/%Y")
    if isinstance(raw, Decimal):
        return format_number(raw)
    return str(raw)


def clean_text(raw: Any) -> str | None:
    """NFC, white space collapsed (line breaks too) and trimmed; None when nothing is left."""
    if raw is None:
        return None
    text = " ".join(_strip_invisible(_as_text(raw)).split())
    return text or None


def clean_multiline(raw: Any) -> str | None:
    """Like `clean_text`, but keeps line breaks (at most one blank line in a row)."""
    if raw is None:
        return None
    text = _strip_invisible(_as_text(raw)).replace("\r\n", "\n").replace("\r", "\n")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept) or None


def is_empty(raw: Any) -> bool:
    """True for a cell that holds nothing once white space is removed."""
    return clean_text(raw) is None


def shown(raw: Any) -> str:
    """A value as an error message quotes it: cleaned and shortened."""
    text = clean_text(raw) or ""
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 1] + "…"


# --- choices ----------------------------------------------------------------------------------


def match_key(text: str) -> str:
    """The form under which two labels are the same: NFC, case-folded, white space collapsed."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())
    return " ".join(folded.split())


def _without_brackets(label: str) -> str:
    return match_key(_BRACKETS_RE.sub("", label))


def match_choice(raw: Any, choices: tuple[str, ...]) -> str | None:
    """The label of `choices` that `raw` stands for, or None.

    A label matches by its full text first; the short form (bracketed text omitted) is tried only
    for labels that have brackets, and only when it designates one label.
    """
    text = clean_text(raw)
    if text is None:
        return None
    key = match_key(text)
    for label in choices:
        if match_key(label) == key:
            return label
    short = [label for label in choices if "(" in label and _without_brackets(label) == key]
    return short[0] if len(short) == 1 else None


def quoted_list(labels: tuple[str, ...]) -> str:
    return ", ".join(f'"{label}"' for label in labels)


# --- numbers ----------------------------------------------------------------------------------


def format_number(value: Any) -> str:
    """A number the Vietnamese way for messages: decimal comma, no thousands grouping (0,5; 100000)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, Decimal):
        value = value.normalize()
        value = int(value) if value == value.to_integral_value() else format(value, "f")
    return str(value).replace(".", ",")


_THOUSANDS_MESSAGE = (
    'Không đọc được giá trị "{shown}": hệ thống không đoán dấu phân cách hàng nghìn (dấu chấm, dấu phẩy '
    "hoặc dấu cách ở đây có thể là phân cách hàng nghìn hoặc dấu thập phân). Hãy ghi số không có dấu "
    "phân cách hàng nghìn (ví dụ 1000); dấu phẩy hoặc dấu chấm chỉ dùng cho phần thập phân (ví dụ 1,5)."
)


def parse_number(raw: Any, expected: str) -> Decimal:
    """Read a number given as a number or as text; NormalizationError says why it cannot be read.

    `expected` describes what the column wants, for the message.
    """
    if isinstance(raw, bool):
        raise NormalizationError(f'Giá trị "{shown(raw)}" không phải là số. Cần nhập {expected}.')
    if isinstance(raw, datetime | date | time):
        raise NormalizationError(
            f'Giá trị "{shown(raw)}" là ngày tháng, không phải là số. Cần nhập {expected}.'
        )
    if isinstance(raw, int):
        return _bounded(Decimal(raw), raw, expected)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise NormalizationError(f'Giá trị "{raw}" không phải là số. Cần nhập {expected}.')
        return _bounded(Decimal(repr(raw)), raw, expected)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise NormalizationError(f'Giá trị "{raw}" không phải là số. Cần nhập {expected}.')
        return _bounded(raw, raw, expected)
    text = clean_text(raw) or ""
    marks = text.count(".") + text.count(",")
    digits_only = text.replace(".", "").replace(",", "")
    if (
        (marks > 1 and _NUMBER_RE.fullmatch(digits_only))
        or (marks == 1 and _GROUPED_RE.fullmatch(text))
        or _SPACE_GROUPED_RE.fullmatch(text)
    ):
        raise NormalizationError(_THOUSANDS_MESSAGE.format(shown=shown(text)))
    if not _NUMBER_RE.fullmatch(text):
        raise NormalizationError(
            f'Giá trị "{shown(text)}" không phải là số. Cần nhập {expected} '
            "(chỉ ghi số, không kèm đơn vị hay chữ)."
        )
    try:
        return _bounded(Decimal(text.replace(",", ".")), text, expected)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above admits only numbers
        raise NormalizationError(f'Giá trị "{shown(text)}" không phải là số. Cần nhập {expected}.') from exc


def _bounded(number: Decimal, raw: Any, expected: str) -> Decimal:
    """Refuse absurd magnitudes early: no column comes near them, and huge integers cannot be printed."""
    if number != 0 and number.adjusted() >= _MAX_MAGNITUDE:
        raise NormalizationError(f'Giá trị "{shown(raw)}" quá lớn. Cần nhập {expected}.')
    return number


def _range_text(column: Column, context: Context | None) -> str:
    low, high = _bounds(column, context)
    if column.min_exclusive and low is not None:
        text = f"lớn hơn {format_number(low)}"
        return text + (f" và không quá {format_number(high)}" if high is not None else "")
    if low is not None and high is not None:
        return f"từ {format_number(low)} đến {format_number(high)}"
    if low is not None:
        return f"từ {format_number(low)} trở lên"
    if high is not None:
        return f"không quá {format_number(high)}"
    return ""


def _bounds(column: Column, context: Context | None) -> tuple[Any, Any]:
    if column.type == ColumnType.YEAR:
        return FIRST_YEAR, _reference_year(column, context)
    if column.year_offsets is not None:
        year = _reference_year(column, context)
        return year + column.year_offsets[0], year + column.year_offsets[1]
    return column.min, column.max


def _reference_year(column: Column, context: Context | None) -> int:
    if context is None:
        raise ValueError(f"column {column.key!r} needs a context with the reference year")
    return context.reference_year


def describe_expected(column: Column, context: Context | None = None) -> str:
    """What a column expects, in Vietnamese ("số nguyên từ 1 đến 100"), for messages and help."""
    kind = column.type
    if kind == ColumnType.YEAR:
        return f"năm có 4 chữ số, {_range_text(column, context)}"
    if column.year_offsets is not None:
        return f"năm {_range_text(column, context)}"
    if kind in (ColumnType.INT, ColumnType.DEC):
        name = "số nguyên" if kind == ColumnType.INT else "số"
        limits = _range_text(column, context)
        return f"{name} {limits}" if limits else name
    if kind == ColumnType.YESNO:
        return '"Có" hoặc "Không"'
    if kind == ColumnType.CHOICE:
        return f"một trong các giá trị: {quoted_list(column.choices)}"
    if kind == ColumnType.PHONE:
        return (
            "số điện thoại gồm 10 chữ số bắt đầu bằng 0 (ví dụ 0912345678) hoặc số cố định "
            "11 chữ số bắt đầu bằng 02 (ví dụ 02133876543)"
        )
    if kind == ColumnType.EMAIL:
        return "địa chỉ thư điện tử dạng ten@coquan.gov.vn"
    if kind == ColumnType.DATE:
        return _DATE_EXPECTED
    return f"văn bản không quá {column.max_length} ký tự"


def _check_range(column: Column, number: Any, found: str, context: Context | None) -> str | None:
    low, high = _bounds(column, context)
    too_low = low is not None and (number <= low if column.min_exclusive else number < low)
    too_high = high is not None and number > high
    if not (too_low or too_high):
        return None
    what = "Năm" if column.type == ColumnType.YEAR or column.year_offsets is not None else "Giá trị"
    return f"{what} {found} nằm ngoài giới hạn. Cần nhập {describe_expected(column, context)}."


# --- the entry point --------------------------------------------------------------------------


def normalize_value(column: Column, raw: Any, context: Context | None = None) -> Result:
    """Read one cell for `column`: (normalised value, None) or (None, Vietnamese error message).

    Empty input gives (None, None): whether a value is required is the validator's business.
    Values: str for text, longtext, email, phone (digits only) and choices (the exact label;
    yes/no gives "Có" or "Không"); int for int and year; Decimal for dec; a `date` for date.
    Column-level limits (range, length, year window) are checked here so that a form field shows them
    on the cell.
    `context` (the reference year) is needed for year columns and year windows.
    """
    kind = column.type
    if kind == ColumnType.DATE:
        return _normalize_date(raw)
    text = clean_multiline(raw) if kind == ColumnType.LONGTEXT else clean_text(raw)
    if text is None:
        return None, None
    try:
        if kind in (ColumnType.INT, ColumnType.DEC, ColumnType.YEAR):
            return _normalize_number(column, raw, context)
        if kind in (ColumnType.CHOICE, ColumnType.YESNO):
            label = match_choice(text, column.choices)
            if label is None:
                if kind == ColumnType.YESNO:
                    raise NormalizationError(
                        f'Giá trị "{shown(text)}" không hợp lệ. Cần chọn "Có" hoặc "Không".'
                    )
                raise NormalizationError(
                    f'Giá trị "{shown(text)}" không có trong danh sách. Cần chọn '
                    f"{describe_expected(column, context)}."
                )
            return label, None
        if kind == ColumnType.PHONE:
            return _normalize_phone(text), None
        if kind == ColumnType.EMAIL:
            _check_length(column, text)
            try:
                _email_validator(text)
            except ValidationError as exc:
                raise NormalizationError(
                    f'Thư điện tử "{shown(text)}" không hợp lệ. Cần nhập {describe_expected(column)}.'
                ) from exc
            return text, None
        _check_length(column, text)
        return text, None
    except NormalizationError as exc:
        return None, str(exc)


def _check_length(column: Column, text: str) -> None:
    if column.max_length is not None and len(text) > column.max_length:
        raise NormalizationError(
            f"Nội dung dài {len(text)} ký tự, vượt quá giới hạn {column.max_length} ký tự. "
            f"Cần nhập {describe_expected(column)}."
        )


def _normalize_number(column: Column, raw: Any, context: Context | None) -> Result:
    expected = describe_expected(column, context)
    number = parse_number(raw, expected)
    # Messages quote what was typed, not what it was read as ("8.5", not "8,5").
    found = shown(raw) if isinstance(raw, str) else shown(format_number(number))
    if column.type in (ColumnType.INT, ColumnType.YEAR):
        if number != number.to_integral_value():
            what = "năm" if column.type == ColumnType.YEAR or column.year_offsets else "số nguyên"
            raise NormalizationError(f'Giá trị "{found}" không phải là {what}. Cần nhập {expected}.')
        number = int(number)
        too_large = abs(number) > INT_MAX
    else:
        number = _rounded(number, column.decimal_places)
        integer_digits = (column.max_digits or DECIMAL_MAX_DIGITS) - (column.decimal_places or 0)
        too_large = number != 0 and number.adjusted() >= integer_digits
    if too_large:
        # Beyond what storage holds; no column of the appendix comes near it.
        raise NormalizationError(f'Giá trị "{found}" quá lớn. Cần nhập {expected}.')
    error = _check_range(column, number, found, context)
    if error:
        raise NormalizationError(error)
    return number, None


FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2100, 12, 31)
_DATE_TEXT_RE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})|(\d{4})-(\d{1,2})-(\d{1,2})")
_EXCEL_EPOCH = date(1899, 12, 30)


def _normalize_date(raw: Any) -> Result:
    """A date cell: a real date (or date-time at midnight), an Excel serial number, or text written
    day/month/year (Vietnamese order; `/`, `.` or `-`) or year-month-day. Never month/day/year: 03/04
    is the 3rd of April here, and guessing the other order would silently swap days and months."""
    if isinstance(raw, datetime):
        raw = raw.date()
    if isinstance(raw, date):
        value = raw
    elif isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
        if not math.isfinite(float(raw)) or float(raw) != int(raw) or not 1 <= int(raw) <= 100_000:
            return None, f'Giá trị "{shown(raw)}" không phải là ngày. Cần nhập {_DATE_EXPECTED}.'
        value = _EXCEL_EPOCH + timedelta(days=int(raw))
    else:
        text = clean_text(raw)
        if text is None:
            return None, None
        match = _DATE_TEXT_RE.fullmatch(text)
        if match is None:
            return None, f'Giá trị "{shown(text)}" không phải là ngày. Cần nhập {_DATE_EXPECTED}.'
        day, month, year = match.group(1, 2, 3) if match.group(1) else match.group(6, 5, 4)
        try:
            value = date(int(year), int(month), int(day))
        except ValueError:
            return None, f'Ngày "{shown(text)}" không có trên lịch. Cần nhập {_DATE_EXPECTED}.'
    if not FIRST_DATE <= value <= LAST_DATE:
        return None, f"Ngày {value:%d/%m/%Y} nằm ngoài giới hạn. Cần nhập {_DATE_EXPECTED}."
    return value, None


_DATE_EXPECTED = f"ngày dạng ngày/tháng/năm (ví dụ 15/03/2026), từ năm {FIRST_DATE.year} đến {LAST_DATE.year}"


def _rounded(number: Decimal, places: int | None) -> Decimal:
    if places is None:
        return number
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    # Drop trailing zeros, but not into an exponent: 20 stays Decimal("20"), not Decimal("2E+1").
    if rounded == rounded.to_integral_value():
        return rounded.quantize(Decimal(1))
    return rounded.normalize()


def _normalize_phone(text: str) -> str:
    digits = text.translate(_PHONE_SEPARATORS)
    if digits.isascii() and digits.isdigit():
        if len(digits) == 10 and digits.startswith("0"):
            return digits
        if len(digits) == 11 and digits.startswith("02"):
            return digits
    hint = ""
    if digits.isdigit() and not digits.startswith("0") and len(digits) in (9, 10):
        # Excel drops the leading zero of a number typed into a numeric cell.
        hint = (
            " Có thể số 0 ở đầu đã bị mất do ô được định dạng kiểu số; hãy nhập số điện thoại dạng văn bản."
        )
    raise NormalizationError(
        f'Số điện thoại "{shown(text)}" không hợp lệ. Cần nhập số điện thoại gồm 10 chữ số bắt đầu bằng 0 '
        "(ví dụ 0912345678) hoặc số cố định 11 chữ số bắt đầu bằng 02 (ví dụ 02133876543); được phép "
        f"có dấu cách, dấu chấm, dấu gạch ngang.{hint}"
    )

"""The building blocks of an appendix declaration: columns, sheets, the appendix, issues.

Pure Python on purpose: the Django models, the web forms, the Excel template and reader, the
API and the reports all derive from these objects, and none of them is needed to read them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Any


class ColumnType(StrEnum):
    """The value types of PHU_LUC.md ("Conventions used below")."""

    TEXT = "text"
    INT = "int"
    DEC = "dec"
    YEAR = "year"
    CHOICE = "choice"
    YESNO = "yesno"
    EMAIL = "email"
    PHONE = "phone"
    LONGTEXT = "longtext"
    DATE = "date"


YES = "Có"
NO = "Không"
YESNO_CHOICES = (YES, NO)

TEXT_MAX_LENGTH = 500
LONGTEXT_MAX_LENGTH = 5000
EMAIL_MAX_LENGTH = 254
DECIMAL_PLACES = 3
"""Decimals are rounded to this many places: float noise of computed cells (0.30000000000000004)
must not become an error, and storage needs a fixed scale. Thousandths of the largest units used
(Mbps, GB, million đồng) are finer than anyone reports."""
DECIMAL_MAX_DIGITS = 15
"""Storage precision of decimals: numeric(15, 3), so at most 12 digits before the mark."""
INT_MAX = 2_147_483_647
"""The largest whole number a 32-bit integer column (Django's IntegerField) stores."""
FIRST_YEAR = 1990
"""The earliest year a `year` column accepts; the latest is the campaign's reference year."""

ERROR = "error"
WARNING = "warning"

Number = int | Decimal


@dataclass(frozen=True)
class Column:
    """One column of a repeating sheet, or one label/value line of B01.

    `header` is the exact Vietnamese text of PHU_LUC.md without the required mark; use
    `marked_header` where the mark is shown. Ranges are inclusive unless `min_exclusive`.
    Decimals are rounded (half up) to `decimal_places` before the range is checked, and must fit
    `max_digits` (the storage precision); whole numbers must fit a 32-bit integer.
    `year_offsets` bounds a plain number by the reference year (B06's target year).
    `required_if` makes the column required when another column holds one of some labels
    (B05's computer columns). `aliases` are earlier headers the reader still accepts (a version that
    relabels a column keeps reading workbooks made from the one it was copied from); `choice_list` is
    the name of the choice list in a definition workbook.
    """

    key: str
    header: str
    type: ColumnType
    required: bool = False
    choices: tuple[str, ...] = ()
    min: Number | None = None
    max: Number | None = None
    min_exclusive: bool = False
    warn_above: Number | None = None
    max_length: int | None = None
    decimal_places: int | None = None
    max_digits: int | None = None
    year_offsets: tuple[int, int] | None = None
    required_if: tuple[str, frozenset[str]] | None = None
    prefilled: bool = False
    read_only: bool = False
    row_number: bool = False
    number: int | str | None = None
    help: str = ""
    aliases: tuple[str, ...] = field(default=(), compare=False)
    choice_list: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.type == ColumnType.YESNO and not self.choices:
            object.__setattr__(self, "choices", YESNO_CHOICES)
        if self.type == ColumnType.CHOICE and not self.choices:
            raise ValueError(f"choice column {self.key!r} has no choices")
        if self.max_length is None:
            default = {
                ColumnType.TEXT: TEXT_MAX_LENGTH,
                ColumnType.LONGTEXT: LONGTEXT_MAX_LENGTH,
                ColumnType.EMAIL: EMAIL_MAX_LENGTH,
            }.get(self.type)
            object.__setattr__(self, "max_length", default)
        if self.type == ColumnType.DEC:
            if self.decimal_places is None:
                object.__setattr__(self, "decimal_places", DECIMAL_PLACES)
            if self.max_digits is None:
                object.__setattr__(self, "max_digits", DECIMAL_MAX_DIGITS)

    @property
    def marked_header(self) -> str:
        """The header as templates show it: required columns end with `*`."""
        return f"{self.header}*" if self.required else self.header

    @property
    def header_texts(self) -> tuple[str, ...]:
        """The header and every earlier one a workbook may still carry."""
        return (self.header, *self.aliases)

    @property
    def is_numeric(self) -> bool:
        return self.type in (ColumnType.INT, ColumnType.DEC, ColumnType.YEAR)

    @property
    def has_choices(self) -> bool:
        """True for columns whose values come from a fixed list (dropdowns)."""
        return self.type in (ColumnType.CHOICE, ColumnType.YESNO)


@dataclass(frozen=True)
class UnitInfo:
    """The registry's view of the unit whose data is validated (labels, not codes)."""

    code: str
    name: str = ""
    block: str = ""
    level: str = ""

    @classmethod
    def from_unit(cls, unit: Any) -> UnitInfo:
        """Build from an `orgs.Unit` (duck-typed so this module stays free of Django models)."""
        return cls(
            code=unit.code,
            name=unit.name,
            block=unit.get_block_display() if unit.block else "",
            level=unit.get_level_display() if unit.level else "",
        )


@dataclass(frozen=True)
class Context:
    """What normalisation and validation need beyond the value: the reference year and the unit."""

    reference_year: int
    unit: UnitInfo | None = None

    @classmethod
    def for_date(cls, reference_date: date, unit: UnitInfo | None = None) -> Context:
        return cls(reference_year=reference_date.year, unit=unit)


@dataclass(frozen=True)
class Issue:
    """An error (blocks submission) or a warning (shown, may be accepted) about one value or record.

    `column` is the column key (None when the issue concerns a whole sheet or record), `value` the
    value as it was given, `sheet` the sheet code and `row` the 1-based position of the record in
    its sheet (None for B01).
    """

    kind: str
    column: str | None
    message: str
    value: Any = None
    sheet: str | None = None
    row: int | None = None

    @property
    def is_error(self) -> bool:
        return self.kind == ERROR

    @property
    def is_warning(self) -> bool:
        return self.kind == WARNING


Rule = Callable[[dict[str, Any], Context], Iterable[Issue]]
"""A cross-field rule: gets the record's normalised values (None for empty or invalid cells)."""


@dataclass(frozen=True)
class Sheet:
    """One sheet of the appendix. B01 is a label/value sheet (`repeating=False`), the others tables."""

    code: str
    title: str
    repeating: bool
    columns: tuple[Column, ...]
    rules: tuple[Rule, ...] = field(default=(), compare=False)
    help: str = ""

    @property
    def kind(self) -> str:
        """`table` for a repeating sheet, `form` for a label/value one (the definition workbook's words)."""
        return "table" if self.repeating else "form"

    def __post_init__(self) -> None:
        keys = [c.key for c in self.columns]
        if len(keys) != len(set(keys)):
            raise ValueError(f"duplicate column keys in {self.code}")

    @cached_property
    def _by_key(self) -> dict[str, Column]:
        return {c.key: c for c in self.columns}

    def column(self, key: str) -> Column:
        """The column with this key; KeyError when the sheet has none."""
        return self._by_key[key]

    def has_column(self, key: str) -> bool:
        return key in self._by_key

    @cached_property
    def data_columns(self) -> tuple[Column, ...]:
        """The columns that hold data: all but the row number (STT), which is only positional."""
        return tuple(c for c in self.columns if not c.row_number)

    @cached_property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.data_columns)

    def position(self, key: str | None) -> int:
        """The column's index, for sorting issues in cell order (unknown keys last)."""
        for index, column in enumerate(self.columns):
            if column.key == key:
                return index
        return len(self.columns)


class UnknownAppendixVersion(LookupError):
    """A campaign names an appendix version this code does not declare."""


@dataclass(frozen=True)
class Appendix:
    """One version of the appendix: its sheets in workbook order.

    `hidden` holds, per sheet code, the columns a version keeps in its definition but neither asks
    nor exports; they are not in the sheet's `columns`, so nothing downstream needs to know of them.
    """

    version: str
    sheets: tuple[Sheet, ...]
    title: str = field(default="", compare=False)
    hidden: dict[str, tuple[Column, ...]] = field(default_factory=dict, compare=False)

    @cached_property
    def _by_code(self) -> dict[str, Sheet]:
        return {s.code: s for s in self.sheets}

    def sheet(self, code: str) -> Sheet:
        """The sheet with this code ("B01".."B06"); KeyError when there is none."""
        return self._by_code[code]

    def has_sheet(self, code: str) -> bool:
        return code in self._by_code

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.sheets)

    @property
    def repeating_sheets(self) -> tuple[Sheet, ...]:
        return tuple(s for s in self.sheets if s.repeating)

    def __iter__(self) -> Iterator[Sheet]:
        return iter(self.sheets)

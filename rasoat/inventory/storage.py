"""Where each value of an appendix version is stored — the one place that knows.

The six sheets' tables hold 2026.1's columns as typed database columns. A version may relabel,
hide or reorder them, add choices, add columns and add sheets; so:

- a column whose sheet has a table and whose key is one of that table's columns, with a type stored
  the same way (whole numbers, decimals, short text, long text), is read and written there;
- any other column of those sheets lives in the record's `extra`, a JSON document (PostgreSQL
  `jsonb`), typed as the declaration says: whole numbers as JSON numbers, decimals as JSON numbers,
  dates as ISO text, the rest as text;
- a sheet that is not one of the six lives in `CustomRow` (its values all in `extra`).

Values arrive here already normalised by the declaration, so nothing is validated twice; and
`extra` keeps the values of columns the record's version does not declare (a hidden column), so
saving a record never loses them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db.models import QuerySet

from rasoat.appendix.spec import Column, ColumnType, Sheet
from rasoat.inventory.fields import CHOICE_MAX_LENGTH, STORAGE_APPENDIX
from rasoat.inventory.models import ROW_MODELS, SHEET_MODELS, CustomRow, GeneralInfo, Record

_FAMILY = {
    ColumnType.INT: "int",
    ColumnType.YEAR: "int",
    ColumnType.DEC: "dec",
    ColumnType.TEXT: "char",
    ColumnType.EMAIL: "char",
    ColumnType.PHONE: "char",
    ColumnType.CHOICE: "char",
    ColumnType.YESNO: "char",
    ColumnType.LONGTEXT: "text",
    ColumnType.DATE: "date",
}
GENERAL = "B01"


def _stored_length(column: Column) -> int | None:
    if column.has_choices:
        return CHOICE_MAX_LENGTH
    return column.max_length


@lru_cache(maxsize=4096)
def _typed(code: str, key: str, kind: ColumnType, max_length: int | None) -> bool:
    if code not in SHEET_MODELS or not STORAGE_APPENDIX.has_sheet(code):
        return False
    storage = STORAGE_APPENDIX.sheet(code)
    if not storage.has_column(key) or storage.column(key).row_number:
        return False
    base = storage.column(key)
    if _FAMILY[base.type] != _FAMILY[kind]:
        return False
    if _FAMILY[kind] == "char":
        return (max_length or 0) <= (_stored_length(base) or 0)
    return True


def is_typed(code: str, column: Column) -> bool:
    """True when the column of sheet `code` is stored as a database column of its own."""
    length = CHOICE_MAX_LENGTH if column.has_choices else column.max_length
    return _typed(code, column.key, column.type, length)


def is_custom(code: str) -> bool:
    """True for a sheet a version added (stored in CustomRow)."""
    return code not in SHEET_MODELS


def model_for(code: str) -> type[Record]:
    return SHEET_MODELS.get(code, CustomRow)


def records(sheet: Sheet, **filters: Any) -> QuerySet:
    """The stored records of `sheet` (of any assignment unless filtered), in sheet order."""
    queryset = model_for(sheet.code).objects.filter(**filters)
    if is_custom(sheet.code):
        queryset = queryset.filter(sheet=sheet.code)
    if sheet.code == GENERAL:
        return queryset
    return queryset.order_by("position", "pk")


def new_record(sheet: Sheet, assignment, position: int = 0) -> Record:
    """An unsaved record of `sheet` for `assignment` (version 0, so the first save makes it 1)."""
    if sheet.code == GENERAL:
        return GeneralInfo(assignment=assignment, version=0)
    if is_custom(sheet.code):
        return CustomRow(assignment=assignment, sheet=sheet.code, position=position, version=0)
    return ROW_MODELS[sheet.code](assignment=assignment, position=position, version=0)


def single_record(sheet: Sheet, assignment, *, for_update: bool = False) -> Record | None:
    """The one stored record of a label/value sheet (B01 or an added form sheet), or None."""
    queryset = records(sheet, assignment=assignment)
    if for_update:
        queryset = queryset.select_for_update()
    return queryset.first()


def to_json(column: Column, value: Any) -> Any:
    """A normalised value as `extra` keeps it."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def from_json(column: Column, value: Any) -> Any:
    """A value of `extra` as normalisation would have given it (Decimal for decimals, date for dates)."""
    if value is None:
        return None
    try:
        if column.type == ColumnType.DEC:
            return Decimal(str(value))
        if column.type == ColumnType.DATE and isinstance(value, str):
            return date.fromisoformat(value)
        if column.type in (ColumnType.INT, ColumnType.YEAR) and isinstance(value, float):
            return int(value)
    except (ValueError, ArithmeticError):
        return None
    return value


def read_values(record: Record | None, sheet: Sheet) -> dict[str, Any]:
    """The values of `sheet`'s data columns held by `record` (None everywhere for no record)."""
    if record is None:
        return dict.fromkeys(sheet.keys)
    extra = record.extra or {}
    values = {}
    for column in sheet.data_columns:
        if is_typed(sheet.code, column):
            values[column.key] = getattr(record, column.key)
        else:
            values[column.key] = from_json(column, extra.get(column.key))
    return values


def write_values(record: Record, sheet: Sheet, values: dict[str, Any]) -> None:
    """Set `sheet`'s data columns of `record` from normalised `values` (not saved)."""
    extra = dict(record.extra or {})
    for column in sheet.data_columns:
        value = values.get(column.key)
        if is_typed(sheet.code, column):
            setattr(record, column.key, value)
        elif value is None:
            extra.pop(column.key, None)
        else:
            extra[column.key] = to_json(column, value)
    record.extra = extra


def extra_document(sheet: Sheet, values: dict[str, Any]) -> dict[str, Any]:
    """The `extra` of a new record holding `values` (for bulk inserts)."""
    return {
        column.key: to_json(column, values.get(column.key))
        for column in sheet.data_columns
        if values.get(column.key) is not None and not is_typed(sheet.code, column)
    }


def typed_keys(sheet: Sheet) -> list[str]:
    return [column.key for column in sheet.data_columns if is_typed(sheet.code, column)]


class Picker:
    """Reads some columns of a sheet out of `values_list` tuples, wherever each is stored.

    `paths` are what to put in `values_list` (after `prefix`, e.g. "general_info__"); `cells` turns
    the matching slice of a result tuple back into the columns' values in their order, with values
    of `extra` as normalisation gives them. Big exports and figures stream rows this way without
    building model objects.
    """

    def __init__(self, sheet: Sheet, columns=None, prefix: str = ""):
        self.columns = tuple(columns if columns is not None else sheet.data_columns)
        typed = [c for c in self.columns if is_typed(sheet.code, c)]
        self.paths = [prefix + c.key for c in typed]
        self.needs_extra = len(typed) < len(self.columns)
        if self.needs_extra:
            self.paths.append(prefix + "extra")
        index = {c.key: i for i, c in enumerate(typed)}
        self._plan = [(index.get(c.key), c) for c in self.columns]

    def cells(self, values: tuple) -> tuple:
        extra = (values[-1] or {}) if self.needs_extra else {}
        return tuple(
            values[i] if i is not None else from_json(column, extra.get(column.key))
            for i, column in self._plan
        )

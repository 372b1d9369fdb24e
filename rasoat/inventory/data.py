"""Moving a unit's appendix data between the tables and the `rasoat dump` shape.

The shape is {"B01": {key: value}, "B02": [{key: value}, ...], ..., "B06": [...]}, keyed by the
declaration's keys: choices as their Vietnamese labels, numbers as numbers, empty as null. The
dump command, snapshots, the JSON load, diffs and (later) the API all use it.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from rasoat.appendix.declaration import Appendix, get_appendix
from rasoat.appendix.spec import ColumnType
from rasoat.campaigns.models import Assignment
from rasoat.inventory import storage

NUMBERS_AND_DATES = (ColumnType.INT, ColumnType.YEAR, ColumnType.DEC, ColumnType.DATE)


def appendix_for(assignment: Assignment) -> Appendix:
    """The appendix version the assignment's campaign is pinned to."""
    return get_appendix(assignment.campaign.appendix_version)


def plain(value: Any) -> Any:
    """A stored value as JSON: Decimals become int or float, dates ISO text, empty text becomes null."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if value == "":
        return None
    return value


def record_values(record, sheet) -> dict[str, Any]:
    """The record's values of `sheet`'s data columns, as JSON (empty for no record)."""
    return {key: plain(value) for key, value in storage.read_values(record, sheet).items()}


def unit_data(assignment: Assignment) -> dict[str, Any]:
    """All six sheets of an assignment in the dump shape (a fixed number of queries)."""
    return unit_data_with_ids(assignment)[0]


def unit_data_with_ids(assignment: Assignment) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """`unit_data` and, per repeating sheet, the stored ids of its rows in the same order."""
    appendix = appendix_for(assignment)
    data: dict[str, Any] = {}
    ids: dict[str, list[int]] = {}
    for sheet in appendix:
        if not sheet.repeating:
            data[sheet.code] = record_values(storage.single_record(sheet, assignment), sheet)
        else:
            data[sheet.code], ids[sheet.code] = _table_values(sheet, assignment)
    return data, ids


def _table_values(sheet, assignment: Assignment) -> tuple[list[dict[str, Any]], list[int]]:
    """The rows of a repeating sheet read as value tuples, not model instances: a snapshot of a unit
    with 10,000 devices is taken before every re-import, and building the instances was most of it.

    Each value becomes what `plain` makes of it, with a call only where one is needed: a typed text
    column only turns "" into None, a whole number is already JSON, decimals and dates go through
    `plain`, and the columns kept in `extra` through `storage.from_json` first."""
    columns = sheet.data_columns
    keys = [column.key for column in columns]
    typed = [column for column in columns if storage.is_typed(sheet.code, column)]
    typed_keys = [column.key for column in typed]
    converted = [column.key for column in typed if column.type in (ColumnType.DEC, ColumnType.DATE)]
    texts = [column.key for column in typed if column.type not in NUMBERS_AND_DATES]
    added = [column for column in columns if not storage.is_typed(sheet.code, column)]
    rows: list[dict[str, Any]] = []
    row_ids: list[int] = []
    for pk, extra, *stored in storage.records(sheet, assignment=assignment).values_list(
        "pk", "extra", *typed_keys
    ):
        row = dict(zip(typed_keys, stored, strict=True))
        for key in texts:
            if row[key] == "":
                row[key] = None
        for key in converted:
            row[key] = plain(row[key])
        if added:
            extra = extra or {}
            for column in added:
                row[column.key] = plain(storage.from_json(column, extra.get(column.key)))
        rows.append({key: row[key] for key in keys})
        row_ids.append(pk)
    return rows, row_ids


def row_counts(data: dict[str, Any]) -> dict[str, int]:
    return {code: len(rows) for code, rows in data.items() if isinstance(rows, list)}


def is_empty_data(data: dict[str, Any]) -> bool:
    """No table row and no value in a label/value sheet."""
    forms = [values for values in data.values() if isinstance(values, dict)]
    return not any(row_counts(data).values()) and all(v is None for f in forms for v in f.values())

"""JSON Schemas of the appendix data, derived at run time from the declaration of each version.

Nothing here names a sheet or a column: a version an administrator adds (or a column added to one)
appears in `/api/v1/openapi.json` and in `/api/v1/campaigns/{code}/schema` at the next request.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from rasoat.appendix.spec import Appendix, Column, ColumnType, Sheet

_STRING = (ColumnType.TEXT, ColumnType.EMAIL, ColumnType.PHONE, ColumnType.LONGTEXT)


def _number(value: Decimal | int) -> int | float:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def column_schema(column: Column) -> dict[str, Any]:
    """A column's value: its type, bounds and choices; every value may be null (an empty cell)."""
    schema: dict[str, Any]
    if column.has_choices:
        schema = {"enum": [*column.choices, None]}
    elif column.type in (ColumnType.INT, ColumnType.YEAR):
        schema = {"type": ["integer", "null"]}
    elif column.type == ColumnType.DEC:
        schema = {"type": ["number", "null"]}
    elif column.type == ColumnType.DATE:
        schema = {"type": ["string", "null"], "format": "date"}
    else:
        schema = {"type": ["string", "null"]}
        if column.max_length:
            schema["maxLength"] = column.max_length
    if column.is_numeric:
        # Decimal bounds as JSON numbers (a Decimal would be written as text).
        if column.min is not None:
            schema["exclusiveMinimum" if column.min_exclusive else "minimum"] = _number(column.min)
        if column.max is not None:
            schema["maximum"] = _number(column.max)
    schema["title"] = column.header
    description = column.help or ""
    if column.required:
        description = f"Bắt buộc. {description}".strip()
    if description:
        schema["description"] = description
    return schema


def record_schema(sheet: Sheet) -> dict[str, Any]:
    """One record of a sheet: an object keyed by the declared column keys."""
    return {
        "type": "object",
        "title": sheet.title,
        "properties": {column.key: column_schema(column) for column in sheet.data_columns},
        "additionalProperties": False,
    }


def data_schema(appendix: Appendix) -> dict[str, Any]:
    """A unit's data in the `rasoat dump` shape: a record per form sheet, a list per table."""
    properties: dict[str, Any] = {}
    for sheet in appendix:
        record = record_schema(sheet)
        properties[sheet.code] = (
            {"type": "array", "title": sheet.title, "items": record} if sheet.repeating else record
        )
    return {
        "type": "object",
        "title": f"Phụ lục {appendix.version}",
        "properties": properties,
        "additionalProperties": False,
    }


def component_name(version: str) -> str:
    """`AppendixData_2026_1` for version 2026.1 (component names allow [A-Za-z0-9._-] only)."""
    return "AppendixData_" + re.sub(r"[^A-Za-z0-9]", "_", version)

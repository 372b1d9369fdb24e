"""What reading a workbook produces: the issues found, each unit's data, the per-sheet summary.

These are the objects of the contract between the reader and the upload pages
(briefs/workbooks_api.md): the preview shows them, the error workbook highlights their cells,
`apply_import` stores their data and `rasoat import` prints `WorkbookImport.as_json()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from rasoat.spreadsheets.errors import WorkbookRejected  # noqa: F401  (part of the reader's contract)

ERROR = "error"
WARNING = "warning"


@dataclass
class CellIssue:
    """An error or a warning about one cell, one row, one sheet or the whole file.

    `sheet` is the PHU_LUC.md sheet title (the file's sheet name when the sheet is not one of the
    appendix), `row` the row number as Excel shows it (None when the issue is about a whole sheet
    or a B01 line that is missing), `column` the PHU_LUC.md header without "*" (even when the file
    spells it differently), `value` the cell as read. `file_sheet` and `file_col` (0-based) locate
    the cell in the file for the error workbook; `unit_code` is the unit the row was routed to.
    """

    kind: str
    sheet: str
    sheet_code: str | None
    row: int | None
    column: str | None
    value: Any
    message: str
    file_sheet: str | None = None
    file_col: int | None = None
    unit_code: str | None = None

    @property
    def is_error(self) -> bool:
        return self.kind == ERROR

    def as_json(self, with_unit: bool = False) -> dict[str, Any]:
        """The issue as `rasoat import` prints it (the shape of `rasoat load`, `row` = Excel row)."""
        item: dict[str, Any] = {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": json_value(self.value),
            "message": self.message,
        }
        if with_unit:
            item["unit"] = self.unit_code
        return item


@dataclass
class UnitImport:
    """One unit's data read from the workbook, in the `rasoat dump` shape, with its issues.

    `data` holds normalised values ready for `inventory.services.replace_unit_data` (labels, ints,
    Decimals, None for empty); `rows` counts the data rows read per repeating sheet.
    """

    unit_code: str
    data: dict[str, Any]
    errors: list[CellIssue] = field(default_factory=list)
    warnings: list[CellIssue] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)


@dataclass
class WorkbookImport:
    """Everything found in one workbook: the units' data, every issue and the per-sheet summary.

    `errors` and `warnings` hold the issues of every unit plus the file-level ones (a missing
    required column, an unknown "Mã đơn vị"...), in sheet, row and column order. An import with
    errors cannot be applied.
    """

    units: list[UnitImport]
    errors: list[CellIssue]
    warnings: list[CellIssue]
    ignored: dict[str, dict[str, int]]
    unknown_columns: list[dict[str, str]]
    sheets: list[dict[str, Any]]
    rows: dict[str, int]
    commune: bool = False

    @property
    def issues(self) -> list[CellIssue]:
        return [*self.errors, *self.warnings]

    def unit(self, code: str) -> UnitImport | None:
        """The unit with this code, or None when the workbook holds nothing for it."""
        key = code.casefold()
        return next((u for u in self.units if u.unit_code.casefold() == key), None)

    def as_json(self) -> dict[str, Any]:
        """The `rasoat import` output. A commune workbook adds "unit" to each issue and a "units" map
        of the rows read per unit."""
        output: dict[str, Any] = {
            "errors": [issue.as_json(self.commune) for issue in self.errors],
            "warnings": [issue.as_json(self.commune) for issue in self.warnings],
            "rows": dict(self.rows),
            "ignored": {title: dict(counts) for title, counts in self.ignored.items()},
            "unknown_columns": [dict(item) for item in self.unknown_columns],
        }
        if self.commune:
            output["units"] = {unit.unit_code: dict(unit.rows) for unit in self.units}
        return output

    def summary(self) -> dict[str, Any]:
        """A small JSON summary for `Upload.summary`: counts per unit and in total."""
        return {
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "rows": dict(self.rows),
            "units": {
                unit.unit_code: {
                    "rows": dict(unit.rows),
                    "errors": len(unit.errors),
                    "warnings": len(unit.warnings),
                }
                for unit in self.units
            },
        }


def json_value(value: Any) -> Any:
    """A cell value as JSON shows it: integral floats as ints, dates as dd/mm/yyyy, Decimals as numbers."""
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M") if value.time() != time(0) else value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time | timedelta):
        return str(value)
    return value

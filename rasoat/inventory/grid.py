"""Saving many rows of a repeating sheet at once: the grid entry of B02–B06 (issue 11 item 4).

Each row goes through `services.save_record` (or `services.delete_row`), the same path as the row
form, so a value is read and checked by the appendix declaration with the same messages, every row
is saved with its own optimistic lock and audited like a row save. Rows are independent: a row
that cannot be read, or that someone else changed meanwhile, is refused alone and the others are
saved. A report that is locked (submitted or accepted) refuses the whole request before anything
is written.
"""

from dataclasses import dataclass, field
from typing import Any

from rasoat.appendix.declaration import Sheet
from rasoat.inventory import services
from rasoat.inventory.data import appendix_for, record_values
from rasoat.inventory.forms import display_value

SAVED = "saved"
DELETED = "deleted"
INVALID = "invalid"
CONFLICT = "conflict"
GONE = "gone"
LOCKED = "locked"
EMPTY = "empty"

MAX_ROWS = 2000
"""Rows in one request: more than a clerk pastes at once, few enough to answer within seconds."""


class BadRequest(ValueError):
    """The request body is not a list of rows as the grid sends them (a tampered or broken page)."""


@dataclass
class GridRow:
    """One row of the request: `key` is the grid's own name for it (echoed back), `id` None for a new
    row, `version` the version the user's grid was built from."""

    key: str
    id: int | None
    version: int | None
    values: dict[str, str]
    delete: bool = False


@dataclass
class RowOutcome:
    """What happened to one row. `values` are the stored values as the user types them (after a save,
    or the current ones after a conflict); `errors` map a column key ("" for the row) to messages."""

    key: str
    status: str
    id: int | None = None
    version: int | None = None
    values: dict[str, str] | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "status": self.status,
            "id": self.id,
            "version": self.version,
            "values": self.values,
            "errors": self.errors,
            "warnings": self.warnings,
        }


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadRequest("value")
    return str(value)


def _whole(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadRequest("id")
    return value


def parse_rows(sheet: Sheet, payload: Any) -> list[GridRow]:
    """The rows of a request body ({"rows": [{key, id, version, values, delete}, ...]}).

    Only the sheet's declared columns are read from `values` (a missing one is empty, as in the row
    form). Raises `BadRequest` for any other shape.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("rows"), list):
        raise BadRequest("rows")
    rows = payload["rows"]
    if len(rows) > MAX_ROWS:
        raise BadRequest("too many")
    keys = sheet.keys
    parsed = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not isinstance(row.get("values", {}), dict):
            raise BadRequest("row")
        values = row.get("values") or {}
        row_id, version = _whole(row.get("id")), _whole(row.get("version"))
        delete = row.get("delete") is True
        if row_id is not None and version is None:
            # Saving without a version would defeat the optimistic lock.
            raise BadRequest("version")
        if delete and row_id is None:
            raise BadRequest("delete")
        parsed.append(
            GridRow(
                key=str(row.get("key", i))[:40],
                id=row_id,
                version=version,
                values={key: _text(values.get(key)) for key in keys},
                delete=delete,
            )
        )
    return parsed


def by_column(issues) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for issue in issues:
        grouped.setdefault(issue.column or "", []).append(issue.message)
    return grouped


def displayed(record, sheet: Sheet) -> dict[str, str]:
    """A stored record's values as the user types them (decimal comma, ISO dates, "" for empty)."""
    return {key: display_value(value) for key, value in record_values(record, sheet).items()}


def _save_one(assignment, sheet: Sheet, row: GridRow, actor, address) -> RowOutcome:
    if row.delete:
        result = services.delete_row(
            assignment, sheet.code, row.id, row.version, actor=actor, address=address
        )
        if result.conflict is not None:
            return RowOutcome(
                row.key, CONFLICT, row.id, result.record.version, displayed(result.record, sheet)
            )
        return RowOutcome(row.key, DELETED, row.id)
    result = services.save_record(
        assignment,
        sheet.code,
        row.values,
        row_id=row.id,
        expected_version=row.version,
        actor=actor,
        address=address,
    )
    errors, warnings = by_column(result.errors), by_column(result.warnings)
    if result.conflict is not None:
        record = result.record
        return RowOutcome(
            row.key, CONFLICT, record.pk, record.version, displayed(record, sheet), errors, warnings
        )
    if not result.saved:
        return RowOutcome(row.key, INVALID, row.id, row.version, None, errors, warnings)
    record = result.record
    return RowOutcome(row.key, SAVED, record.pk, record.version, displayed(record, sheet), errors, warnings)


def save_rows(assignment, code: str, rows: list[GridRow], *, actor=None, address=None) -> list[RowOutcome]:
    """Save, create or delete each row on its own; returns one outcome per row, in order.

    Raises `services.NotEditable` when the report is locked before the first row. A new row whose
    cells are all empty is skipped (`EMPTY`): the grid always shows a blank row to type into.
    If the report gets locked while the rows are saved, the remaining rows are `LOCKED`.
    """
    sheet = appendix_for(assignment).sheet(code)
    services.check_editable(assignment)
    outcomes = []
    with services.one_data_change():
        _save_all(assignment, sheet, rows, outcomes, actor, address)
    return outcomes


def _save_all(assignment, sheet: Sheet, rows: list[GridRow], outcomes: list, actor, address) -> None:
    locked = False
    for row in rows:
        if locked:
            outcomes.append(RowOutcome(row.key, LOCKED, row.id, row.version))
            continue
        if row.id is None and not any(v.strip() for v in row.values.values()):
            outcomes.append(RowOutcome(row.key, EMPTY))
            continue
        try:
            outcomes.append(_save_one(assignment, sheet, row, actor, address))
        except services.NotEditable:
            locked = True
            outcomes.append(RowOutcome(row.key, LOCKED, row.id, row.version))
        except services.RowGone:
            outcomes.append(RowOutcome(row.key, GONE, row.id))

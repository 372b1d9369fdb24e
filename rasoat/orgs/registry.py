"""Loading the unit registry from rows (the shipped CSV, or an Excel workbook).

Rows are validated all together first; nothing is written unless every row is
valid, and then everything is written in one transaction. Rows are matched to
existing units by code, so importing an exported registry changes nothing.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from rasoat.orgs.models import Block, Kind, Level, Unit
from rasoat.orgs.text import fold

SEED_CSV = Path(__file__).resolve().parent / "data" / "lai_chau_units.csv"

# (key, Excel header). The CSV uses the keys as its header.
COLUMNS: list[tuple[str, str]] = [
    ("code", "Mã đơn vị"),
    ("name", "Tên đơn vị"),
    ("parent_code", "Mã đơn vị cấp trên"),
    ("level", "Cấp"),
    ("block", "Khối"),
    ("kind", "Loại"),
    ("reports", "Báo cáo"),
    ("commune_code", "Mã xã"),
    ("former_district", "Huyện cũ"),
    ("active", "Hoạt động"),
]
HEADERS = dict(COLUMNS)
REQUIRED = {"code", "name", "kind"}

_YES = {"1", "co", "true", "x", "yes"}
_NO = {"0", "khong", "false", "", "no"}


@dataclass(frozen=True)
class RowError:
    """A problem in one cell: `row` is as the file shows it (header row counted)."""

    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s, column “%(column)s”: %(message)s (value: “%(value)s”)") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "value": self.value,
        }


def _choice(choices, raw: str) -> str | None:
    """Match a value given as a code or as its label, ignoring case and accents."""
    wanted = fold(raw)
    for value, label in choices:
        if wanted in (fold(value), fold(str(label))):
            return value
    return None


def _flag(raw: str) -> bool | None:
    folded = fold(raw)
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    return None


def _clean_row(raw: dict, row_no: int, errors: list[RowError]) -> dict:
    def text(key: str) -> str:
        value = raw.get(key)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return " ".join(str(value).split())

    def fail(key: str, message: str) -> None:
        errors.append(RowError(row_no, HEADERS[key], text(key), message))

    row = {key: text(key) for key, _header in COLUMNS}
    for key in REQUIRED:
        if not row[key]:
            fail(key, _("this column is required"))
    for key, choices in (("level", Level.choices), ("block", Block.choices), ("kind", Kind.choices)):
        if row[key]:
            value = _choice(choices, row[key])
            if value is None:
                labels = ", ".join(str(label) for _value, label in choices)
                fail(key, _("not a known value; expected one of: %(labels)s") % {"labels": labels})
            row[key] = value or ""
    for key, default in (("reports", False), ("active", True)):
        if raw.get(key) is None or row[key] == "":
            row[key] = default
            continue
        value = _flag(row[key])
        if value is None:
            fail(key, _("expected 1 or 0 (Có or Không)"))
        row[key] = bool(value)
    if len(row["code"]) > 40:
        fail("code", _("at most 40 characters"))
    if len(row["name"]) > 255:
        fail("name", _("at most 255 characters"))
    if row["reports"] and row["kind"] in (Kind.PROVINCE, Kind.COMMUNE):
        fail("reports", _("a province or commune node does not report; its units do"))
    if row["reports"] and not (row["level"] and row["block"]):
        fail("reports", _("a reporting unit needs a level and a block"))
    return row


def validate_rows(raw_rows: list[dict], first_row: int = 2) -> tuple[list[dict], list[RowError]]:
    """Clean every row and check references; return the clean rows and all errors."""
    errors: list[RowError] = []
    rows = [_clean_row(raw, first_row + i, errors) for i, raw in enumerate(raw_rows)]
    seen: dict[str, int] = {}
    for i, row in enumerate(rows):
        if not row["code"]:
            continue
        if row["code"] in seen:
            errors.append(
                RowError(
                    first_row + i,
                    HEADERS["code"],
                    row["code"],
                    _("the code is repeated (first on row %(row)s)") % {"row": seen[row["code"]]},
                )
            )
        else:
            seen[row["code"]] = first_row + i

    in_file = {row["code"]: row for row in rows if row["code"]}
    existing = dict(Unit.objects.values_list("code", "kind"))
    for i, row in enumerate(rows):
        row_no = first_row + i
        parent = row["parent_code"]
        if parent:
            if parent == row["code"]:
                errors.append(
                    RowError(row_no, HEADERS["parent_code"], parent, _("a unit cannot be its own parent"))
                )
            elif parent not in in_file and parent not in existing:
                errors.append(RowError(row_no, HEADERS["parent_code"], parent, _("no unit has this code")))
        elif row["kind"] and row["kind"] != Kind.PROVINCE:
            errors.append(RowError(row_no, HEADERS["parent_code"], "", _("only the province has no parent")))
        commune = row["commune_code"]
        if commune:
            kind = in_file[commune]["kind"] if commune in in_file else existing.get(commune)
            if kind is None:
                errors.append(RowError(row_no, HEADERS["commune_code"], commune, _("no unit has this code")))
            elif kind != Kind.COMMUNE:
                errors.append(
                    RowError(row_no, HEADERS["commune_code"], commune, _("this unit is not a commune"))
                )
    if not errors:
        errors.extend(_cycles(rows, first_row))
    return rows, errors


def _cycles(rows: list[dict], first_row: int) -> list[RowError]:
    parents = dict(Unit.objects.filter(parent__isnull=False).values_list("code", "parent__code"))
    parents.update({row["code"]: row["parent_code"] for row in rows if row["parent_code"]})
    errors = []
    for i, row in enumerate(rows):
        seen, code = set(), row["code"]
        while code in parents:
            if code in seen:
                errors.append(
                    RowError(
                        first_row + i,
                        HEADERS["parent_code"],
                        row["parent_code"],
                        _("the parent chain loops back to this unit"),
                    )
                )
                break
            seen.add(code)
            code = parents[code]
    return errors


@transaction.atomic
def apply_rows(rows: list[dict]) -> dict[str, int]:
    """Create or update units from validated rows; parents are placed before children."""
    by_code = {unit.code: unit for unit in Unit.objects.all()}
    pending = list(enumerate(rows))
    created = updated = 0
    # Place rows whose parent already exists, repeatedly, so the file's order does not matter.
    while pending:
        progress = []
        for position, row in pending:
            parent = by_code.get(row["parent_code"]) if row["parent_code"] else None
            if row["parent_code"] and parent is None:
                continue
            unit = by_code.get(row["code"])
            is_new = unit is None
            unit = unit or Unit(code=row["code"])
            moved = not is_new and unit.parent_id != (parent.pk if parent else None)
            unit.name = row["name"]
            unit.parent = parent
            unit.level, unit.block, unit.kind = row["level"], row["block"], row["kind"]
            unit.reports, unit.active = row["reports"], row["active"]
            unit.former_district = row["former_district"]
            unit.position = position
            unit.commune = None
            if moved:
                move_unit(unit, parent)
            else:
                unit.save()
            by_code[unit.code] = unit
            created += is_new
            updated += not is_new
            progress.append((position, row))
        if not progress:
            raise ValueError("unresolvable parents; validate_rows must run first")
        pending = [item for item in pending if item not in progress]
    for row in rows:
        commune = by_code.get(row["commune_code"]) if row["commune_code"] else None
        Unit.objects.filter(code=row["code"]).update(commune=commune)
    return {"created": created, "updated": updated}


@transaction.atomic
def move_unit(unit: Unit, new_parent: Unit | None) -> None:
    """Re-parent a unit and rewrite the paths of its whole subtree."""
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise ValueError("cannot move a unit below itself")
    old_path = unit.path
    unit.parent = new_parent
    unit.save()
    new_path = unit.path
    if old_path and old_path != new_path:
        for child in Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).only("pk", "path"):
            Unit.objects.filter(pk=child.pk).update(path=new_path + child.path[len(old_path) :])


def read_seed_csv(path: Path = SEED_CSV) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_seed_registry(path: Path = SEED_CSV) -> int:
    """Load the shipped Lai Châu registry; returns how many units were created."""
    rows, errors = validate_rows(read_seed_csv(path))
    if errors:
        raise ValueError("; ".join(str(error) for error in errors))
    return apply_rows(rows)["created"]

"""The unit registry's operations: loading it from rows (the shipped CSV, or an Excel
workbook) and the single-unit changes made on the web pages (create, edit, move, deactivate).

Rows are validated all together first; nothing is written unless every row is
valid, and then everything is written in one transaction. Rows are matched to
existing units by code, so importing an exported registry changes nothing.
Changes made through a person (web pages, import) are written to the audit log in the
same transaction.
"""

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max, Value
from django.db.models.functions import Concat, Substr
from django.utils import translation
from django.utils.translation import gettext as _

from rasoat.audit.services import diff_fields, log
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
    """Match a value given as a code or as its label, ignoring case and accents.

    Exported files carry the Vietnamese labels, so those match whatever language the
    person importing uses; labels in the active language match too.
    """
    wanted = fold(raw)
    with translation.override("vi"):
        vietnamese = {value: fold(str(label)) for value, label in choices}
    for value, label in choices:
        if wanted in (fold(value), fold(str(label)), vietnamese[value]):
            return value
    return None


def unit_rule_errors(kind: str, level: str, block: str, reports: bool) -> list[tuple[str, str]]:
    """Rules every unit obeys, typed in a form or imported: a list of (field key, message)."""
    errors = []
    if reports and kind in (Kind.PROVINCE, Kind.COMMUNE):
        errors.append(("reports", _("a province or commune node does not report; its units do")))
    if reports and not (level and block):
        errors.append(("reports", _("a reporting unit needs a level and a block")))
    return errors


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
    for key, message in unit_rule_errors(row["kind"], row["level"], row["block"], row["reports"]):
        fail(key, message)
    return row


def validate_rows(
    raw_rows: list[dict], first_row: int = 2, row_numbers: list[int] | None = None
) -> tuple[list[dict], list[RowError]]:
    """Clean every row and check references; return the clean rows and all errors.

    Rows are numbered from `first_row`, or by `row_numbers` (one per row) when the reader
    skipped blank rows, so that every error names the row as the file shows it.
    """
    errors: list[RowError] = []
    numbers = list(row_numbers) if row_numbers is not None else [first_row + i for i in range(len(raw_rows))]
    rows = [_clean_row(raw, numbers[i], errors) for i, raw in enumerate(raw_rows)]
    seen: dict[str, int] = {}
    for i, row in enumerate(rows):
        if not row["code"]:
            continue
        if row["code"] in seen:
            errors.append(
                RowError(
                    numbers[i],
                    HEADERS["code"],
                    row["code"],
                    _("the code is repeated (first on row %(row)s)") % {"row": seen[row["code"]]},
                )
            )
        else:
            seen[row["code"]] = numbers[i]

    in_file = {row["code"]: row for row in rows if row["code"]}
    existing = dict(Unit.objects.values_list("code", "kind"))
    for i, row in enumerate(rows):
        row_no = numbers[i]
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
        errors.extend(_cycles(rows, numbers))
    return rows, errors


def _cycles(rows: list[dict], numbers: list[int]) -> list[RowError]:
    parents = dict(Unit.objects.filter(parent__isnull=False).values_list("code", "parent__code"))
    parents.update({row["code"]: row["parent_code"] for row in rows if row["parent_code"]})
    errors = []
    for i, row in enumerate(rows):
        seen, code = set(), row["code"]
        while code in parents:
            if code in seen:
                errors.append(
                    RowError(
                        numbers[i],
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
                old_path = unit.path
                move_unit(unit, parent)
                # move_unit rewrote the subtree in the database; units already loaded here must
                # follow, or a child saved later would take its path from a stale parent.
                for other in by_code.values():
                    if other is not unit and other.path.startswith(old_path):
                        other.path = unit.path + other.path[len(old_path) :]
            else:
                unit.save()
            by_code[unit.code] = unit
            created += is_new
            updated += not is_new
            progress.append((position, row))
        if not progress:
            raise ValueError("unresolvable parents; validate_rows must run first")
        placed = {position for position, _row in progress}
        pending = [item for item in pending if item[0] not in placed]
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
        # One UPDATE for the whole subtree: the new prefix, then what followed the old one.
        Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
        )


def tree_order(units: Iterable[Unit]) -> list[Unit]:
    """Units as the tree reads: each after its parent, siblings by position then code.

    Ancestors that are not among `units` (outside the user's scope, or filtered out) are
    read in one query, so the number of queries does not grow with the rows.
    """
    units = list(units)
    keys = {unit.pk: (unit.position, unit.code) for unit in units}
    missing = {pk for unit in units for pk in unit.ancestor_ids if pk not in keys}
    if missing:
        rows = Unit.objects.filter(pk__in=missing).values_list("pk", "position", "code")
        keys.update({pk: (position, code) for pk, position, code in rows})
    return sorted(
        units, key=lambda unit: [keys.get(pk, (0, "")) for pk in unit.ancestor_ids] + [keys[unit.pk]]
    )


def _default_commune(unit: Unit) -> None:
    """A commune node belongs to itself; a unit below a commune belongs to that commune."""
    if unit.commune_id:
        return
    if unit.kind == Kind.COMMUNE:
        unit.commune = unit
    elif unit.parent is not None:
        unit.commune_id = unit.parent.pk if unit.parent.kind == Kind.COMMUNE else unit.parent.commune_id


_AUDITED = ("code", "name", "level", "block", "kind", "reports", "commune_id", "former_district", "active")


def _values(unit: Unit) -> dict:
    return {field: getattr(unit, field) for field in _AUDITED}


@transaction.atomic
def create_unit(unit: Unit, *, actor=None, address: str | None = None) -> Unit:
    """Save a new unit after every existing one in its siblings' order, and audit it."""
    unit.position = (Unit.objects.aggregate(top=Max("position"))["top"] or 0) + 1
    unit.save()
    if not unit.commune_id:
        _default_commune(unit)
        if unit.commune_id:
            unit.save(update_fields=["commune"])
    log(actor, "unit.created", unit, diff_fields({}, _values(unit)), address=address)
    return unit


@transaction.atomic
def update_unit(unit: Unit, *, actor=None, address: str | None = None) -> Unit:
    """Save an edited unit and audit the changed fields.

    Its id, parent and path do not change, so everything attached to it (campaign assignments,
    data, memberships) stays attached, even when its code is corrected.
    """
    before = _values(Unit.objects.get(pk=unit.pk))
    _default_commune(unit)
    unit.save()
    changes = diff_fields(before, _values(unit))
    if changes:
        log(actor, "unit.updated", unit, changes, address=address)
    return unit


@transaction.atomic
def change_parent(unit: Unit, new_parent: Unit, *, actor=None, address: str | None = None) -> None:
    """Move a unit and its subtree under `new_parent` (not within the subtree), and audit it."""
    old_parent = unit.parent
    move_unit(unit, new_parent)
    changes = {"parent": [old_parent.code if old_parent else None, new_parent.code]}
    log(actor, "unit.moved", unit, changes, address=address)


@transaction.atomic
def set_unit_active(unit: Unit, active: bool, *, actor=None, address: str | None = None) -> bool:
    """Deactivate or reactivate a unit; returns False when it already was in that state.

    Raises ValidationError for the root, and for a unit holding the actor's own administrator
    role: memberships on inactive units grant nothing, so that would lock the actor out.
    """
    if not active:
        if unit.parent_id is None:
            raise ValidationError(_("The root of the registry cannot be deactivated."))
        own = actor.scope_paths("unit:manage") if actor is not None and not actor.is_superuser else []
        if any(path.startswith(unit.path) for path in own):
            raise ValidationError(_("You cannot deactivate the unit your own administrator role is on."))
    if unit.active == active:
        return False
    unit.active = active
    unit.save(update_fields=["active"])
    log(actor, "unit.reactivated" if active else "unit.deactivated", unit, {"active": [not active, active]},
        address=address)  # fmt: skip
    return True


def diff_rows(rows: list[dict]) -> dict:
    """What applying validated rows would change: new units, changed units with the changed
    columns (Excel headers), and how many rows change nothing. Units not in the rows are kept."""
    fields = (
        "name",
        "parent_code",
        "level",
        "block",
        "kind",
        "reports",
        "commune_code",
        "former_district",
        "active",
    )
    current = {
        values["code"]: values
        for values in Unit.objects.values(
            "code", "name", "level", "block", "kind", "reports", "former_district", "active",
            parent_code=models.F("parent__code"), commune_code=models.F("commune__code"),
        )
    }  # fmt: skip
    created, changed, unchanged = [], [], 0
    for row in rows:
        old = current.get(row["code"])
        if old is None:
            created.append(row)
            continue
        columns = [HEADERS[key] for key in fields if (old[key] or "") != (row[key] or "")]
        if columns:
            changed.append({"row": row, "columns": columns})
        else:
            unchanged += 1
    return {"created": created, "changed": changed, "unchanged": unchanged}


@transaction.atomic
def import_rows(rows: list[dict], *, actor=None, address: str | None = None, filename: str = "") -> dict:
    """Apply validated rows (all or nothing) and audit the import; returns diff_rows' summary."""
    changes = diff_rows(rows)
    apply_rows(rows)
    summary = {
        "created": [row["code"] for row in changes["created"]],
        "changed": {item["row"]["code"]: item["columns"] for item in changes["changed"]},
    }
    root = Unit.objects.filter(parent__isnull=True).order_by("pk").first()
    log(actor, "registry.imported", None, summary, unit=root, address=address, note=filename)
    return changes


def read_seed_csv(path: Path = SEED_CSV) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_seed_registry(path: Path = SEED_CSV) -> int:
    """Load the shipped Lai Châu registry; returns how many units were created."""
    rows, errors = validate_rows(read_seed_csv(path))
    if errors:
        raise ValueError("; ".join(str(error) for error in errors))
    return apply_rows(rows)["created"]

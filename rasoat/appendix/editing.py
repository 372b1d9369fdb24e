"""The web editor's edits, each a change to a copy of a version's definition.

Every function takes a definition (the plain JSON of `definition.py`), changes it in place and
returns nothing; the view then saves the whole result with `services.save_definition`, which checks
it exactly as a definition workbook's upload is checked (`checks` and `contract`). So the editor
needs no rules of its own: what it may not do, the checks refuse, naming the sheet, row and column,
and the assessment rule for a forbidden edit. The only faults raised here (`EditError`) are about
the request itself: a list name already taken, a label to insert before that is not in the list.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .definition import COLUMN_FIELDS, Definition


class EditError(Exception):
    """An edit that cannot even be tried; `field` names the form field it concerns."""

    def __init__(self, field: str | None, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(message)


def blank_column(sheet: str) -> dict[str, Any]:
    """A `columns` row with every field empty, as the definition workbook has it."""
    row: dict[str, Any] = dict.fromkeys(COLUMN_FIELDS, "")
    row.update(
        {
            "sheet": sheet,
            "required": False,
            "hidden": False,
            "min": None,
            "max": None,
            "warn_above": None,
            "old_headers": [],
        }
    )
    return row


def sheet_row(definition: Definition, code: str) -> dict[str, Any] | None:
    return next((row for row in definition.get("sheets", ()) if row.get("code") == code), None)


def column_rows(definition: Definition, sheet: str) -> list[dict[str, Any]]:
    """The columns of one sheet, in their order."""
    return [row for row in definition.get("columns", ()) if row.get("sheet") == sheet]


def column_index(definition: Definition, sheet: str, key: str) -> int | None:
    """The index of a column in the definition's `columns` (its workbook row is index + 2)."""
    return next(
        (
            index
            for index, row in enumerate(definition.get("columns", ()))
            if row.get("sheet") == sheet and row.get("key") == key
        ),
        None,
    )


def list_names(definition: Definition) -> list[str]:
    """The choice lists, in the order they first appear."""
    names: list[str] = []
    for row in definition.get("choices", ()):
        if row.get("list") not in names:
            names.append(row.get("list"))
    return names


def labels_of(definition: Definition, name: str) -> list[str]:
    return [row["label"] for row in definition.get("choices", ()) if row.get("list") == name]


def _append_list(definition: Definition, name: str, labels: list[str], field: str) -> None:
    """A new choice list at the end of `choices`; refused when the name is taken."""
    if name in list_names(definition):
        raise EditError(
            field,
            _("A choice list named “%(list)s” already exists: choose it, or give the new list another name.")
            % {"list": name},
        )
    definition.setdefault("choices", []).extend({"list": name, "label": label} for label in labels)


# --- sheets ----------------------------------------------------------------------------------------


def add_sheet(definition: Definition, sheet: dict[str, Any], first_column: dict[str, Any]) -> None:
    """A new sheet at the end, with its first column (a sheet without columns is not a sheet)."""
    definition.setdefault("sheets", []).append(sheet)
    add_column(definition, sheet["code"], first_column)


def update_sheet(definition: Definition, code: str, *, title: str, help: str) -> None:
    row = sheet_row(definition, code)
    row["title"], row["help"] = title, help


def move_sheet(definition: Definition, code: str, step: int) -> None:
    """Move a sheet one place up (`step` -1) or down (+1); nothing at either end."""
    sheets = definition["sheets"]
    index = next(i for i, row in enumerate(sheets) if row["code"] == code)
    other = index + step
    if 0 <= other < len(sheets):
        sheets[index], sheets[other] = sheets[other], sheets[index]


# --- columns ---------------------------------------------------------------------------------------


def add_column(
    definition: Definition, sheet: str, row: dict[str, Any], new_labels: list[str] | None = None
) -> None:
    """A new column after the sheet's last one; `new_labels` makes its choice list (named as given in
    `row["choices"]`, else after the key)."""
    row = {**blank_column(sheet), **row, "sheet": sheet}
    if new_labels:
        row["choices"] = row.get("choices") or row["key"]
        _append_list(definition, row["choices"], new_labels, "new_labels")
    columns = definition.setdefault("columns", [])
    last = max((i for i, c in enumerate(columns) if c.get("sheet") == sheet), default=None)
    if last is None:
        columns.append(row)
    else:
        columns.insert(last + 1, row)


def update_column(
    definition: Definition, sheet: str, key: str, changes: dict[str, Any], new_labels: list[str] | None = None
) -> None:
    """Change a column's fields (its key stays); `new_labels` gives it a new choice list."""
    row = definition["columns"][column_index(definition, sheet, key)]
    if new_labels:
        changes = {**changes, "choices": changes.get("choices") or key}
        _append_list(definition, changes["choices"], new_labels, "new_labels")
    row.update(changes)


def move_column(definition: Definition, sheet: str, key: str, step: int) -> None:
    """Swap a column with the previous (`step` -1) or next (+1) column of the same sheet."""
    columns = definition["columns"]
    positions = [i for i, row in enumerate(columns) if row.get("sheet") == sheet]
    index = column_index(definition, sheet, key)
    at = positions.index(index)
    if 0 <= at + step < len(positions):
        other = positions[at + step]
        columns[index], columns[other] = columns[other], columns[index]


# --- choices ---------------------------------------------------------------------------------------


def add_choice(definition: Definition, name: str, label: str, before: str = "") -> None:
    """A label added to a list (a new list when the name is new): at its end, or before `before`."""
    choices = definition.setdefault("choices", [])
    entry = {"list": name, "label": label}
    if before:
        index = next(
            (i for i, row in enumerate(choices) if row.get("list") == name and row.get("label") == before),
            None,
        )
        if index is None:
            raise EditError(
                "before", _("The list “%(list)s” has no label “%(label)s”.") % {"list": name, "label": before}
            )
        choices.insert(index, entry)
        return
    last = max((i for i, row in enumerate(choices) if row.get("list") == name), default=None)
    if last is None:
        choices.append(entry)
    else:
        choices.insert(last + 1, entry)

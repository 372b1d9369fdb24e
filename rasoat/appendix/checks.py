"""Checking a definition before anything is built from it or saved: every fault, with where it is.

A definition comes from the web editor, a definition workbook or a shipped file; all of them are
checked here, the same way, and `build_appendix` only ever sees a definition without faults. A fault
names the definition workbook's sheet (`sheets`, `columns`, `choices`), the row there (the list
index + 2: row 1 holds the headers) and the English column name, like a data workbook's faults name
the cell — so the administrator who uploaded the file finds each one, and gets all of them at once.

What the assessment relies on is checked apart (`contract.check_contract`): these checks are about
whether a definition makes sense at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import JSONField
from django.utils.translation import gettext as _

from .definition import KINDS, Definition, parse_required_if
from .spec import YES, ColumnType
from .v2026_1 import APPENDIX as BASE

SHEETS, COLUMNS, CHOICES = "sheets", "columns", "choices"

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
"""Column keys and choice list names: English identifiers, as in XLSForm (they name JSON keys)."""
SHEET_CODE_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
"""Sheet codes appear in URLs and workbook sheet names: letters, digits and underscores."""
SHEET_CODE_MAX = 20
"""`CustomRow.sheet` and the workbook's sheet names (31 characters at most) both hold a code."""
KEY_MAX = 60
LABEL_MAX = 100
"""A choice label is stored as the value of a record; the 2026.1 tables hold them in 100 characters."""
TEXT_MAX = 300
RESERVED_TITLES = frozenset({"hướng dẫn", "_meta", "_lists"})
"""Sheet names every data workbook has besides the appendix's sheets (`workbooks.template`)."""
RESERVED_KEYS = frozenset({"row_no"})
"""The row number column every table gets (`definition.ROW_NUMBER`)."""
LOOKUP_KEYS = frozenset(JSONField.get_lookups()) | {"pk"}
"""Words a database query reads as an operator after a JSON key (`extra__contains`), not as a key:
a column of that key could not be counted or filtered in the `extra` document."""
NUMERIC = (ColumnType.INT, ColumnType.DEC, ColumnType.YEAR)
WHOLE = (ColumnType.INT, ColumnType.YEAR)
TYPES = tuple(str(t) for t in ColumnType)


@dataclass(frozen=True)
class Fault:
    """One fault of a definition: the workbook sheet, row (None for the whole sheet) and column."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def as_json(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


def _text(value: Any) -> str:
    """A cell as text: None and non-text values (a number where a name belongs) as their text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _rows(definition: Any, name: str) -> list[Any]:
    rows = definition.get(name) if isinstance(definition, dict) else None
    return rows if isinstance(rows, list) else []


def _number(value: Any) -> Decimal | None:
    """The number of a limit cell; None when empty. Raises ValueError when it is not a number."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation as error:
        raise ValueError(value) from error
    if not number.is_finite():
        raise ValueError(value)
    return number


class _Checker:
    def __init__(self, definition: Any) -> None:
        self.definition = definition
        self.faults: list[Fault] = []

    def fault(self, sheet: str, index: int | None, column: str | None, message: str) -> None:
        self.faults.append(Fault(sheet, None if index is None else index + 2, column, message))

    def run(self) -> list[Fault]:
        if not isinstance(self.definition, dict):
            self.fault(SHEETS, None, None, _("The definition is not a set of sheets, columns and choices."))
            return self.faults
        lists = self.check_choices()
        sheets = self.check_sheets()
        self.check_columns(sheets, lists)
        return self.faults

    # --- sheet `choices` -----------------------------------------------------------------------------

    def check_choices(self) -> dict[str, list[str]]:
        lists: dict[str, list[str]] = {}
        for index, row in enumerate(_rows(self.definition, CHOICES)):
            if not isinstance(row, dict):
                row = {}
            name, label = _text(row.get("list")), _text(row.get("label"))
            if not name:
                self.fault(CHOICES, index, "list", _("The list name is empty."))
            elif not KEY_PATTERN.match(name) or len(name) > KEY_MAX:
                self.fault(CHOICES, index, "list", _identifier_message(name))
            if not label:
                self.fault(CHOICES, index, "label", _("The label is empty."))
            elif len(label) > LABEL_MAX:
                self.fault(
                    CHOICES,
                    index,
                    "label",
                    _("The label is %(length)d characters long; at most %(max)d are allowed.")
                    % {"length": len(label), "max": LABEL_MAX},
                )
            if not name or not label:
                if name:
                    lists.setdefault(name, [])
                continue
            labels = lists.setdefault(name, [])
            if label.casefold() in (known.casefold() for known in labels):
                self.fault(
                    CHOICES,
                    index,
                    "label",
                    _("The list “%(list)s” already has the label “%(label)s”.")
                    % {"list": name, "label": label},
                )
            else:
                labels.append(label)
        return lists

    # --- sheet `sheets` ------------------------------------------------------------------------------

    def check_sheets(self) -> dict[str, str]:
        """The kinds of the sheets by code (valid codes only)."""
        rows = _rows(self.definition, SHEETS)
        if not rows:
            self.fault(SHEETS, None, None, _("The definition has no sheet."))
        kinds: dict[str, str] = {}
        titles: set[str] = set()
        for index, row in enumerate(rows):
            if not isinstance(row, dict):
                row = {}
            code, title, kind = _text(row.get("code")), _text(row.get("title")), _text(row.get("kind"))
            if not code:
                self.fault(SHEETS, index, "code", _("The sheet code is empty."))
            elif not SHEET_CODE_PATTERN.match(code) or len(code) > SHEET_CODE_MAX:
                self.fault(
                    SHEETS,
                    index,
                    "code",
                    _(
                        "The sheet code “%(code)s” must start with a letter and hold only letters without "
                        "accents, digits and underscores (_), at most %(max)d characters."
                    )
                    % {"code": code, "max": SHEET_CODE_MAX},
                )
            elif code.casefold() in (known.casefold() for known in kinds):
                self.fault(
                    SHEETS,
                    index,
                    "code",
                    _("Another sheet already has the code “%(code)s”.") % {"code": code},
                )
            folded = " ".join(title.split()).casefold()
            if not title:
                self.fault(SHEETS, index, "title", _("The sheet title is empty."))
            elif len(title) > TEXT_MAX:
                self.fault(SHEETS, index, "title", _too_long(title))
            elif folded in RESERVED_TITLES:
                # The data workbook has sheets of these names; a sheet titled so could not be found.
                self.fault(
                    SHEETS,
                    index,
                    "title",
                    _("“%(title)s” is the name of a sheet of every workbook; choose another title.")
                    % {"title": title},
                )
            elif folded in titles:
                # Workbooks name each sheet by its title, and Excel ignores case in sheet names.
                self.fault(
                    SHEETS,
                    index,
                    "title",
                    _("Another sheet already has the title “%(title)s”.") % {"title": title},
                )
            titles.add(folded)
            if kind not in KINDS:
                self.fault(SHEETS, index, "kind", _kind_message(kind))
            elif BASE.has_sheet(code) and BASE.sheet(code).kind != kind:
                # B01–B06 are stored in their own tables: B01 holds one record, the others rows.
                self.fault(
                    SHEETS,
                    index,
                    "kind",
                    _("Sheet %(code)s must stay of kind “%(kind)s”, as in version 2026.1.")
                    % {"code": code, "kind": BASE.sheet(code).kind},
                )
            if code and code not in kinds and SHEET_CODE_PATTERN.match(code):
                kinds[code] = kind
        return kinds

    # --- sheet `columns` -----------------------------------------------------------------------------

    def check_columns(self, sheets: dict[str, str], lists: dict[str, list[str]]) -> None:
        rows = [row if isinstance(row, dict) else {} for row in _rows(self.definition, COLUMNS)]
        # Per sheet: key → (index, type, list name), for the required_if checks after every row is seen.
        seen: dict[str, dict[str, tuple[int, str, str]]] = {}
        headers: dict[str, dict[str, str]] = {}
        used_lists: set[str] = set()
        for index, row in enumerate(rows):
            sheet, key = _text(row.get("sheet")), _text(row.get("key"))
            if not sheet:
                self.fault(COLUMNS, index, "sheet", _("The sheet code is empty."))
            elif sheet not in sheets:
                self.fault(
                    COLUMNS,
                    index,
                    "sheet",
                    _("There is no sheet “%(code)s” in the sheet “sheets”.") % {"code": sheet},
                )
            if not key:
                self.fault(COLUMNS, index, "key", _("The key is empty."))
            elif not KEY_PATTERN.match(key) or len(key) > KEY_MAX:
                self.fault(COLUMNS, index, "key", _identifier_message(key))
            elif key in RESERVED_KEYS:
                self.fault(
                    COLUMNS,
                    index,
                    "key",
                    _("The key “%(key)s” is reserved for the row number of tables.") % {"key": key},
                )
            elif key in LOOKUP_KEYS:
                self.fault(
                    COLUMNS,
                    index,
                    "key",
                    _("The key “%(key)s” is a word the system reserves; choose another key.") % {"key": key},
                )
            elif key in seen.get(sheet, {}):
                self.fault(
                    COLUMNS,
                    index,
                    "key",
                    _("Sheet %(sheet)s already has a column with the key “%(key)s” (row %(row)d).")
                    % {"sheet": sheet, "key": key, "row": seen[sheet][key][0] + 2},
                )
            kind = _text(row.get("type"))
            if kind not in TYPES:
                self.fault(COLUMNS, index, "type", _type_message(kind))
            self.check_header(index, row, sheet, key, headers.setdefault(sheet, {}))
            self.check_flags(index, row)
            list_name = self.check_list(index, row, kind, lists)
            if list_name:
                used_lists.add(list_name)
            self.check_limits(index, row, kind)
            if key and KEY_PATTERN.match(key) and key not in seen.get(sheet, {}):
                seen.setdefault(sheet, {})[key] = (index, kind, list_name)
        for index, row in enumerate(rows):
            self.check_required_if(index, row, seen.get(_text(row.get("sheet")), {}), lists)
        shown = {_text(row.get("sheet")) for row in rows if row.get("hidden") in (None, "", False)}
        for code in sheets:
            if code in seen and code not in shown:
                self.fault(
                    SHEETS,
                    self.sheet_index(code),
                    "code",
                    _("Every column of sheet %(code)s is hidden: at least one must be shown.")
                    % {"code": code},
                )
            if code not in seen:
                self.fault(
                    SHEETS,
                    self.sheet_index(code),
                    "code",
                    _("Sheet %(code)s has no column in the sheet “columns”.") % {"code": code},
                )

    def sheet_index(self, code: str) -> int:
        return next(
            i
            for i, r in enumerate(_rows(self.definition, SHEETS))
            if isinstance(r, dict) and _text(r.get("code")) == code
        )

    def check_header(self, index: int, row: dict, sheet: str, key: str, headers: dict[str, str]) -> None:
        header = _text(row.get("header"))
        if not header:
            self.fault(COLUMNS, index, "header", _("The header is empty."))
            return
        if len(header) > TEXT_MAX:
            self.fault(COLUMNS, index, "header", _too_long(header))
        old = row.get("old_headers") or []
        if not isinstance(old, list | tuple):
            self.fault(COLUMNS, index, "old_headers", _("The old headers are not a list of headers."))
            old = []
        # The reader finds a column by its header (or an old one): two columns may not share one.
        for text, column in ((header, "header"), *((_text(h), "old_headers") for h in old)):
            folded = " ".join(text.split()).casefold()
            if not folded:
                continue
            owner = headers.get(folded)
            if owner is not None and owner != key:
                self.fault(
                    COLUMNS,
                    index,
                    column,
                    _("Sheet %(sheet)s already has a column with the header “%(header)s” (key %(key)s).")
                    % {"sheet": sheet, "header": text, "key": owner},
                )
            else:
                headers[folded] = key

    def check_flags(self, index: int, row: dict) -> None:
        for name in ("required", "hidden"):
            value = row.get(name)
            if value is None or value is True or value is False or value in ("", YES):
                continue
            self.fault(
                COLUMNS,
                index,
                name,
                _("“%(value)s” is not allowed here: write “Có” or leave the cell empty.")
                % {"value": _text(value)},
            )

    def check_list(self, index: int, row: dict, kind: str, lists: dict[str, list[str]]) -> str:
        name = _text(row.get("choices"))
        if kind == ColumnType.CHOICE:
            if not name:
                self.fault(COLUMNS, index, "choices", _("A choice column needs the name of its choice list."))
            elif name not in lists:
                self.fault(
                    COLUMNS,
                    index,
                    "choices",
                    _("There is no choice list “%(list)s” in the sheet “choices”.") % {"list": name},
                )
            elif not lists[name]:
                self.fault(
                    COLUMNS, index, "choices", _("The choice list “%(list)s” is empty.") % {"list": name}
                )
            return name
        if name and kind in TYPES:
            self.fault(
                COLUMNS,
                index,
                "choices",
                _("Only a column of type “choice” takes a choice list; this one is of type “%(type)s”.")
                % {"type": kind},
            )
        return ""

    def check_limits(self, index: int, row: dict, kind: str) -> None:
        numbers: dict[str, Decimal] = {}
        for name in ("min", "max", "warn_above"):
            value = row.get(name)
            try:
                number = _number(value)
            except ValueError:
                self.fault(COLUMNS, index, name, _("“%(value)s” is not a number.") % {"value": _text(value)})
                continue
            if number is None:
                continue
            if kind in TYPES and ColumnType(kind) not in NUMERIC:
                self.fault(
                    COLUMNS,
                    index,
                    name,
                    _("Only a number column (int, dec, year) takes a limit; this one is of type “%(type)s”.")
                    % {"type": kind},
                )
                continue
            if kind in TYPES and ColumnType(kind) in WHOLE and number != number.to_integral_value():
                self.fault(
                    COLUMNS,
                    index,
                    name,
                    _("A column of type “%(type)s” holds whole numbers: %(value)s is not one.")
                    % {"type": kind, "value": _text(value)},
                )
                continue
            numbers[name] = number
        low, high = numbers.get("min"), numbers.get("max")
        if low is not None and high is not None and low > high:
            self.fault(
                COLUMNS,
                index,
                "min",
                _("The minimum (%(min)s) is above the maximum (%(max)s).")
                % {"min": _text(row.get("min")), "max": _text(row.get("max"))},
            )

    def check_required_if(
        self, index: int, row: dict, keys: dict[str, tuple[int, str, str]], lists: dict[str, list[str]]
    ) -> None:
        text = _text(row.get("required_if"))
        if not text:
            return
        parsed = parse_required_if(text)
        if parsed is None:
            self.fault(
                COLUMNS,
                index,
                "required_if",
                _(
                    "Write the condition as key=label1|label2 (for example "
                    "type=Máy tính để bàn|Máy tính xách tay)."
                ),
            )
            return
        other, labels = parsed
        if other == _text(row.get("key")):
            self.fault(COLUMNS, index, "required_if", _("A column cannot be required depending on itself."))
            return
        if other not in keys:
            self.fault(
                COLUMNS,
                index,
                "required_if",
                _("Sheet %(sheet)s has no column with the key “%(key)s”.")
                % {"sheet": _text(row.get("sheet")), "key": other},
            )
            return
        _row, other_kind, list_name = keys[other]
        if other_kind == ColumnType.YESNO:
            offered = ["Có", "Không"]
        elif other_kind == ColumnType.CHOICE:
            offered = lists.get(list_name, [])
        else:
            self.fault(
                COLUMNS,
                index,
                "required_if",
                _("The column “%(key)s” is not a choice or yes/no column.") % {"key": other},
            )
            return
        for label in labels:
            if label not in offered:
                self.fault(
                    COLUMNS,
                    index,
                    "required_if",
                    _("The column “%(key)s” does not offer the label “%(label)s”.")
                    % {"key": other, "label": label},
                )


def _identifier_message(name: str) -> str:
    return _(
        "“%(name)s” is not an identifier: use lower-case letters without accents, digits and "
        "underscores (_), starting with a letter, at most %(max)d characters."
    ) % {"name": name, "max": KEY_MAX}


def _too_long(text: str) -> str:
    return _("The text is %(length)d characters long; at most %(max)d are allowed.") % {
        "length": len(text),
        "max": TEXT_MAX,
    }


def _kind_message(kind: str) -> str:
    return _("Unknown kind “%(kind)s”: write “form” (label/value sheet) or “table” (repeating rows).") % {
        "kind": kind
    }


def _type_message(kind: str) -> str:
    return _("Unknown type “%(type)s”: write one of %(types)s.") % {"type": kind, "types": ", ".join(TYPES)}


def check_definition(definition: Any) -> list[Fault]:
    """Every fault of a definition, in the order of its sheets and rows; empty when it is sound."""
    order = {SHEETS: 0, COLUMNS: 1, CHOICES: 2}
    faults = _Checker(definition).run()
    # Stable: the faults of one row stay in the order of its columns.
    return sorted(faults, key=lambda f: (order.get(f.sheet, 3), f.row or 0))


def _limit(value: Any) -> int | float | None:
    number = _number(value)
    if number is None:
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def normalize_definition(definition: Any) -> Definition:
    """A definition that `check_definition` found sound, in the one shape every writer produces:
    every field present, texts stripped, flags as booleans, limits as JSON numbers, conditions as
    `key=label1|label2`. Saving and comparing (a round trip, a shipped file) rely on it."""
    sheets = [
        {
            "code": _text(row.get("code")),
            "title": _text(row.get("title")),
            "kind": _text(row.get("kind")),
            "help": _text(row.get("help")),
        }
        for row in _rows(definition, SHEETS)
    ]
    columns = []
    for row in _rows(definition, COLUMNS):
        kind = _text(row.get("type"))
        condition = parse_required_if(_text(row.get("required_if")))
        header = _text(row.get("header"))
        old: list[str] = []
        for text in row.get("old_headers") or ():
            text = _text(text)
            if text and text != header and text not in old:
                old.append(text)
        columns.append(
            {
                "sheet": _text(row.get("sheet")),
                "key": _text(row.get("key")),
                "header": header,
                "type": kind,
                "required": _flag(row.get("required")),
                "choices": _text(row.get("choices")) if kind == ColumnType.CHOICE else "",
                "min": _limit(row.get("min")),
                "max": _limit(row.get("max")),
                "warn_above": _limit(row.get("warn_above")),
                "required_if": f"{condition[0]}={'|'.join(condition[1])}" if condition else "",
                "hidden": _flag(row.get("hidden")),
                "help": _text(row.get("help")),
                "old_headers": old,
            }
        )
    choices = [
        {"list": _text(row.get("list")), "label": _text(row.get("label"))}
        for row in _rows(definition, CHOICES)
    ]
    return {"sheets": sheets, "columns": columns, "choices": choices}


def _flag(value: Any) -> bool:
    return value is True or _text(value) == YES

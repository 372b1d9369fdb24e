"""An appendix version as data: the definition, and the Appendix built from it.

A definition is plain JSON with the three tables of the definition workbook (in the spirit of
XLSForm): `sheets` (code, title, kind, help), `columns` (sheet, key, header, type, required,
choices, min, max, warn_above, required_if, hidden, help, old_headers) and `choices` (list,
label). The web editor edits it, the definition workbook carries it, the database stores it, and
`build_appendix` turns it into the same `Appendix` objects the shipped 2026.1 is written in — so the
forms, workbooks, reader, export, assessment and reports need not know where a version came from.

What a definition cannot say, the build takes from 2026.1 for the sheets and columns the two share:
the row number column of tables, B01's line numbers and prefilled lines, B02's "greater than 0",
B06's year window; and the cross-field rules come from `record_rules`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from .record_rules import rules_for
from .spec import YESNO_CHOICES, Appendix, Column, ColumnType, Sheet
from .v2026_1 import APPENDIX as BASE

SHEET_FIELDS = ("code", "title", "kind", "help")
COLUMN_FIELDS = (
    "sheet",
    "key",
    "header",
    "type",
    "required",
    "choices",
    "min",
    "max",
    "warn_above",
    "required_if",
    "hidden",
    "help",
    "old_headers",
)
CHOICE_FIELDS = ("list", "label")
KINDS = ("form", "table")
ROW_NUMBER = Column("row_no", "STT", ColumnType.INT, row_number=True)

Definition = dict[str, list[dict[str, Any]]]


# --- Appendix → definition ------------------------------------------------------------------------


def _list_names(appendix: Appendix) -> dict[tuple[str, str], str]:
    """The choice list name of each choice column: its own name when it has one, else its key, or
    `<sheet>_<key>` when columns of the same key in different sheets offer different choices."""
    by_key: dict[str, set[tuple[str, ...]]] = {}
    columns = [(s.code, c) for s in appendix for c in (*s.data_columns, *appendix.hidden.get(s.code, ()))]
    for _code, column in columns:
        if column.type == ColumnType.CHOICE:
            by_key.setdefault(column.key, set()).add(column.choices)
    names = {}
    for code, column in columns:
        if column.type != ColumnType.CHOICE:
            continue
        if column.choice_list:
            names[code, column.key] = column.choice_list
        elif len(by_key[column.key]) == 1:
            names[code, column.key] = column.key
        else:
            names[code, column.key] = f"{code.lower()}_{column.key}"
    return names


def _number_text(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def definition_of(appendix: Appendix) -> Definition:
    """The definition of any version, the shipped 2026.1 included (copying starts from here)."""
    names = _list_names(appendix)
    sheets, columns, choices = [], [], []
    listed: set[str] = set()
    for sheet in appendix:
        sheets.append({"code": sheet.code, "title": sheet.title, "kind": sheet.kind, "help": sheet.help})
        ordered = [c for c in sheet.columns if not c.row_number]
        hidden = appendix.hidden.get(sheet.code, ())
        for column in (*ordered, *hidden):
            name = names.get((sheet.code, column.key), "")
            required_if = ""
            if column.required_if:
                other, labels = column.required_if
                labels_in_order = (
                    [c for c in sheet.column(other).choices if c in labels]
                    if (sheet.has_column(other))
                    else sorted(labels)
                )
                required_if = f"{other}={'|'.join(labels_in_order)}"
            columns.append(
                {
                    "sheet": sheet.code,
                    "key": column.key,
                    "header": column.header,
                    "type": str(column.type),
                    "required": column.required,
                    "choices": name,
                    "min": _number_text(column.min),
                    "max": _number_text(column.max),
                    "warn_above": _number_text(column.warn_above),
                    "required_if": required_if,
                    "hidden": column in hidden,
                    "help": column.help,
                    "old_headers": list(column.aliases),
                }
            )
            if name and name not in listed:
                listed.add(name)
                choices.extend({"list": name, "label": label} for label in column.choices)
    return {"sheets": sheets, "columns": columns, "choices": choices}


# --- definition → Appendix ------------------------------------------------------------------------


def _number(value: Any, kind: ColumnType) -> Any:
    """A limit as the column type holds it: int for whole numbers, Decimal for decimals."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    if kind == ColumnType.DEC:
        return number
    return int(number) if number == number.to_integral_value() else number


def parse_required_if(text: str) -> tuple[str, list[str]] | None:
    """`key=label1|label2` → ("key", ["label1", "label2"]); None for an empty or malformed text."""
    if not text or "=" not in text:
        return None
    key, _, labels = text.partition("=")
    parts = [label.strip() for label in labels.split("|") if label.strip()]
    return (key.strip(), parts) if key.strip() and parts else None


def _b01_numbers(columns: list[Column]) -> list[Column]:
    """Line numbers of a form sheet: 2026.1's lines keep theirs; an added line after line 12 is
    12a, 12b, … (as PHU_LUC.md numbers 2026.2's), and a sheet with no 2026.1 line counts 1, 2, 3."""
    numbered, last, letter = [], 0, 0
    for column in columns:
        if isinstance(column.number, int):
            last, letter = column.number, 0
            numbered.append(column)
            continue
        if last == 0 and not any(isinstance(c.number, int) for c in columns):
            numbered.append(_replace(column, number=len(numbered) + 1))
            continue
        letter += 1
        numbered.append(_replace(column, number=f"{last}{chr(ord('a') + letter - 1)}"))
    return numbered


def _replace(column: Column, **changes: Any) -> Column:
    from dataclasses import replace

    return replace(column, **changes)


def _base_column(code: str, key: str, kind: ColumnType) -> Column | None:
    if BASE.has_sheet(code) and BASE.sheet(code).has_column(key):
        column = BASE.sheet(code).column(key)
        if column.type == kind:
            return column
    return None


def _column(code: str, row: dict[str, Any], lists: dict[str, tuple[str, ...]]) -> Column:
    kind = ColumnType(row["type"])
    base = _base_column(code, row["key"], kind)
    choices: tuple[str, ...] = ()
    if kind == ColumnType.CHOICE:
        choices = lists.get(row.get("choices") or "", ())
    elif kind == ColumnType.YESNO:
        choices = YESNO_CHOICES
    low, high = _number(row.get("min"), kind), _number(row.get("max"), kind)
    required_if = parse_required_if(row.get("required_if") or "")
    inherited: dict[str, Any] = {}
    if base is not None:
        inherited = {
            "prefilled": base.prefilled,
            "read_only": base.read_only,
            "number": base.number,
            "year_offsets": base.year_offsets,
            "min_exclusive": base.min_exclusive and low == base.min,
        }
        if kind in (ColumnType.TEXT, ColumnType.LONGTEXT, ColumnType.EMAIL):
            inherited["max_length"] = base.max_length
    aliases = tuple(h for h in row.get("old_headers") or () if h and h != row["header"])
    return Column(
        key=row["key"],
        header=row["header"],
        type=kind,
        required=bool(row.get("required")),
        choices=choices,
        min=low,
        max=high,
        warn_above=_number(row.get("warn_above"), kind),
        required_if=(required_if[0], frozenset(required_if[1])) if required_if else None,
        help=row.get("help") or "",
        aliases=aliases,
        choice_list=(row.get("choices") or "") if kind == ColumnType.CHOICE else "",
        **inherited,
    )


def build_appendix(code: str, title: str, definition: Definition) -> Appendix:
    """The Appendix of a definition that `checks.check_definition` found without faults."""
    lists: dict[str, list[str]] = {}
    for row in definition.get("choices", ()):
        lists.setdefault(row["list"], []).append(row["label"])
    frozen_lists = {name: tuple(labels) for name, labels in lists.items()}
    sheets, hidden = [], {}
    for sheet_row in definition.get("sheets", ()):
        sheet_code = sheet_row["code"]
        rows = [row for row in definition.get("columns", ()) if row["sheet"] == sheet_code]
        shown = [_column(sheet_code, row, frozen_lists) for row in rows if not row.get("hidden")]
        hidden[sheet_code] = tuple(
            _column(sheet_code, row, frozen_lists) for row in rows if row.get("hidden")
        )
        keys = {column.key for column in shown}
        # A condition on a hidden or dropped column can never hold: drop it instead of failing later.
        shown = [
            column
            if column.required_if is None or column.required_if[0] in keys
            else _replace(column, required_if=None)
            for column in shown
        ]
        repeating = sheet_row.get("kind") == "table"
        columns = (ROW_NUMBER, *shown) if repeating else tuple(_b01_numbers(shown))
        sheets.append(
            Sheet(
                code=sheet_code,
                title=sheet_row["title"],
                repeating=repeating,
                columns=tuple(columns),
                rules=rules_for(sheet_code, keys),
                help=sheet_row.get("help") or "",
            )
        )
    return Appendix(version=code, sheets=tuple(sheets), title=title, hidden=hidden)

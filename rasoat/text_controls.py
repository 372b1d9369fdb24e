"""Control characters in text that came from outside: request parameters, form fields, workbook cells.

PostgreSQL refuses NUL in any text (a `%00` in a URL or a `_x0000_` cell used to give a 500 there and
not on SQLite), and the other C0 controls are invisible garbage in a name or a note. Tab, line feed and
carriage return are ordinary text in a form field or a cell and are kept.
"""

from __future__ import annotations

import re
from typing import Any

CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""C0 controls but tab, LF and CR, and DEL."""
PATH_CONTROLS = re.compile("[\x00-\x1f\x7f]")
"""In a URL path nothing of C0 is ever meant."""


def has_controls(text: str) -> bool:
    return CONTROLS.search(text) is not None


def strip_controls(text: str) -> str:
    return CONTROLS.sub("", text)


def _picture(match: re.Match) -> str:
    code = ord(match.group())
    # Unicode's "control pictures" (␀, ␁, …, ␡): the character shown, not acted upon.
    return chr(0x2421) if code == 0x7F else chr(0x2400 + code)


def visible_controls(text: str) -> str:
    """`text` with each control character replaced by its picture (NUL -> ␀), for messages and
    summaries that show a user what a file held."""
    return CONTROLS.sub(_picture, text)


def visible_in(value: Any) -> Any:
    """`value` (JSON-like: dicts, lists, strings, numbers) with every string made `visible_controls`,
    keys included: what may be stored in a JSON column on any database."""
    if isinstance(value, str):
        return visible_controls(value) if CONTROLS.search(value) else value
    if isinstance(value, dict):
        return {visible_in(key): visible_in(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [visible_in(item) for item in value]
    return value

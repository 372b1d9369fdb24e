"""Recognising the parts of a workbook: sheet names, header cells, B01 labels and `_meta` keys.

The tolerance is exactly PHU_LUC.md's: case, white space (line breaks and repeated spaces
included), the required mark `*`, a leading sheet code such as `B05.` or `Biểu 05 -`, and the
Unicode form do not matter. Two mechanical variants that cannot make two different headers
equal are also tolerated: spaces around brackets ("Băng thông(Mbps)") and, for B01 labels and
`_meta` keys, a trailing colon and a leading line number ("8. Số điện thoại:").
"""

from __future__ import annotations

import re
from typing import Any

from rasoat.appendix.declaration import Appendix, Sheet
from rasoat.appendix.normalize import clean_text, match_key
from rasoat.appendix.v2026_1 import APPENDIX as BASE

INSTRUCTIONS_TITLE = "Hướng dẫn"
META_SHEET = "_meta"
UNIT_CODE_HEADER = "Mã đơn vị"
"""The column routing each row of a commune workbook (also B01's own line 2)."""
UNIT_NAME_HEADERS = ("Tên đơn vị", "Tên cơ quan, đơn vị")
"""Columns a commune workbook may carry beside the code for readability; read as nothing."""
TOTAL_LABELS = ("tổng cộng", "cộng")

_BRACKET_SPACES = re.compile(r"\s*([()])\s*")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31
"""Excel refuses longer sheet names (and the characters []:*?/\\ in them)."""
_LINE_NUMBER = re.compile(r"^\d{1,2}\s*[.)]\s*")
_SHEET_CODE = re.compile(r"^(?:b|biểu|bieu|phụ lục|pl)?\s*(?:số\s*)?0*(\d{1,2})(?:\s*[.:)_–—-]\s*|\s+|$)")

META_KEYS = {
    "appendix_version": ("appendix version", "version", "phiên bản phụ lục", "phiên bản"),
    "campaign": ("campaign", "campaign code", "mã đợt", "mã đợt rà soát", "đợt rà soát"),
    "unit": ("unit", "unit code", "mã đơn vị", "đơn vị"),
    "kind": ("kind", "loại tệp", "loại"),
    "generated_at": ("generated at", "generated", "thời điểm tạo", "ngày tạo"),
}
_META_ALIASES = {alias: key for key, aliases in META_KEYS.items() for alias in aliases}


def header_key(raw: Any) -> str | None:
    """The form under which a header cell and a PHU_LUC.md header are the same; None for an empty cell."""
    if raw.__class__ is not str:
        if raw is None or raw.__class__ in (int, float, bool):
            return None
        raw = str(raw)
    if "*" in raw:
        raw = raw.replace("*", "").replace("()", "")
    text = clean_text(raw)
    if text is None:
        return None
    return _BRACKET_SPACES.sub(r"\1", match_key(text))


def label_key(raw: Any) -> str | None:
    """A B01 label or a `_meta` key: a header key that also ignores "8." before and ":" after."""
    key = header_key(raw)
    if key is None:
        return None
    key = _LINE_NUMBER.sub("", key).rstrip(": ")
    return key or None


def sheet_key(name: str) -> tuple[int | None, str]:
    """(the number of a leading sheet code, the rest of the name as a header key)."""
    key = header_key(name) or ""
    match = _SHEET_CODE.match(key)
    if match is None:
        return None, key
    return int(match.group(1)), key[match.end() :].strip()


def sheet_name(title: str) -> str:
    """The name of the workbook sheet that holds an appendix sheet titled `title`: the title with the
    characters Excel refuses replaced, clipped to 31 characters. An administrator may give an added
    sheet a long title; the template, the export and the reader all agree on this name."""
    name = _BAD_SHEET_CHARS.sub("-", title).strip().strip("'")
    return name[:SHEET_NAME_MAX].rstrip() or "Sheet"


def is_total_row(row: list[Any]) -> bool:
    """A row whose first non-empty cell reads "Tổng cộng" or "Cộng" (a colon after it is allowed)."""
    for cell in row:
        if cell == "" or cell is None:
            continue
        if cell.__class__ is not str:
            return False
        key = label_key(cell)
        if key is None:
            continue
        return key in TOTAL_LABELS
    return False


class SheetNames:
    """Which sheet of the file is which sheet of the appendix."""

    def __init__(self, appendix: Appendix, names: list[str]):
        # Earlier titles first, so the current ones win: a sheet a version retitled is still found
        # under the title of the version it was copied from (2026.1, for its six sheets).
        titles: dict[str | None, Sheet] = {}
        for sheet in appendix:
            if BASE.has_sheet(sheet.code):
                titles.setdefault(header_key(BASE.sheet(sheet.code).title), sheet)
        for sheet in appendix:
            titles[header_key(sheet_name(sheet.title))] = sheet
        for sheet in appendix:
            titles[header_key(sheet.title)] = sheet
        codes = {int(sheet.code[1:]): sheet for sheet in appendix if sheet.code[1:].isdigit()}
        self.by_code: dict[str, str] = {}
        """Appendix sheet code -> the file's sheet name (the first one that matched)."""
        self.duplicates: list[tuple[Sheet, str]] = []
        self.instructions: list[str] = []
        self.meta: str | None = None
        self.others: list[str] = []
        for name in names:
            number, rest = sheet_key(name)
            if rest == header_key(META_SHEET) and number is None:
                self.meta = self.meta or name
                continue
            if rest == header_key(INSTRUCTIONS_TITLE):
                self.instructions.append(name)
                continue
            sheet = titles.get(rest) if rest else codes.get(number) if number is not None else None
            if sheet is None:
                self.others.append(name)
            elif sheet.code in self.by_code:
                self.duplicates.append((sheet, name))
            else:
                self.by_code[sheet.code] = name


def meta_values(rows: list[list[Any]]) -> dict[str, str]:
    """The `_meta` sheet as {canonical key: text}: column A names the key, column B holds the value."""
    values: dict[str, str] = {}
    for row in rows:
        if len(row) < 2:
            continue
        key = label_key(row[0])
        canonical = _META_ALIASES.get(key.replace("_", " ")) if key else None
        value = clean_text(row[1])
        if canonical and value is not None and canonical not in values:
            if isinstance(row[1], float) and row[1].is_integer():
                value = str(int(row[1]))
            values[canonical] = value
    return values

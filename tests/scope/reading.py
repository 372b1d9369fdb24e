"""Reading what a page or a workbook lists: unit codes, counts, the choices of a filter."""

import io
import re

from python_calamine import CalamineWorkbook

DATA_UNIT = re.compile(r'data-unit="([^"]+)"')
DATA_CODE = re.compile(r'data-code="([^"]+)"')


def body(response) -> bytes:
    """The bytes of a response; a streamed one is read once and kept for the next reader."""
    if not getattr(response, "streaming", False):
        return response.content
    if not hasattr(response, "read_body"):
        response.read_body = b"".join(response.streaming_content)
    return response.read_body


def sheet_rows(response, name: str) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(body(response))).get_sheet_by_name(name).to_python()


def first_column_codes(response, sheet: str, universe: set[str]) -> set[str]:
    """The unit codes in the first column of a sheet (the header rows hold none)."""
    return {row[0] for row in sheet_rows(response, sheet) if row and row[0] in universe}


def every_cell(response, sheets: list[str]) -> str:
    """All cells of some sheets as one text, for the check that no foreign code appears."""
    return "\n".join(str(cell) for sheet in sheets for row in sheet_rows(response, sheet) for cell in row)


def marked(response, pattern: re.Pattern = DATA_UNIT) -> set[str]:
    return set(pattern.findall(response.content.decode()))


def marked_in(response, testid: str) -> set[str]:
    """`data-unit` codes of the rows marked with a `data-testid`."""
    html = response.content.decode()
    return set(re.findall(rf'data-testid="{testid}" data-unit="([^"]+)"', html))


def foreign_codes(text: str, codes: set[str]) -> set[str]:
    """Which of `codes` appear in `text` as a whole code (not inside a longer one)."""
    found = set()
    for code in codes:
        if code in text and re.search(rf"(?<![\w.]){re.escape(code)}(?![\w.])", text):
            found.add(code)
    return found

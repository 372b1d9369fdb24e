"""Writing text cells safely with XlsxWriter, for every workbook rasoat writes.

`write_string` keeps "=1+1" or "+84…" as text (never a formula), but XlsxWriter 3.3 writes a text
that starts with "<r>" and ends with "</r>" as raw rich-text XML, unescaped: a clerk typing such a
note could inject cells and formulas into a reviewer's workbook. `write_text` writes such a text as
a rich string of plain fragments, which XlsxWriter escapes; every other text goes through write_string.
"""

from xlsxwriter.worksheet import Worksheet


def is_raw_rich_text(text: str) -> bool:
    """Whether XlsxWriter's write_string would write `text` as raw rich-text XML (see the module doc)."""
    return text.startswith("<r>") and text.endswith("</r>")


def write_text(worksheet: Worksheet, row: int, col: int, text: str, cell_format=None) -> None:
    """Write a text cell that stays exactly that text: never a formula, never raw XML."""
    if is_raw_rich_text(text):
        # Three plain fragments (XlsxWriter wants more than two); read back, they are the same text.
        fragments = (text[:1], text[1:2], text[2:])
        if cell_format is None:
            worksheet.write_rich_string(row, col, *fragments)
        else:
            worksheet.write_rich_string(row, col, *fragments, cell_format)
    else:
        worksheet.write_string(row, col, text, cell_format)

"""Reading the tables and paragraphs of a generated .docx in tests."""

import io

import docx


def open_docx(content: bytes):
    return docx.Document(io.BytesIO(content))


def vn(number) -> str:
    """A whole number as the reports write it (1.234), computed independently of the code under test."""
    return f"{int(number):,}".replace(",", ".")


def rows_of(table) -> list[list[str]]:
    return [[cell.text.strip() for cell in row.cells] for row in table.rows]


def table_with(document, *headers: str):
    """The first table whose header row starts with these column headers."""
    for table in document.tables:
        first = rows_of(table)[0]
        if first[: len(headers)] == list(headers):
            return rows_of(table)
    raise AssertionError(f"no table with the headers {headers}")


def tables_with(document, *headers: str) -> list[list[list[str]]]:
    return [rows_of(t) for t in document.tables if rows_of(t)[0][: len(headers)] == list(headers)]


def body_text(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)

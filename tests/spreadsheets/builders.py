"""Workbooks written byte by byte, to place cells exactly where a test wants them.

XlsxWriter and LibreOffice write honest files; these write what an attacker or an odd program can:
cells without references, prefixed element names, lying dimensions, repeated ODS cells, BIFF records.
"""

from __future__ import annotations

import io
import struct
import zipfile

from tests.workbooks.conftest import ole_file

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKSHEET_TYPE = RELS + "/worksheet"


def xlsx_of(sheets: dict[str, str], *, shared_strings: str | None = None) -> bytes:
    """An .xlsx whose sheets hold the given `<sheetData>` XML (or a whole worksheet document when the
    text starts with "<?xml" or "<worksheet"), in order."""
    names = list(sheets)
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(names) + 1)
        )
        + "</Types>"
    )
    root_rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_RELS}">'
        f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
        + "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
        + "</sheets></workbook>"
    )
    workbook_rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE_RELS}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{WORKSHEET_TYPE}" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(names) + 1)
        )
        + "</Relationships>"
    )
    members = {
        "[Content_Types].xml": content_types,
        "_rels/.rels": root_rels,
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": workbook_rels,
    }
    for i, name in enumerate(names, 1):
        body = sheets[name]
        if not body.lstrip().startswith(("<?xml", "<worksheet", "<x:worksheet")):
            body = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{body}</worksheet>'
        members[f"xl/worksheets/sheet{i}.xml"] = body
    if shared_strings is not None:
        members["xl/sharedStrings.xml"] = shared_strings
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text.encode("utf-8"))
    return output.getvalue()


def sheet_data(*cells: tuple[str, str]) -> str:
    """`<sheetData>` with one row per cell: (reference, text) as inline strings."""
    rows = []
    for ref, text in cells:
        row = "".join(ch for ch in ref if ch.isdigit())
        rows.append(f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c></row>')
    return "<sheetData>" + "".join(rows) + "</sheetData>"


ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def ods_of(tables: dict[str, str]) -> bytes:
    """An .ods whose tables hold the given rows XML (`<table:table-row>` elements)."""
    body = "".join(f'<table:table table:name="{name}">{rows}</table:table>' for name, rows in tables.items())
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content {ODS_NAMESPACES} office:version="1.3"><office:body>'
        f"<office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return output.getvalue()


def ods_text_cell(text: str, repeat: int = 1) -> str:
    repeated = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    cell = f'<table:table-cell office:value-type="string"{repeated}>'
    return f"{cell}<text:p>{text}</text:p></table:table-cell>"


def ods_empty_cells(repeat: int) -> str:
    return f'<table:table-cell table:number-columns-repeated="{repeat}"/>'


def ods_row(cells: str, repeat: int = 1) -> str:
    repeated = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{repeated}>{cells}</table:table-row>"


# --- BIFF8 (.xls) -----------------------------------------------------------------------------------


def _record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def biff_number(row: int, col: int, value: float) -> bytes:
    return _record(0x0203, struct.pack("<HHHd", row, col, 0x0F, value))


def biff_mulrk(row: int, first_col: int, count: int) -> bytes:
    rk = struct.pack("<HI", 0x0F, (1 << 2) | 0x02)  # the integer 1 as an RK value
    last = struct.pack("<H", first_col + count - 1)
    return _record(0x00BD, struct.pack("<HH", row, first_col) + rk * count + last)


def biff_dimensions(first_row: int, last_row: int, first_col: int, last_col: int) -> bytes:
    return _record(0x0200, struct.pack("<IIHHH", first_row, last_row, first_col, last_col, 0))


def xls_of(sheets: dict[str, list[bytes]]) -> bytes:
    """A BIFF8 workbook (in an OLE2 file) whose sheets hold the given cell records."""
    bof_globals = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06))
    bof_sheet = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 0x06))
    eof = _record(0x000A, b"")
    codepage = _record(0x0042, struct.pack("<H", 1200))
    names = list(sheets)

    def boundsheet(position: int, name: str) -> bytes:
        return _record(0x0085, struct.pack("<IBBBB", position, 0, 0, len(name), 0) + name.encode("latin-1"))

    globals_length = len(bof_globals) + len(codepage) + sum(len(boundsheet(0, n)) for n in names) + len(eof)
    position = globals_length
    bodies, boundsheets = [], []
    for name in names:
        body = bof_sheet + b"".join(sheets[name]) + eof
        boundsheets.append(boundsheet(position, name))
        bodies.append(body)
        position += len(body)
    stream = bof_globals + codepage + b"".join(boundsheets) + eof + b"".join(bodies)
    return ole_file({"Workbook": stream})

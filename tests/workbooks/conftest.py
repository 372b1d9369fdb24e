"""Helpers shared by the workbook tests: workbooks written from rows, the sample files, LibreOffice
headless, and a minimal OLE2 compound file writer.

- `xlsx_bytes(sheets)` / the `write_workbook` fixture: a workbook from {sheet name: rows} (rows are
  lists of cell values; None leaves a cell empty; text is always written as text).
- `meta_rows(...)`: the rows of a `_meta` sheet as the template writes it.
- `libreoffice` fixture + `convert(...)`: re-save a file with LibreOffice headless (private
  profile); skips with a printed reason when LibreOffice is absent, fails instead when the
  environment variable RASOAT_REQUIRE_LIBREOFFICE is set.
- `ole_file(streams)`: an OLE2 compound file holding the given streams (e.g. the two streams of
  a password-protected OOXML package).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import subprocess
import sys
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CLEAN_SAMPLE = FIXTURES / "mau_dang_uy_muong_te.xlsx"
MESSY_SAMPLE = FIXTURES / "mau_dang_uy_muong_te_lon_xon.xlsx"
SAMPLE_JSON = FIXTURES / "mau_dang_uy_muong_te.json"
SAMPLE_UNIT = "X.03445.DU"
SAMPLE_CAMPAIGN = "RS2026"

Sheets = Mapping[str, Iterable[Iterable[Any]]] | Iterable[tuple[str, Iterable[Iterable[Any]]]]


# --- workbooks from rows ------------------------------------------------------------------------


def xlsx_bytes(sheets: Sheets, *, hidden: Iterable[str] = (), constant_memory: bool = False) -> bytes:
    """An .xlsx holding `sheets` ({name: rows} or [(name, rows)]), written with XlsxWriter.

    Strings are written as text (never as formulas or numbers), numbers as numbers, dates as dates;
    None leaves the cell empty. `hidden` names sheets to hide; `constant_memory` streams rows (for
    very large sheets: rows must then be written in order, which they are).
    """
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        output, {"in_memory": not constant_memory, "constant_memory": constant_memory}
    )
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    items = sheets.items() if isinstance(sheets, Mapping) else sheets
    hidden = set(hidden)
    for name, rows in items:
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                elif hasattr(value, "year"):
                    sheet.write_datetime(r, c, value, date_format)
                else:
                    sheet.write(r, c, value)
        if name in hidden:
            sheet.hide()
    workbook.close()
    return output.getvalue()


@pytest.fixture
def write_workbook(tmp_path):
    """Write a workbook from rows into tmp_path; returns its path. See `xlsx_bytes` for the arguments."""

    def write(sheets: Sheets, name: str = "phu-luc.xlsx", **options) -> Path:
        path = tmp_path / name
        path.write_bytes(xlsx_bytes(sheets, **options))
        return path

    return write


def meta_rows(campaign: str, unit: str, kind: str = "unit", version: str = "2026.1") -> list[list[str]]:
    """The `_meta` sheet as the template writes it: key in column A, value in column B."""
    return [
        ["appendix_version", version],
        ["campaign", campaign],
        ["unit", unit],
        ["kind", kind],
        ["generated_at", "2026-05-01T08:00:00+07:00"],
    ]


def sample() -> dict:
    """The expected result of importing the clean sample workbook."""
    return json.loads(SAMPLE_JSON.read_text(encoding="utf-8"))


def sheet_rows(appendix, code: str, records: list[dict], *, title: str | None = None) -> list[list]:
    """A repeating sheet as a template lays it out: a title row, the marked headers, STT and values."""
    sheet = appendix.sheet(code)
    rows: list[list] = [[title or sheet.title.upper()], [c.marked_header for c in sheet.columns]]
    for number, record in enumerate(records, start=1):
        rows.append([number if c.row_number else record.get(c.key) for c in sheet.columns])
    return rows


def general_rows(appendix, values: dict) -> list[list]:
    """B01 as a template lays it out: `#` in A, the label in B, the value in C."""
    sheet = appendix.sheet("B01")
    rows: list[list] = [["THÔNG TIN CHUNG"], ["#", "Nội dung", "Giá trị"]]
    for number, column in enumerate(sheet.data_columns, start=1):
        rows.append([number, column.marked_header, values.get(column.key)])
    return rows


def workbook_sheets(appendix, data: dict) -> list[tuple[str, list[list]]]:
    """All six sheets of a unit's data (the `rasoat dump` shape) laid out as a template would."""
    sheets = [("Thông tin chung", general_rows(appendix, data.get("B01") or {}))]
    for sheet in appendix.repeating_sheets:
        sheets.append((sheet.title, sheet_rows(appendix, sheet.code, data.get(sheet.code) or [])))
    return sheets


# --- LibreOffice headless -----------------------------------------------------------------------

LIBREOFFICE_FILTERS = {
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "xls": "xls:MS Excel 97",
    "ods": "ods:calc8",
}


def soffice_path() -> str | None:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    return "/usr/bin/soffice" if os.path.exists("/usr/bin/soffice") else None


def _missing(reason: str):
    if os.environ.get("RASOAT_REQUIRE_LIBREOFFICE"):
        pytest.fail(f"{reason} (RASOAT_REQUIRE_LIBREOFFICE is set)")
    print(f"SKIPPED: {reason}", file=sys.stderr)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory) -> dict:
    """{"soffice": path, "profile": a private profile directory}; skips when LibreOffice is absent."""
    path = soffice_path()
    if path is None:
        _missing("LibreOffice (soffice) is not installed")
    return {"soffice": path, "profile": tmp_path_factory.mktemp("lo-profile")}


def convert(libreoffice: dict, source: Path, fmt: str, outdir: Path) -> Path:
    """Re-save `source` as `fmt` ("xlsx", "xls", "ods", "pdf") into `outdir` with LibreOffice headless."""
    outdir.mkdir(parents=True, exist_ok=True)
    command = [
        libreoffice["soffice"],
        f"-env:UserInstallation={Path(libreoffice['profile']).as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        LIBREOFFICE_FILTERS.get(fmt, fmt),
        "--outdir",
        str(outdir),
        str(source),
    ]
    completed = subprocess.run(command, capture_output=True, timeout=180, check=False)
    target = outdir / f"{source.stem}.{fmt}"
    if completed.returncode != 0 or not target.exists():
        raise AssertionError(
            f"LibreOffice could not convert {source.name} to {fmt}: "
            f"{completed.stdout.decode(errors='replace')} {completed.stderr.decode(errors='replace')}"
        )
    return target


_UNO_SCRIPT = r"""
import os, signal, subprocess, sys, time, uno
from com.sun.star.beans import PropertyValue

def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p

soffice, profile, pipe, source, target, filter_name, password = sys.argv[1:8]
# A session of its own: soffice starts soffice.bin as a child, and the whole group is ended below.
office = subprocess.Popen([soffice, "-env:UserInstallation=" + profile, "--headless", "--invisible",
                           "--norestore", "--accept=pipe,name=%s;urp;" % pipe],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
desktop = None
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for attempt in range(300):
        try:
            context = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            time.sleep(0.1)
    desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    document = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(source), "_blank", 0, (prop("Hidden", True),))
    document.storeToURL(
        uno.systemPathToFileUrl(target), (prop("FilterName", filter_name), prop("Password", password)))
    document.close(True)
finally:
    try:
        if desktop is not None:
            desktop.terminate()
    except Exception:
        pass
    try:
        office.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(office.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
"""


def save_with_password(libreoffice: dict, source: Path, target: Path, filter_name: str) -> Path:
    """Save `source` protected by a password through LibreOffice's UNO bridge (the system python3).

    Skips when the bridge is unavailable on a developer's machine (it is an extra, real-world check
    beside the synthetic encrypted package that always runs); fails in CI.
    """
    python = shutil.which("python3", path="/usr/bin") or "/usr/bin/python3"
    probe = subprocess.run([python, "-c", "import uno"], capture_output=True, check=False)
    if probe.returncode != 0:
        # .ci/run installs python3-uno, so in CI (RASOAT_REQUIRE_LIBREOFFICE) this fails instead.
        _missing("LibreOffice's Python bridge (uno) is not available to /usr/bin/python3")
    profile = Path(libreoffice["profile"]).parent / f"lo-uno-{uuid.uuid4().hex[:8]}"
    pipe = f"rasoat_{uuid.uuid4().hex[:12]}"
    completed = subprocess.run(
        [python, "-c", _UNO_SCRIPT, libreoffice["soffice"], profile.as_uri(), pipe, str(source), str(target),
         filter_name, "mat-khau"],
        capture_output=True,
        timeout=180,
        check=False,
    )  # fmt: skip
    if completed.returncode != 0 or not target.exists():
        raise AssertionError(
            f"LibreOffice could not save {target.name}: {completed.stderr.decode(errors='replace')}"
        )
    return target


# --- OLE2 compound files --------------------------------------------------------------------------

_END_OF_CHAIN = 0xFFFFFFFE
_FREE = 0xFFFFFFFF
_FAT_SECTOR = 0xFFFFFFFD
_NO_STREAM = 0xFFFFFFFF
_SECTOR = 512


def ole_file(streams: Mapping[str, bytes]) -> bytes:
    """A version-3 OLE2 compound file with `streams` in its root storage.

    Minimal but well-formed where readers look: header, one FAT sector, the directory, and every
    stream in regular sectors (no mini stream, so streams are padded to 4096 bytes).
    """
    items = [(name, data.ljust(4096, b"\0")) for name, data in streams.items()]
    entries = [("Root Entry", 5, _END_OF_CHAIN, 0)]
    directory_sectors = -(-(len(items) + 1) // 4)
    next_sector = 1 + directory_sectors
    chains: list[tuple[int, int]] = []
    for name, data in items:
        count = len(data) // _SECTOR
        entries.append((name, 2, next_sector, len(data)))
        chains.append((next_sector, count))
        next_sector += count
    if next_sector > _SECTOR // 4:
        raise ValueError("too much data for a single FAT sector")

    fat = [_FREE] * (_SECTOR // 4)
    fat[0] = _FAT_SECTOR
    for index in range(directory_sectors):
        fat[1 + index] = 2 + index if index + 1 < directory_sectors else _END_OF_CHAIN
    for start, count in chains:
        for offset in range(count):
            fat[start + offset] = start + offset + 1 if offset + 1 < count else _END_OF_CHAIN

    directory = b""
    for index, (name, kind, start, size) in enumerate(entries):
        encoded = name.encode("utf-16-le") + b"\0\0"
        child = 1 if index == 0 and len(entries) > 1 else _NO_STREAM
        right = index + 1 if 0 < index < len(entries) - 1 else _NO_STREAM
        directory += (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB3I", len(encoded), kind, 1, _NO_STREAM, right, child)
            + b"\0" * 16
            + struct.pack("<IQQIQ", 0, 0, 0, start, size)
        )
    directory = directory.ljust(directory_sectors * _SECTOR, b"\0")
    for index in range(len(entries), directory_sectors * 4):
        # Unused entries: empty name, type 0, no siblings.
        offset = index * 128
        directory = (
            directory[:offset]
            + b"\0" * 64
            + struct.pack("<HBB3I", 0, 0, 0, _NO_STREAM, _NO_STREAM, _NO_STREAM)
            + b"\0" * 48  # CLSID, state bits, two times, start sector and size: 128 bytes in all
            + directory[offset + 128 :]
        )

    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END_OF_CHAIN, 0, _END_OF_CHAIN, 0)
        + struct.pack("<109I", 0, *([_FREE] * 108))
    )
    assert len(header) == _SECTOR
    body = struct.pack(f"<{_SECTOR // 4}I", *fat) + directory + b"".join(data for _name, data in items)
    return header + body

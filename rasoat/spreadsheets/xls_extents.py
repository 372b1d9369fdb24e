"""The extent of every sheet of an .xls, from the BIFF records of its workbook stream (`extents`).

Each sheet's cell records (NUMBER, RK, MULRK, LABEL, LABELSST, RSTRING, BOOLERR, FORMULA) give the
positions, and the DIMENSIONS record is checked too, because calamine reserves memory by it. The
compound file is read with olefile; anything malformed raises ValueError or struct.error, which
`extents.check_extents` reports as a damaged file.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

import olefile

BIFF8_GRID = 65_536 * 256
"""Cells of an .xls sheet at most (65,536 rows × 256 columns)."""
_BOUNDSHEET = 0x0085
_EOF = 0x000A
_DIMENSIONS = 0x0200
_MULRK = 0x00BD
_SINGLE_CELLS = frozenset((0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006))
"""NUMBER, LABEL, RSTRING, BOOLERR, RK, LABELSST, FORMULA: row and column in the first four bytes."""
_STREAMS = ("workbook", "book")


def _records(stream: bytes, position: int) -> Iterator[tuple[int, bytes]]:
    """(type, data) of the BIFF records from `position` up to the end of the stream."""
    length = len(stream)
    while position + 4 <= length:
        kind, size = struct.unpack_from("<HH", stream, position)
        position += 4
        if position + size > length:
            raise ValueError("a record runs past the end of the stream")
        yield kind, stream[position : position + size]
        position += size


def _workbook_stream(data: bytes) -> bytes:
    try:
        with olefile.OleFileIO(data) as ole:
            found = [entry for entry in ole.listdir() if len(entry) == 1 and entry[0].lower() in _STREAMS]
            if len(found) != 1:
                # calamine tries "Workbook", then "Book" (two case spellings each): with more than one
                # candidate the stream it reads is not certain, so nothing is guessed.
                raise ValueError("no single workbook stream")
            return ole.openstream(found[0]).read()
    except ValueError:
        raise
    except Exception as error:  # noqa: BLE001 - olefile meets a malformed file with assorted exceptions
        raise ValueError("unreadable compound file") from error


def check_xls(data: bytes, budget) -> None:
    """Measure every sheet of an .xls into `budget` (`extents.Budget`), refusing past a limit."""
    stream = _workbook_stream(data)
    sheets: list[tuple[int, str]] = []
    for kind, record in _records(stream, 0):
        if kind == _EOF:
            break
        if kind == _BOUNDSHEET and len(record) >= 4:
            sheets.append((struct.unpack_from("<I", record)[0], _xls_sheet_name(record)))
    for position, name in sheets:
        if position > len(stream):
            continue
        measure = budget.sheet(name)
        for kind, record in _records(stream, position):
            if kind == _EOF:
                break
            if kind in _SINGLE_CELLS and len(record) >= 4:
                row, col = struct.unpack_from("<HH", record)
                measure.cell(row, col)
            elif kind == _MULRK and len(record) >= 6:
                row, first = struct.unpack_from("<HH", record)
                count = (len(record) - 6) // 6
                if count:
                    measure.cell(row, first, last_col=first + count - 1)
            elif kind == _DIMENSIONS:
                _check_dimensions(record)
        measure.close()


def _check_dimensions(record: bytes) -> None:
    """calamine reserves rows × columns cells from this record: refuse what no .xls can declare."""
    if len(record) == 10:
        first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", record)
    elif len(record) == 14:
        first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", record)
    else:
        return
    if first_col > 0xFF or last_col < first_col:
        first_col = 0
    if last_row < 1 or last_col < 1:
        return
    rows = (last_row - 1 - first_row + 1) % 2**32
    columns = (last_col - 1 - first_col + 1) % 2**32
    if rows * columns > BIFF8_GRID:
        raise ValueError("DIMENSIONS beyond the grid of an .xls")


def _xls_sheet_name(record: bytes) -> str:
    """The name in a BOUNDSHEET record (BIFF8: length, flags, then Latin-1 or UTF-16 text)."""
    if len(record) < 8:
        return "?"
    length, flags = record[6], record[7]
    text = record[8:]
    try:
        if flags & 0x01:
            return text[: 2 * length].decode("utf-16-le")
        return text[:length].decode("latin-1")
    except UnicodeDecodeError:
        return "?"

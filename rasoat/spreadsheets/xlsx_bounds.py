"""A quick upper bound of where the cells of an .xlsx worksheet part can sit, in compiled code.

`extents` places every cell exactly as python-calamine does by calling Python for every element of
the sheet's XML: for a 10,000-row sheet that is a quarter of a million calls, four times calamine's
own read of the file. Files written by Excel, LibreOffice or XlsxWriter have a plain form for which
a bound needs no call per element: every cell element carries its reference (`r="B12"`). Then the
largest row and column of those references bound every cell that can hold something, and regular
expressions (C loops) find them in one pass over each chunk of the stream.

The bound is sound, not a guess, because it is taken only when the part is in that form, checked on
the raw bytes:

- the part is UTF-8 (or declares no other encoding) and has no document type declaration, so the
  bytes are the characters expat and calamine read, and no entity can add text;
- every start of an element whose name is `c` or ends in `:c` (counted on the raw bytes, a superset:
  the same bytes inside comments, CDATA, processing instructions or text count too) is a `<c r="…"`
  whose first attribute's value is plain letters and a row number, exactly; the first attribute of a
  tag cannot lie inside another's value, and expat, which reads the same bytes, refuses a second `r`
  or anything malformed. Any cell element in another form (no reference, another first attribute,
  a prefix, single quotes, a character reference in it), and the part is measured by `extents`.

Every cell calamine places is then at or before (largest row, largest column): the bound may be
larger than the grid (a cell only formatted counts here), never smaller. `extents` accepts a part
whose bound is within the limits and measures exactly any part whose bound is not, so an honest
file is never refused for its bound.
"""

from __future__ import annotations

import functools
import operator
import re

HEAD = 256
"""How much of a part's start is read to judge its encoding (an XML declaration is shorter)."""
CARRY_LIMIT = 1 << 20
"""A tag longer than this (an attribute value of a megabyte) is left to the exact measure."""

_NAME_ENDS = (b" ", b">", b"/", b"\t", b"\n", b"\r")
"""What follows an element's name in its start tag."""
_CELL_STARTS = tuple(b"<c" + after for after in _NAME_ENDS)
"""How an unprefixed cell element's start tag begins (its name, then white space, `>` or `/`)."""
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
"""The end of a prefixed cell element's name (`x:c`); also found in text, which only makes the
count larger (then the sheet is measured exactly)."""
_STRICT_CELL = re.compile(rb'<c r="([A-Za-z]{1,3})([1-9][0-9]{0,6})"')
"""A cell's start tag whose first attribute is its reference, as Excel, LibreOffice, XlsxWriter and
openpyxl write it; groups: the reference's letters, its row. The closing quote makes the value
exactly that (a character reference or anything else in it, and the tag is not counted here)."""
_LETTERS = operator.itemgetter(0)
_ROW = operator.itemgetter(1)
_DECLARATION = re.compile(rb"<\?xml[^>]*\?>")
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")
_UTF8_BOM = b"\xef\xbb\xbf"


@functools.lru_cache(maxsize=4096)
def column_number(letters: str | bytes) -> int:
    """A, B, …, Z, AA, … as 1, 2, …, 26, 27, … (either case, as calamine reads them)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + (letter if isinstance(letter, int) else ord(letter)) - 64
    return number


def _plain_start(head: bytes) -> bool:
    """Whether the part starts as UTF-8 XML: an optional BOM, then `<`, and an XML declaration
    naming no encoding but UTF-8."""
    if head.startswith(_UTF8_BOM):
        head = head[len(_UTF8_BOM) :]
    if not head.startswith(b"<"):
        return False
    declaration = _DECLARATION.match(head)
    if declaration is None:
        return not head.startswith(b"<?xml")
    encoding = _ENCODING.search(declaration.group())
    return encoding is None or encoding.group(1).lower() in (b"utf-8", b"utf8")


class Bound:
    """Fed the part's bytes chunk by chunk; `result()` gives (rows, columns) or None."""

    def __init__(self):
        self.started = False
        self.head = b""
        self.plain = True
        self.carry = b""
        self.rows = 0
        self.letters: set[bytes] = set()
        self.cells = 0
        self.strict = 0

    def feed(self, chunk: bytes) -> None:
        if not self.plain:
            return
        if not self.started:
            # The start is judged on its first HEAD bytes, however the stream cuts them.
            self.head += chunk
            if len(self.head) >= HEAD:
                self._begin()
            return
        self._take(chunk)

    def _begin(self) -> None:
        chunk, self.head = self.head, b""
        self.started = True
        if _plain_start(chunk[:HEAD]):
            self._take(chunk)
        else:
            self.plain = False

    def _take(self, chunk: bytes) -> None:
        buffer = self.carry + chunk
        # A tag holds no `<`: everything before the last one is whole tags and text.
        cut = buffer.rfind(b"<")
        if cut < 0:
            cut = len(buffer)
        self._scan(buffer[:cut])
        self.carry = buffer[cut:]
        if len(self.carry) > CARRY_LIMIT:
            self.plain = False

    def _scan(self, segment: bytes) -> None:
        if b"<!DOCTYPE" in segment or b"<!ENTITY" in segment:
            self.plain = False
            return
        # bytes.count and a regular expression with a literal prefix: C loops over the bytes.
        self.cells += sum(map(segment.count, _CELL_STARTS))
        if b":c" in segment:
            self.cells += len(_PREFIXED_CELL.findall(segment))
        found = _STRICT_CELL.findall(segment)
        if found:
            # map and set run in C: no Python call per cell.
            self.strict += len(found)
            self.letters.update(map(_LETTERS, found))
            self.rows = max(self.rows, max(map(int, set(map(_ROW, found)))))

    def result(self) -> tuple[int, int] | None:
        """(largest row, largest column) of the cell references, or None when the part is not in
        the plain form (then nothing is known and the part must be measured exactly)."""
        if not self.started and self.head:  # a part shorter than HEAD bytes
            self._begin()
        if self.plain and self.carry:
            self._scan(self.carry + b" ")
            self.carry = b""
        if not self.plain or not self.started or self.cells != self.strict:
            return None
        columns = max(map(column_number, self.letters), default=0)
        return self.rows, columns


def _element_starts(name: bytes) -> tuple[bytes, ...]:
    """The byte sequences that can start an element `name` or `prefix:name` (then white space, `>`
    or `/`): every start of one is among their occurrences, and other text only adds to them."""
    return tuple(mark + name + after for mark in (b"<", b":") for after in _NAME_ENDS)


SHARED_STRING_STARTS = _element_starts(b"si")


def count_bound(chunks, starts: tuple[bytes, ...]) -> int | None:
    """At least the number of elements that `starts` (from `_element_starts`) can begin, in a part
    fed as `chunks` of bytes; None when the part is not plain UTF-8 (then count them exactly).

    Each chunk is counted with the end of the one before it, shorter than any sequence, so a
    sequence across two chunks is counted once and none twice."""
    keep = min(map(len, starts)) - 1
    total = 0
    tail = b""
    head = b""
    started = False
    for chunk in chunks:
        if not started:
            head += chunk
            if len(head) < HEAD:
                continue
            chunk, head, started = head, b"", True
            if not _plain_start(chunk[:HEAD]):
                return None
        if b"<!DOCTYPE" in chunk:
            return None
        window = tail + chunk
        total += sum(map(window.count, starts))
        tail = window[-keep:] if keep else b""
    if head:  # a part shorter than HEAD bytes
        if not _plain_start(head) or b"<!DOCTYPE" in head:
            return None
        total += sum(map(head.count, starts))
    return total

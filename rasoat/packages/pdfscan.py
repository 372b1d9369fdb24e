"""A bounded look at a PDF before pyHanko builds any object of it.

pyHanko (like every PDF library) follows what the file declares: object streams holding millions of
objects, compressed streams that inflate to gigabytes, dictionaries nested thousands deep. This scan
reads the raw bytes once, building nothing, and refuses such files in time proportional to their
size (which the gate has already capped):

- the header `%PDF-` and an `%%EOF` near the end (a truncated or fake PDF is refused);
- the number of indirect objects, and of objects declared inside object streams (`/ObjStm /N`);
- every Flate-compressed stream is inflated chunk by chunk into nothing, counting, up to a total cap
  (the "zip bomb" of PDFs), without keeping the inflated bytes;
- the nesting depth of dictionaries and arrays outside streams;
- encrypted PDFs are refused: their signatures cannot be checked here.
"""

from __future__ import annotations

import re
import zlib

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

INFLATE_CHUNK = 64 * 1024
# "obj" first: a pattern that starts with a literal is searched for fast (a 20 MB file in milliseconds).
_OBJECT = re.compile(rb"obj(?![A-Za-z])")
_WHITESPACE = frozenset(b" \t\r\n\f\x00")
_OBJSTM_N = re.compile(rb"/Type\s*/ObjStm[^>]*?/N\s+(\d+)|/N\s+(\d+)[^>]*?/Type\s*/ObjStm")
_TOKEN = re.compile(rb"<<|>>|\[|\]|\((?:\\.|[^\\()])*\)|stream\r?\n")


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_objects() -> int:
    return _limit("PACKAGE_PDF_MAX_OBJECTS", 100_000)


def max_inflated() -> int:
    return _limit("PACKAGE_PDF_MAX_INFLATED_BYTES", 400 * 1024 * 1024)


def max_depth() -> int:
    return _limit("PACKAGE_PDF_MAX_DEPTH", 64)


def _refuse(filename: str, why: str):
    from rasoat.packages.gate import AttachmentRejected

    return AttachmentRejected(
        _("“%(name)s” is refused: %(why)s. Nothing was stored.") % {"name": filename, "why": why}
    )


def check_pdf(data: bytes, filename: str) -> None:
    """Raise AttachmentRejected unless `data` looks like a PDF of bounded complexity."""
    if b"%%EOF" not in data[-2048:]:
        raise _refuse(filename, _("the PDF file is incomplete or damaged (no end marker)"))
    if re.search(rb"/Encrypt\s", data):
        raise _refuse(filename, _("the PDF is protected by a password or encrypted"))
    # "12 0 obj": whitespace before the keyword ("endobj" has a letter there).
    objects = sum(1 for m in _OBJECT.finditer(data) if m.start() and data[m.start() - 1] in _WHITESPACE)
    for match in _OBJSTM_N.finditer(data):
        objects += int(match.group(1) or match.group(2))
    if objects > max_objects():
        raise _refuse(
            filename,
            _("it declares %(count)d objects, more than the %(limit)d a report may hold")
            % {"count": objects, "limit": max_objects()},
        )
    _check_structure(data, filename)


def _check_structure(data: bytes, filename: str) -> None:
    """Nesting depth outside streams, and the inflated size of every Flate stream."""
    depth = 0
    inflated = 0
    position = 0
    cap = max_inflated()
    while True:
        match = _TOKEN.search(data, position)
        if match is None:
            return
        token = match.group()
        position = match.end()
        if token in (b"<<", b"["):
            depth += 1
            if depth > max_depth():
                raise _refuse(
                    filename,
                    _("its objects are nested deeper than %(limit)d levels") % {"limit": max_depth()},
                )
        elif token in (b">>", b"]"):
            depth = max(0, depth - 1)
        elif token.startswith(b"stream"):
            end = data.find(b"endstream", position)
            stop = end if end >= 0 else len(data)
            header = data[max(0, match.start() - 512) : match.start()]
            if b"/FlateDecode" in header.rsplit(b"obj", 1)[-1]:
                inflated += _inflated_size(data[position:stop], cap - inflated)
                if inflated > cap:
                    raise _refuse(
                        filename,
                        _("its compressed content unpacks to more than %(limit)s")
                        % {"limit": filesizeformat(cap)},
                    )
            position = end + len(b"endstream") if end >= 0 else len(data)
            depth = 0  # a stream ends its object: what follows starts at the top level


def _inflated_size(raw: bytes, budget: int) -> int:
    """The inflated size of a Flate stream, counted without keeping it, stopping past `budget`."""
    inflater = zlib.decompressobj()
    total = 0
    pending = raw
    try:
        while pending and total <= budget:
            chunk = inflater.decompress(pending, INFLATE_CHUNK)
            total += len(chunk)
            pending = inflater.unconsumed_tail
            # At the end of the stream zlib keeps returning nothing (the "\n" before "endstream"
            # stays in unconsumed_tail): stop there, or on any call that made no progress.
            if inflater.eof or not chunk:
                break
    except zlib.error:
        # A damaged stream is pyHanko's to report; it is not a bomb.
        return total
    return total

"""The one gate an attachment passes before anything parses it or stores it.

The type is decided by the first bytes, never by the name: a PDF, a PNG or JPEG picture, a Word or
Excel file (zip-based or the old OLE format). Zip-based office files are checked for their inflated
size and ratio; PDFs go through `pdfscan` (bounded, no object built) before pyHanko reads them.
Every refusal is an `AttachmentRejected` with a Vietnamese message naming the file and the problem.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from rasoat.packages import pdfscan

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OLE = "application/x-ole-storage"  # .doc / .xls: served as a download only

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
INFLATE_CHUNK = 256 * 1024


class AttachmentRejected(Exception):
    """A file refused before it was stored; `message` is for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Checked:
    """What the gate found: the content type to store and serve the file with."""

    content_type: str

    @property
    def is_pdf(self) -> bool:
        return self.content_type == PDF


def max_bytes() -> int:
    return int(getattr(settings, "PACKAGE_MAX_BYTES", 20 * 1024 * 1024))


def max_files() -> int:
    """How many other attachments (besides the report) a unit may keep in one campaign."""
    return int(getattr(settings, "PACKAGE_MAX_FILES", 10))


def max_office_inflated() -> int:
    return int(getattr(settings, "PACKAGE_MAX_INFLATED_BYTES", 100 * 1024 * 1024))


def check_size(size: int, filename: str) -> None:
    """Refuse an empty file or one over the limit, before its bytes are read."""
    if size == 0:
        raise AttachmentRejected(_("“%(name)s” is empty.") % {"name": filename})
    if size > max_bytes():
        raise AttachmentRejected(
            _("“%(name)s” is too large (%(size)s); files up to %(limit)s are accepted.")
            % {"name": filename, "size": filesizeformat(size), "limit": filesizeformat(max_bytes())}
        )


def check_attachment(data: bytes, filename: str, *, report: bool) -> Checked:
    """The file's content type once every check passed; a report must be a PDF."""
    check_size(len(data), filename)
    if data.startswith(b"%PDF-") or data[:1024].lstrip().startswith(b"%PDF-"):
        pdfscan.check_pdf(data, filename)
        return Checked(PDF)
    if report:
        raise AttachmentRejected(
            _("“%(name)s” is not a PDF file (whatever its name says): the signed report must be a PDF.")
            % {"name": filename}
        )
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Checked(PNG)
    if data.startswith(b"\xff\xd8\xff"):
        return Checked(JPEG)
    if data.startswith(OLE_SIGNATURE):
        return Checked(OLE)
    if data.startswith(b"PK\x03\x04"):
        return Checked(_check_office_zip(data, filename))
    raise AttachmentRejected(
        _("“%(name)s” is not a PDF, a picture (PNG, JPEG) or a Word/Excel file.") % {"name": filename}
    )


def _check_office_zip(data: bytes, filename: str) -> str:
    """A .docx or .xlsx: a readable zip whose members inflate within the limit."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise AttachmentRejected(
            _("“%(name)s” is damaged: it cannot be opened.") % {"name": filename}
        ) from None
    if "[Content_Types].xml" not in names:
        raise AttachmentRejected(
            _("“%(name)s” is not a PDF, a picture (PNG, JPEG) or a Word/Excel file.") % {"name": filename}
        )
    cap = max_office_inflated()
    total = 0
    with archive:
        for info in archive.infolist():
            # Declared sizes can lie: inflate for real, counting, and stop at the cap.
            try:
                with archive.open(info) as member:
                    while chunk := member.read(INFLATE_CHUNK):
                        total += len(chunk)
                        if total > cap:
                            raise AttachmentRejected(
                                _("“%(name)s” unpacks to more than %(limit)s: it is refused.")
                                % {"name": filename, "limit": filesizeformat(cap)}
                            )
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
                raise AttachmentRejected(
                    _("“%(name)s” is damaged: it cannot be opened.") % {"name": filename}
                ) from None
    return DOCX if any(n.startswith("word/") for n in names) else XLSX

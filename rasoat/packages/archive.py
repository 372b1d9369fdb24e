"""The zip of a scope's packages, with a manifest: written to a scratch file, then streamed.

Each attachment is copied into the zip in chunks and the zip lives on disk, so memory stays constant
whatever the number of units; the file is removed once the response is closed.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Iterable

from django.utils import timezone

from rasoat import tempfiles
from rasoat.packages import signatures
from rasoat.packages.models import Attachment

CHUNK = 256 * 1024
MANIFEST_HEADER = [
    "Mã đơn vị",
    "Tên đơn vị",
    "Loại tệp",
    "Tệp trong zip",
    "Tên tệp gốc",
    "Người ký",
    "Tổ chức",
    "Thời điểm ký",
    "Kết quả kiểm tra chữ ký",
    "SHA-256",
    "Tải lên lúc",
]


def _member_name(attachment: Attachment) -> str:
    safe = "".join(c if c.isalnum() or c in "._- " else "_" for c in attachment.original_name)
    return f"{attachment.unit.code}/{attachment.pk}-{safe}"


def _manifest_row(attachment: Attachment, member: str) -> list[str]:
    verdict = attachment.verdict or {}
    signers = verdict.get("signatures", [])
    return [
        attachment.unit.code,
        attachment.unit.name,
        attachment.get_kind_display(),
        member,
        attachment.original_name,
        "; ".join(s.get("signer", "") for s in signers),
        "; ".join(s.get("organisation", "") for s in signers),
        "; ".join(s.get("signed_at") or "" for s in signers),
        signatures.label(attachment.status),
        attachment.sha256,
        timezone.localtime(attachment.uploaded_at).strftime("%d/%m/%Y %H:%M"),
    ]


def write_zip(attachments: Iterable[Attachment]):
    """An open scratch file holding the zip (positioned at its start); closing it removes it."""
    handle = tempfile.NamedTemporaryFile(suffix=".zip", dir=tempfiles.process_dir())  # noqa: SIM115 - returned open
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(MANIFEST_HEADER)
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for attachment in attachments:
            member = _member_name(attachment)
            try:
                source = attachment.file.open("rb")
            except FileNotFoundError:
                continue  # a file removed by hand is left out, and not listed
            with source, archive.open(member, "w", force_zip64=True) as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
            writer.writerow(_manifest_row(attachment, member))
        # The manifest is one line per file: small even for a whole province.
        archive.writestr("manifest.csv", "\ufeff" + manifest.getvalue())
    handle.seek(0)
    return handle

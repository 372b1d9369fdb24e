"""An uploaded workbook from its arrival to its import: stored, read once, the result kept with the
checksum of the bytes that were read.

The states (`Upload.State`) are what keeps a failure from ever looking like success:

- `receive` stores the file as `reading`, then reads it. Only a read that went to the end makes it
  `pending`, with the preview's result in `summary` and the SHA-256 of the bytes read in `sha256`,
  in one save. A file the reader refuses is deleted (the form says why); any other failure, the save
  of the result included, marks it `failed`.
- A worker killed mid-read leaves `reading` behind: `expire_interrupted` turns a `reading` upload
  older than UPLOAD_READ_TIMEOUT seconds (default 300, above the server's request timeout) into
  `failed` the next time anyone looks at it.
- A result without error is also kept whole (each unit's normalised data) beside the file (`kept`).
- Confirming needs `Upload.checked_without_errors`, loads the file through `verified_bytes` (whose
  checksum must be the one the preview was computed from), applies the kept result when it is tied to
  that checksum (`kept_result`; the file is read again only when it is not) and imports under a lock
  of the upload's row (`importer.apply_import`), so that two confirmations at once import once.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import PurePath
from uuid import uuid4

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError
from django.utils import timezone

from rasoat.spreadsheets.errors import WorkbookRejected
from rasoat.text_controls import strip_controls, visible_in
from rasoat.workbooks import kept
from rasoat.workbooks.models import Upload
from rasoat.workbooks.reading.results import WorkbookImport

logger = logging.getLogger(__name__)

ACCEPTED_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
SHOWN_ISSUES_MAX = 1000
"""Issues kept in the summary (and shown) per kind; the error workbook always holds them all."""

READ_FAILED = "read_failed"
INTERRUPTED = "interrupted"
CHANGED = "changed"


class ReadFailed(Exception):
    """Reading a stored upload failed for a reason that is not the file's (a reader bug, the database
    refusing the result); the upload is `failed`."""


class UploadChanged(Exception):
    """The stored file is not the one whose result the preview showed (its checksum differs)."""


def read_timeout() -> int:
    return int(getattr(settings, "UPLOAD_READ_TIMEOUT", 300))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stored_bytes(upload: Upload) -> bytes:
    """The stored file's bytes; FileNotFoundError when it is gone from the storage."""
    if not upload.file:
        raise FileNotFoundError(upload.pk)
    try:
        with upload.file.open("rb") as handle:
            return handle.read()
    except ValueError:
        raise FileNotFoundError(upload.pk) from None


def verified_bytes(upload: Upload) -> bytes:
    """The stored bytes, checked against the checksum kept with the preview's result."""
    data = stored_bytes(upload)
    if not upload.sha256 or sha256(data) != upload.sha256:
        raise UploadChanged(upload.pk)
    return data


def kept_result(upload: Upload, data: bytes) -> WorkbookImport | None:
    """The preview's result of `upload` when it was read from exactly `data`; None to read again."""
    return kept.load(upload, sha256(data))


def cancel(upload: Upload) -> None:
    """Delete the file of a pending or failed upload, and its kept result; it becomes `cancelled`."""
    kept.drop(upload)
    if upload.file:
        upload.file.delete(save=False)
    upload.state = Upload.State.CANCELLED
    upload.save(update_fields=["state", "file"])


def summarize(result: WorkbookImport) -> dict:
    """What the preview shows, kept on the upload: the `rasoat import` JSON (issues capped) plus the
    per-sheet table and per-unit counts. Control characters a file held are shown as their pictures
    (NUL as ␀): PostgreSQL stores no NUL in a JSON column."""
    summary = result.as_json()
    summary.update(
        {
            "commune": bool(getattr(result, "commune", False)),
            "errors": [_issue(i) for i in result.errors[:SHOWN_ISSUES_MAX]],
            "warnings": [_issue(i) for i in result.warnings[:SHOWN_ISSUES_MAX]],
            "error_count": len(result.errors),
            "warning_count": len(result.warnings),
            "sheets": result.sheets,
            "unit_rows": {u.unit_code: dict(u.rows) for u in result.units},
        }
    )
    # The reader's values are JSON already; the encoder only guards against a stray Decimal or date.
    return visible_in(json.loads(json.dumps(summary, cls=DjangoJSONEncoder)))


def _issue(issue) -> dict:
    item = issue.as_json(with_unit=True)
    item["sheet_code"] = issue.sheet_code
    return item


def clean_name(name: str) -> str:
    """The user's file name as text to keep: its last part, no control character, 255 characters."""
    return strip_controls(PurePath(name or "").name)[:255] or "tep"


def receive(
    uploaded,
    *,
    campaign,
    unit,
    user,
    read: Callable[[bytes], WorkbookImport],
    compare: Callable[[WorkbookImport], list[dict] | None] | None = None,
) -> Upload:
    """Store `uploaded` (a Django file) for `unit` and read it with `read`; returns the pending upload.

    `compare` (`changes.compare` bound to the units' assignments) adds what the import would change
    to the summary, as `summary["changes"]`, computed now against the units' data of this moment.

    Raises WorkbookRejected (the file is refused; nothing is kept) or ReadFailed (the upload is kept
    as `failed`, its reason in the log).
    """
    extension = PurePath(uploaded.name or "").suffix.lower()
    upload = Upload(
        campaign=campaign,
        unit=unit,
        original_name=clean_name(uploaded.name),
        size=uploaded.size,
        uploaded_by=user,
        state=Upload.State.READING,
    )
    # A generated name on disk: the user's file name is kept only as text.
    extension = extension if extension in ACCEPTED_EXTENSIONS else ""
    upload.file.save(f"{uuid4().hex}{extension}", uploaded, save=False)
    upload.save()
    try:
        data = stored_bytes(upload)
        result = read(data)
        summary = summarize(result)
        if compare is not None:
            summary["changes"] = visible_in(compare(result))
        digest = sha256(data)
        # Confirming applies this result instead of reading the file again (`kept`).
        summary[kept.SUMMARY_KEY] = kept.keep(upload, result, digest)
    except WorkbookRejected:
        discard(upload)
        raise
    except Exception as error:
        logger.exception("reading upload %s (%s) failed", upload.pk, upload.original_name)
        mark_failed(upload, READ_FAILED)
        raise ReadFailed(upload.pk) from error
    upload.summary = summary
    upload.sha256 = digest
    upload.state = Upload.State.PENDING
    try:
        upload.save(update_fields=["summary", "sha256", "state"])
    except DatabaseError as error:
        logger.exception("storing the result of upload %s failed", upload.pk)
        kept.drop(upload, summary)
        mark_failed(upload, READ_FAILED)
        raise ReadFailed(upload.pk) from error
    return upload


def discard(upload: Upload) -> None:
    """Delete an upload and its file (a refused file leaves nothing behind)."""
    kept.drop(upload)
    if upload.file:
        upload.file.delete(save=False)
    upload.delete()


def mark_failed(upload: Upload, reason: str) -> None:
    """The upload can never be imported; `reason` (READ_FAILED, INTERRUPTED, CHANGED) is kept for the
    preview. An imported or cancelled upload is left as it is."""
    summary = {"failure": reason}
    kept.drop(upload)
    Upload.objects.filter(pk=upload.pk, state__in=[Upload.State.READING, Upload.State.PENDING]).update(
        state=Upload.State.FAILED, summary=summary, sha256=""
    )
    upload.refresh_from_db(fields=["state", "summary", "sha256"])


def expire_interrupted(upload: Upload) -> Upload:
    """A `reading` upload older than the read timeout was abandoned by a worker that died: failed."""
    if upload.state == Upload.State.READING:
        deadline = timezone.now() - timedelta(seconds=read_timeout())
        if upload.uploaded_at <= deadline:
            mark_failed(upload, INTERRUPTED)
    return upload


def expire_all_interrupted() -> int:
    """Every abandoned `reading` upload becomes failed (for a periodic job); returns how many."""
    deadline = timezone.now() - timedelta(seconds=read_timeout())
    return Upload.objects.filter(state=Upload.State.READING, uploaded_at__lte=deadline).update(
        state=Upload.State.FAILED, summary={"failure": INTERRUPTED}
    )

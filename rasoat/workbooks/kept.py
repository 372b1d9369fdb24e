"""The preview's validated result kept with the upload, so that confirming does not read the file again.

Reading a large workbook is most of an import's time; the preview has already read and validated it.
When the preview found no error, the normalised data of each unit is written beside the stored file
(`<file>.result.json`, in the same storage, so every web machine sharing the uploads sees it) and the
summary records what it is tied to:

- `source`: the SHA-256 of the workbook bytes it was read from (also `Upload.sha256`);
- `context`: a digest of everything else the reader depended on — the campaign's appendix version and
  reference date, and the code, name, block and level of the unit (and of a commune's units);
- `sha256`: the checksum of the result file itself, kept in the database row, so that a result file
  changed on disk is never trusted.

`load` returns the result only when all three still hold; otherwise (a file missing, altered, or a
unit renamed since the preview) the caller reads the workbook again. Values keep their exact types
through JSON (Decimals, dates) so that the stored data equals what a new read would produce.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile

from rasoat.orgs.models import Kind, Unit
from rasoat.workbooks.reading.results import UnitImport, WorkbookImport

logger = logging.getLogger(__name__)

FORMAT = 1
SUMMARY_KEY = "kept"
SUFFIX = ".result.json"


# --- values with their types through JSON ----------------------------------------------------------


def _encode(value: Any) -> Any:
    # datetime before date: a datetime is a date too.
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    raise TypeError(f"cannot keep a {type(value).__name__} in an upload's result")


DECODERS = {
    "$decimal": Decimal,
    "$datetime": datetime.fromisoformat,
    "$date": date.fromisoformat,
    "$time": time.fromisoformat,
}


def _decode(item: dict) -> Any:
    if len(item) == 1:
        [(key, text)] = item.items()
        if key in DECODERS:
            return DECODERS[key](text)
    return item


def dumps(payload: dict) -> bytes:
    return json.dumps(payload, default=_encode, ensure_ascii=False, separators=(",", ":")).encode()


def loads(content: bytes) -> dict:
    return json.loads(content, object_hook=_decode)


# --- what the read depended on ---------------------------------------------------------------------


def context_digest(campaign, unit: Unit) -> str:
    """A digest of what reading a workbook for `unit` depends on besides its bytes."""
    units = [unit]
    if unit.kind == Kind.COMMUNE:
        units += list(Unit.objects.filter(commune=unit).exclude(pk=unit.pk).order_by("code"))
    described = [
        str(campaign.appendix_version),
        campaign.reference_date.isoformat(),
        *[[u.code, u.name, u.block or "", u.level or ""] for u in units],
    ]
    return hashlib.sha256(json.dumps(described, ensure_ascii=False).encode()).hexdigest()


# --- keep, load, drop ------------------------------------------------------------------------------


def result_name(upload) -> str:
    return f"{upload.file.name}{SUFFIX}"


def keep(upload, result: WorkbookImport, source: str) -> dict | None:
    """Write `result` (read from bytes whose SHA-256 is `source`) beside the upload's file; returns what
    goes into the summary under SUMMARY_KEY, or None when there is nothing to keep (errors)."""
    if result.errors or not upload.file:
        return None
    payload = {
        "format": FORMAT,
        "source": source,
        "commune": bool(result.commune),
        "rows": dict(result.rows),
        "units": [{"unit_code": u.unit_code, "rows": dict(u.rows), "data": u.data} for u in result.units],
    }
    content = dumps(payload)
    storage = upload.file.storage
    try:
        saved = storage.save(result_name(upload), ContentFile(content))
    except OSError:
        # Not keeping it only costs a second read at confirmation.
        logger.warning("upload %s: its result could not be kept", upload.pk, exc_info=True)
        return None
    return {
        "name": saved,
        "sha256": hashlib.sha256(content).hexdigest(),
        "source": source,
        "context": context_digest(upload.campaign, upload.unit),
    }


def load(upload, source: str) -> WorkbookImport | None:
    """The kept result of `upload` if it was read from bytes with checksum `source` under the same
    context and its file is intact; None otherwise (the caller reads the workbook again)."""
    kept = (upload.summary or {}).get(SUMMARY_KEY)
    if not isinstance(kept, dict) or kept.get("source") != source or not upload.file:
        return None
    if kept.get("context") != context_digest(upload.campaign, upload.unit):
        return None
    try:
        with upload.file.storage.open(kept["name"], "rb") as handle:
            content = handle.read()
    except (OSError, KeyError, ValueError):
        return None
    if hashlib.sha256(content).hexdigest() != kept.get("sha256"):
        logger.warning("upload %s: its kept result does not match its checksum; reading again", upload.pk)
        return None
    payload = loads(content)
    if payload.get("format") != FORMAT or payload.get("source") != source:
        return None
    return WorkbookImport(
        units=[
            UnitImport(unit_code=u["unit_code"], data=u["data"], rows=u["rows"]) for u in payload["units"]
        ],
        errors=[],
        warnings=[],
        ignored={},
        unknown_columns=[],
        sheets=[],
        rows=payload["rows"],
        commune=payload["commune"],
    )


def drop(upload, summary: dict | None = None) -> None:
    """Delete the kept result file of `upload` (named in `summary`, default its own), if any."""
    kept = (summary if summary is not None else upload.summary or {}).get(SUMMARY_KEY)
    if not isinstance(kept, dict) or not upload.file:
        return
    try:
        upload.file.storage.delete(kept["name"])
    except (OSError, KeyError):
        logger.warning("upload %s: its kept result could not be deleted", upload.pk, exc_info=True)

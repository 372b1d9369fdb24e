"""An attachment as the pages show it: the badge of its stored verdict, its signers, its submissions."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from rasoat.packages import signatures
from rasoat.packages.models import Attachment

BADGE_CLASSES = {
    signatures.VALID: "text-bg-success",
    signatures.UNTRUSTED: "text-bg-warning",
    signatures.EXPIRED: "text-bg-warning",
    signatures.MODIFIED: "text-bg-danger",
    signatures.UNSIGNED: "text-bg-secondary",
}


def _when(value: str | None):
    if not value:
        return None
    try:
        return timezone.localtime(dt.datetime.fromisoformat(value))
    except ValueError:
        return None


def present(attachment: Attachment) -> dict:
    """What the templates read; the verdict is the stored one, never recomputed here."""
    verdict = attachment.verdict or {}
    links = getattr(attachment, "_prefetched_objects_cache", {}).get("snapshot_links")
    snapshots = [link.snapshot for link in links] if links is not None else []
    return {
        "attachment": attachment,
        "status": attachment.status,
        "label": signatures.label(attachment.status),
        "badge": BADGE_CLASSES.get(attachment.status, "text-bg-light"),
        "signatures": [
            {
                **s,
                "signed_at_local": _when(s.get("signed_at")),
                "label": signatures.label(s.get("status", "")),
                "badge": BADGE_CLASSES.get(s.get("status", ""), "text-bg-light"),
            }
            for s in verdict.get("signatures", [])
        ],
        "snapshots": sorted(snapshots, key=lambda s: s.created_at),
    }

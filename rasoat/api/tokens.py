"""Making, finding and revoking personal access tokens; auditing their creation, use and revocation.

Use is audited at most once per token per hour (`USE_AUDIT_INTERVAL`), not per request: a script
polling the dashboard every few seconds would otherwise write tens of thousands of identical
entries a day and bury the state changes the audit log exists for. What a token *changes* is
audited anyway, entry by entry, by the services it calls (with the token's user as the actor).
`last_used_at` is likewise written at most once a minute, so reading through the API does not turn
every GET into a database write.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from rasoat.api.models import PersonalAccessToken
from rasoat.audit.services import log

TOKEN_PREFIX = "rst_"
PREFIX_LENGTH = 12
"""How much of a secret is kept in clear, to recognise a token in lists (`prefix`)."""
USE_AUDIT_INTERVAL = datetime.timedelta(hours=1)
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
MAX_DAYS = 3650


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_token(
    user,
    name: str,
    *,
    can_write: bool = False,
    days: int | None = None,
    actor=None,
    address: str | None = None,
) -> tuple[PersonalAccessToken, str]:
    """Make a token for `user`; returns it and its secret, which is never stored and never shown again.

    `days` (1..3650) makes it expire that many days from now; None means it does not expire.
    """
    name = (name or "").strip()
    if not name:
        raise ValueError("a token needs a name")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(30)
    expires_at = timezone.now() + datetime.timedelta(days=days) if days else None
    with transaction.atomic():
        token = PersonalAccessToken.objects.create(
            user=user,
            name=name[:100],
            prefix=raw[:PREFIX_LENGTH],
            digest=digest(raw),
            can_write=can_write,
            expires_at=expires_at,
        )
        log(
            actor if actor is not None else user,
            "api_token.created",
            token,
            {
                "name": [None, token.name],
                "user": [None, user.get_username()],
                "can_write": [None, can_write],
                "expires_at": [None, expires_at.isoformat() if expires_at else None],
            },
            address=address,
        )
    return token, raw


def revoke_token(token: PersonalAccessToken, *, actor=None, address: str | None = None) -> bool:
    """Revoke a token (at once, for every later request); False when it was already revoked."""
    with transaction.atomic():
        locked = PersonalAccessToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return False
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        log(actor, "api_token.revoked", locked, {"revoked_at": [None, locked.revoked_at.isoformat()]},
            address=address, note=locked.name)  # fmt: skip
    token.revoked_at = locked.revoked_at
    return True


def find_token(raw: str) -> PersonalAccessToken | None:
    """The active token whose secret is `raw` (with its active user), or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = PersonalAccessToken.objects.select_related("user").filter(digest=digest(raw)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    return token


def note_use(token: PersonalAccessToken, address: str | None) -> None:
    """Remember when and from where the token was used; audit it at most once per interval."""
    now = timezone.now()
    fields: dict = {}
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        fields.update(last_used_at=now, last_used_from=address)
    audit = token.last_audited_at is None or now - token.last_audited_at >= USE_AUDIT_INTERVAL
    if audit:
        fields["last_audited_at"] = now
    if not fields:
        return
    with transaction.atomic():
        # Conditional update: of several processes noticing the same hour at once, one writes the entry.
        queryset = PersonalAccessToken.objects.filter(pk=token.pk)
        if audit:
            queryset = queryset.filter(last_audited_at=token.last_audited_at)
        updated = queryset.update(**fields)
        if audit and updated:
            log(token.user, "api_token.used", token, {}, address=address, note=token.name)
    for name, value in fields.items():
        setattr(token, name, value)

"""Writing audit entries: `log(actor, action, obj, changes)`, called inside the change's transaction."""

from typing import Any

from django.db import models

from rasoat.audit.models import AuditEntry
from rasoat.client_ip import client_address
from rasoat.orgs.models import Unit


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    return str(value)


def diff_fields(before: dict, after: dict) -> dict[str, list]:
    """The fields whose values differ, as {field: [old, new]}."""
    keys = list(dict.fromkeys([*before, *after]))
    return {
        k: [_jsonable(before.get(k)), _jsonable(after.get(k))] for k in keys if before.get(k) != after.get(k)
    }


def log(
    actor,
    action: str,
    obj: models.Model | None = None,
    changes: dict | None = None,
    *,
    unit: Unit | None = None,
    address: str | None = None,
    note: str = "",
) -> AuditEntry:
    """Record one change. `unit` scopes who may read the entry; it defaults to `obj.unit` or `obj` itself."""
    if unit is None and obj is not None:
        unit = obj if isinstance(obj, Unit) else getattr(obj, "unit", None)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if authenticated else None,
        actor_name=(actor.get_username() if authenticated else "system"),
        address=address,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        unit=unit,
        changes=_jsonable(changes or {}),
        note=note,
    )


def log_request(request, action: str, obj: models.Model | None = None, changes: dict | None = None, **kwargs):
    """`log` with the actor and address taken from a request."""
    return log(request.user, action, obj, changes, address=client_address(request), **kwargs)

"""Finding appendix versions: the shipped 2026.1 in code, every other in the database.

Each process keeps the Appendix it built from a stored definition and rebuilds it when the row's
`revision` has moved on (an administrator edited an unfrozen version in another process), at the
cost of one indexed query per lookup. 2026.1 needs no query at all.
"""

from __future__ import annotations

import threading

from .definition import build_appendix, definition_of
from .spec import Appendix, UnknownAppendixVersion
from .v2026_1 import APPENDIX as APPENDIX_2026_1

BUILTIN: dict[str, Appendix] = {APPENDIX_2026_1.version: APPENDIX_2026_1}
"""Versions written in code; they are never stored and never change."""

STORAGE_VERSION = "2026.1"
"""The version whose columns the inventory tables hold as typed columns (`inventory.storage`)."""

DEFAULT_VERSION = "2026.2"
"""The version a new campaign gets unless told otherwise (falls back to 2026.1 when not loaded)."""

_cache: dict[str, tuple[tuple, Appendix]] = {}
_lock = threading.Lock()


def get_appendix(code: str) -> Appendix:
    """The appendix of a version; UnknownAppendixVersion when there is none by that code."""
    builtin = BUILTIN.get(code)
    if builtin is not None:
        return builtin
    from .models import AppendixVersion

    # The row's id and update time too: a version deleted and made again starts at revision 1 again.
    stamp = AppendixVersion.objects.filter(code=code).values_list("pk", "revision", "updated_at").first()
    if stamp is None:
        raise UnknownAppendixVersion(f"unknown appendix version {code!r}")
    cached = _cache.get(code)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    stored = AppendixVersion.objects.filter(code=code).first()
    if stored is None:
        raise UnknownAppendixVersion(f"unknown appendix version {code!r}")
    appendix = build_appendix(stored.code, stored.title, stored.definition)
    with _lock:
        _cache[code] = ((stored.pk, stored.revision, stored.updated_at), appendix)
    return appendix


def clear_cache() -> None:
    """Forget every built version (tests that recreate the database call it)."""
    with _lock:
        _cache.clear()


def exists(code: str) -> bool:
    from .models import AppendixVersion

    return code in BUILTIN or AppendixVersion.objects.filter(code=code).exists()


def all_codes() -> list[str]:
    """Every version's code: the built-in ones first, then the stored ones by code."""
    from .models import AppendixVersion

    return [*BUILTIN, *AppendixVersion.objects.values_list("code", flat=True)]


def version_choices() -> list[tuple[str, str]]:
    """(value, label) pairs for a form field choosing the version: "2026.2 — title"."""
    from .models import AppendixVersion

    choices = [(code, f"{code} — Phụ lục theo PHU_LUC.md") for code in BUILTIN]
    choices += [(v.code, f"{v.code} — {v.title}") for v in AppendixVersion.objects.order_by("code")]
    return choices


def default_version() -> str:
    """The version new campaigns get: 2026.2 once `rasoat init` loaded it, else 2026.1."""
    return DEFAULT_VERSION if exists(DEFAULT_VERSION) else STORAGE_VERSION


def definition_for(code: str):
    """The definition of any version (stored ones as stored, built-in ones derived from code)."""
    from .models import AppendixVersion

    if code in BUILTIN:
        return definition_of(BUILTIN[code])
    stored = AppendixVersion.objects.filter(code=code).first()
    if stored is None:
        raise UnknownAppendixVersion(f"unknown appendix version {code!r}")
    return stored.definition

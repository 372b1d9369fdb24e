"""The registry of appendix versions: each campaign is pinned to one and reads its data through it.

The building blocks live in `spec`, the sheets of each version in their own module (`v2026_1`).
"""

from __future__ import annotations

from .spec import (
    Appendix,
    Column,
    ColumnType,
    Context,
    Issue,
    Sheet,
    UnitInfo,
    UnknownAppendixVersion,
)
from .v2026_1 import APPENDIX as APPENDIX_2026_1

__all__ = [
    "APPENDIX_VERSIONS",
    "CURRENT_VERSION",
    "Appendix",
    "Column",
    "ColumnType",
    "Context",
    "Issue",
    "Sheet",
    "UnitInfo",
    "UnknownAppendixVersion",
    "get_appendix",
    "version_choices",
]

APPENDIX_VERSIONS: dict[str, Appendix] = {APPENDIX_2026_1.version: APPENDIX_2026_1}
"""Every version ever used by a campaign; a version is never edited once a campaign used it."""

CURRENT_VERSION = "2026.1"
"""The version new campaigns get."""


def get_appendix(version: str) -> Appendix:
    """The appendix a campaign is pinned to; UnknownAppendixVersion for a version not declared."""
    try:
        return APPENDIX_VERSIONS[version]
    except KeyError:
        raise UnknownAppendixVersion(f"unknown appendix version {version!r}") from None


def version_choices() -> list[tuple[str, str]]:
    """(value, label) pairs for a model or form field choosing the version."""
    return [(version, version) for version in APPENDIX_VERSIONS]

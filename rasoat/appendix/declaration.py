"""The entry point to the appendix: each campaign is pinned to one version and reads its data through it.

The building blocks live in `spec`, the shipped 2026.1 in `v2026_1`, versions defined as data in
`definition` and the database (`versions`).
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
from .versions import DEFAULT_VERSION, STORAGE_VERSION, get_appendix, version_choices

__all__ = [
    "DEFAULT_VERSION",
    "STORAGE_VERSION",
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

"""Appendix 2026.2 for tests: its definition, made by scripts/build_appendix_2026_2.py, stored.

The test session loads the shipped workbook (`ensure_shipped()`), so `stored_version()` finds it
there; a test database without it (a test that emptied the table) gets the script's definition
stored as `rasoat init` would (get_or_create).
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "build_appendix_2026_2.py"
CODE = "2026.2"


@cache
def script():
    """The build script as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("build_appendix_2026_2", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def definition() -> dict:
    return script().definition()


def stored_version():
    """The AppendixVersion 2026.2 in the test database (created from the script when not loaded)."""
    from rasoat.appendix.models import AppendixVersion

    version, _created = AppendixVersion.objects.get_or_create(
        code=CODE, defaults={"title": script().TITLE, "definition": definition(), "shipped": True}
    )
    return version

"""Scratch folders for temporary files, one per process, cleaned once the process is gone.

A constant-memory export writes each sheet to temporary files before assembling the workbook, an
upload past the in-memory size is spooled to disk, a PDF conversion works in a folder of its own:
all of them hold unit data. A worker killed in the middle (a timeout, the OOM killer, kill -9) never
runs its clean-up, so nothing of it may stay in /tmp. Every such file goes under

    TEMP_ROOT/<pid>-<process start time>/        (TEMP_ROOT: setting, default VAR_DIR/tmp)

created on first use, readable by the owner only. `sweep()` removes the folders whose process is no
longer running (the start time tells a reused pid from the original process); it runs when the
application starts in any process (`RasoatConfig.ready`: a gunicorn worker that replaces a killed
one cleans up after it), before `rasoat serve` starts gunicorn, and is meant to be called by the
background job worker between jobs. `scratch()` gives a job a folder of its own inside its process's
folder, removed when the job ends, even on error.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

_current: tuple[int, Path] | None = None
"""(pid, folder) of this process, so that a forked child makes a folder of its own."""


def root() -> Path:
    return Path(getattr(settings, "TEMP_ROOT", Path(settings.VAR_DIR) / "tmp"))


def _start_time(pid: int) -> str | None:
    """When the process started, in clock ticks since boot (Linux /proc); None when unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: count fields after its last ")".
    fields = stat[stat.rfind(b")") + 2 :].split()
    return fields[19].decode() if len(fields) > 19 else None


def _folder_name(pid: int) -> str:
    return f"{pid}-{_start_time(pid) or 0}"


def process_dir() -> Path:
    """This process's scratch folder (created on first use)."""
    global _current
    pid = os.getpid()
    base = root()
    if _current is None or _current[0] != pid or _current[1].parent != base or not _current[1].is_dir():
        folder = base / _folder_name(pid)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        _current = (pid, folder)
    return _current[1]


@contextlib.contextmanager
def scratch(prefix: str = "job-") -> Iterator[Path]:
    """A fresh folder inside this process's scratch folder, removed when the block ends."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=process_dir()))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _is_running(pid: int, started: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # a process of another user: alive
    if started == "0":
        return True
    return _start_time(pid) in (None, started)


def sweep() -> list[Path]:
    """Remove the scratch folders of processes that are no longer running; returns what was removed.

    Safe to run from several processes at once: a folder is removed only when its process is gone,
    and a folder being removed by another sweep is simply skipped.
    """
    base = root()
    removed: list[Path] = []
    try:
        entries = list(base.iterdir())
    except FileNotFoundError:
        return removed
    for entry in entries:
        pid_text, _, started = entry.name.partition("-")
        if not pid_text.isdigit() or not entry.is_dir() or entry.is_symlink():
            continue
        if _is_running(int(pid_text), started or "0"):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        if not entry.exists():
            removed.append(entry)
    return removed

"""Temporary files of a process that dies are removed at the next start (issue 8, failure 8).

A worker killed during an export left XlsxWriter's temporary files, with unit data, in /tmp. Here a
real process writes a large constant-memory workbook through rasoat's writer (the one the
consolidated export uses), is killed with SIGKILL while its temporary files are on disk, and the
start-up of the next process removes them; nothing went to the system's temporary folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rasoat import tempfiles
from tests.core.test_serve import ROOT

_EXPORTER = r"""
import django, sys
django.setup()
from rasoat import tempfiles
from rasoat.workbooks.xlsx import new_workbook, write_row

workbook = new_workbook(sys.argv[1], constant_memory=True)
sheets = [workbook.add_worksheet(name) for name in ("B02", "B03", "B04", "B05", "B06")]
row = 0
while True:  # until killed: a province's worth of rows and more
    for sheet in sheets:
        write_row(sheet, row, [f"X.{row:05d}.UB", "Ủy ban nhân dân xã", "Máy tính", row, 2020 + row % 6])
    row += 1
    if row == 20000:
        print(tempfiles.process_dir(), flush=True)
"""


@pytest.fixture
def environment(tmp_path):
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rasoat.settings",
        "RASOAT_VAR_DIR": str(tmp_path / "var"),
        "RASOAT_TEMP_DIR": str(tmp_path / "scratch"),
        "TMPDIR": str(system_tmp),
    }


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def test_a_worker_killed_during_an_export_leaves_nothing_after_restart(tmp_path, environment):
    target = tmp_path / "tong-hop.xlsx"
    exporter = subprocess.Popen(
        [sys.executable, "-c", _EXPORTER, str(target)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        folder = Path(exporter.stdout.readline().strip())
        assert folder.parent == tmp_path / "scratch", exporter.stderr.read() if not folder.name else folder
        # The export is under way: XlsxWriter's temporary files, with the rows, are in its folder.
        assert (
            len(files_under(folder)) >= 5 and sum(p.stat().st_size for p in files_under(folder)) > 1_000_000
        )
        exporter.send_signal(signal.SIGKILL)
        exporter.wait(timeout=30)
    finally:
        if exporter.poll() is None:
            exporter.kill()
            exporter.wait(timeout=30)
    assert exporter.returncode == -signal.SIGKILL
    assert files_under(folder)  # nothing cleaned itself up

    # The next process to start (a gunicorn worker, a command) sweeps on start-up.
    started = subprocess.run(
        [sys.executable, "-m", "rasoat.cli", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        timeout=120,
    )
    assert started.returncode == 0, started.stderr
    assert not folder.exists()
    assert files_under(tmp_path / "scratch") == []
    assert files_under(tmp_path / "system-tmp") == []
    assert not target.exists()


def test_sweep_keeps_the_folders_of_running_processes(settings, tmp_path):
    settings.TEMP_ROOT = tmp_path / "scratch"
    mine = tempfiles.process_dir()
    (mine / "export.tmp").write_bytes(b"rows")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        alive = settings.TEMP_ROOT / tempfiles._folder_name(sleeper.pid)
        alive.mkdir()
        dead = settings.TEMP_ROOT / "999999999-1"  # no such process
        dead.mkdir()
        (dead / "left.tmp").write_bytes(b"rows")
        reused = settings.TEMP_ROOT / f"{os.getpid()}-1"  # this pid, but another process's start time
        reused.mkdir()
        other = settings.TEMP_ROOT / "not-a-process"
        other.mkdir()
        removed = tempfiles.sweep()
        assert sorted(removed) == sorted([dead, reused])
        assert mine.exists() and alive.exists() and other.exists()
    finally:
        sleeper.kill()
        sleeper.wait()
    time.sleep(0.1)
    assert alive in tempfiles.sweep()


def test_a_scratch_folder_is_removed_even_when_the_job_fails(settings, tmp_path):
    settings.TEMP_ROOT = tmp_path / "scratch"
    with pytest.raises(RuntimeError), tempfiles.scratch() as folder:
        (folder / "part.tmp").write_bytes(b"data")
        raise RuntimeError("the job failed")
    assert not folder.exists() and folder.parent == tempfiles.process_dir()


def test_the_pdf_conversion_works_in_the_scratch_folder(settings, tmp_path):
    import io
    import shutil

    import docx

    from rasoat.reports.render import docx_to_pdf
    from tests.reports.conftest import SOFFICE, require_tool

    settings.REPORTS_SOFFICE = require_tool(
        SOFFICE if Path(SOFFICE).exists() else shutil.which("soffice"), "LibreOffice"
    )
    settings.TEMP_ROOT = tmp_path / "scratch"
    document = docx.Document()
    document.add_paragraph("Báo cáo thử")
    buffer = io.BytesIO()
    document.save(buffer)
    pdf = docx_to_pdf(buffer.getvalue())
    assert pdf.startswith(b"%PDF")
    assert files_under(tmp_path / "scratch") == []

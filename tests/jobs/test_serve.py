"""`rasoat serve` (what `make run` starts) runs one job worker beside gunicorn on a fresh SQLite
installation, and stops it with itself."""

from __future__ import annotations

import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.core.test_serve import RASOAT, ROOT, free_port
from tests.jobs.conftest import wait_for


def children(pid: int) -> list[int]:
    """Direct children of a process (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(child) for child in text)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purpose.
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()


def test_serve_starts_a_job_worker_and_stops_it_with_itself(tmp_path):
    env = {**os.environ, "RASOAT_VAR_DIR": str(tmp_path), "HOST": "127.0.0.1", "PORT": str(free_port())}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    init = subprocess.run([*RASOAT, "init"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert init.returncode == 0, init.stderr
    proc = subprocess.Popen(
        [*RASOAT, "serve", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{env['PORT']}"

        def serving() -> bool:
            try:
                urllib.request.urlopen(base + "/dang-nhap/", timeout=2)
                return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                return False

        wait_for(serving, timeout=60, message="the web server")
        workers = [pid for pid in children(proc.pid) if re.search(r"rasoat\.cli worker", cmdline(pid))]
        assert len(workers) == 1
        # The worker is alive and has announced itself in the database (its heartbeat).
        check = (
            "from rasoat.jobs.models import WorkerBeat; "
            "print(list(WorkerBeat.objects.values_list('pid', flat=True)))"
        )

        def beating() -> bool:
            shell = subprocess.run(
                [*RASOAT, "shell", "-c", check],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            return str(workers[0]) in shell.stdout

        wait_for(beating, timeout=60, message="the worker's heartbeat")
        everything = children(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    time.sleep(0.5)
    assert not [pid for pid in everything if alive(pid)], "a child of rasoat serve outlived it"
    assert not serving()


def test_serve_can_leave_the_jobs_to_other_machines(tmp_path):
    """--job-workers 0: production web machines, with `rasoat worker` elsewhere."""
    env = {**os.environ, "RASOAT_VAR_DIR": str(tmp_path), "HOST": "127.0.0.1", "PORT": str(free_port())}
    env.pop("DATABASE_URL", None)
    subprocess.run([*RASOAT, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300)
    proc = subprocess.Popen(
        [*RASOAT, "serve", "--workers", "1", "--job-workers", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        time.sleep(3)
        assert not [pid for pid in children(proc.pid) if re.search(r"rasoat\.cli worker", cmdline(pid))]
        assert any("gunicorn" in cmdline(pid) for pid in children(proc.pid))
    finally:
        proc.terminate()
        proc.wait(timeout=60)

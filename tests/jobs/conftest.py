"""Fixtures of the job tests: the database queue instead of the immediate backend, and real
`rasoat worker` processes against the test database (a file on SQLite, see tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def database_queue(settings, tmp_path):
    """Jobs go to the database queue (nothing runs until a worker takes them); results under tmp_path."""
    settings.TASKS = DATABASE_QUEUE
    settings.JOBS_RESULT_ROOT = tmp_path / "jobs"
    return settings


def database_url() -> str:
    """The URL of the test database, for processes started by the test."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user = quote(params.get("USER") or "")
    password = f":{quote(params['PASSWORD'])}" if params.get("PASSWORD") else ""
    host = params.get("HOST") or "127.0.0.1"
    port = f":{params['PORT']}" if params.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{params['NAME']}"


class Workers:
    """Start `rasoat worker` processes against the test database; stops what is left at the end."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.procs: list[subprocess.Popen] = []

    def env(self, **extra: str) -> dict[str, str]:
        env = {**os.environ, "DATABASE_URL": database_url(), "RASOAT_VAR_DIR": str(self.tmp_path / "var")}
        env.update(JOBS_RESULT_DIR=str(self.tmp_path / "jobs"), JOBS_HEARTBEAT_SECONDS="1")
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        env.update(extra)
        return env

    def argv(self, *args: str) -> list[str]:
        return [
            sys.executable,
            "-m",
            "rasoat.cli",
            "worker",
            "--no-startup-delay",
            "--interval",
            "0.2",
            *args,
        ]

    def batch(self, timeout: int = 300, **extra: str) -> subprocess.CompletedProcess:
        """Run every queued job, then exit."""
        result = subprocess.run(
            self.argv("--batch"),
            cwd=ROOT,
            env=self.env(**extra),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    def start(self, **extra: str) -> subprocess.Popen:
        proc = subprocess.Popen(
            self.argv(), cwd=ROOT, env=self.env(**extra), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        self.procs.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=30)


@pytest.fixture
def workers(tmp_path):
    started = Workers(tmp_path)
    yield started
    started.stop_all()


def wait_for(condition, timeout: float = 60, message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {message}")

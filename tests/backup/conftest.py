"""Installations for the backup tests, each in its own folder and database, driven by subprocesses.

The SQLite installation always runs; the PostgreSQL one runs when the suite itself runs on
PostgreSQL (DATABASE_URL), in databases `<name>_backup_source` and `<name>_backup_restore` that the
tests create and drop next to the suite's own database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUITE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = SUITE_URL.startswith(("postgres://", "postgresql://"))
VENDORS = ["sqlite", "postgresql"] if ON_POSTGRES else ["sqlite"]


@dataclass
class Installation:
    """One installation: its folder (var/ and media/) and database URL."""

    root: Path
    database_url: str
    vendor: str
    built: dict | None = None

    @property
    def media(self) -> Path:
        return self.root / "media"

    def env(self) -> dict[str, str]:
        env = {**os.environ, "DATABASE_URL": self.database_url}
        env.update(RASOAT_VAR_DIR=str(self.root), MEDIA_ROOT=str(self.media))
        return env

    def rasoat(self, *args: str, check: bool = True, timeout: int = 300) -> subprocess.CompletedProcess:
        """Run the `rasoat` command (rasoat.cli) in this installation."""
        result = subprocess.run(
            [sys.executable, "-m", "rasoat.cli", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"rasoat {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def helper(self, *args: str) -> dict:
        """Run tests.backup.installation and return the JSON it printed last."""
        result = subprocess.run(
            [sys.executable, "-m", "tests.backup.installation", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return json.loads(result.stdout.strip().splitlines()[-1])

    def spawn(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.backup.installation", *args],
            cwd=ROOT,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def media_files(self) -> dict[str, bytes]:
        return {
            path.relative_to(self.media).as_posix(): path.read_bytes()
            for path in sorted(self.media.rglob("*"))
            if path.is_file()
        }


def _admin():
    import psycopg

    return psycopg.connect(SUITE_URL, autocommit=True)


def _database_url(name: str) -> str:
    return urlsplit(SUITE_URL)._replace(path=f"/{name}").geturl()


def _database_name(suffix: str) -> str:
    return f"{urlsplit(SUITE_URL).path.lstrip('/')}_{suffix}"


def _recreate(name: str) -> None:
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def _drop(name: str) -> None:
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def new_installation(vendor: str, root: Path, role: str) -> Installation:
    """An empty installation: a folder and, on PostgreSQL, a freshly created database."""
    root.mkdir(parents=True)
    if vendor == "sqlite":
        return Installation(root, f"sqlite:///{root / 'rasoat.sqlite3'}", vendor)
    name = _database_name(f"backup_{role}")
    _recreate(name)
    return Installation(root, _database_url(name), vendor)


def remove_installation(installation: Installation) -> None:
    if installation.database_url.startswith("postgres"):
        _drop(urlsplit(installation.database_url).path.lstrip("/"))


@pytest.fixture(scope="module", params=VENDORS)
def source(request, tmp_path_factory) -> Installation:
    """A built installation of the vendor (SQLite always, PostgreSQL when the suite runs on it)."""
    installation = new_installation(
        request.param, tmp_path_factory.mktemp(request.param) / "source", "source"
    )
    installation.built = installation.helper("build")
    yield installation
    remove_installation(installation)


@pytest.fixture
def target(source, tmp_path) -> Installation:
    """An empty installation of the same vendor as `source`."""
    installation = new_installation(source.vendor, tmp_path / "target", "restore")
    yield installation
    remove_installation(installation)

"""The database part of a backup: a consistent dump with its row counts, and loading it back.

SQLite: the online backup API copies the database in one step, so the copy is the database at one
instant even while clerks save. PostgreSQL: `pg_dump` runs inside an exported snapshot of a
repeatable-read transaction, and the row counts are taken in that same snapshot, so they describe
exactly what the dump holds. Restoring is `pg_restore` on PostgreSQL and a file replacement on
SQLite; a backup is restored only into the vendor it was taken from.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection

from rasoat.backup.archive import BackupError

# Tables that `migrate` fills by itself: an installation holding only these rows is still empty.
FILLED_BY_MIGRATE = {"django_migrations", "django_content_type", "auth_permission"}


@dataclass
class Dump:
    """A database dump on disk and what it holds."""

    path: Path
    tables: dict[str, int]
    migrations: dict[str, list[str]]


def _count(cursor, tables: list[str], quote) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _migrations(cursor, tables: list[str]) -> dict[str, list[str]]:
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def current_counts() -> dict[str, int]:
    """Rows per table of the configured database, now."""
    connection.close()
    with connection.cursor() as cursor:
        return _count(cursor, connection.introspection.table_names(cursor), connection.ops.quote_name)


def tables_with_data() -> list[str]:
    """Tables of the configured database holding rows, apart from what `migrate` fills by itself."""
    counts = current_counts()
    return sorted(table for table, rows in counts.items() if rows and table not in FILLED_BY_MIGRATE)


class SqliteDatabase:
    vendor = "sqlite"
    member_name = "rasoat.sqlite3"

    def __init__(self, settings_dict: dict[str, Any]):
        self.path = Path(settings_dict["NAME"])

    def dump(self, folder: Path) -> Dump:
        target = folder / self.member_name
        if not self.path.is_file():
            raise BackupError(f"no database file at {self.path}")
        source = sqlite3.connect(self.path, timeout=30)
        try:
            copy = sqlite3.connect(target)
            try:
                # One step (pages=-1): the copy is the database at a single instant.
                source.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal beside it
                cursor = copy.cursor()
                cursor.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                )
                tables = [row[0] for row in cursor.fetchall()]
                counts = _count(cursor, tables, lambda name: '"' + name.replace('"', '""') + '"')
                migrations = _migrations(cursor, tables)
            finally:
                copy.close()
        finally:
            source.close()
        return Dump(target, counts, migrations)

    def load(self, dump_file: Path) -> None:
        """Put the restored file in place of the database (the service must be stopped)."""
        connection.close()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staged = self.path.with_name(f".{self.path.name}.restoring")
        shutil.copyfile(dump_file, staged)
        # A write-ahead log left by the replaced database would be replayed onto the restored one.
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        os.replace(staged, self.path)


_LIBPQ_ENV = {
    "dbname": "PGDATABASE",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


class PostgresDatabase:
    vendor = "postgresql"
    member_name = "rasoat.pgdump"

    def __init__(self, settings_dict: dict[str, Any]):
        options = settings_dict.get("OPTIONS") or {}
        params = {
            "dbname": settings_dict.get("NAME"),
            "user": settings_dict.get("USER"),
            "password": settings_dict.get("PASSWORD"),
            "host": settings_dict.get("HOST"),
            "port": settings_dict.get("PORT"),
        }
        params.update({key: options[key] for key in _LIBPQ_ENV if key in options})
        self.params = {key: str(value) for key, value in params.items() if value not in (None, "")}

    def _env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        env.update({_LIBPQ_ENV[key]: value for key, value in self.params.items()})
        return env

    def _run(self, args: list[str]) -> None:
        tool = args[0]
        if shutil.which(tool) is None:
            raise BackupError(f"{tool} is not installed (Debian: apt install postgresql-client-15)")
        result = subprocess.run(args, env=self._env(), capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"{tool} failed: {result.stderr.strip() or result.returncode}")

    def dump(self, folder: Path) -> Dump:
        import psycopg

        target = folder / self.member_name
        with psycopg.connect(**self.params) as conn:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                # pg_dump reads the same snapshot while this transaction stays open.
                self._run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"])
                cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                tables = [row[0] for row in cursor.fetchall()]
                counts = _count(cursor, tables, lambda name: '"' + name.replace('"', '""') + '"')
                migrations = _migrations(cursor, tables)
            conn.rollback()
        return Dump(target, counts, migrations)

    def load(self, dump_file: Path) -> None:
        """pg_restore in one transaction; objects are owned by the connecting role, as on any install."""
        connection.close()
        self._run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={self.params.get('dbname', '')}",
                str(dump_file),
            ]
        )


def configured_database() -> SqliteDatabase | PostgresDatabase:
    """The configured database's backup methods; other vendors are refused."""
    if connection.vendor == "sqlite":
        return SqliteDatabase(connection.settings_dict)
    if connection.vendor == "postgresql":
        return PostgresDatabase(connection.settings_dict)
    raise BackupError(f"backups of a {connection.vendor} database are not supported")

"""Backing up and restoring an installation; naming and pruning scheduled backups.

`create_backup` dumps the database first and copies the stored files after, so every file the
dumped database refers to is in the archive (files added meanwhile are extra, never missing).
`restore_backup` verifies the whole archive before touching anything, refuses a target that holds
data, restores, then compares the result with the manifest.
"""

from __future__ import annotations

import datetime
import fcntl
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import django
from django.conf import settings
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from rasoat.backup.archive import (
    DATABASE_DIR,
    FORMAT,
    FORMAT_VERSION,
    MEDIA_DIR,
    ArchiveWriter,
    BackupError,
    Manifest,
    check_name,
    extract,
    file_digest,
    verify_archive,
)
from rasoat.backup.database import configured_database, current_counts, tables_with_data

SCHEDULED_NAME = re.compile(r"^rasoat-\d{8}-\d{6}\.tar\.gz$")
WORK_PREFIX = ".rasoat-backup-"
"""Partial archives and dump folders being written; a backup killed midway leaves them behind."""


@dataclass
class BackupResult:
    path: Path
    tables: int
    rows: int
    files: int
    bytes: int
    skipped: list[str] = field(default_factory=list)
    pruned: list[Path] = field(default_factory=list)


@dataclass
class RestoreResult:
    tables: int
    rows: int
    files: int
    differences: list[str]
    pending_migrations: list[str]


def _rasoat_version() -> str:
    try:
        return version("rasoat")
    except PackageNotFoundError:
        return "unknown"


def _media_files(root: Path, skipped: list[str]) -> list[tuple[str, Path]]:
    """Regular files under MEDIA_ROOT with archivable names; links and odd names are reported."""
    found = []
    if not root.is_dir():
        return found
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder, name)
            relative = path.relative_to(root).as_posix()
            try:
                check_name(f"{MEDIA_DIR}/{relative}")
            except BackupError:
                skipped.append(relative)
                continue
            if path.is_symlink() or not path.is_file():
                skipped.append(relative)
                continue
            found.append((relative, path))
    return found


def create_backup(output: Path) -> BackupResult:
    """Write one archive of the database and MEDIA_ROOT to `output` (replaced only once complete)."""
    output = output.resolve()
    if not output.parent.is_dir():
        raise BackupError(f"the folder {output.parent} does not exist")
    database = configured_database()
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if output.parent == media_root or media_root in output.parents:
        # The archive would end up inside the next backup, and this one would read itself.
        raise BackupError(f"write backups outside MEDIA_ROOT ({media_root})")
    skipped: list[str] = []
    with tempfile.TemporaryDirectory(prefix=WORK_PREFIX, dir=output.parent) as work:
        # The dump may hold every unit's data: owner-only, and removed even when the backup fails.
        os.chmod(work, 0o700)
        created = timezone.now()  # the instant the database is dumped
        dump = database.dump(Path(work))
        partial = Path(work) / "archive.partial"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            writer = ArchiveWriter(handle, output)
            database_member = f"{DATABASE_DIR}/{database.member_name}"
            writer.add_file(database_member, dump.path)
            dump.path.unlink()
            for relative, path in _media_files(media_root, skipped):
                try:
                    writer.add_file(f"{MEDIA_DIR}/{relative}", path)
                except FileNotFoundError:
                    # Deleted since it was listed (a cancelled upload): the dump may name it, the
                    # files on disk no longer do, exactly as in the running system.
                    skipped.append(relative)
            writer.add_manifest(
                {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": created.isoformat(),
                    "rasoat_version": _rasoat_version(),
                    "django_version": django.get_version(),
                    "database": {
                        "vendor": database.vendor,
                        "member": database_member,
                        "tables": dump.tables,
                        "migrations": dump.migrations,
                    },
                    "files": writer.files,
                }
            )
            writer.close()
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, output)
    media = [entry for name, entry in writer.files.items() if name.startswith(MEDIA_DIR + "/")]
    return BackupResult(
        path=output,
        tables=len(dump.tables),
        rows=sum(dump.tables.values()),
        files=len(media),
        bytes=output.stat().st_size,
        skipped=skipped,
    )


def scheduled_name(now: datetime.datetime | None = None) -> str:
    """rasoat-YYYYMMDD-HHMMSS.tar.gz in local time: names sort by age."""
    now = timezone.localtime(now)
    return f"rasoat-{now:%Y%m%d-%H%M%S}.tar.gz"


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete the oldest scheduled backups in `folder` beyond the `keep` newest; other files stay."""
    if keep < 1:
        raise BackupError("--keep must be at least 1")
    archives = sorted(path for path in folder.iterdir() if SCHEDULED_NAME.match(path.name) and path.is_file())
    doomed = archives[:-keep]
    for path in doomed:
        path.unlink()
    return doomed


def backup_to_folder(folder: Path, keep: int | None, now: datetime.datetime | None = None) -> BackupResult:
    """A scheduled backup: a dated archive in `folder`, then the oldest beyond `keep` are deleted.

    A lock keeps two runs from overlapping, so what a killed run left behind can be cleared first.
    Old archives are deleted only after the new one is complete.
    """
    if not folder.is_dir():
        raise BackupError(f"the folder {folder} does not exist")
    with open(folder / f"{WORK_PREFIX}lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(f"another backup is running in {folder}") from None
        for leftover in folder.glob(f"{WORK_PREFIX}*"):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover)
        target = folder / scheduled_name(now)
        if target.exists():
            raise BackupError(f"{target} already exists")
        result = create_backup(target)
        if keep is not None:
            result.pruned = prune(folder, keep)
        return result


def _unknown_migrations(manifest: Manifest) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [
        f"{app}.{name}"
        for app, names in manifest.database.get("migrations", {}).items()
        for name in names
        if (app, name) not in known
    ]


def _pending_migrations(manifest: Manifest) -> list[str]:
    migrations = manifest.database.get("migrations", {})
    applied = {(app, name) for app, names in migrations.items() for name in names}
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return sorted(f"{app}.{name}" for app, name in known if (app, name) not in applied)


def _files_in(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return [Path(folder, name) for folder, _dirs, files in os.walk(root) for name in files]


def check_restorable(manifest: Manifest, force: bool) -> None:
    """Refuse another vendor, a newer rasoat's backup, and (without force) a target holding data."""
    database = configured_database()
    vendor = manifest.database.get("vendor")
    if vendor != database.vendor:
        raise BackupError(
            f"this backup is of a {vendor} database and this installation uses {database.vendor}: "
            "restoring across database vendors is not supported"
        )
    unknown = _unknown_migrations(manifest)
    if unknown:
        raise BackupError(
            "this backup was made by a newer rasoat (migrations unknown here: "
            + ", ".join(unknown[:5])
            + "); install that version first"
        )
    if force:
        return
    filled = tables_with_data()
    if filled:
        raise BackupError(
            "the database is not empty (rows in "
            + ", ".join(filled[:5])
            + (", …" if len(filled) > 5 else "")
            + "): restore only into an empty installation, or pass --force to replace its data"
        )
    if _files_in(Path(settings.MEDIA_ROOT)):
        raise BackupError(
            f"MEDIA_ROOT ({settings.MEDIA_ROOT}) already holds files: restore only into an empty "
            "installation, or pass --force"
        )


def compare(manifest: Manifest) -> list[str]:
    """What differs between the installation now and the manifest: row counts and file checksums."""
    differences = []
    counts = current_counts()
    for table, expected in sorted(manifest.database["tables"].items()):
        if table not in counts:
            differences.append(f"table {table}: missing (expected {expected} rows)")
        elif counts[table] != expected:
            differences.append(f"table {table}: {counts[table]} rows, expected {expected}")
    media_root = Path(settings.MEDIA_ROOT)
    for relative, entry in sorted(manifest.media_files().items()):
        path = media_root.joinpath(*relative.split("/"))
        if not path.is_file():
            differences.append(f"file {relative}: missing")
        elif file_digest(path) != (entry["size"], entry["sha256"]):
            differences.append(f"file {relative}: checksum differs")
    return differences


def restore_backup(
    path: Path, *, force: bool = False, progress: Callable[[str], None] = lambda message: None
) -> RestoreResult:
    """Restore an archive into this installation; returns what was restored and what differs.

    Nothing is touched until the archive matched its manifest and the target was found empty (or
    `force`). The service must be stopped while a restore runs.
    """
    if not path.is_file():
        raise BackupError(f"no such file: {path}")
    progress("Checking the archive against its manifest…")
    manifest = verify_archive(path)
    check_restorable(manifest, force)
    database = configured_database()
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rasoat-restore-") as work:
        os.chmod(work, 0o700)
        dump_file = Path(work) / database.member_name
        progress("Writing the stored files…")
        extract(path, manifest, dump_file, media_root)
        progress("Restoring the database…")
        database.load(dump_file)
    progress("Comparing the result with the manifest…")
    differences = compare(manifest)
    tables = manifest.database["tables"]
    return RestoreResult(
        tables=len(tables),
        rows=sum(tables.values()),
        files=len(manifest.media_files()),
        differences=differences,
        pending_migrations=_pending_migrations(manifest),
    )


def check_archive(path: Path) -> Manifest:
    """Check an archive without restoring it (a restore drill's first step)."""
    if not path.is_file():
        raise BackupError(f"no such file: {path}")
    return verify_archive(path)

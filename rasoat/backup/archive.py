"""Writing and reading backup archives: members streamed in and out with their SHA-256 checked.

Nothing here holds a whole file in memory, and reading never trusts a member's name: only regular
files (and directories, ignored) under `database/` or `media/`, plus `manifest.json`, with plain
relative names, are accepted; anything else refuses the whole archive.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

FORMAT = "rasoat-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_DIR = "database"
MEDIA_DIR = "media"
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the administrator."""


@dataclass
class Manifest:
    """What an archive holds: see rasoat.backup."""

    data: dict[str, Any] = field(default_factory=dict)

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        return self.data["files"]

    @property
    def database(self) -> dict[str, Any]:
        return self.data["database"]

    def media_files(self) -> dict[str, dict[str, Any]]:
        """Media members by their path below MEDIA_ROOT."""
        prefix = MEDIA_DIR + "/"
        return {name[len(prefix) :]: entry for name, entry in self.files.items() if name.startswith(prefix)}


class _Hashing(io.RawIOBase):
    """Reads from `source` while hashing; tarfile pulls exactly the member's size through it."""

    def __init__(self, source: IO[bytes]):
        self.source = source
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def check_name(name: str) -> None:
    """Refuse a member or file name that could land outside its folder or is not ours."""
    if not name or name.startswith("/") or "\\" in name or "\x00" in name:
        raise BackupError(f"unsafe path in the archive: {name!r}")
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise BackupError(f"unsafe path in the archive: {name!r}")
    if name == MANIFEST:
        return
    if parts[0] not in (DATABASE_DIR, MEDIA_DIR):
        raise BackupError(f"unexpected member in the archive: {name!r}")


def check_member(member: tarfile.TarInfo) -> None:
    """Only plain files and folders with safe names; links, devices and FIFOs refuse the archive."""
    check_name(member.name)
    if not (member.isfile() or member.isdir()):
        raise BackupError(f"links and special files are not accepted in a backup: {member.name!r}")


def _mode(path: Path) -> str:
    name = path.name
    if name.endswith((".tar.gz", ".tgz")):
        return "gz"
    if name.endswith(".tar"):
        return ""
    raise BackupError(f"the archive's name must end in .tar.gz, .tgz or .tar: {path}")


class ArchiveWriter:
    """Streams members into a new archive, recording each one's size and SHA-256 for the manifest."""

    def __init__(self, handle: IO[bytes], path: Path):
        # Closed by close(), once the manifest is in.
        self.tar = tarfile.open(  # noqa: SIM115
            fileobj=handle, mode=f"w:{_mode(path)}", format=tarfile.PAX_FORMAT
        )
        self.files: dict[str, dict[str, Any]] = {}

    def add_file(self, name: str, path: Path) -> None:
        check_name(name)
        with open(path, "rb") as handle:
            stat = os.fstat(handle.fileno())
            info = tarfile.TarInfo(name)
            # The size is fixed now: a file that grows while it is copied is archived as it was here.
            info.size = stat.st_size
            info.mtime = int(stat.st_mtime)
            info.mode = 0o600
            reader = _Hashing(handle)
            self.tar.addfile(info, reader)
        self.files[name] = {"size": info.size, "sha256": reader.digest.hexdigest()}

    def add_manifest(self, manifest: dict[str, Any]) -> None:
        content = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(content)
        info.mtime = int(time.time())
        info.mode = 0o600
        self.tar.addfile(info, io.BytesIO(content))

    def close(self) -> None:
        self.tar.close()


def _open(path: Path) -> tarfile.TarFile:
    try:
        # Stream mode: one pass, in order, whatever the compression.
        return tarfile.open(path, mode="r|*")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"cannot read the archive {path}: {error}") from None


def _members(tar: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    try:
        yield from tar
    except (OSError, EOFError, tarfile.TarError) as error:
        raise BackupError(f"the archive is damaged: {error}") from None


def _digest(stream: IO[bytes], target: IO[bytes] | None = None) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    try:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if target is not None:
                target.write(chunk)
    except (OSError, EOFError, tarfile.TarError) as error:
        raise BackupError(f"the archive is damaged: {error}") from None
    return size, digest.hexdigest()


def _read_all(stream: IO[bytes]) -> bytes:
    try:
        return stream.read()
    except (OSError, EOFError, tarfile.TarError) as error:
        raise BackupError(f"the archive is damaged: {error}") from None


def _parse_manifest(raw: bytes) -> Manifest:
    try:
        data = json.loads(raw)
    except ValueError:
        raise BackupError("the archive's manifest is not valid JSON") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError("this is not a rasoat backup (no rasoat manifest)")
    if data.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"backup format version {data.get('format_version')!r} is not supported "
            f"(this rasoat reads version {FORMAT_VERSION})"
        )
    files, database = data.get("files"), data.get("database")
    if not isinstance(files, dict) or not isinstance(database, dict):
        raise BackupError("the archive's manifest is incomplete")
    for name, entry in files.items():
        check_name(name)
        if name == MANIFEST or not isinstance(entry, dict) or not {"size", "sha256"} <= entry.keys():
            raise BackupError(f"the archive's manifest is incomplete for {name!r}")
    if database.get("member") not in files:
        raise BackupError("the archive's manifest names no database member")
    return Manifest(data)


def verify_archive(path: Path) -> Manifest:
    """Read the whole archive once and check every member against the manifest; returns it.

    Refuses unsafe names, links and special files, duplicates, members the manifest does not list,
    listed members that are missing, and any member whose size or SHA-256 differs.
    """
    found: dict[str, tuple[int, str]] = {}
    raw_manifest: bytes | None = None
    with _open(path) as tar:
        for member in _members(tar):
            check_member(member)
            if member.isdir():
                continue
            if member.name in found or (member.name == MANIFEST and raw_manifest is not None):
                raise BackupError(f"the archive holds {member.name!r} twice")
            stream = tar.extractfile(member)
            if member.name == MANIFEST:
                if member.size > MANIFEST_MAX_BYTES:
                    raise BackupError("the archive's manifest is too large")
                raw_manifest = _read_all(stream)
                continue
            found[member.name] = _digest(stream)
    if raw_manifest is None:
        raise BackupError("the archive has no manifest.json: it is not a complete rasoat backup")
    manifest = _parse_manifest(raw_manifest)
    problems = []
    for name, entry in manifest.files.items():
        if name not in found:
            problems.append(f"missing from the archive: {name}")
        elif found[name] != (entry["size"], entry["sha256"]):
            problems.append(f"checksum differs: {name}")
    problems += [f"not listed in the manifest: {name}" for name in found if name not in manifest.files]
    if problems:
        listed = "\n  ".join(problems)
        raise BackupError(f"the archive does not match its manifest (damaged or altered):\n  {listed}")
    return manifest


def _inside(root: Path, relative: str) -> Path:
    target = root.joinpath(*relative.split("/"))
    real_root = os.path.realpath(root)
    if os.path.commonpath([real_root, os.path.realpath(target)]) != real_root:
        raise BackupError(f"{relative!r} would be written outside {root}")
    return target


def extract(path: Path, manifest: Manifest, database_file: Path, media_root: Path) -> None:
    """Write the database member to `database_file` and the media members under `media_root`.

    Each member is checked again while it is written (the archive may have changed since it was
    verified); a file is put in place only once its checksum matched.
    """
    with _open(path) as tar:
        for member in _members(tar):
            check_member(member)
            if member.isdir() or member.name == MANIFEST:
                continue
            entry = manifest.files.get(member.name)
            if entry is None:
                raise BackupError(f"not listed in the manifest: {member.name}")
            if member.name == manifest.database["member"]:
                target = database_file
            elif member.name.startswith(MEDIA_DIR + "/"):
                target = _inside(media_root, member.name[len(MEDIA_DIR) + 1 :])
            else:
                raise BackupError(f"unexpected member in the archive: {member.name!r}")
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.restoring")
            with open(partial, "wb") as handle:
                written = _digest(tar.extractfile(member), handle)
            if written != (entry["size"], entry["sha256"]):
                partial.unlink()
                raise BackupError(f"checksum differs while restoring {member.name}: the archive changed")
            os.replace(partial, target)


def file_digest(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of a file on disk."""
    with open(path, "rb") as handle:
        return _digest(handle)

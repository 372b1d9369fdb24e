"""Reading an archive trusts nothing: every member is checked against the manifest, and names, links
and special files that could write outside the installation refuse the whole archive."""

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from rasoat.backup.archive import BackupError, Manifest, extract, verify_archive

DATABASE = b"SQLite format 3\x00 pretend"
UPLOAD = b"PK\x03\x04 an uploaded workbook"


def entry(data: bytes) -> dict:
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def manifest_for(files: dict[str, bytes], **changes) -> dict:
    data = {
        "format": "rasoat-backup",
        "format_version": 1,
        "database": {"vendor": "sqlite", "member": "database/rasoat.sqlite3", "tables": {}, "migrations": {}},
        "files": {name: entry(content) for name, content in files.items()},
    }
    data.update(changes)
    return data


GOOD = {"database/rasoat.sqlite3": DATABASE, "media/uploads/2026/05/a.xlsx": UPLOAD}


def member(name: str, data: bytes | None = None, kind: bytes = tarfile.REGTYPE, link: str = "") -> tuple:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.size = len(data) if data is not None else 0
    return info, data


def write(path: Path, members: list[tuple]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def archive(tmp_path: Path, files=GOOD, manifest=None, extra=(), name="backup.tar.gz") -> Path:
    manifest = manifest if manifest is not None else manifest_for(files)
    members = [member(n, d) for n, d in files.items()]
    members += list(extra)
    members.append(member("manifest.json", json.dumps(manifest).encode()))
    return write(tmp_path / name, members)


def refused(path: Path) -> str:
    with pytest.raises(BackupError) as error:
        verify_archive(path)
    return str(error.value)


def test_a_complete_archive_is_accepted(tmp_path):
    manifest = verify_archive(archive(tmp_path))
    assert manifest.media_files() == {"uploads/2026/05/a.xlsx": entry(UPLOAD)}


def test_a_plain_tar_is_accepted_too(tmp_path):
    path = tmp_path / "backup.tar"
    with tarfile.open(path, "w") as tar:
        for name, data in [*GOOD.items(), ("manifest.json", json.dumps(manifest_for(GOOD)).encode())]:
            info, content = member(name, data)
            tar.addfile(info, io.BytesIO(content))
    assert verify_archive(path).database["member"] == "database/rasoat.sqlite3"


@pytest.mark.parametrize(
    "name",
    [
        "/etc/cron.d/evil",
        "media/../../evil",
        "../evil",
        "media/./x",
        "media//x",
        "media\\..\\evil",
        "etc/passwd",
    ],
)
def test_unsafe_or_foreign_names_are_refused(tmp_path, name):
    message = refused(archive(tmp_path, extra=[member(name, b"x")]))
    assert repr(name) in message


@pytest.mark.parametrize(
    "kind, link",
    [
        (tarfile.SYMTYPE, "/etc/passwd"),
        (tarfile.LNKTYPE, "database/rasoat.sqlite3"),
        (tarfile.FIFOTYPE, ""),
        (tarfile.CHRTYPE, ""),
        (tarfile.BLKTYPE, ""),
    ],
)
def test_links_and_special_files_are_refused(tmp_path, kind, link):
    message = refused(archive(tmp_path, extra=[member("media/uploads/link", kind=kind, link=link)]))
    assert "links and special files are not accepted" in message


def test_a_changed_file_is_refused(tmp_path):
    altered = {**GOOD, "media/uploads/2026/05/a.xlsx": UPLOAD.replace(b"workbook", b"workbooK")}
    message = refused(archive(tmp_path, files=altered, manifest=manifest_for(GOOD)))
    assert "checksum differs: media/uploads/2026/05/a.xlsx" in message


def test_a_missing_file_is_refused(tmp_path):
    only_database = {"database/rasoat.sqlite3": DATABASE}
    message = refused(archive(tmp_path, files=only_database, manifest=manifest_for(GOOD)))
    assert "missing from the archive: media/uploads/2026/05/a.xlsx" in message


def test_a_file_the_manifest_does_not_list_is_refused(tmp_path):
    message = refused(archive(tmp_path, extra=[member("media/planted.xlsx", b"planted")]))
    assert "not listed in the manifest: media/planted.xlsx" in message


def test_a_duplicate_member_is_refused(tmp_path):
    message = refused(archive(tmp_path, extra=[member("media/uploads/2026/05/a.xlsx", UPLOAD)]))
    assert "twice" in message


def test_an_archive_without_manifest_is_refused(tmp_path):
    path = write(tmp_path / "b.tar.gz", [member(n, d) for n, d in GOOD.items()])
    assert "no manifest.json" in refused(path)


@pytest.mark.parametrize(
    "manifest, expected",
    [
        ("not json", "not valid JSON"),
        ({"format": "something-else"}, "not a rasoat backup"),
        ({**manifest_for(GOOD), "format_version": 99}, "format version 99 is not supported"),
        ({**manifest_for(GOOD), "files": {"/abs": entry(b"")}}, "unsafe path"),
    ],
)
def test_a_bad_manifest_is_refused(tmp_path, manifest, expected):
    raw = manifest if isinstance(manifest, str) else json.dumps(manifest)
    members = [member(n, d) for n, d in GOOD.items()] + [member("manifest.json", raw.encode())]
    assert expected in refused(write(tmp_path / "b.tar.gz", members))


def test_a_truncated_archive_is_refused(tmp_path):
    path = archive(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    message = refused(path)
    assert "damaged" in message or "cannot read" in message


def test_a_file_that_is_not_an_archive_is_refused(tmp_path):
    path = tmp_path / "notes.tar.gz"
    path.write_text("not an archive")
    assert "cannot read the archive" in refused(path)


def test_extract_writes_inside_its_folders_and_checks_again(tmp_path):
    path = archive(tmp_path)
    manifest = verify_archive(path)
    media, database = tmp_path / "media", tmp_path / "db" / "restored.sqlite3"
    extract(path, manifest, database, media)
    assert database.read_bytes() == DATABASE
    assert (media / "uploads/2026/05/a.xlsx").read_bytes() == UPLOAD
    # An archive swapped after it was verified is caught while writing, and leaves no partial file.
    swapped = Manifest(
        {**manifest.data, "files": {**manifest.files, "media/uploads/2026/05/a.xlsx": entry(b"x")}}
    )
    (media / "uploads/2026/05/a.xlsx").unlink()
    with pytest.raises(BackupError, match="checksum differs while restoring"):
        extract(path, swapped, database, media)
    assert list((media / "uploads/2026/05").iterdir()) == []


def test_extract_never_follows_a_link_out_of_media_root(tmp_path):
    path = archive(tmp_path)
    manifest = verify_archive(path)
    outside = tmp_path / "outside"
    outside.mkdir()
    media = tmp_path / "media"
    media.mkdir()
    (media / "uploads").symlink_to(outside)
    with pytest.raises(BackupError, match="outside"):
        extract(path, manifest, tmp_path / "db.sqlite3", media)
    assert list(outside.iterdir()) == []

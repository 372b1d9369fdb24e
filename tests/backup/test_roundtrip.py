"""Issue 8, failure 9: `rasoat backup` taken while an editor keeps saving, restored by `rasoat restore`
into an empty installation, gives back everything — and refuses what it must refuse.

Each test runs on SQLite, and on PostgreSQL too when the suite runs on PostgreSQL (tests/backup/conftest).
"""

import io
import json
import re
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.backup.conftest import ROOT

WAIT_SECONDS = 120


def wait_for(condition, what: str):
    """Poll until `condition()` is true; bounded, so a broken run fails instead of hanging."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def read_count(path: Path) -> int:
    return int(path.read_text()) if path.exists() else 0


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


@pytest.fixture(scope="module")
def backup(source, tmp_path_factory):
    """A backup taken by `rasoat backup` while another process keeps adding rows."""
    work = tmp_path_factory.mktemp("backup")
    progress, stop = work / "edits", work / "stop"
    editor = source.spawn("edit", str(progress), str(stop))
    try:
        wait_for(lambda: read_count(progress) >= 3 or editor.poll() is not None, "the editor to start")
        before = read_count(progress)
        archive = work / "rasoat.tar.gz"
        output = source.rasoat("backup", "-o", str(archive)).stdout
        after = read_count(progress)
    finally:
        stop.touch()
        out, err = editor.communicate(timeout=WAIT_SECONDS)
    assert editor.returncode == 0, out + err
    assert "Backed up" in output
    return {"archive": archive, "edits_before": before, "edits_after": after, "source": source}


def test_backup_is_one_archive_with_a_manifest(backup):
    manifest = manifest_of(backup["archive"])
    database = manifest["database"]
    assert manifest["format"] == "rasoat-backup" and manifest["format_version"] == 1
    assert database["vendor"] == backup["source"].vendor
    assert database["member"] in manifest["files"]
    assert "0001_initial" in database["migrations"]["orgs"]
    assert manifest["rasoat_version"] and manifest["django_version"].startswith("5.2")
    # Every stored file is in it, with its checksum.
    media = {name.removeprefix("media/") for name in manifest["files"] if name.startswith("media/")}
    assert media == set(backup["source"].media_files())
    assert any(name.startswith("uploads/") for name in media)
    assert any(name.startswith("reports/") for name in media)
    assert backup["archive"].stat().st_mode & 0o077 == 0  # readable by its owner only


def test_restore_gives_back_everything_taken_during_concurrent_edits(backup, target):
    # The editor saved rows while the backup ran.
    assert backup["edits_after"] > backup["edits_before"]

    result = target.rasoat("restore", str(backup["archive"]))
    assert "row counts and checksums match the backup" in result.stdout

    manifest = manifest_of(backup["archive"])
    probe = target.helper("probe")
    counts, facts = probe["counts"], probe["facts"]
    # Every table as it was at the instant of the dump (the probe's own login comes after).
    for table, rows in manifest["database"]["tables"].items():
        assert counts[table] == rows, table
    for table in [
        "orgs_user",
        "orgs_membership",
        "orgs_unit",
        "campaigns_campaign",
        "campaigns_assignment",
        "campaigns_snapshot",
        "campaigns_transition",
        "inventory_networklink",
        "inventory_enddevice",
        "audit_auditentry",
        "workbooks_upload",
        "workbooks_importedsnapshot",
    ]:
        assert counts[table] > 0, f"{table} is empty after the restore"
    assert counts["orgs_user"] == 4 and counts["orgs_unit"] == 259
    # A consistent instant: each row typed during the backup came with its audit entry, and the
    # rows are those saved by the time the backup ended.
    assert facts["edited_rows"] == facts["edited_row_audits"]
    assert 2 + backup["edits_before"] <= facts["edited_rows"] <= 2 + backup["edits_after"]
    # The uploaded original and the report, byte for byte.
    assert target.media_files() == backup["source"].media_files()

    # The restored site serves the restored unit's data.
    page = serve_and_get(
        target, f"/dot/RS2026/don-vi/{facts['imported_unit_pk']}/nhap/B02/", probe["session"]
    )
    assert "Kết nối các hệ thống dùng chung" in page
    assert "Đảng ủy xã Mường Tè" in page


def serve_and_get(installation, path: str, session: str) -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rasoat.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=installation.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def listening():
            if server.poll() is not None:
                raise AssertionError("rasoat serve exited")
            with socket.socket() as client:
                return client.connect_ex(("127.0.0.1", port)) == 0

        wait_for(listening, "rasoat serve")
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Cookie": f"sessionid={session}"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 200
            return response.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=60)


def rewrite(archive: Path, target: Path, change) -> Path:
    """Copy an archive member by member, letting `change(info, data)` alter or add members."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for info in source.getmembers():
            data = source.extractfile(info).read() if info.isfile() else None
            for new_info, new_data in change(info, data):
                out.addfile(new_info, io.BytesIO(new_data) if new_data is not None else None)
    return target


def test_a_tampered_archive_is_refused_before_anything_is_restored(backup, target, tmp_path):
    def alter_upload(info, data):
        if info.name.startswith("media/uploads/"):
            data = data[:-1] + bytes([data[-1] ^ 1])
        yield info, data

    tampered = rewrite(backup["archive"], tmp_path / "tampered.tar.gz", alter_upload)
    result = target.rasoat("restore", str(tampered), check=False)
    assert result.returncode == 1
    assert "checksum differs: media/uploads/" in result.stderr
    assert target.media_files() == {}
    assert_empty_database(target)


def test_an_archive_with_an_unsafe_path_is_refused(backup, target, tmp_path):
    def add_escape(info, data):
        yield info, data
        if info.name == "manifest.json":
            evil = tarfile.TarInfo("media/../../escaped.txt")
            evil.size = 4
            yield evil, b"evil"

    unsafe = rewrite(backup["archive"], tmp_path / "unsafe.tar.gz", add_escape)
    result = target.rasoat("restore", str(unsafe), check=False)
    assert result.returncode == 1
    assert "unsafe path in the archive: 'media/../../escaped.txt'" in result.stderr
    assert not (target.root.parent / "escaped.txt").exists()
    assert target.media_files() == {}
    assert_empty_database(target)


def test_a_restore_that_differs_from_the_manifest_says_what_differs(backup, target, tmp_path):
    """The check after restoring is real: a manifest expecting one unit more than the dump holds
    (the manifest is not covered by its own checksums) makes the restore fail and name the table."""

    def expect_one_more_unit(info, data):
        if info.name == "manifest.json":
            manifest = json.loads(data)
            manifest["database"]["tables"]["orgs_unit"] += 1
            data = json.dumps(manifest).encode()
            info.size = len(data)
        yield info, data

    altered = rewrite(backup["archive"], tmp_path / "altered.tar.gz", expect_one_more_unit)
    result = target.rasoat("restore", str(altered), check=False)
    assert result.returncode == 1
    assert "the restored installation differs from the backup" in result.stderr
    assert "table orgs_unit: 259 rows, expected 260" in result.stderr


def test_restore_refuses_an_installation_holding_data(backup):
    source = backup["source"]
    before = source.helper("probe")["counts"]
    result = source.rasoat("restore", str(backup["archive"]), check=False)
    assert result.returncode == 1
    assert "the database is not empty" in result.stderr
    after = source.helper("probe")["counts"]
    # Only the probes' own sign-ins changed anything (their sessions and sign-in records).
    sign_ins = {"django_session", "axes_accesslog"}
    assert {t: n for t, n in after.items() if t not in sign_ins} == {
        t: n for t, n in before.items() if t not in sign_ins
    }


def assert_empty_database(target) -> None:
    if target.vendor == "sqlite":
        # A refused restore never put a database file in place.
        assert not (target.root / "rasoat.sqlite3").exists()
        return
    import psycopg

    with psycopg.connect(target.database_url) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
    assert tables == 0


def test_scheduled_backup_names_by_date_and_keeps_the_newest(source, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    old = [f"rasoat-2026050{day}-020000.tar.gz" for day in (1, 2, 3)]
    for name in old:
        (folder / name).write_bytes(b"an older backup")
    (folder / "notes.txt").write_text("not a backup")
    stale = folder / ".rasoat-backup-killed"  # what a backup killed midway leaves
    stale.mkdir()
    (stale / "rasoat.sqlite3").write_bytes(b"unit data")

    result = source.rasoat("backup", "--dir", str(folder), "--keep", "2")

    kept = sorted(path.name for path in folder.iterdir() if path.name.startswith("rasoat-"))
    assert len(kept) == 2 and kept[0] == old[-1]
    new = kept[1]
    assert re.fullmatch(r"rasoat-\d{8}-\d{6}\.tar\.gz", new) and new > old[-1]
    assert f"Deleted the old backup {folder / old[0]}" in result.stdout
    assert (folder / "notes.txt").exists()
    assert not stale.exists()
    check = source.rasoat("restore", "--verify-only", str(folder / new))
    assert "The archive is complete" in check.stdout


def test_keep_without_a_folder_is_refused(source):
    result = source.rasoat("backup", "-o", "x.tar.gz", "--keep", "3", check=False)
    assert result.returncode == 1 and "--keep goes with --dir" in result.stderr

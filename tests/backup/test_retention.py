"""Scheduled backups: dated names that sort by age, and pruning that keeps the N newest and nothing else."""

import datetime

import pytest

from rasoat.backup.archive import BackupError
from rasoat.backup.services import prune, scheduled_name


def test_scheduled_names_are_local_dates_that_sort_by_age(settings):
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    moment = datetime.datetime(2026, 5, 20, 19, 30, 5, tzinfo=datetime.UTC)
    assert scheduled_name(moment) == "rasoat-20260521-023005.tar.gz"
    earlier = scheduled_name(moment - datetime.timedelta(days=1, hours=3))
    assert earlier < scheduled_name(moment)


def test_prune_keeps_the_newest_and_touches_nothing_else(tmp_path):
    names = [f"rasoat-202605{day:02d}-020000.tar.gz" for day in range(1, 8)]
    for name in names:
        (tmp_path / name).write_bytes(b"archive")
    others = ["notes.txt", "rasoat-manual.tar.gz", "rasoat-20260501-020000.tar.gz.sha256"]
    for name in others:
        (tmp_path / name).write_text("keep me")
    deleted = prune(tmp_path, keep=3)
    assert sorted(path.name for path in deleted) == names[:4]
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(names[4:] + others)


def test_prune_with_fewer_archives_than_kept_deletes_nothing(tmp_path):
    (tmp_path / "rasoat-20260501-020000.tar.gz").write_bytes(b"archive")
    assert prune(tmp_path, keep=30) == []
    assert (tmp_path / "rasoat-20260501-020000.tar.gz").exists()


def test_keeping_none_is_refused(tmp_path):
    with pytest.raises(BackupError, match="at least 1"):
        prune(tmp_path, keep=0)


def test_a_backup_inside_media_root_is_refused(settings, tmp_path):
    from rasoat.backup.services import create_backup

    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "backups").mkdir(parents=True)
    with pytest.raises(BackupError, match="outside MEDIA_ROOT"):
        create_backup(tmp_path / "media" / "backups" / "rasoat.tar.gz")
    assert list((tmp_path / "media" / "backups").iterdir()) == []

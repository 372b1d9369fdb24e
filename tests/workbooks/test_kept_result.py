"""Confirming an upload applies the preview's validated result, kept beside the file and tied to its
checksum, instead of reading the workbook a second time (issue 10, item 4) — and reads it again, or
refuses, whenever that tie does not hold."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from rasoat.campaigns.models import Snapshot
from rasoat.inventory.data import unit_data
from rasoat.orgs.models import Unit
from rasoat.workbooks import kept, reader, uploads
from rasoat.workbooks.models import ImportedSnapshot, Upload
from rasoat.workbooks.template import write_commune_template
from tests.conftest import MUONG_KIM
from tests.inventory.test_workflow import data_for, load
from tests.workbooks.test_upload_views import (
    assignment,  # noqa: F401  (fixtures)
    client,  # noqa: F401
    commune_assignments,
    editor,  # noqa: F401
    good_file,  # noqa: F401
    post_file,
    stored_files,
    unit_url,
    upload_url,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def reads(monkeypatch) -> dict[str, int]:
    """How many times each reader ran (the real reader, counted)."""
    counts = {"unit": 0, "commune": 0}
    unit_reader, commune_reader = reader.read_unit_workbook, reader.read_commune_workbook

    def read_unit(*args, **kwargs):
        counts["unit"] += 1
        return unit_reader(*args, **kwargs)

    def read_commune(*args, **kwargs):
        counts["commune"] += 1
        return commune_reader(*args, **kwargs)

    monkeypatch.setattr(reader, "read_unit_workbook", read_unit)
    monkeypatch.setattr(reader, "read_commune_workbook", read_commune)
    return counts


def typed(value):
    """`value` with the type of every leaf, so that 1 and Decimal("1") and "1" differ."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    return (type(value).__name__, value)


def result_file(settings) -> Path:
    [path] = [p for p in stored_files(settings) if p.name.endswith(kept.SUFFIX)]
    return path


def workbook_file(settings) -> Path:
    [path] = [p for p in stored_files(settings) if p.suffix == ".xlsx"]
    return path


def confirm(client, upload, capture):  # noqa: F811
    with capture(execute=True):
        return client.post(upload_url("workbook_upload_confirm", upload), follow=True).content.decode()


def test_confirm_applies_the_kept_result_without_reading_the_file_again(
    client,  # noqa: F811
    assignment,  # noqa: F811
    good_file,  # noqa: F811
    reads,
    settings,
    django_capture_on_commit_callbacks,
):
    post_file(client, unit_url("workbook_unit_upload", assignment), good_file)
    upload = Upload.objects.get()
    assert reads["unit"] == 1
    # What is kept is exactly what the reader gives, with the types of its values.
    fresh = reader.read_unit_workbook(good_file, "phu_luc.xlsx", assignment)
    stored = kept.load(upload, uploads.sha256(good_file))
    assert [typed(u.data) for u in stored.units] == [typed(u.data) for u in fresh.units]
    assert stored.rows == fresh.rows and not stored.errors
    reads["unit"] = 0

    confirm(client, upload, django_capture_on_commit_callbacks)
    upload.refresh_from_db()
    assert upload.state == Upload.State.IMPORTED and reads["unit"] == 0
    imported = unit_data(assignment)
    assert imported["B05"] and ImportedSnapshot.objects.filter(upload=upload).count() == 1
    # Once imported the kept result is deleted; the original file stays.
    assert [p.suffix for p in stored_files(settings)] == [".xlsx"]

    # The previous path (the file read again at confirmation) saves the very same data.
    load(assignment, {"B01": data_for(assignment.unit)["B01"]})
    post_file(client, unit_url("workbook_unit_upload", assignment), good_file)
    second = Upload.objects.get(state=Upload.State.PENDING)
    result_file(settings).unlink()
    confirm(client, second, django_capture_on_commit_callbacks)
    second.refresh_from_db()
    assert second.state == Upload.State.IMPORTED and reads["unit"] == 2
    assert unit_data(assignment) == imported


def test_a_file_replaced_by_garbage_of_the_same_size_is_refused_without_reading(
    client,  # noqa: F811
    assignment,  # noqa: F811
    good_file,  # noqa: F811
    reads,
    settings,
    django_capture_on_commit_callbacks,
):
    post_file(client, unit_url("workbook_unit_upload", assignment), good_file)
    upload = Upload.objects.get()
    workbook_file(settings).write_bytes(os.urandom(len(good_file)))
    before = (unit_data(assignment), Snapshot.objects.count())
    page = confirm(client, upload, django_capture_on_commit_callbacks)
    assert "Tệp đã lưu bị thay đổi sau khi kiểm tra" in page
    upload.refresh_from_db()
    assert upload.state == Upload.State.FAILED and reads["unit"] == 1
    assert (unit_data(assignment), Snapshot.objects.count()) == before
    # The result of a file that is no longer there is not kept either.
    assert [p.suffix for p in stored_files(settings)] == [".xlsx"]


def test_a_kept_result_altered_on_disk_is_not_trusted(
    client,  # noqa: F811
    assignment,  # noqa: F811
    good_file,  # noqa: F811
    reads,
    settings,
    django_capture_on_commit_callbacks,
):
    post_file(client, unit_url("workbook_unit_upload", assignment), good_file)
    upload = Upload.objects.get()
    path = result_file(settings)
    payload = json.loads(path.read_bytes())
    payload["units"][0]["data"]["B05"] = payload["units"][0]["data"]["B05"][:1]
    path.write_bytes(json.dumps(payload).encode())
    confirm(client, upload, django_capture_on_commit_callbacks)
    upload.refresh_from_db()
    assert upload.state == Upload.State.IMPORTED and reads["unit"] == 2
    assert len(unit_data(assignment)["B05"]) == len(data_for(assignment.unit)["B05"]) > 1


def test_a_unit_renamed_since_the_preview_makes_the_file_read_again(
    client,  # noqa: F811
    assignment,  # noqa: F811
    good_file,  # noqa: F811
    reads,
    django_capture_on_commit_callbacks,
):
    post_file(client, unit_url("workbook_unit_upload", assignment), good_file)
    upload = Upload.objects.get()
    Unit.objects.filter(pk=assignment.unit_id).update(name="Tên mới của đơn vị")
    confirm(client, upload, django_capture_on_commit_callbacks)
    upload.refresh_from_db()
    # Read again against the unit as it is now (what the reader checks B01 against changed).
    assert reads["unit"] == 2 and upload.state == Upload.State.IMPORTED


def test_a_commune_workbook_is_confirmed_from_its_kept_result(
    client,  # noqa: F811
    campaign,
    reads,
    settings,
    django_capture_on_commit_callbacks,
):
    assignments = commune_assignments(campaign)
    for item in assignments:
        load(item, data_for(item.unit))
    commune = Unit.objects.get(code=MUONG_KIM)
    content = write_commune_template(campaign, commune, assignments, prefilled=True)
    expected = {item.unit.code: unit_data(item) for item in assignments}
    for item in assignments:
        load(item, {"B01": data_for(item.unit)["B01"]})
    post_file(
        client, reverse("workbook_commune_upload", args=[campaign.code, commune.pk]), content, "xa.xlsx"
    )
    upload = Upload.objects.get()
    confirm(client, upload, django_capture_on_commit_callbacks)
    upload.refresh_from_db()
    assert upload.state == Upload.State.IMPORTED and reads["commune"] == 1
    assert {item.unit.code: unit_data(item) for item in assignments} == expected


def test_values_keep_their_types_through_the_kept_file():
    from datetime import date, datetime, time

    value = {"a": Decimal("1.50"), "b": date(2026, 1, 2), "c": datetime(2026, 1, 2, 3, 4), "d": time(5, 6)}
    value.update(e=[1, 2.5, None, True, "x", {"$decimal": "not a tag", "other": 1}])
    assert typed(kept.loads(kept.dumps(value))) == typed(value)

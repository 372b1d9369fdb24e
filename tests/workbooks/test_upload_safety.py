"""No upload claims to be error-free unless it was read to the end, and a file is imported once.

Issue 8: a worker that died mid-read left a pending upload whose preview said "Không có lỗi" and
offered confirmation; a `_x0000_` cell made the preview a 500 on PostgreSQL, leaving such an upload
too; two confirmations at once imported the same file twice. Every test runs on SQLite and on
PostgreSQL; the concurrent confirmation runs when the suite runs on PostgreSQL (SQLite serialises
writers, and its in-memory test database refuses a second writing thread outright).
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.utils import timezone

from rasoat.appendix.declaration import get_appendix
from rasoat.audit.models import AuditEntry
from rasoat.campaigns.models import Snapshot
from rasoat.inventory.data import unit_data
from rasoat.workbooks import uploads
from rasoat.workbooks.models import ImportedSnapshot, Upload
from rasoat.workbooks.template import write_unit_template
from tests.conftest import client_for
from tests.inventory.test_workflow import assignment_of, data_for, load
from tests.workbooks.conftest import workbook_sheets, xlsx_bytes
from tests.workbooks.test_upload_views import post_file, stored_files, unit_url, upload_url

UNIT = "X.03637.UB"
ON_POSTGRESQL = django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def assignment(campaign):
    return assignment_of(campaign, UNIT)


@pytest.fixture
def client(clients):
    return clients["editor_muong_kim"]


@pytest.fixture
def good_file(assignment) -> bytes:
    load(assignment, data_for(assignment.unit))
    content = write_unit_template(assignment, prefilled=True)
    load(assignment, {"B01": data_for(assignment.unit)["B01"]})
    return content


def abandoned_upload(assignment, editor, good_file, *, age: timedelta) -> Upload:
    """What a worker killed while reading leaves behind: the stored file, `reading`, no result."""
    from django.core.files.base import ContentFile

    upload = Upload(
        campaign=assignment.campaign,
        unit=assignment.unit,
        original_name="phu_luc.xlsx",
        size=len(good_file),
        uploaded_by=editor,
    )
    upload.file.save("abandoned.xlsx", ContentFile(good_file), save=False)
    upload.save()
    Upload.objects.filter(pk=upload.pk).update(uploaded_at=timezone.now() - age)
    upload.refresh_from_db()
    assert upload.state == Upload.State.READING and upload.summary == {}
    return upload


# --- a read that never finished ----------------------------------------------------------------------


def test_a_read_abandoned_by_a_dead_worker_is_failed_and_never_confirmable(
    client, assignment, good_file, personas
):
    upload = abandoned_upload(assignment, personas["editor_muong_kim"], good_file, age=timedelta(minutes=10))
    page = client.get(upload_url("workbook_upload_preview", upload)).content.decode()
    assert 'data-testid="preview-failed"' in page and "không hoàn tất" in page
    assert 'data-testid="preview-ok"' not in page and 'data-testid="confirm"' not in page
    upload.refresh_from_db()
    assert upload.state == Upload.State.FAILED
    before = (unit_data(assignment), Snapshot.objects.count(), AuditEntry.objects.count())
    refused = client.post(upload_url("workbook_upload_confirm", upload), follow=True).content.decode()
    assert "Không đọc được tệp này nên không thể nhập" in refused
    assert (unit_data(assignment), Snapshot.objects.count(), AuditEntry.objects.count()) == before
    assert client.get(upload_url("workbook_upload_errors", upload)).status_code == 404


def test_a_read_still_running_is_not_confirmable_either(client, assignment, good_file, personas):
    upload = abandoned_upload(assignment, personas["editor_muong_kim"], good_file, age=timedelta(seconds=5))
    page = client.get(upload_url("workbook_upload_preview", upload)).content.decode()
    assert 'data-testid="preview-reading"' in page and 'data-testid="confirm"' not in page
    client.post(upload_url("workbook_upload_confirm", upload))
    upload.refresh_from_db()
    assert upload.state == Upload.State.READING and not ImportedSnapshot.objects.exists()


def test_the_periodic_sweep_fails_every_abandoned_read(assignment, good_file, personas):
    old = abandoned_upload(assignment, personas["editor_muong_kim"], good_file, age=timedelta(hours=1))
    recent = abandoned_upload(assignment, personas["editor_muong_kim"], good_file, age=timedelta(seconds=1))
    assert uploads.expire_all_interrupted() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.state, old.summary) == (Upload.State.FAILED, {"failure": uploads.INTERRUPTED})
    assert recent.state == Upload.State.READING


def test_the_migration_fails_pending_uploads_without_a_result(assignment, good_file, personas):
    """Uploads left by the crash before this version: pending, no result. They must not stay confirmable."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("rasoat.workbooks.migrations.0002_upload_states_and_checksum")
    crashed = abandoned_upload(assignment, personas["editor_muong_kim"], good_file, age=timedelta(days=1))
    read = abandoned_upload(assignment, personas["editor_muong_kim"], good_file, age=timedelta(days=1))
    Upload.objects.filter(pk=crashed.pk).update(state=Upload.State.PENDING)
    Upload.objects.filter(pk=read.pk).update(
        state=Upload.State.PENDING, summary={"rows": {"B05": 2}, "error_count": 0, "errors": []}
    )
    migration.checksum_pending_uploads(apps, None)
    crashed.refresh_from_db()
    read.refresh_from_db()
    assert crashed.state == Upload.State.FAILED and not crashed.checked_without_errors
    assert read.state == Upload.State.PENDING and read.sha256 == uploads.sha256(good_file)
    assert read.checked_without_errors


# --- the result is tied to the bytes ---------------------------------------------------------------


def test_the_result_is_kept_with_the_checksum_of_the_file(client, assignment, good_file):
    post_file(client, unit_url("workbook_unit_upload", assignment), good_file)
    upload = Upload.objects.get()
    assert upload.state == Upload.State.PENDING and upload.checked_without_errors
    assert upload.sha256 == uploads.sha256(good_file)


def test_a_stored_file_changed_after_the_preview_is_not_imported(client, assignment, good_file, settings):
    post_file(client, unit_url("workbook_unit_upload", assignment), good_file)
    upload = Upload.objects.get()
    [stored] = [path for path in stored_files(settings) if path.suffix == ".xlsx"]
    stored.write_bytes(good_file + b"\0")  # still readable as a zip; not the file that was checked
    before = (unit_data(assignment), Snapshot.objects.count())
    page = client.post(upload_url("workbook_upload_confirm", upload), follow=True).content.decode()
    assert "Tệp đã lưu bị thay đổi sau khi kiểm tra" in page
    upload.refresh_from_db()
    assert upload.state == Upload.State.FAILED
    assert (unit_data(assignment), Snapshot.objects.count()) == before


# --- control characters in cells ---------------------------------------------------------------------


def workbook_with_controls(assignment) -> bytes:
    """The unit's data with NUL and other control characters in cells: XlsxWriter writes them as
    `_x0000_`-style escapes, which spreadsheet programs (and calamine) decode back."""
    data = data_for(assignment.unit)
    data["B05"][0]["device_type"] = "Loại\x00 lạ"  # not one of the choices: an error showing the value
    data["B05"][1]["quantity"] = "2\x00"  # a number once the NUL is stripped
    data["B05"][1]["model"] = "Canon\x00 LBP\x07"
    return xlsx_bytes(workbook_sheets(get_appendix("2026.1"), data))


def test_control_characters_in_cells_give_messages_not_a_500(client, assignment):
    response = post_file(
        client, unit_url("workbook_unit_upload", assignment), workbook_with_controls(assignment)
    )
    assert response.status_code == 302
    upload = Upload.objects.get()
    assert upload.state == Upload.State.PENDING
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="preview-has-errors"' in page
    # The faulty choice is named with its sheet, row and column; the NUL is shown, never stored.
    [device] = upload.summary["errors"]
    assert (device["sheet"], device["row"], device["value"]) == ("Thiết bị đầu cuối", 3, "Loại␀ lạ")
    assert device["column"] and "Loại␀ lạ" in page
    assert "\x00" not in str(upload.summary)
    # The other cells lost their control characters and are valid.
    client.post(upload_url("workbook_upload_cancel", upload))


def test_control_characters_in_a_text_cell_are_stripped(client, assignment):
    data = data_for(assignment.unit)
    data["B05"][1]["note"] = "ghi\x00 chú\x1f"
    content = xlsx_bytes(workbook_sheets(get_appendix("2026.1"), data))
    post_file(client, unit_url("workbook_unit_upload", assignment), content)
    upload = Upload.objects.get()
    assert upload.checked_without_errors
    client.post(upload_url("workbook_upload_confirm", upload))
    notes = [row["note"] for row in unit_data(assignment)["B05"]]
    assert "ghi chú" in notes


# --- a file confirmed twice is imported once --------------------------------------------------------


def test_confirming_twice_in_a_row_imports_once(client, assignment, good_file):
    post_file(client, unit_url("workbook_unit_upload", assignment), good_file)
    upload = Upload.objects.get()
    for _attempt in range(2):
        client.post(upload_url("workbook_upload_confirm", upload))
    assert ImportedSnapshot.objects.filter(upload=upload).count() == 1
    assert AuditEntry.objects.filter(action="workbook.imported", object_id=str(upload.pk)).count() == 1


if ON_POSTGRESQL:

    @pytest.mark.django_db(transaction=True)
    def test_two_confirmations_at_the_same_time_import_once(lai_chau, personas, settings, tmp_path):
        """Two sessions of the editor confirm the same upload at the same instant, five times over:
        each time one import, one snapshot, one audit entry; the other is told it was already done."""
        from rasoat.campaigns.models import Campaign

        campaign = Campaign.objects.get(code="RS2026")
        assignment = assignment_of(campaign, UNIT)
        editor = personas["editor_muong_kim"]
        load(assignment, data_for(assignment.unit))
        content = write_unit_template(assignment, prefilled=True)
        for _round in range(5):
            first, second = client_for(editor), client_for(editor)
            post_file(first, unit_url("workbook_unit_upload", assignment), content)
            upload = Upload.objects.latest("pk")
            assert upload.checked_without_errors
            barrier = threading.Barrier(2)
            pages: list[str] = []

            def confirm(client, upload=upload, barrier=barrier, pages=pages):
                try:
                    barrier.wait(timeout=30)
                    response = client.post(upload_url("workbook_upload_confirm", upload), follow=True)
                    pages.append(response.content.decode())
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=confirm, args=(c,)) for c in (first, second)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            assert len(pages) == 2
            assert ImportedSnapshot.objects.filter(upload=upload).count() == 1
            assert (
                AuditEntry.objects.filter(action="workbook.imported", object_id=str(upload.pk)).count() == 1
            )
            assert sum("Đã nhập dữ liệu từ tệp" in page for page in pages) == 1
            assert sum("Tệp này đã được nhập hoặc đã bị hủy" in page for page in pages) == 1

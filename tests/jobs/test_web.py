"""Web requests never wait for background work: an import's confirm returns before any finding
exists, the unit's page says it is being updated and polls until fresh; the campaign recompute and
large exports are jobs the person follows on "Công việc", whose files only they download."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from python_calamine import CalamineWorkbook

from rasoat.assessment.models import Finding, UnitScore
from rasoat.jobs import tasks
from rasoat.jobs.models import CampaignRecompute, Job, UnitRecompute
from rasoat.workbooks.models import Upload
from rasoat.workbooks.template import write_unit_template
from tests.conftest import MUONG_KIM, MUONG_KIM_UNITS
from tests.inventory.test_workflow import assignment_of, data_for, load

PENDING_TEXT = "Đang cập nhật đánh giá…"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run_queued() -> None:
    """Do what a worker does with every queued task (the worker process itself: test_worker.py)."""
    for result in DBTaskResult.objects.ready():
        result.claim("test")
        result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
        result.set_successful(None)


def status_url(assignment) -> str:
    return reverse("assessment_status", args=[assignment.campaign.code, assignment.unit_id])


def test_an_import_returns_before_the_assessment_and_the_page_says_it_is_updating(
    campaign, clients, database_queue
):
    assignment = assignment_of(campaign, MUONG_KIM_UNITS[2])
    load(assignment, data_for(assignment.unit))
    content = write_unit_template(assignment, prefilled=True)
    load(assignment, {"B01": data_for(assignment.unit)["B01"]})
    run_queued()
    findings = Finding.objects.filter(assignment=assignment)
    before = sorted(findings.values_list("pk", "rule"))  # those of B01 alone
    client = clients["editor_muong_kim"]
    upload_url = reverse("workbook_unit_upload", args=[campaign.code, assignment.unit_id])
    client.post(upload_url, {"file": SimpleUploadedFile("phu_luc.xlsx", content)})
    upload = Upload.objects.get()
    confirmed = client.post(reverse("workbook_upload_confirm", args=[campaign.code, upload.pk]))

    assert confirmed.status_code == 302
    upload.refresh_from_db()
    assert upload.state == Upload.State.IMPORTED
    # No worker ran: the request did not compute anything, it only flagged the unit and queued one job.
    assert sorted(findings.values_list("pk", "rule")) == before
    assert UnitRecompute.objects.filter(assignment=assignment).exists()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1

    page = client.get(reverse("assessment_unit", args=[campaign.code, assignment.unit_id])).content.decode()
    assert PENDING_TEXT in page and 'hx-trigger="every 2s"' in page
    assert f'hx-get="{status_url(assignment)}"' in page
    assert 'data-testid="not-assessed"' not in page
    poll = client.get(status_url(assignment), HTTP_HX_REQUEST="true")
    assert PENDING_TEXT in poll.content.decode() and "HX-Refresh" not in poll

    run_queued()
    assert findings.filter(sheet="B05").exists()
    fresh = client.get(status_url(assignment), HTTP_HX_REQUEST="true")
    assert fresh["HX-Refresh"] == "true"  # the page reloads itself with the new figures
    page = client.get(reverse("assessment_unit", args=[campaign.code, assignment.unit_id])).content.decode()
    assert PENDING_TEXT not in page and 'data-testid="scores"' in page


def test_the_status_fragment_is_scoped(campaign, clients, database_queue):
    assignment = assignment_of(campaign, MUONG_KIM_UNITS[0])
    assert clients["editor_muong_te"].get(status_url(assignment)).status_code == 404
    assert clients["anonymous"].get(status_url(assignment)).status_code == 302
    assert clients["viewer_muong_kim"].get(status_url(assignment)).status_code == 200


def test_the_campaign_recompute_is_a_job_followed_on_the_jobs_page(
    campaign, clients, personas, database_queue
):
    dang_uy = assignment_of(campaign, MUONG_KIM_UNITS[0])
    load(dang_uy)
    run_queued()
    admin = clients["admin"]
    response = admin.post(reverse("assessment_recompute", args=[campaign.code]), follow=True)
    assert "đang được tính lại" in response.content.decode()
    job = Job.objects.get(kind=Job.Kind.RECOMPUTE)
    assert job.owner == personas["admin"] and job.state == Job.State.QUEUED
    assert CampaignRecompute.objects.filter(campaign=campaign).exists()
    # A second press while it is pending adds a follower, not a second recompute.
    admin.post(reverse("assessment_recompute", args=[campaign.code]))
    assert DBTaskResult.objects.filter(task_path="rasoat.jobs.tasks.recompute_campaign").count() == 1
    unit_page = admin.get(reverse("assessment_unit", args=[campaign.code, dang_uy.unit_id])).content.decode()
    assert PENDING_TEXT in unit_page

    listing = admin.get(reverse("job_list")).content.decode()
    assert 'data-testid="job-progress"' in listing and 'hx-trigger="every 2s"' in listing

    UnitScore.objects.all().delete()
    run_queued()
    assert UnitScore.objects.filter(assignment=dang_uy).exists()
    assert set(Job.objects.values_list("state", flat=True)) == {Job.State.DONE}
    listing = admin.get(reverse("job_list")).content.decode()
    assert "Đã tính lại kết quả đánh giá" in listing and 'hx-trigger="every 2s"' not in listing


def test_a_large_export_is_a_job_whose_file_only_its_owner_downloads(
    campaign, clients, personas, database_queue, settings
):
    settings.JOBS_EXPORT_THRESHOLD = 3
    load(assignment_of(campaign, MUONG_KIM_UNITS[0]))
    editor = clients["editor_muong_kim"]
    response = editor.get(reverse("workbook_export", args=[campaign.code]))
    assert response.status_code == 302 and response["Location"] == reverse("job_list")
    job = Job.objects.get(kind=Job.Kind.EXPORT)
    assert job.owner == personas["editor_muong_kim"] and job.state == Job.State.QUEUED

    run_queued()
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.progress == 100
    assert not list((settings.JOBS_RESULT_ROOT).glob("*.part"))
    listing = editor.get(reverse("job_list")).content.decode()
    download = reverse("job_download", args=[job.pk])
    assert download in listing
    file = editor.get(download)
    # Named by its scope (the editor's commune), as the direct download names it.
    assert file.status_code == 200
    assert 'filename="tong-hop-RS2026-xa-muong-kim.xlsx"' in file["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(file.streaming_content)))
    status_rows = book.get_sheet_by_name("Tình trạng").to_python()
    codes = {row[0] for row in status_rows[1:] if row and row[0]}
    assert codes and all(code.startswith(MUONG_KIM) for code in codes)  # the editor's scope only

    # Nobody else downloads it: another editor does not even see it, the administrator sees it listed.
    assert clients["editor_muong_te"].get(download).status_code == 404
    assert str(job.pk) not in clients["editor_muong_te"].get(reverse("job_list")).content.decode()
    assert job.title in clients["admin"].get(reverse("job_list")).content.decode()
    assert clients["admin"].get(download).status_code == 404
    assert clients["anonymous"].get(download).status_code == 302


def test_a_scope_at_the_threshold_is_still_a_direct_download(campaign, clients, database_queue, settings):
    settings.JOBS_EXPORT_THRESHOLD = 5
    response = clients["editor_muong_kim"].get(reverse("workbook_export", args=[campaign.code]))
    assert response.status_code == 200 and not Job.objects.exists()


def test_the_worker_task_skips_when_nothing_is_pending(campaign, database_queue):
    assignment = assignment_of(campaign, MUONG_KIM_UNITS[0])
    assert tasks.recompute_unit.call(assignment.pk) == "nothing pending"
    assert tasks.recompute_campaign.call(campaign.pk) == "nothing pending"
    assert not Finding.objects.exists()


def test_a_pdf_report_is_a_job_and_only_its_owner_downloads_it(campaign, clients, personas, database_queue):
    import shutil

    from tests.reports.conftest import SOFFICE, require_tool

    require_tool(SOFFICE if shutil.which(SOFFICE) else shutil.which("soffice"), "LibreOffice")
    viewer = clients["viewer_muong_kim"]
    response = viewer.get("/dot/RS2026/bao-cao/unit/", {"unit": "X.03637.UB", "pdf": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("job_list")
    job = Job.objects.get(kind=Job.Kind.REPORT)
    assert job.owner == personas["viewer_muong_kim"] and job.unit.code == "X.03637.UB"
    run_queued()
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.message
    file = viewer.get(reverse("job_download", args=[job.pk]))
    assert file["Content-Type"] == "application/pdf"
    assert 'filename="bao-cao-RS2026-X.03637.UB.pdf"' in file["Content-Disposition"]
    assert b"".join(file.streaming_content).startswith(b"%PDF")
    assert clients["reviewer"].get(reverse("job_download", args=[job.pk])).status_code == 404


def test_the_dashboard_says_when_figures_in_its_scope_wait_for_a_recompute(campaign, clients, database_queue):
    dashboard = reverse("dashboard", args=[campaign.code])
    status = reverse("assessment_campaign_status", args=[campaign.code])
    load(assignment_of(campaign, MUONG_KIM_UNITS[0]))  # queued, no worker yet
    page = clients["editor_muong_kim"].get(dashboard).content.decode()
    assert PENDING_TEXT in page and f'hx-get="{status}"' in page
    # The Mường Tè editor's figures do not include that unit: nothing of theirs is stale.
    assert PENDING_TEXT not in clients["editor_muong_te"].get(dashboard).content.decode()
    assert clients["editor_muong_te"].get(status)["HX-Refresh"] == "true"
    assert PENDING_TEXT in clients["editor_muong_kim"].get(status).content.decode()
    run_queued()
    assert clients["editor_muong_kim"].get(status)["HX-Refresh"] == "true"
    assert PENDING_TEXT not in clients["editor_muong_kim"].get(dashboard).content.decode()

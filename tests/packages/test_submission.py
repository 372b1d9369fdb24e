"""The package in the workflow: submitting needs the report when the campaign says so, the commune's
combined report covers its units, snapshots keep the package, a return names the report."""

import pytest

from rasoat.campaigns.models import Campaign, Snapshot, Status
from rasoat.inventory import workflow
from rasoat.inventory.workflow import WorkflowError
from rasoat.packages import services
from rasoat.packages.models import Requirement, SnapshotAttachment
from tests.conftest import MUONG_KIM_UNITS, client_for, make_user
from tests.inventory.test_workflow import assignment_of, load
from tests.packages import pdfs

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(lai_chau):
    return make_user("xa_muong_kim", "editor", "X.03637")


def test_default_requirement_follows_the_appendix_version(campaign):
    assert services.setting_for(campaign).requirement == Requirement.NOT_ASKED  # RS2026 is on 2026.1
    later = Campaign(code="RS2027", appendix_version="2026.2")
    assert services.setting_for(later).requirement == Requirement.REQUIRED


def test_submit_needs_the_report_then_the_snapshot_keeps_it(required, editor, signed_pdf, trusted):
    assignment = assignment_of(required, "X.03637.UB")
    load(assignment, actor=editor)
    with pytest.raises(WorkflowError) as caught:
        workflow.submit(assignment, editor, acknowledge_warnings=True)
    assert "báo cáo" in caught.value.message.lower()
    assert assignment.status != Status.SUBMITTED
    assert not Snapshot.objects.filter(assignment=assignment, kind=Snapshot.Kind.SUBMIT).exists()

    first = services.attach(required, assignment.unit, "v1.pdf", signed_pdf, actor=editor).attachment
    workflow.submit(assignment, editor, acknowledge_warnings=True)
    snapshot = assignment.snapshots.filter(kind=Snapshot.Kind.SUBMIT).first()
    assert [link.attachment for link in snapshot.package_links.all()] == [first]

    # Returned, the unit replaces its report and submits again: each submission keeps its own.
    reviewer = make_user("tonghop", "reviewer", "LC")
    workflow.return_submission(assignment, reviewer, "Bổ sung")
    second = services.attach(required, assignment.unit, "v2.pdf", signed_pdf, actor=editor).attachment
    workflow.submit(assignment, editor, acknowledge_warnings=True)
    newest = assignment.snapshots.filter(kind=Snapshot.Kind.SUBMIT).first()
    assert [link.attachment for link in newest.package_links.all()] == [second]
    assert SnapshotAttachment.objects.filter(snapshot=snapshot, attachment=first).exists()

    page = client_for(editor).get(f"/dot/{required.code}/don-vi/{assignment.unit_id}/ho-so/").content.decode()
    assert "v1.pdf" in page and "v2.pdf" in page and 'data-testid="replaced"' in page


def test_a_report_changed_after_signing_stops_the_submission(required, editor, signed_pdf, trusted):
    assignment = assignment_of(required, "X.03637.UB")
    load(assignment, actor=editor)
    services.attach(required, assignment.unit, "bc.pdf", pdfs.tamper(signed_pdf), actor=editor)
    with pytest.raises(WorkflowError) as caught:
        workflow.submit(assignment, editor, acknowledge_warnings=True)
    assert "bc.pdf" in caught.value.message


def test_the_commune_report_covers_its_five_units(required, editor, signed_pdf):
    assignments = [assignment_of(required, code) for code in MUONG_KIM_UNITS]
    for assignment in assignments:
        load(assignment, actor=editor)
    commune = assignments[0].unit.commune
    with pytest.raises(WorkflowError):
        workflow.submit_all(assignments, editor, acknowledge_warnings=True)
    services.attach(required, commune, "bao-cao-xa.pdf", signed_pdf, actor=editor)
    client = client_for(editor)
    response = client.post(f"/dot/{required.code}/xa/{commune.pk}/gui-tat-ca/", {"acknowledge": "on"})
    assert response.status_code == 302
    for assignment in assignments:
        assignment.refresh_from_db()
        assert assignment.status == Status.SUBMITTED
        snapshot = assignment.snapshots.filter(kind=Snapshot.Kind.SUBMIT).first()
        assert snapshot.package_links.get().attachment.original_name == "bao-cao-xa.pdf"


def test_return_names_the_report(required, editor, signed_pdf, personas):
    assignment = assignment_of(required, "X.03637.UB")
    load(assignment, actor=editor)
    services.attach(required, assignment.unit, "bao-cao-ubnd.pdf", signed_pdf, actor=editor)
    workflow.submit(assignment, editor, acknowledge_warnings=True)
    client = client_for(personas["reviewer"])
    page = client.get(f"/dot/{required.code}/don-vi/{assignment.unit_id}/lich-su/").content.decode()
    assert 'data-testid="package-panel"' in page and "Nguyễn Văn An" in page
    response = client.post(
        f"/dot/{required.code}/don-vi/{assignment.unit_id}/ho-so/tra-lai/",
        {"preset": "unsigned", "note": "Đề nghị ký số lại"},
    )
    assert response.status_code == 302
    transition = assignment.transitions.last()
    assert transition.to_status == Status.RETURNED
    assert "bao-cao-ubnd.pdf" in transition.reason and "chưa ký số" in transition.reason
    assert "Đề nghị ký số lại" in transition.reason


def test_the_file_is_served_for_the_preview(campaign, editor, signed_pdf, personas):
    assignment = assignment_of(campaign, "X.03637.UB")
    stored = services.attach(campaign, assignment.unit, "bc.pdf", signed_pdf, actor=editor).attachment
    response = client_for(editor).get(f"/dot/{campaign.code}/ho-so/tep/{stored.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "inline" in response["Content-Disposition"]
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(response.streaming_content) == signed_pdf
    # Out of scope: the Mường Tè editor does not learn the file exists.
    assert (
        client_for(personas["editor_muong_te"])
        .get(f"/dot/{campaign.code}/ho-so/tep/{stored.pk}/")
        .status_code
        == 404
    )


def test_the_upload_page_refuses_a_fake_pdf_with_a_message(campaign, editor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rasoat.packages.models import Attachment

    assignment = assignment_of(campaign, "X.03637.UB")
    fake = SimpleUploadedFile("bao-cao.pdf", b"PK\x03\x04 this is a zip", content_type="application/pdf")
    response = client_for(editor).post(
        f"/dot/{campaign.code}/don-vi/{assignment.unit_id}/ho-so/", {"kind": "report", "file": fake}
    )
    assert response.status_code == 400
    assert "không phải là tệp PDF" in response.content.decode()
    assert not Attachment.objects.exists()

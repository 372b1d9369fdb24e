"""Issue 11, the review desk's actions: confirmation first, recall, reviewer reopen, bulk accept,
deadline extensions; each audited with its workflow event."""

import datetime

import pytest
from django.urls import reverse

from rasoat.audit.models import AuditEntry
from rasoat.campaigns.models import Status
from rasoat.desk.models import DeadlineExtension
from rasoat.inventory import workflow
from tests.conftest import MUONG_KIM_UNITS, MUONG_TE_UNITS
from tests.inventory.test_workflow import assignment_of, load


def url(name, assignment):
    return reverse(name, args=[assignment.campaign.code, assignment.unit_id])


@pytest.fixture
def submitted(campaign, personas):
    """Three Mường Kim units with valid data, submitted by the commune's editor."""
    result = []
    for code in MUONG_KIM_UNITS[:3]:
        assignment = assignment_of(campaign, code)
        load(assignment, actor=personas["editor_muong_kim"])
        workflow.submit(assignment, personas["editor_muong_kim"], acknowledge_warnings=True)
        assignment.refresh_from_db()
        result.append(assignment)
    return result


def events(assignment, kind):
    return AuditEntry.objects.filter(action=f"workflow.{kind}", object_id=str(assignment.pk)).count()


def test_accept_asks_first_then_acts_and_announces(clients, submitted):
    target = submitted[0]
    asked = clients["reviewer"].post(url("workflow_accept", target))
    assert asked.status_code == 200 and 'data-testid="confirm-accept"' in asked.content.decode()
    target.refresh_from_db()
    assert target.status == Status.SUBMITTED and events(target, "accepted") == 0
    done = clients["reviewer"].post(url("workflow_accept", target), {"confirmed": "1"})
    assert done.status_code == 302
    target.refresh_from_db()
    assert target.status == Status.ACCEPTED
    assert events(target, "accepted") == 1


def test_return_needs_a_reason_on_the_confirmation_page(clients, submitted):
    target = submitted[0]
    page = clients["reviewer"].post(url("workflow_return", target), {"reason": "", "confirmed": "1"})
    assert page.status_code == 200 and "Cần nêu lý do" in page.content.decode()
    target.refresh_from_db()
    assert target.status == Status.SUBMITTED
    clients["reviewer"].post(url("workflow_return", target), {"reason": "Thiếu B05", "confirmed": "1"})
    target.refresh_from_db()
    assert target.status == Status.RETURNED
    assert AuditEntry.objects.get(action="workflow.returned", object_id=str(target.pk)).note == "Thiếu B05"


def test_editor_recalls_a_submitted_report_until_it_is_reviewed(clients, submitted, personas):
    target, other = submitted[0], submitted[1]
    editor = clients["editor_muong_kim"]
    assert 'data-testid="confirm-recall"' in editor.get(url("workflow_recall", target)).content.decode()
    editor.post(url("workflow_recall", target), {"confirmed": "1"})
    target.refresh_from_db()
    assert target.status == Status.IN_PROGRESS and target.submitted_at is None
    assert events(target, "recalled") == 1
    # Once reviewed, nothing can be recalled.
    workflow.accept(other, personas["reviewer"])
    response = editor.post(url("workflow_recall", other), {"confirmed": "1"}, follow=True)
    other.refresh_from_db()
    assert other.status == Status.ACCEPTED
    assert "Chỉ rút lại được báo cáo đã gửi và chưa được duyệt." in response.content.decode()


def test_a_commune_editor_cannot_see_or_recall_another_communes_unit(clients, campaign, personas):
    foreign = assignment_of(campaign, MUONG_TE_UNITS[0])
    load(foreign, actor=personas["editor_muong_te"])
    workflow.submit(foreign, personas["editor_muong_te"], acknowledge_warnings=True)
    editor = clients["editor_muong_kim"]
    assert editor.get(url("workflow_recall", foreign)).status_code == 404
    assert editor.post(url("workflow_recall", foreign), {"confirmed": "1"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == Status.SUBMITTED
    home = editor.get("/").content.decode()
    assert foreign.unit.code not in home and foreign.unit.name not in home


def test_reviewer_reopens_an_accepted_report_with_a_reason(clients, submitted, personas):
    target = submitted[0]
    workflow.accept(target, personas["reviewer"])
    clients["reviewer"].post(url("workflow_reopen", target), {"reason": "Sai B05", "confirmed": "1"})
    target.refresh_from_db()
    assert target.status == Status.RETURNED
    assert events(target, "reopened") == 1


def test_bulk_accept_three_units_after_confirming(clients, submitted, campaign):
    board = reverse("campaign_board", args=[campaign.code])
    bulk = reverse("desk_bulk_accept", args=[campaign.code])
    ids = [str(a.unit_id) for a in submitted]
    asked = clients["reviewer"].post(bulk, {"unit": ids, "next": board})
    page = asked.content.decode()
    assert asked.status_code == 200 and page.count('name="unit"') == 3
    for assignment in submitted:
        assignment.refresh_from_db()
        assert assignment.status == Status.SUBMITTED
    done = clients["reviewer"].post(bulk, {"unit": ids, "confirmed": "1", "next": board})
    assert done.status_code == 302 and done["Location"] == board
    for assignment in submitted:
        assignment.refresh_from_db()
        assert assignment.status == Status.ACCEPTED
        assert events(assignment, "accepted") == 1


def test_bulk_accept_is_all_or_none(clients, submitted, campaign):
    draft = assignment_of(campaign, MUONG_KIM_UNITS[4])
    bulk = reverse("desk_bulk_accept", args=[campaign.code])
    ids = [str(a.unit_id) for a in submitted] + [str(draft.unit_id)]
    clients["reviewer"].post(bulk, {"unit": ids, "confirmed": "1"})
    for assignment in submitted:
        assignment.refresh_from_db()
        assert assignment.status == Status.SUBMITTED


def test_bulk_accept_never_touches_units_out_of_scope(clients, campaign, personas, submitted):
    """An editor may not review at all (403); a unit id outside the reviewer's scope is ignored."""
    bulk = reverse("desk_bulk_accept", args=[campaign.code])
    ids = [str(a.unit_id) for a in submitted]
    assert clients["editor_muong_kim"].post(bulk, {"unit": ids, "confirmed": "1"}).status_code == 403
    for assignment in submitted:
        assignment.refresh_from_db()
        assert assignment.status == Status.SUBMITTED


def test_deadline_extension_is_recorded_audited_and_shown(clients, campaign, personas):
    target = assignment_of(campaign, MUONG_KIM_UNITS[2])
    later = campaign.deadline + datetime.timedelta(days=10)
    reviewer = clients["reviewer"]
    # A date not after the deadline is refused with the reason, nothing recorded.
    early = reviewer.post(
        url("desk_extend", target),
        {"deadline": campaign.deadline.isoformat(), "reason": "x", "confirmed": "1"},
    )
    assert "Hạn mới phải sau hạn hiện tại" in early.content.decode()
    assert not DeadlineExtension.objects.exists()
    asked = reviewer.post(
        url("desk_extend", target), {"deadline": later.strftime("%d/%m/%Y"), "reason": "Mưa lũ"}
    )
    assert 'data-testid="confirm-question"' in asked.content.decode()
    assert not DeadlineExtension.objects.exists()
    reviewer.post(
        url("desk_extend", target), {"deadline": later.isoformat(), "reason": "Mưa lũ", "confirmed": "1"}
    )
    extension = DeadlineExtension.objects.get()
    assert extension.deadline == later and extension.actor == personas["reviewer"]
    assert AuditEntry.objects.filter(action="deadline.extended").count() == 1
    assert events(target, "extended") == 1
    board = reviewer.get(reverse("campaign_board", args=[campaign.code]) + "?q=X.03637").content.decode()
    assert f"Gia hạn đến {later:%d/%m/%Y}" in board
    home = clients["editor_muong_kim"].get("/").content.decode()
    assert f"Hạn gửi: {later:%d/%m/%Y}" in home
    overview = clients["editor_muong_kim"].get(url("entry_overview", target)).content.decode()
    assert 'data-testid="extension-notice"' in overview and "Mưa lũ" in overview
    # Editors cannot extend.
    assert clients["editor_muong_kim"].get(url("desk_extend", target)).status_code == 403


def test_unit_overview_offers_accept_and_return_to_the_reviewer_only(clients, submitted):
    target = submitted[0]
    page = clients["reviewer"].get(url("entry_overview", target)).content.decode()
    assert 'data-testid="review-accept"' in page and 'data-testid="review-return"' in page
    page = clients["editor_muong_kim"].get(url("entry_overview", target)).content.decode()
    assert 'data-testid="review-accept"' not in page and 'data-testid="review-recall"' in page


def test_an_extended_unit_is_no_longer_late(clients, campaign, personas):
    from django.utils import timezone

    from rasoat.desk.services import extend_deadline

    target = assignment_of(campaign, MUONG_KIM_UNITS[3])
    before = clients["reviewer"].get("/").content.decode()
    late_before = int(before.split('data-testid="late-count">')[1].split("<")[0])
    extend_deadline(target, personas["reviewer"], timezone.localdate() + datetime.timedelta(days=5), "Mưa lũ")
    after = clients["reviewer"].get("/").content.decode()
    assert int(after.split('data-testid="late-count">')[1].split("<")[0]) == late_before - 1
    card = clients["editor_muong_kim"].get("/").content.decode().split(f'data-unit="{target.unit.code}"')[1]
    assert "Còn 5 ngày" in card.split('data-testid="todo-unit"')[0]

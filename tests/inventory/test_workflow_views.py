"""The review workflow over HTTP: permissions, the check page, history, diff, carry forward, submit-all."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rasoat.campaigns.models import Assignment, Campaign, Snapshot, Status
from rasoat.campaigns.services import create_campaign
from rasoat.inventory import services, workflow
from rasoat.inventory.data import appendix_for
from rasoat.inventory.models import EndDevice
from rasoat.orgs.models import Kind, Unit
from tests.conftest import MUONG_KIM, MUONG_KIM_UNITS, client_for, make_user
from tests.inventory.test_workflow import assignment_of, edit_b05, load

TARGET = MUONG_KIM_UNITS[0]  # Đảng ủy xã Mường Kim

PERSONAS = [
    "admin",
    "reviewer",
    "editor_muong_kim",
    "editor_muong_te",
    "viewer_muong_kim",
    "anonymous",
    "nobody",
]

READ = {
    "admin": 200,
    "reviewer": 200,
    "editor_muong_kim": 200,
    "editor_muong_te": 404,
    "viewer_muong_kim": 200,
    "anonymous": 302,
    "nobody": 404,
}
SUBMIT_GET = {**READ, "reviewer": 403, "viewer_muong_kim": 403}
SUBMIT_POST = {**SUBMIT_GET, "admin": 302, "editor_muong_kim": 302}
REVIEW = {
    "admin": 302,
    "reviewer": 302,
    "editor_muong_kim": 403,
    "editor_muong_te": 404,
    "viewer_muong_kim": 403,
    "anonymous": 302,
    "nobody": 404,
}
REOPEN = REVIEW  # reviewers reopen too (issue 11)
EDIT = {**REVIEW, "reviewer": 403, "editor_muong_kim": 302}


def unit_url(name: str, assignment: Assignment) -> str:
    return reverse(name, args=[assignment.campaign.code, assignment.unit_id])


def commune_submit_url(campaign: Campaign, code: str = MUONG_KIM) -> str:
    commune = Unit.objects.get(code=code, kind=Kind.COMMUNE)
    return reverse("workflow_commune_submit", args=[campaign.code, commune.pk])


def diff_url(assignment: Assignment, a: int, b: int) -> str:
    return f"{unit_url('workflow_diff', assignment)}?a={a}&b={b}"


def submitted_snapshots(assignment: Assignment) -> list[Snapshot]:
    return list(assignment.snapshots.filter(kind=Snapshot.Kind.SUBMIT).order_by("created_at", "pk"))


# (method, url, the state the target is put in first, expected status per persona)
ACTIONS = {
    "history": ("get", lambda a: unit_url("workflow_history", a), "draft", READ),
    "diff": ("get", None, "draft", READ),
    "submit_page": ("get", lambda a: unit_url("workflow_submit", a), "draft", SUBMIT_GET),
    "submit": ("post", lambda a: unit_url("workflow_submit", a), "draft", SUBMIT_POST),
    "return": ("post", lambda a: unit_url("workflow_return", a), "submitted", REVIEW),
    "accept": ("post", lambda a: unit_url("workflow_accept", a), "submitted", REVIEW),
    "reopen": ("post", lambda a: unit_url("workflow_reopen", a), "accepted", REOPEN),
    "carry_forward": ("post", lambda a: unit_url("workflow_carry_forward", a), "draft", EDIT),
    "commune_submit": ("post", lambda a: commune_submit_url(a.campaign), "draft", EDIT),
}


@pytest.fixture
def everyone(clients):
    return {**clients, "nobody": client_for(make_user("nobody"))}


@pytest.fixture
def editor(personas):
    return personas["editor_muong_kim"]


@pytest.fixture
def target(campaign, personas) -> Assignment:
    """Mường Kim's Party committee with valid data (one warning), as a draft."""
    assignment = assignment_of(campaign, TARGET)
    load(assignment, actor=personas["editor_muong_kim"])
    return assignment


def put_in_state(assignment: Assignment, state: str, personas) -> None:
    if state in ("submitted", "accepted"):
        workflow.submit(assignment, personas["editor_muong_kim"], acknowledge_warnings=True)
    if state == "accepted":
        workflow.accept(assignment, personas["reviewer"])


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_access_by_persona(everyone, personas, target, action, persona):
    method, url_for, state, expected = ACTIONS[action]
    put_in_state(target, state, personas)
    if action == "diff":
        # The load kept a snapshot of the (empty) data before it; take a second one to compare with.
        services.take_snapshot(target, Snapshot.Kind.SUBMIT)
        snapshots = list(target.snapshots.order_by("pk"))
        url = diff_url(target, snapshots[0].pk, snapshots[-1].pk)
    else:
        url = url_for(target)
    status_before = Assignment.objects.get(pk=target.pk).status
    data = {"reason": "Kiểm tra lại", "acknowledge": "on", "confirmed": "1"} if method == "post" else None
    response = getattr(everyone[persona], method)(url, data)

    assert response.status_code == expected[persona], (action, persona)
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    elif response.status_code == 302:
        assert not response["Location"].startswith(reverse("login"))
    if method == "post" and expected[persona] in (403, 404) or persona == "anonymous":
        assert Assignment.objects.get(pk=target.pk).status == status_before


def test_reading_outside_scope_is_404_for_every_unit_page(clients, campaign):
    # The Mường Tè editor probes a Mường Kim unit that has no data at all.
    assignment = assignment_of(campaign, MUONG_KIM_UNITS[2])
    client = clients["editor_muong_te"]
    for name in ("workflow_history", "workflow_submit"):
        assert client.get(unit_url(name, assignment)).status_code == 404
    assert client.get(diff_url(assignment, 1, 2)).status_code == 404


def test_unknown_campaign_or_unit_is_404(clients, campaign):
    client = clients["admin"]
    assert client.get(reverse("workflow_history", args=["KHONG", 1])).status_code == 404
    assert client.get(reverse("workflow_history", args=[campaign.code, 999999])).status_code == 404
    assert client.post(reverse("workflow_commune_submit", args=["KHONG", 1])).status_code == 404


def test_get_on_a_post_only_step_is_refused(clients, target):
    assert clients["admin"].get(unit_url("workflow_carry_forward", target)).status_code == 405


def test_get_on_a_review_step_only_asks(clients, target, personas):
    """Return, accept and reopen answer a GET with their confirmation page (or a refusal): never an act."""
    put_in_state(target, "submitted", personas)
    for name in ("workflow_return", "workflow_accept"):
        assert 'data-testid="confirm"' in clients["admin"].get(unit_url(name, target)).content.decode()
    assert clients["admin"].get(unit_url("workflow_reopen", target)).status_code == 302
    target.refresh_from_db()
    assert target.status == Status.SUBMITTED


# --- the check and the submission -----------------------------------------------------------------


def test_submit_page_lists_errors_with_sheet_row_column_and_link(clients, target, editor):
    edit_b05(target, editor, position=4, ram_gb=None)  # a laptop
    b05 = appendix_for(target).sheet("B05")
    response = clients["editor_muong_kim"].get(unit_url("workflow_submit", target))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="check-error" data-sheet="B05" data-row="4"' in html
    assert b05.title in html
    assert b05.column("ram_gb").header in html
    assert reverse("entry_sheet", args=[target.campaign.code, target.unit_id, "B05"]) in html
    assert 'data-testid="submit-button" disabled' in html


def test_submit_page_links_b01_errors_to_the_general_form(clients, campaign):
    assignment = assignment_of(campaign, MUONG_KIM_UNITS[1])
    html = clients["editor_muong_kim"].get(unit_url("workflow_submit", assignment)).content.decode()
    assert 'data-testid="check-error" data-sheet="B01"' in html
    assert reverse("entry_general", args=[campaign.code, assignment.unit_id]) in html
    assert "Chưa nhập" in html


def test_submit_with_errors_is_refused_and_changes_nothing(clients, target, editor):
    edit_b05(target, editor, position=4, ram_gb=None)  # a laptop
    response = clients["editor_muong_kim"].post(unit_url("workflow_submit", target), {"acknowledge": "on"})
    assert response.status_code == 200
    assert 'data-testid="submit-failure"' in response.content.decode()
    target.refresh_from_db()
    assert target.status == Status.IN_PROGRESS
    assert not target.snapshots.filter(kind=Snapshot.Kind.SUBMIT).exists()


def test_submit_page_shows_warnings_apart_with_the_checkbox(clients, target):
    html = clients["editor_muong_kim"].get(unit_url("workflow_submit", target)).content.decode()
    assert 'data-testid="no-errors"' in html
    assert 'data-testid="check-warning" data-sheet="B04" data-row="6"' in html
    assert 'data-testid="check-error"' not in html
    assert "Tôi đã kiểm tra các cảnh báo" in html
    assert 'name="acknowledge"' in html


def test_submit_without_acknowledging_the_warnings_is_refused(clients, target):
    response = clients["editor_muong_kim"].post(unit_url("workflow_submit", target), {})
    assert response.status_code == 200
    assert response.context["form"].errors["acknowledge"]
    target.refresh_from_db()
    assert target.status == Status.IN_PROGRESS


def test_submit_redirects_to_the_history_with_a_message(clients, target):
    response = clients["editor_muong_kim"].post(
        unit_url("workflow_submit", target), {"acknowledge": "on"}, follow=True
    )
    assert response.redirect_chain == [(unit_url("workflow_history", target), 302)]
    assert "Đã gửi báo cáo" in response.content.decode()
    target.refresh_from_db()
    assert target.status == Status.SUBMITTED


def test_submit_page_of_a_submitted_report_offers_no_submission(clients, target, personas):
    put_in_state(target, "submitted", personas)
    html = clients["editor_muong_kim"].get(unit_url("workflow_submit", target)).content.decode()
    assert 'data-testid="submit-not-draft"' in html
    assert 'data-testid="submit-form"' not in html


# --- review ---------------------------------------------------------------------------------------


def test_return_without_reason_changes_nothing(clients, target, personas):
    put_in_state(target, "submitted", personas)
    response = clients["reviewer"].post(
        unit_url("workflow_return", target), {"reason": "  ", "confirmed": "1"}, follow=True
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    target.refresh_from_db()
    assert target.status == Status.SUBMITTED


def test_editor_cannot_accept_or_return(clients, target, personas):
    put_in_state(target, "submitted", personas)
    client = clients["editor_muong_kim"]
    assert client.post(unit_url("workflow_accept", target)).status_code == 403
    assert client.post(unit_url("workflow_return", target), {"reason": "x"}).status_code == 403
    target.refresh_from_db()
    assert target.status == Status.SUBMITTED


def test_accept_of_a_draft_shows_the_refusal(clients, target):
    response = clients["reviewer"].post(unit_url("workflow_accept", target), follow=True)
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.status == Status.IN_PROGRESS
    assert [str(m) for m in response.context["messages"]]


def test_reviewer_flow_return_resubmit_accept_and_diff(clients, target, personas, editor):
    reviewer, unit_client = clients["reviewer"], clients["editor_muong_kim"]
    unit_client.post(unit_url("workflow_submit", target), {"acknowledge": "on"})
    history = reviewer.get(unit_url("workflow_history", target)).content.decode()
    assert 'data-testid="accept-form"' in history and 'data-testid="return-form"' in history

    reviewer.post(
        unit_url("workflow_return", target), {"reason": "Bổ sung RAM của máy số 1", "confirmed": "1"}
    )
    target.refresh_from_db()
    assert target.status == Status.RETURNED
    history = unit_client.get(unit_url("workflow_history", target)).content.decode()
    assert 'data-testid="return-reason"' in history
    assert "Bổ sung RAM của máy số 1" in history
    assert 'data-testid="accept-form"' not in history

    edit_b05(target, editor, position=1, ram_gb=8)
    unit_client.post(unit_url("workflow_submit", target), {"acknowledge": "on"})
    reviewer.post(unit_url("workflow_accept", target), {"confirmed": "1"})
    target.refresh_from_db()
    assert target.status == Status.ACCEPTED

    history = unit_client.get(unit_url("workflow_history", target)).content.decode()
    assert history.count('data-testid="transition"') == 6
    assert 'data-testid="return-reason"' not in history  # resubmitted since: no longer the news
    assert "Bổ sung RAM của máy số 1" in history  # still in the transitions table
    older, newer = submitted_snapshots(target)
    # The compare form defaults to the last two submissions.
    assert f'<option value="{older.pk}" selected>' in history
    assert f'<option value="{newer.pk}" selected>' in history

    html = unit_client.get(diff_url(target, older.pk, newer.pk)).content.decode()
    assert html.count('data-testid="diff-change"') == 1
    assert 'data-testid="diff-field-ram_gb"' in html
    field = html.split('data-testid="diff-field-ram_gb"')[1].split("</li>")[0]
    assert "4" in field and "8" in field and "→" in field


def test_reviewer_reopens_an_accepted_report_with_a_reason(clients, target, personas):
    put_in_state(target, "accepted", personas)
    history = clients["reviewer"].get(unit_url("workflow_history", target)).content.decode()
    assert 'data-testid="reopen-form"' in history
    assert (
        'data-testid="reopen-form"'
        not in clients["editor_muong_kim"].get(unit_url("workflow_history", target)).content.decode()
    )

    clients["reviewer"].post(unit_url("workflow_reopen", target), {"reason": "", "confirmed": "1"})
    target.refresh_from_db()
    assert target.status == Status.ACCEPTED
    # Without the confirmation step nothing happens yet: the page asks first.
    asked = clients["reviewer"].post(unit_url("workflow_reopen", target), {"reason": "Số liệu B05 chưa đúng"})
    assert 'data-testid="confirm-reopen"' in asked.content.decode()
    target.refresh_from_db()
    assert target.status == Status.ACCEPTED
    clients["reviewer"].post(
        unit_url("workflow_reopen", target), {"reason": "Số liệu B05 chưa đúng", "confirmed": "1"}
    )
    target.refresh_from_db()
    assert target.status == Status.RETURNED
    history = clients["editor_muong_kim"].get(unit_url("workflow_history", target)).content.decode()
    assert (
        "Số liệu B05 chưa đúng" in history.split('data-testid="return-reason"')[1].split("</div>\n</div>")[0]
    )


# --- history --------------------------------------------------------------------------------------


def test_history_shows_status_submission_time_and_contact(clients, target, personas):
    Campaign.objects.filter(pk=target.campaign_id).update(deadline=datetime.date(2000, 1, 1))
    target.campaign.refresh_from_db()
    put_in_state(target, "submitted", personas)
    html = clients["viewer_muong_kim"].get(unit_url("workflow_history", target)).content.decode()
    submitted_at = html.split('data-testid="submitted-at">')[1].split("</dd>")[0]
    assert 'data-testid="late"' in submitted_at
    assert (
        target.submitted_at.astimezone(datetime.timezone(datetime.timedelta(hours=7))).strftime(
            "%d/%m/%Y %H:%M"
        )
        in submitted_at
    )
    assert 'data-testid="campaign-contact"' in html
    assert target.campaign.contact_phone in html
    # A viewer sees no action.
    assert 'data-testid="workflow-actions"' not in html


def test_history_runs_a_fixed_number_of_queries(clients, target, personas, editor, django_assert_num_queries):
    client = clients["reviewer"]
    url = unit_url("workflow_history", target)
    client.get(url)  # warm up the session
    with CaptureQueriesContext(connection) as short:
        client.get(url)
    for _round in range(3):
        workflow.submit(target, editor, acknowledge_warnings=True)
        workflow.return_submission(target, personas["reviewer"], "Sửa lại")
        edit_b05(target, editor, ram_gb=8 + _round)
    with django_assert_num_queries(len(short.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('data-testid="snapshot"') >= 4


# --- diff -----------------------------------------------------------------------------------------


def test_diff_of_a_snapshot_of_another_unit_is_404(clients, campaign, target, personas):
    other = assignment_of(campaign, MUONG_KIM_UNITS[1])
    foreign = services.take_snapshot(other, Snapshot.Kind.SUBMIT)
    own = services.take_snapshot(target, Snapshot.Kind.SUBMIT)
    client = clients["editor_muong_kim"]
    assert client.get(diff_url(target, own.pk, foreign.pk)).status_code == 404
    assert client.get(diff_url(target, foreign.pk, own.pk)).status_code == 404
    assert client.get(diff_url(target, own.pk, own.pk)).status_code == 200
    for query in ("", f"?a={own.pk}", f"?a=x&b={own.pk}", f"?a={own.pk}&b=99999999"):
        assert client.get(unit_url("workflow_diff", target) + query).status_code == 404


def test_diff_of_identical_snapshots_says_so(clients, target):
    first = services.take_snapshot(target, Snapshot.Kind.SUBMIT)
    second = services.take_snapshot(target, Snapshot.Kind.SUBMIT)
    html = clients["viewer_muong_kim"].get(diff_url(target, first.pk, second.pk)).content.decode()
    assert 'data-testid="diff-none"' in html
    assert 'data-testid="diff-change"' not in html


def test_diff_shows_added_and_removed_rows_and_b01_fields(clients, target, editor):
    first = services.take_snapshot(target, Snapshot.Kind.SUBMIT)
    row = EndDevice.objects.get(assignment=target, position=3)
    services.delete_row(target, "B05", row.pk, row.version, actor=editor)
    services.duplicate_row(
        target, "B05", EndDevice.objects.get(assignment=target, position=1).pk, actor=editor
    )
    general = target.general_info
    b01 = appendix_for(target).sheet("B01")
    raw = {key: getattr(general, key) for key in b01.keys} | {"staff_total": 50}
    assert services.save_record(target, "B01", raw, expected_version=general.version, actor=editor).saved
    second = services.take_snapshot(target, Snapshot.Kind.SUBMIT)
    html = clients["editor_muong_kim"].get(diff_url(target, first.pk, second.pk)).content.decode()
    assert 'data-kind="added"' in html and 'data-kind="removed"' in html
    assert 'data-testid="diff-field-staff_total"' in html
    assert "list-group-item-success" in html and "list-group-item-danger" in html


# --- carry forward --------------------------------------------------------------------------------


@pytest.fixture
def next_campaign(campaign) -> Campaign:
    return create_campaign(
        code="RS2027",
        title="Rà soát năm 2027",
        deadline=datetime.date(2027, 5, 20),
        reference_date=datetime.date(2027, 5, 20),
        previous=campaign,
    )


def test_carry_forward_button_and_copy(clients, target, personas, next_campaign):
    put_in_state(target, "accepted", personas)
    assignment = assignment_of(next_campaign, TARGET)
    client = clients["editor_muong_kim"]
    history = client.get(unit_url("workflow_history", assignment)).content.decode()
    assert 'data-testid="carry-forward"' in history
    # A reviewer cannot edit: no button.
    assert (
        'data-testid="carry-forward"'
        not in clients["reviewer"].get(unit_url("workflow_history", assignment)).content.decode()
    )

    response = client.post(unit_url("workflow_carry_forward", assignment))
    assert response.status_code == 302
    assert response["Location"] == unit_url("entry_overview", assignment)
    copied = EndDevice.objects.filter(assignment=assignment)
    assert copied.count() == EndDevice.objects.filter(assignment=target).count()
    assert not copied.filter(carried_forward=False).exists()

    # The draft is no longer empty: no button, and a second copy is refused with a message.
    history = client.get(unit_url("workflow_history", assignment)).content.decode()
    assert 'data-testid="carry-forward"' not in history
    response = client.post(unit_url("workflow_carry_forward", assignment), follow=True)
    assert response.redirect_chain[-1][0] == unit_url("workflow_history", assignment)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert copied.count() == EndDevice.objects.filter(assignment=target).count()


def test_no_carry_forward_button_without_previous_submission(clients, campaign, next_campaign):
    assignment = assignment_of(next_campaign, TARGET)
    html = clients["editor_muong_kim"].get(unit_url("workflow_history", assignment)).content.decode()
    assert 'data-testid="carry-forward"' not in html


# --- the commune's submit-all ---------------------------------------------------------------------


def test_commune_submit_all_submits_every_unit(clients, campaign, personas):
    assignments = [assignment_of(campaign, code) for code in MUONG_KIM_UNITS]
    for assignment in assignments:
        load(assignment, actor=personas["editor_muong_kim"])
    url = commune_submit_url(campaign)
    commune_page = reverse("campaign_commune", args=[campaign.code, Unit.objects.get(code=MUONG_KIM).pk])

    response = clients["editor_muong_kim"].post(url, {}, follow=True)
    assert response.redirect_chain == [(commune_page, 302)]
    assert {m.level_tag for m in response.context["messages"]} == {"error"}
    assert not Assignment.objects.filter(pk__in=[a.pk for a in assignments], status=Status.SUBMITTED).exists()

    response = clients["editor_muong_kim"].post(url, {"acknowledge": "on"}, follow=True)
    assert response.redirect_chain == [(commune_page, 302)]
    statuses = set(
        Assignment.objects.filter(pk__in=[a.pk for a in assignments]).values_list("status", flat=True)
    )
    assert statuses == {Status.SUBMITTED}
    assert [m.level_tag for m in response.context["messages"]] == ["success"]


def test_commune_submit_all_submits_nothing_when_one_unit_has_errors(clients, campaign, personas):
    assignments = [assignment_of(campaign, code) for code in MUONG_KIM_UNITS]
    for assignment in assignments[:-1]:
        load(assignment, actor=personas["editor_muong_kim"])
    response = clients["editor_muong_kim"].post(
        commune_submit_url(campaign), {"acknowledge": "on"}, follow=True
    )
    assert not Assignment.objects.filter(pk__in=[a.pk for a in assignments], status=Status.SUBMITTED).exists()
    messages = [str(m) for m in response.context["messages"]]
    # A general message, then one line naming the unit that has errors.
    assert len(messages) == 2
    assert assignments[-1].unit.name in messages[1]


def test_commune_submit_all_of_another_commune_is_404(clients, campaign):
    response = clients["editor_muong_kim"].post(
        commune_submit_url(campaign, "X.03445"), {"acknowledge": "on"}
    )
    assert response.status_code == 404

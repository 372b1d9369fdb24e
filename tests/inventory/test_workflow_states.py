"""Every action of the review workflow tried from every state, through the service and through the view.

The states are reached the way users reach them (data loaded, submitted, returned, accepted, reopened),
never by writing a status directly. From each, every action either succeeds as the design says, or is
refused with a message that names the problem and changes nothing: not the status, not the
snapshots, not the transitions, not the data, not the audit log.

Chưa thực hiện → Đang nhập → Đã gửi → (Trả lại → Đang nhập) → Đã duyệt; an accepted report is
reopened as "Trả lại". A returned report goes back to the unit: it can be edited and submitted again,
but a reviewer cannot accept (or return) it until it is submitted again.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.urls import reverse

from rasoat.audit.models import AuditEntry
from rasoat.campaigns.models import Assignment, Campaign, Snapshot, Status, Transition
from rasoat.campaigns.services import create_campaign
from rasoat.inventory import services, workflow
from rasoat.inventory.data import unit_data
from rasoat.orgs.models import Unit
from tests.conftest import MUONG_KIM, MUONG_KIM_UNITS
from tests.inventory.test_workflow import assignment_of, data_for, load

TARGET = MUONG_KIM_UNITS[0]  # Đảng ủy xã Mường Kim
PRINTER = {"device_type": "Máy in", "quantity": "1", "year_acquired": "2020", "condition": "Hoạt động tốt"}

STATES = ["not_started", "in_progress", "submitted", "returned", "accepted", "reopened"]
STATUS_OF = {
    "not_started": Status.NOT_STARTED,
    "in_progress": Status.IN_PROGRESS,
    "submitted": Status.SUBMITTED,
    "returned": Status.RETURNED,
    "accepted": Status.ACCEPTED,
    "reopened": Status.RETURNED,
}

ONLY_DRAFT = "Đảng ủy xã Mường Kim: chỉ gửi được báo cáo đang nhập (trạng thái hiện tại: {status})."
NOT_EMPTY = "Đơn vị đã có số liệu trong đợt rà soát này nên không sao chép gì."
ONLY_NEW_DRAFT = (
    "Chỉ có thể bắt đầu từ số liệu đợt trước khi báo cáo đang ở trạng thái chưa thực hiện hoặc đang nhập."
)
LOCKED = "Báo cáo đang ở trạng thái “{status}” nên đã bị khóa: chưa lưu gì."


@dataclass(frozen=True)
class Expect:
    """Per state: the status an allowed action leads to, or the message of its refusal."""

    allowed: dict[str, str]
    refusal: dict[str, str]


def _refusals(text: str, allowed, **special: str) -> dict[str, str]:
    """The refusal message in every state not in `allowed`; `special` gives another for some."""
    return {state: special.get(state, text) for state in STATES if state not in allowed}


SUBMIT_ALLOWED = dict.fromkeys(("in_progress", "returned", "reopened"), Status.SUBMITTED)
EDIT_ALLOWED = dict.fromkeys(("not_started", "in_progress", "returned", "reopened"), Status.IN_PROGRESS)

EXPECT = {
    "submit": Expect(
        SUBMIT_ALLOWED,
        _refusals(
            ONLY_DRAFT,
            SUBMIT_ALLOWED,
            not_started="Đảng ủy xã Mường Kim: cần sửa",  # nothing entered: B01's required lines are errors
        ),
    ),
    "return": Expect(
        {"submitted": Status.RETURNED}, _refusals("Chỉ trả lại được báo cáo đã gửi.", ["submitted"])
    ),
    "accept": Expect(
        {"submitted": Status.ACCEPTED}, _refusals("Chỉ duyệt được báo cáo đã gửi.", ["submitted"])
    ),
    "reopen": Expect(
        {"accepted": Status.RETURNED}, _refusals("Chỉ mở lại được báo cáo đã duyệt.", ["accepted"])
    ),
    "carry_forward": Expect(
        {"not_started": Status.IN_PROGRESS},
        _refusals(ONLY_NEW_DRAFT, ["not_started"], in_progress=NOT_EMPTY),
    ),
    "edit": Expect(EDIT_ALLOWED, _refusals(LOCKED, EDIT_ALLOWED)),
}
CASES = [(action, state) for action in EXPECT for state in STATES]


def refusal(action: str, state: str) -> str:
    """The (start of the) message refusing `action` in `state`."""
    return EXPECT[action].refusal[state].format(status=Status(STATUS_OF[state]).label)


# --- reaching a state the way users do --------------------------------------------------------------


def reach(assignment: Assignment, state: str, personas) -> None:
    """Bring the assignment to `state` through the workflow (never by writing the status)."""
    editor, reviewer, admin = personas["editor_muong_kim"], personas["reviewer"], personas["admin"]
    if state == "not_started":
        return
    load(assignment, valid_data(assignment), actor=editor)
    if state == "in_progress":
        return
    workflow.submit(assignment, editor, acknowledge_warnings=True)
    if state == "returned":
        workflow.return_submission(assignment, reviewer, "Bổ sung số liệu")
    elif state in ("accepted", "reopened"):
        workflow.accept(assignment, reviewer)
        if state == "reopened":
            workflow.reopen(assignment, admin, "Mở lại để sửa")
    assignment.refresh_from_db()
    assert assignment.status == STATUS_OF[state]


def valid_data(assignment: Assignment) -> dict:
    """The sample's data for the unit, its planned years moved into the campaign's allowed range."""
    data = data_for(assignment.unit)
    first_year = assignment.campaign.reference_date.year + 1
    for row in data["B06"]:
        if row.get("target_year") is not None and row["target_year"] < first_year:
            row["target_year"] = first_year
    return data


def footprint(assignments: list[Assignment]) -> dict:
    """Everything a refused action must leave as it was."""
    return {
        "assignments": [
            Assignment.objects.filter(pk=a.pk).values("status", "submitted_at").get() for a in assignments
        ],
        "data": [unit_data(a) for a in assignments],
        "snapshots": Snapshot.objects.filter(assignment__in=assignments).count(),
        "transitions": Transition.objects.filter(assignment__in=assignments).count(),
        "audit": AuditEntry.objects.count(),
    }


@pytest.fixture
def previous_campaign(campaign, personas) -> Campaign:
    """RS2026 as the previous campaign of RS2027, where the target unit's report was accepted."""
    done = assignment_of(campaign, TARGET)
    reach(done, "accepted", personas)
    return campaign


def subject(action: str, campaign: Campaign, previous_campaign_factory) -> Assignment:
    """The assignment an action is tried on: for carry forward, the unit in the next campaign."""
    if action != "carry_forward":
        return assignment_of(campaign, TARGET)
    previous_campaign_factory()
    following = create_campaign(
        code="RS2027",
        title="Rà soát năm 2027",
        deadline=datetime.date(2027, 5, 20),
        reference_date=datetime.date(2027, 5, 20),
        previous=campaign,
    )
    return assignment_of(following, TARGET)


@pytest.fixture
def subject_for(campaign, personas, request):
    def make(action: str) -> Assignment:
        return subject(action, campaign, lambda: request.getfixturevalue("previous_campaign"))

    return make


# --- through the services ------------------------------------------------------------------------


def run_service(action: str, assignment: Assignment, personas):
    editor, reviewer, admin = personas["editor_muong_kim"], personas["reviewer"], personas["admin"]
    if action == "submit":
        return workflow.submit(assignment, editor, acknowledge_warnings=True)
    if action == "return":
        return workflow.return_submission(assignment, reviewer, "Thiếu số liệu")
    if action == "accept":
        return workflow.accept(assignment, reviewer)
    if action == "reopen":
        return workflow.reopen(assignment, admin, "Sai số liệu")
    if action == "carry_forward":
        return workflow.carry_forward(assignment, editor)
    result = services.save_record(assignment, "B05", PRINTER, actor=editor)
    assert result.saved
    return result


@pytest.mark.parametrize(("action", "state"), CASES)
def test_service_from_every_state(action, state, personas, subject_for):
    assignment = subject_for(action)
    reach(assignment, state, personas)
    expect = EXPECT[action]
    before = footprint([assignment])
    if state in expect.allowed:
        run_service(action, assignment, personas)
        assignment.refresh_from_db()
        assert assignment.status == expect.allowed[state]
        after = footprint([assignment])
        assert after["audit"] > before["audit"]
        moved = before["assignments"][0]["status"] != assignment.status
        assert after["transitions"] == before["transitions"] + (1 if moved else 0)
        assert after["snapshots"] == before["snapshots"] + (1 if action == "submit" else 0)
        return
    error = services.NotEditable if action == "edit" else workflow.WorkflowError
    with pytest.raises(error) as caught:
        run_service(action, assignment, personas)
    if action == "edit":
        assert caught.value.args == (Status(STATUS_OF[state]).label,)
    else:
        assert caught.value.message.startswith(refusal(action, state)), caught.value.message
    assert footprint([assignment]) == before


# --- through the views ---------------------------------------------------------------------------


def unit_url(name: str, assignment: Assignment, *extra) -> str:
    return reverse(name, args=[assignment.campaign.code, assignment.unit_id, *extra])


VIEW = {
    # action: (persona, url name, POST data)
    "submit": ("editor_muong_kim", "workflow_submit", {"acknowledge": "on"}),
    "return": ("reviewer", "workflow_return", {"reason": "Thiếu số liệu", "confirmed": "1"}),
    "accept": ("reviewer", "workflow_accept", {"confirmed": "1"}),
    "reopen": ("reviewer", "workflow_reopen", {"reason": "Sai số liệu", "confirmed": "1"}),
    "carry_forward": ("editor_muong_kim", "workflow_carry_forward", {}),
    "edit": ("editor_muong_kim", "entry_row_create", PRINTER),
}
DONE = {
    "submit": "Đã gửi báo cáo.",
    "return": "Đã trả lại báo cáo.",
    "accept": "Đã duyệt báo cáo.",
    "reopen": "Đã mở lại báo cáo đã duyệt.",
    "carry_forward": "dòng từ đợt rà soát trước. Hãy kiểm tra",
    "edit": "Đã lưu dòng.",
}


@pytest.mark.parametrize(("action", "state"), CASES)
def test_view_from_every_state(action, state, personas, clients, subject_for):
    assignment = subject_for(action)
    reach(assignment, state, personas)
    expect = EXPECT[action]
    persona, name, data = VIEW[action]
    url = unit_url(name, assignment, "B05") if action == "edit" else unit_url(name, assignment)
    before = footprint([assignment])
    response = clients[persona].post(url, data, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assignment.refresh_from_db()
    if state in expect.allowed:
        assert assignment.status == expect.allowed[state]
        assert DONE[action] in page
        assert footprint([assignment])["audit"] > before["audit"]
        return
    assert refusal(action, state) in page, refusal(action, state)
    assert footprint([assignment]) == before


# --- the commune's submit-all --------------------------------------------------------------------


@pytest.fixture
def commune_in(campaign, personas):
    """The five units of Mường Kim, all brought to one state."""

    def make(state: str) -> list[Assignment]:
        assignments = [assignment_of(campaign, code) for code in MUONG_KIM_UNITS]
        for assignment in assignments:
            reach(assignment, state, personas)
        return assignments

    return make


@pytest.mark.parametrize("state", STATES)
def test_submit_all_service_from_every_state(state, commune_in, personas):
    assignments = commune_in(state)
    before = footprint(assignments)
    if state in SUBMIT_ALLOWED:
        transitions = workflow.submit_all(
            assignments, personas["editor_muong_kim"], acknowledge_warnings=True
        )
        assert len(transitions) == len(assignments)
        assert {a.status for a in Assignment.objects.filter(pk__in=[a.pk for a in assignments])} == {
            Status.SUBMITTED
        }
        assert footprint(assignments)["snapshots"] == before["snapshots"] + len(assignments)
        return
    with pytest.raises(workflow.WorkflowError) as caught:
        workflow.submit_all(assignments, personas["editor_muong_kim"], acknowledge_warnings=True)
    # Every unit that stops the submission is named.
    for assignment in assignments:
        assert f"{assignment.unit.name}: " in caught.value.message
    assert footprint(assignments) == before


@pytest.mark.parametrize("state", STATES)
def test_submit_all_view_from_every_state(state, commune_in, clients, campaign):
    assignments = commune_in(state)
    commune = Unit.objects.get(code=MUONG_KIM)
    url = reverse("workflow_commune_submit", args=[campaign.code, commune.pk])
    before = footprint(assignments)
    page = clients["editor_muong_kim"].post(url, {"acknowledge": "on"}, follow=True).content.decode()
    if state in SUBMIT_ALLOWED:
        assert "Đã gửi báo cáo của 5 đơn vị" in page
        assert {a.status for a in Assignment.objects.filter(pk__in=[a.pk for a in assignments])} == {
            Status.SUBMITTED
        }
        return
    if state == "not_started":
        assert "Chưa gửi báo cáo nào: tất cả các đơn vị phải sẵn sàng trước khi gửi." in page
    else:
        assert "Không có đơn vị nào của xã đang có báo cáo chờ gửi." in page
    assert footprint(assignments) == before

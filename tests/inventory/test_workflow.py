"""The review workflow as services (no HTTP): submit, return, accept, reopen, submit-all, carry forward."""

import copy
import datetime
import json
from pathlib import Path

import pytest
from django.utils import timezone

from rasoat.appendix.declaration import UnitInfo
from rasoat.appendix.validation import clean_unit_data
from rasoat.audit.models import AuditEntry
from rasoat.campaigns.models import Assignment, Campaign, Snapshot, Status, Transition
from rasoat.campaigns.services import create_campaign
from rasoat.inventory import services, workflow
from rasoat.inventory.data import appendix_for, record_values, unit_data
from rasoat.inventory.models import ROW_MODELS, EndDevice, GeneralInfo
from rasoat.inventory.workflow import WorkflowError
from tests.conftest import MUONG_KIM_UNITS, make_user

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "mau_dang_uy_muong_te.json"
SAMPLE_UNIT = "X.03445.DU"


# --- helpers shared with the other workflow tests -------------------------------------------------


def sample() -> dict:
    """The whole sample file: unit_code, rows, data, ..."""
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def sample_data() -> dict:
    return sample()["data"]


def data_for(unit) -> dict:
    """The sample's data with B01's identity lines made to describe `unit` (so it has no error)."""
    data = copy.deepcopy(sample_data())
    info = UnitInfo.from_unit(unit)
    data["B01"].update(
        unit_code=info.code, unit_name=info.name, block=info.block or None, level=info.level or None
    )
    return data


def assignment_of(campaign: Campaign, unit_code: str) -> Assignment:
    return Assignment.objects.select_related("campaign", "unit").get(campaign=campaign, unit__code=unit_code)


def load(assignment: Assignment, data: dict | None = None, actor=None) -> None:
    """Store data through the appendix declaration, as the JSON load and the Excel import do."""
    result = clean_unit_data(
        appendix_for(assignment),
        data if data is not None else data_for(assignment.unit),
        UnitInfo.from_unit(assignment.unit),
        assignment.campaign.reference_date,
    )
    assert result.errors == []
    services.replace_unit_data(assignment, result.data, actor=actor)
    assignment.refresh_from_db()


def b05_row(assignment: Assignment, position: int = 1) -> EndDevice:
    return EndDevice.objects.get(assignment=assignment, position=position)


def edit_b05(assignment: Assignment, actor, position: int = 1, **changes):
    """Save one B05 row with some values changed, as the entry form does."""
    sheet = appendix_for(assignment).sheet("B05")
    row = b05_row(assignment, position)
    raw = {**record_values(row, sheet), **changes}
    result = services.save_record(
        assignment, "B05", raw, row_id=row.pk, expected_version=row.version, actor=actor
    )
    assert result.saved
    return result


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture
def editor(lai_chau):
    return make_user("bien_tap_vien", "editor", "X.03445")


@pytest.fixture
def reviewer(lai_chau):
    return make_user("tong_hop", "reviewer", "LC")


@pytest.fixture
def admin(lai_chau):
    return make_user("quan_tri", "admin", "LC")


@pytest.fixture
def assignment(campaign) -> Assignment:
    return assignment_of(campaign, SAMPLE_UNIT)


@pytest.fixture
def loaded(assignment, editor) -> Assignment:
    """The sample unit with the sample data (no error, one warning)."""
    load(assignment, actor=editor)
    return assignment


@pytest.fixture
def submitted(loaded, editor) -> Assignment:
    workflow.submit(loaded, editor, acknowledge_warnings=True)
    return loaded


@pytest.fixture
def accepted(submitted, reviewer) -> Assignment:
    workflow.accept(submitted, reviewer)
    return submitted


# --- submit ---------------------------------------------------------------------------------------


def test_submit_refused_while_errors_remain(assignment, editor):
    with pytest.raises(WorkflowError) as caught:
        workflow.submit(assignment, editor, acknowledge_warnings=True)
    assert caught.value.issues and all(issue.is_error for issue in caught.value.issues)
    assert any(issue.sheet == "B01" for issue in caught.value.issues)
    assignment.refresh_from_db()
    assert assignment.status == Status.NOT_STARTED
    assert assignment.submitted_at is None
    assert not assignment.snapshots.exists()
    assert not assignment.transitions.exists()


def test_check_of_sample_has_no_error_and_one_warning(loaded):
    check = workflow.check_assignment(loaded)
    assert check.errors == []
    assert [(w.sheet, w.row, w.column) for w in check.warnings] == [("B04", 6, "annual_cost_mvnd")]


def test_submit_needs_acknowledgement_when_warnings_exist(loaded, editor):
    with pytest.raises(WorkflowError) as caught:
        workflow.submit(loaded, editor)
    assert [issue.column for issue in caught.value.issues] == ["annual_cost_mvnd"]
    loaded.refresh_from_db()
    assert loaded.status == Status.IN_PROGRESS
    assert not loaded.snapshots.filter(kind=Snapshot.Kind.SUBMIT).exists()

    workflow.submit(loaded, editor, acknowledge_warnings=True)
    assert loaded.status == Status.SUBMITTED


def test_submit_without_warnings_needs_no_acknowledgement(assignment, editor):
    data = data_for(assignment.unit)
    data["B04"][5]["annual_cost_mvnd"] = None  # the sample's only warning
    load(assignment, data, actor=editor)
    workflow.submit(assignment, editor)
    assert assignment.status == Status.SUBMITTED


def test_submit_stores_an_immutable_snapshot(loaded, editor):
    before = unit_data(loaded)
    transition = workflow.submit(loaded, editor, acknowledge_warnings=True)
    snapshot = loaded.snapshots.get(kind=Snapshot.Kind.SUBMIT)
    assert transition.snapshot == snapshot
    assert snapshot.data == json.loads(json.dumps(before))
    assert snapshot.rows == sample()["rows"]
    assert snapshot.actor == editor
    snapshot.data["B01"]["unit_name"] = "Đã sửa"
    with pytest.raises(ValueError):
        snapshot.save()
    assert Snapshot.objects.get(pk=snapshot.pk).data["B01"]["unit_name"] == before["B01"]["unit_name"]


def test_submit_records_the_submission_time(loaded, editor):
    start = timezone.now()
    workflow.submit(loaded, editor, acknowledge_warnings=True)
    assert loaded.submitted_at is not None
    assert start <= loaded.submitted_at <= timezone.now()


def test_submission_before_the_deadline_is_on_time(loaded, editor):
    Campaign.objects.filter(pk=loaded.campaign_id).update(
        deadline=timezone.localdate() + datetime.timedelta(days=3)
    )
    loaded.refresh_from_db()
    loaded.campaign.refresh_from_db()
    transition = workflow.submit(loaded, editor, acknowledge_warnings=True)
    assert transition.late is False
    assert loaded.is_late is False


def test_submission_on_the_deadline_day_is_on_time(loaded, editor):
    Campaign.objects.filter(pk=loaded.campaign_id).update(deadline=timezone.localdate())
    loaded.campaign.refresh_from_db()
    assert workflow.submit(loaded, editor, acknowledge_warnings=True).late is False


def test_submission_after_the_deadline_is_late(loaded, editor):
    Campaign.objects.filter(pk=loaded.campaign_id).update(
        deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    loaded.campaign.refresh_from_db()
    transition = workflow.submit(loaded, editor, acknowledge_warnings=True)
    assert transition.late is True
    assert loaded.is_late is True


def test_submitted_data_cannot_be_edited(submitted, editor):
    with pytest.raises(services.NotEditable):
        edit_b05(submitted, editor, ram_gb=16)


def test_submit_twice_is_refused(submitted, editor):
    with pytest.raises(WorkflowError):
        workflow.submit(submitted, editor, acknowledge_warnings=True)
    assert submitted.snapshots.filter(kind=Snapshot.Kind.SUBMIT).count() == 1


# --- return, accept, reopen -----------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_return_requires_a_reason(submitted, reviewer, reason):
    with pytest.raises(WorkflowError):
        workflow.return_submission(submitted, reviewer, reason)
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_return_only_from_submitted(loaded, reviewer):
    with pytest.raises(WorkflowError):
        workflow.return_submission(loaded, reviewer, "Thiếu số liệu")
    loaded.refresh_from_db()
    assert loaded.status == Status.IN_PROGRESS


def test_return_stores_the_reason_and_reopens_editing(submitted, reviewer, editor):
    transition = workflow.return_submission(submitted, reviewer, "  Bổ sung cấu hình máy tính  ")
    submitted.refresh_from_db()
    assert submitted.status == Status.RETURNED
    assert transition.reason == "Bổ sung cấu hình máy tính"
    assert transition.actor == reviewer
    edit_b05(submitted, editor, ram_gb=8)
    submitted.refresh_from_db()
    assert submitted.status == Status.IN_PROGRESS


def test_accept_only_from_submitted(loaded, reviewer):
    with pytest.raises(WorkflowError):
        workflow.accept(loaded, reviewer)
    loaded.refresh_from_db()
    assert loaded.status == Status.IN_PROGRESS


def test_accept_points_at_the_submitted_snapshot(submitted, reviewer):
    transition = workflow.accept(submitted, reviewer)
    submitted.refresh_from_db()
    assert submitted.status == Status.ACCEPTED
    assert transition.snapshot == submitted.snapshots.get(kind=Snapshot.Kind.SUBMIT)


def test_accept_twice_is_refused(accepted, reviewer):
    with pytest.raises(WorkflowError):
        workflow.accept(accepted, reviewer)


def test_reopen_only_from_accepted(submitted, admin):
    with pytest.raises(WorkflowError):
        workflow.reopen(submitted, admin, "Sai số liệu")
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_reopen_needs_a_reason(accepted, admin):
    with pytest.raises(WorkflowError):
        workflow.reopen(accepted, admin, " ")
    accepted.refresh_from_db()
    assert accepted.status == Status.ACCEPTED


def test_reopen_sends_the_report_back(accepted, admin):
    transition = workflow.reopen(accepted, admin, "Số máy tính chưa khớp với báo cáo")
    accepted.refresh_from_db()
    assert accepted.status == Status.RETURNED
    assert (transition.from_status, transition.to_status) == (Status.ACCEPTED, Status.RETURNED)
    assert transition.reason == "Số máy tính chưa khớp với báo cáo"


def test_every_transition_writes_a_transition_and_an_audit_entry(loaded, editor, reviewer, admin):
    workflow.submit(loaded, editor, acknowledge_warnings=True)
    workflow.return_submission(loaded, reviewer, "Thiếu RAM")
    edit_b05(loaded, editor, ram_gb=8)
    workflow.submit(loaded, editor, acknowledge_warnings=True)
    workflow.accept(loaded, reviewer)
    workflow.reopen(loaded, admin, "Mở lại để sửa")

    steps = [(t.from_status, t.to_status, t.actor_name) for t in Transition.objects.filter(assignment=loaded)]
    assert steps == [
        (Status.NOT_STARTED, Status.IN_PROGRESS, str(editor)),  # the load started the draft
        (Status.IN_PROGRESS, Status.SUBMITTED, str(editor)),
        (Status.SUBMITTED, Status.RETURNED, str(reviewer)),
        (Status.RETURNED, Status.IN_PROGRESS, str(editor)),
        (Status.IN_PROGRESS, Status.SUBMITTED, str(editor)),
        (Status.SUBMITTED, Status.ACCEPTED, str(reviewer)),
        (Status.ACCEPTED, Status.RETURNED, str(admin)),
    ]
    entries = list(
        AuditEntry.objects.filter(action__startswith="submission.", object_id=str(loaded.pk)).order_by(
            "at", "pk"
        )
    )
    assert [e.action for e in entries] == [f"submission.{to}" for _from, to, _who in steps]
    assert [e.actor for e in entries] == [editor, editor, reviewer, editor, editor, reviewer, admin]
    assert all(e.unit_id == loaded.unit_id for e in entries)
    returned = entries[2]
    assert returned.changes == {"status": [Status.SUBMITTED, Status.RETURNED]}
    assert returned.note == "Thiếu RAM"


# --- submit all -----------------------------------------------------------------------------------


def test_submit_all_is_all_or_nothing(campaign, lai_chau):
    editor = make_user("xa_muong_kim", "editor", "X.03637")
    first, second = (assignment_of(campaign, code) for code in MUONG_KIM_UNITS[:2])
    load(first, actor=editor)
    # The second unit has nothing: B01 lacks its required lines.
    with pytest.raises(WorkflowError) as caught:
        workflow.submit_all([first, second], editor, acknowledge_warnings=True)
    assert second.unit.name in caught.value.message
    for assignment in (first, second):
        assignment.refresh_from_db()
        assert assignment.status != Status.SUBMITTED
        assert assignment.submitted_at is None
        assert not assignment.snapshots.filter(kind=Snapshot.Kind.SUBMIT).exists()
    assert not Transition.objects.filter(to_status=Status.SUBMITTED).exists()
    assert not AuditEntry.objects.filter(action="submission.submitted").exists()

    load(second, actor=editor)
    transitions = workflow.submit_all([first, second], editor, acknowledge_warnings=True)
    assert len(transitions) == 2
    assert set(Assignment.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {
        Status.SUBMITTED
    }


def test_submit_all_needs_the_acknowledgement_of_every_warning(campaign, lai_chau):
    editor = make_user("xa_muong_kim", "editor", "X.03637")
    units = [assignment_of(campaign, code) for code in MUONG_KIM_UNITS[:2]]
    for assignment in units:
        load(assignment, actor=editor)
    with pytest.raises(WorkflowError):
        workflow.submit_all(units, editor)
    assert not Assignment.objects.filter(pk__in=[a.pk for a in units], status=Status.SUBMITTED).exists()


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


@pytest.fixture
def carried(accepted, next_campaign, editor) -> Assignment:
    """The sample unit in RS2027, started from its accepted RS2026 data."""
    assignment = assignment_of(next_campaign, SAMPLE_UNIT)
    workflow.carry_forward(assignment, editor)
    return assignment


def test_carry_forward_copies_every_row_marked(accepted, next_campaign, editor):
    assignment = assignment_of(next_campaign, SAMPLE_UNIT)
    counts = workflow.carry_forward(assignment, editor)
    assert counts == sample()["rows"]
    copied, before = unit_data(assignment), unit_data(accepted)
    # Everything is copied as it was, even B06 row 3's target year 2026, which RS2027 (reference
    # year 2027) refuses: it shows as an error to correct instead of being silently dropped.
    assert copied == before
    errors = workflow.check_assignment(assignment).errors
    assert [(e.sheet, e.row, e.column) for e in errors] == [("B06", 3, "target_year")]
    assert GeneralInfo.objects.get(assignment=assignment).carried_forward is True
    for code, model in ROW_MODELS.items():
        rows = model.objects.filter(assignment=assignment)
        assert rows.count() == counts[code]
        assert not rows.filter(carried_forward=False).exists()
    assert assignment.status == Status.IN_PROGRESS
    assert AuditEntry.objects.filter(action="appendix.carried_forward", object_id=str(assignment.pk)).exists()
    # The previous campaign's data is untouched.
    assert not EndDevice.objects.filter(assignment=accepted, carried_forward=True).exists()


def test_carry_forward_takes_the_accepted_data_rather_than_a_later_submission(
    accepted, next_campaign, editor, admin
):
    accepted_data = unit_data(accepted)
    workflow.reopen(accepted, admin, "Sửa lại")
    edit_b05(accepted, editor, ram_gb=32)
    workflow.submit(accepted, editor, acknowledge_warnings=True)
    assignment = assignment_of(next_campaign, SAMPLE_UNIT)
    workflow.carry_forward(assignment, editor)
    assert unit_data(assignment)["B05"] == accepted_data["B05"]
    assert b05_row(assignment).ram_gb != 32


def test_carry_forward_takes_a_submission_when_nothing_was_accepted(submitted, next_campaign, editor):
    assignment = assignment_of(next_campaign, SAMPLE_UNIT)
    workflow.carry_forward(assignment, editor)
    assert unit_data(assignment)["B05"] == unit_data(submitted)["B05"]


def test_carry_forward_refused_without_previous_data(loaded, next_campaign, editor):
    # RS2026 has a draft only: nothing was submitted there.
    assignment = assignment_of(next_campaign, SAMPLE_UNIT)
    with pytest.raises(WorkflowError):
        workflow.carry_forward(assignment, editor)
    assert not EndDevice.objects.filter(assignment=assignment).exists()


def test_carry_forward_refused_without_previous_campaign(loaded, editor):
    with pytest.raises(WorkflowError):
        workflow.carry_forward(loaded, editor)


def test_carry_forward_refused_when_the_draft_is_not_empty(carried, editor):
    edit_b05(carried, editor, ram_gb=16)
    with pytest.raises(WorkflowError):
        workflow.carry_forward(carried, editor)
    assert b05_row(carried).ram_gb == 16
    assert EndDevice.objects.filter(assignment=carried).count() == sample()["rows"]["B05"]


def test_editing_a_carried_row_clears_its_mark(carried, editor):
    edit_b05(carried, editor, position=2, ram_gb=16)
    assert b05_row(carried, 2).carried_forward is False
    assert b05_row(carried, 1).carried_forward is True
    others = EndDevice.objects.filter(assignment=carried).exclude(position=2)
    assert not others.filter(carried_forward=False).exists()

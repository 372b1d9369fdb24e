"""The review workflow: submit, return, accept, reopen; the commune's submit-all; carry forward.

Chưa thực hiện → Đang nhập → Đã gửi → (Trả lại with a reason → Đang nhập) → Đã duyệt.
Each submit stores an immutable snapshot of all six sheets; each change of status is a
Transition and an audit entry, written in the same transaction.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rasoat.appendix.declaration import Issue, UnitInfo, get_appendix
from rasoat.appendix.validation import clean_unit_data
from rasoat.campaigns.models import Assignment, Snapshot, Status, Transition
from rasoat.inventory.data import appendix_for, is_empty_data, unit_data
from rasoat.inventory.services import (
    _lock,
    after_data_change,
    change_status,
    lock_assignments,
    take_snapshot,
    write_unit_data,
)
from rasoat.notifications.services import notify_workflow


class WorkflowError(Exception):
    """A step that cannot be taken now; `message` is for the user, `issues` the errors behind it."""

    def __init__(self, message: str, issues: list[Issue] | None = None):
        super().__init__(message)
        self.message = message
        self.issues = issues or []


@dataclass
class Check:
    """The errors and warnings of an assignment's stored data, as a submit would see them."""

    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


def check_assignment(assignment: Assignment) -> Check:
    """Validate everything stored for the assignment through the appendix declaration."""
    result = clean_unit_data(
        appendix_for(assignment),
        unit_data(assignment),
        UnitInfo.from_unit(assignment.unit),
        assignment.campaign.reference_date,
    )
    return Check(errors=result.errors, warnings=result.warnings)


def is_late(assignment: Assignment, when) -> bool:
    """Late when submitted after the end of the deadline day (local time)."""
    return timezone.localdate(when) > assignment.campaign.deadline


def _submit_locked(
    assignment: Assignment, actor, acknowledge_warnings: bool, address: str | None
) -> Transition:
    if assignment.status not in (Status.IN_PROGRESS, Status.NOT_STARTED, Status.RETURNED):
        raise WorkflowError(
            _("%(unit)s: only a draft can be submitted (status: %(status)s).")
            % {"unit": assignment.unit, "status": assignment.get_status_display()}
        )
    check = check_assignment(assignment)
    if check.errors:
        raise WorkflowError(
            _("%(unit)s: %(count)d error(s) must be corrected before submitting.")
            % {"unit": assignment.unit, "count": len(check.errors)},
            check.errors,
        )
    if check.warnings and not acknowledge_warnings:
        raise WorkflowError(
            _("%(unit)s: confirm that you have checked the %(count)d warning(s).")
            % {"unit": assignment.unit, "count": len(check.warnings)},
            check.warnings,
        )
    snapshot = take_snapshot(assignment, Snapshot.Kind.SUBMIT, actor)
    now = timezone.now()
    assignment.submitted_at = now
    late = is_late(assignment, now)
    note = _("%(count)d warning(s) acknowledged") % {"count": len(check.warnings)} if check.warnings else ""
    transition = change_status(
        assignment, Status.SUBMITTED, actor, reason=note, snapshot=snapshot, late=late, address=address
    )
    notify_workflow("submitted", assignment, actor)
    return transition


def submit(
    assignment: Assignment, actor, *, acknowledge_warnings: bool = False, address: str | None = None
) -> Transition:
    """Submit a draft: refused while any error remains, and until the warnings are acknowledged."""
    with transaction.atomic():
        locked = _lock(assignment)
        transition = _submit_locked(locked, actor, acknowledge_warnings, address)
    assignment.refresh_from_db()
    return transition


def submit_all(
    assignments: list[Assignment], actor, *, acknowledge_warnings: bool = False, address: str | None = None
) -> list[Transition]:
    """Submit several units at once (a commune's five): all or none."""
    problems: list[WorkflowError] = []
    with transaction.atomic():
        transitions = []
        for locked in lock_assignments(assignments):
            try:
                transitions.append(_submit_locked(locked, actor, acknowledge_warnings, address))
            except WorkflowError as error:
                problems.append(error)
        if problems:
            transaction.set_rollback(True)
            raise WorkflowError(
                " ".join(p.message for p in problems), [i for p in problems for i in p.issues]
            )
    return transitions


def return_submission(
    assignment: Assignment, actor, reason: str, *, address: str | None = None
) -> Transition:
    """Send a submission back to the unit with the reason it must read (reviewer)."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("Give the reason for returning the submission."))
    with transaction.atomic():
        locked = _lock(assignment)
        if locked.status != Status.SUBMITTED:
            raise WorkflowError(_("Only a submitted report can be returned."))
        transition = change_status(locked, Status.RETURNED, actor, reason=reason, address=address)
        notify_workflow("returned", locked, actor, reason)
        return transition


def accept(assignment: Assignment, actor, *, address: str | None = None) -> Transition:
    """Accept a submission (reviewer); the accepted data is the last submit's snapshot."""
    with transaction.atomic():
        locked = _lock(assignment)
        if locked.status != Status.SUBMITTED:
            raise WorkflowError(_("Only a submitted report can be accepted."))
        snapshot = locked.snapshots.filter(kind=Snapshot.Kind.SUBMIT).first()
        transition = change_status(locked, Status.ACCEPTED, actor, snapshot=snapshot, address=address)
        notify_workflow("accepted", locked, actor)
        return transition


def reopen(assignment: Assignment, actor, reason: str, *, address: str | None = None) -> Transition:
    """Reopen an accepted submission (administrator): it goes back to the unit as returned."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("Give the reason for reopening the submission."))
    with transaction.atomic():
        locked = _lock(assignment)
        if locked.status != Status.ACCEPTED:
            raise WorkflowError(_("Only an accepted report can be reopened."))
        transition = change_status(locked, Status.RETURNED, actor, reason=reason, address=address)
        notify_workflow("reopened", locked, actor, reason)
        return transition


def previous_data(assignment: Assignment) -> dict | None:
    """The unit's last accepted (else last submitted) data in the previous campaign, if any."""
    previous = assignment.campaign.previous
    if previous is None:
        return None
    before = Assignment.objects.filter(campaign=previous, unit=assignment.unit).first()
    if before is None:
        return None
    accepted = (
        before.transitions.filter(to_status=Status.ACCEPTED, snapshot__isnull=False)
        .select_related("snapshot")
        .order_by("-at", "-pk")
        .first()
    )
    snapshot = accepted.snapshot if accepted else before.snapshots.filter(kind=Snapshot.Kind.SUBMIT).first()
    return snapshot.data if snapshot else None


def shared_keys(appendix, previous, code: str) -> list[str]:
    """The keys of sheet `code` that both versions declare with the same type: what carries forward.
    A column the new version adds starts empty; one it dropped stays in the old snapshots."""
    if not previous.has_sheet(code):
        return []
    before = previous.sheet(code)
    return [
        column.key
        for column in appendix.sheet(code).data_columns
        if before.has_column(column.key) and before.column(column.key).type == column.type
    ]


def _storable(appendix, data: dict, previous) -> dict:
    """The previous campaign's values restricted to the columns both versions declare alike.

    Values are kept even when this campaign's rules refuse them (a target year now in the past): the
    draft then shows them as errors to correct, instead of silently losing them.
    """
    result: dict = {}
    for sheet in appendix:
        given = data.get(sheet.code)
        keys = shared_keys(appendix, previous, sheet.code)
        if not sheet.repeating:
            result[sheet.code] = {key: (given or {}).get(key) for key in keys}
        else:
            result[sheet.code] = [{key: row.get(key) for key in keys} for row in given or []]
    return result


def carry_forward(assignment: Assignment, actor, *, address: str | None = None) -> dict[str, int]:
    """Start the draft from the previous campaign's data; copied rows stay marked until confirmed.

    Only an empty draft is started this way, so nothing typed in this campaign is overwritten.
    Returns the number of rows copied per sheet.
    """
    from rasoat.audit.services import log

    data = previous_data(assignment)
    if data is None:
        raise WorkflowError(
            _("There is no accepted or submitted data of this unit in the previous campaign.")
        )
    previous = get_appendix(assignment.campaign.previous.appendix_version)
    values = _storable(appendix_for(assignment), data, previous)
    with transaction.atomic():
        locked = _lock(assignment)
        if locked.status not in (Status.NOT_STARTED, Status.IN_PROGRESS):
            raise WorkflowError(_("Only a draft can be started from the previous campaign."))
        if not is_empty_data(unit_data(locked)):
            raise WorkflowError(_("This unit already has data in this campaign; nothing was copied."))
        write_unit_data(locked, values, carried_forward=True)
        counts = {code: len(rows) for code, rows in values.items() if isinstance(rows, list)}
        log(
            actor,
            "appendix.carried_forward",
            locked,
            {"rows": [None, counts]},
            unit=locked.unit,
            address=address,
        )
        after_data_change(locked, actor, address)
    assignment.refresh_from_db()
    return counts

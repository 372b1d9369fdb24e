"""Entering appendix data: saving one record (with optimistic locking), deleting, duplicating, and
replacing a unit's whole data. Every change is audited in its own transaction.

Values go through the appendix declaration (`appendix.validation.clean_record`), the same path as
the Excel import and the JSON load. A table row with a value that cannot be read (a word in a number
column, an unknown choice) is not saved: the form shows the error on the cell with what the user
typed. The B01 form (`partial`) saves the values that can be read and keeps the stored value of
the others (issue 11). A record that only lacks required values or breaks a cross-field rule is
saved as a draft; its errors are shown and block the submission.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.http import Http404
from django.utils.translation import gettext as _

from rasoat.appendix.declaration import Context, Issue, Sheet, UnitInfo
from rasoat.appendix.normalize import is_empty
from rasoat.appendix.spec import ERROR
from rasoat.appendix.validation import clean_record, is_blank_record
from rasoat.audit.services import diff_fields, log
from rasoat.campaigns.models import Assignment, Snapshot, Status, Transition
from rasoat.inventory import storage
from rasoat.inventory.bulk import insert_rows
from rasoat.inventory.data import appendix_for, record_values, row_counts, unit_data_with_ids
from rasoat.inventory.models import ALL_MODELS, SheetRow
from rasoat.inventory.signals import data_changed

EDITABLE = {Status.NOT_STARTED, Status.IN_PROGRESS, Status.RETURNED}


class NotEditable(Exception):
    """The assignment is submitted or accepted: its data is locked until it is returned or reopened."""


class RowGone(Exception):
    """The row was deleted (or never belonged to this assignment)."""


class AssignmentGone(Http404):
    """The unit was removed from the campaign while the request ran: nothing was written.

    A 404, because the unit's pages in that campaign no longer exist either.
    """


@dataclass
class SaveResult:
    """What a save did: `saved`, the record as stored now, the issues, and on conflict the current values."""

    saved: bool
    record: Any = None
    issues: list[Issue] = field(default_factory=list)
    conflict: dict[str, Any] | None = None
    unsaved: set[str] = field(default_factory=set)
    """Columns of a label/value sheet whose typed value could not be read: they keep the stored one."""

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.is_warning]


def context_for(assignment: Assignment) -> Context:
    """Validation context: the campaign's reference date and the unit as the registry knows it."""
    return Context.for_date(assignment.campaign.reference_date, UnitInfo.from_unit(assignment.unit))


def check_editable(assignment: Assignment) -> None:
    if assignment.status not in EDITABLE:
        raise NotEditable(assignment.get_status_display())


def unreadable(sheet: Sheet, raw: dict[str, Any], values: dict[str, Any]) -> set[str]:
    """Columns where something was typed but nothing could be read."""
    return {c.key for c in sheet.data_columns if not is_empty(raw.get(c.key)) and values.get(c.key) is None}


def change_status(
    assignment: Assignment,
    to_status: str,
    actor,
    *,
    reason: str = "",
    snapshot=None,
    late: bool | None = None,
    address: str | None = None,
) -> Transition:
    """Move an assignment to `to_status`, recording the transition and an audit entry."""
    from_status = assignment.status
    assignment.status = to_status
    assignment.save(update_fields=["status", "submitted_at", "updated_at"])
    authenticated = actor is not None and actor.is_authenticated
    transition = Transition.objects.create(
        assignment=assignment,
        actor=actor if authenticated else None,
        actor_name=str(actor) if authenticated else "system",
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        snapshot=snapshot,
        late=late,
    )
    log(
        actor,
        f"submission.{to_status}",
        assignment,
        {"status": [from_status, to_status]},
        unit=assignment.unit,
        address=address,
        note=reason,
    )
    return transition


_deferred: ContextVar[list[Assignment] | None] = ContextVar("deferred_data_changed", default=None)


@contextmanager
def one_data_change():
    """Within the block, the saves signal `data_changed` once, at the end, instead of once per row.

    The receivers validate the unit's whole data (`desk.counts`): a grid save of n rows would
    otherwise validate it n times. The signal is sent in its own transaction after the last row,
    even when a row failed, since the rows before it are committed.
    """
    token = _deferred.set([])
    try:
        yield
    finally:
        pending = _deferred.get()
        _deferred.reset(token)
        if pending:
            with transaction.atomic():
                data_changed.send(sender=Assignment, assignment=pending[-1])


def after_data_change(assignment: Assignment, actor, address: str | None = None) -> None:
    """After any change of the data: the first edit of a new or returned assignment makes it a draft
    (Đang nhập), and `data_changed` tells the apps that derive from the data (once per
    `one_data_change` block)."""
    pending = _deferred.get()
    if pending is None:
        data_changed.send(sender=Assignment, assignment=assignment)
    else:
        pending.append(assignment)
    if assignment.status in (Status.NOT_STARTED, Status.RETURNED):
        change_status(assignment, Status.IN_PROGRESS, actor, address=address)


def _lock(assignment: Assignment) -> Assignment:
    """Re-read the assignment under a row lock, so status checks and writes do not race.

    Every write of a unit's data starts here, and removing a unit from a campaign takes the same
    lock before it checks for data (`campaigns.services.remove_units`). Only the assignment row is
    locked (`of`): locking the joined campaign row too would make every save of the province wait
    for every other one.
    """
    locked = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("campaign", "unit")
        .filter(pk=assignment.pk)
        .first()
    )
    if locked is None:
        raise AssignmentGone(_("This unit is no longer in the campaign: nothing was saved."))
    assignment.status = locked.status
    return locked


def lock_assignments(assignments: list[Assignment]) -> list[Assignment]:
    """`_lock` for several assignments at once (a commune's five), returned in the given order.

    The rows are locked in id order, the order `campaigns.services.remove_units` locks them too, so
    two operations on the same units wait for each other instead of deadlocking.
    """
    ids = [assignment.pk for assignment in assignments]
    locked = {
        row.pk: row
        for row in Assignment.objects.select_for_update(of=("self",))
        .select_related("campaign", "unit")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    if len(locked) != len(set(ids)):
        raise AssignmentGone(_("This unit is no longer in the campaign: nothing was saved."))
    for assignment in assignments:
        assignment.status = locked[assignment.pk].status
    return [locked[pk] for pk in ids]


def save_record(
    assignment: Assignment,
    code: str,
    raw: dict[str, Any],
    *,
    row_id: int | None = None,
    expected_version: int | None = None,
    actor=None,
    address: str | None = None,
    partial: bool = False,
) -> SaveResult:
    """Save a label/value sheet's record (B01) or one row of a table (new when `row_id` is None).

    `partial` (the B01 form, issue 11): a label/value sheet saves what can be read even when some
    value cannot, keeping the stored value of those (`SaveResult.unsaved`); without it (the API, the
    table rows) a value that cannot be read saves nothing.

    `expected_version` is the version the user's form was built from (0 for a B01 not yet stored);
    when the stored record has moved on, nothing is written and `conflict` holds the current values.
    """
    sheet = appendix_for(assignment).sheet(code)
    if sheet.repeating and is_blank_record(sheet, raw):
        # PHU_LUC.md: a row whose data cells are all empty is ignored, so it is never stored.
        return SaveResult(
            saved=False, issues=[Issue(ERROR, None, "Dòng trống: hãy nhập ít nhất một giá trị.")]
        )
    result = clean_record(sheet, raw, context_for(assignment))
    unsaved = unreadable(sheet, raw, result.values)
    if unsaved and (sheet.repeating or not partial):
        return SaveResult(saved=False, issues=result.issues)
    with transaction.atomic():
        locked = _lock(assignment)
        check_editable(locked)
        if not sheet.repeating:
            record = storage.single_record(sheet, locked, for_update=True)
            current_version = record.version if record else 0
            record = record or storage.new_record(sheet, locked)
        elif row_id is None:
            existing = storage.records(sheet, assignment=locked)
            position = (existing.aggregate(m=Max("position"))["m"] or 0) + 1
            record, current_version = storage.new_record(sheet, locked, position), None
        else:
            record = storage.records(sheet, assignment=locked, pk=row_id).select_for_update().first()
            if record is None:
                raise RowGone(row_id)
            current_version = record.version
        if (
            expected_version is not None
            and current_version is not None
            and expected_version != current_version
        ):
            return SaveResult(
                saved=False, record=record, issues=result.issues, conflict=record_values(record, sheet)
            )
        before = record_values(record, sheet) if record.pk else {}
        created = record.pk is None
        values = result.values
        if unsaved:
            # B01 (issue 11): what could be read is saved; a value that could not be read keeps the
            # stored one, and the form shows the typed text with its message.
            stored = storage.read_values(record, sheet) if record.pk else {}
            values = {**values, **{key: stored.get(key) for key in unsaved}}
        storage.write_values(record, sheet, values)
        record.version += 1
        record.carried_forward = False
        record.save()
        changes = diff_fields(before, record_values(record, sheet))
        action = "appendix.created" if created else "appendix.updated"
        log(actor, action, record, changes, unit=locked.unit, address=address, note=code)
        after_data_change(locked, actor, address)
    assignment.status = locked.status
    return SaveResult(saved=True, record=record, issues=result.issues, unsaved=unsaved)


def delete_row(
    assignment: Assignment,
    code: str,
    row_id: int,
    expected_version: int | None,
    *,
    actor=None,
    address: str | None = None,
) -> SaveResult:
    """Delete one row; refused (with the current values) when it changed since the user saw it."""
    sheet = appendix_for(assignment).sheet(code)
    with transaction.atomic():
        locked = _lock(assignment)
        check_editable(locked)
        record = storage.records(sheet, assignment=locked, pk=row_id).select_for_update().first()
        if record is None:
            raise RowGone(row_id)
        values = record_values(record, sheet)
        if expected_version is not None and record.version != expected_version:
            return SaveResult(saved=False, record=record, conflict=values)
        # Logged before the delete, which clears the record's id: the entry must still name the row.
        log(
            actor,
            "appendix.deleted",
            record,
            diff_fields(values, {}),
            unit=locked.unit,
            address=address,
            note=code,
        )
        record.delete()
        after_data_change(locked, actor, address)
    return SaveResult(saved=True, record=record)


def duplicate_row(
    assignment: Assignment, code: str, row_id: int, *, actor=None, address: str | None = None
) -> SheetRow:
    """Insert a copy of a row right after it (identical devices are often entered one after another)."""
    sheet = appendix_for(assignment).sheet(code)
    with transaction.atomic():
        locked = _lock(assignment)
        check_editable(locked)
        original = storage.records(sheet, assignment=locked, pk=row_id).first()
        if original is None:
            raise RowGone(row_id)
        storage.records(sheet, assignment=locked, position__gt=original.position).update(
            position=F("position") + 1
        )
        copy = storage.new_record(sheet, locked, original.position + 1)
        copy.version = 1
        storage.write_values(copy, sheet, storage.read_values(original, sheet))
        copy.save()
        log(
            actor,
            "appendix.created",
            copy,
            diff_fields({}, record_values(copy, sheet)),
            unit=locked.unit,
            address=address,
            note=code,
        )
        after_data_change(locked, actor, address)
    return copy


def confirm_carried_forward(assignment: Assignment, *, actor=None, address: str | None = None) -> int:
    """Confirm every row still marked as carried forward; returns how many were confirmed."""
    with transaction.atomic():
        locked = _lock(assignment)
        check_editable(locked)
        count = 0
        for model in ALL_MODELS:
            count += model.objects.filter(assignment=locked, carried_forward=True).update(
                carried_forward=False, version=F("version") + 1
            )
        if count:
            log(actor, "appendix.confirmed", locked, {"rows": [count, 0]}, unit=locked.unit, address=address)
            after_data_change(locked, actor, address)
    return count


def take_snapshot(assignment: Assignment, kind: str, actor=None) -> Snapshot:
    """Store an immutable copy of all six sheets as they are now."""
    data, ids = unit_data_with_ids(assignment)
    authenticated = actor is not None and actor.is_authenticated
    return Snapshot.objects.create(
        assignment=assignment,
        kind=kind,
        actor=actor if authenticated else None,
        appendix_version=assignment.campaign.appendix_version,
        data=data,
        rows=row_counts(data),
        row_ids=ids,
    )


def write_unit_data(assignment: Assignment, values: dict[str, Any], *, carried_forward: bool = False) -> None:
    """Replace every record of the assignment with normalised `values` (no checks, no audit)."""
    appendix = appendix_for(assignment)
    for sheet in appendix:
        if not sheet.repeating:
            record = storage.single_record(sheet, assignment) or storage.new_record(sheet, assignment)
            storage.write_values(record, sheet, values.get(sheet.code) or {})
            record.version += 1
            record.carried_forward = carried_forward
            record.save()
            continue
        storage.records(sheet, assignment=assignment).delete()
        insert_rows(sheet, assignment.pk, values.get(sheet.code) or [], carried_forward=carried_forward)


def replace_unit_data(
    assignment: Assignment,
    values: dict[str, Any],
    *,
    actor=None,
    address: str | None = None,
    action: str = "appendix.replaced",
    note: str = "",
) -> Snapshot:
    """Replace a unit's draft with validated, normalised data in one transaction.

    The data it had before is kept in a snapshot first, so nothing is lost. Returns that snapshot.
    """
    with transaction.atomic():
        locked = _lock(assignment)
        check_editable(locked)
        before = take_snapshot(locked, Snapshot.Kind.BEFORE_IMPORT, actor)
        write_unit_data(locked, values)
        counts = row_counts({k: v for k, v in values.items() if isinstance(v, list)})
        log(
            actor,
            action,
            locked,
            {"rows": [before.rows, counts]},
            unit=locked.unit,
            address=address,
            note=note,
        )
        after_data_change(locked, actor, address)
    assignment.status = locked.status
    return before

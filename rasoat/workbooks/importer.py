"""Storing what a workbook held: each unit's data replaced in one transaction, linked to the upload."""

from __future__ import annotations

from django.db import transaction

from rasoat.audit.services import log
from rasoat.campaigns.models import Assignment, Snapshot
from rasoat.inventory.services import NotEditable, check_editable, lock_assignments, replace_unit_data
from rasoat.workbooks import kept
from rasoat.workbooks.models import ImportedSnapshot, Upload
from rasoat.workbooks.reading.results import WorkbookImport


class UploadNotPending(Exception):
    """The upload is no longer waiting for confirmation (imported, cancelled or failed meanwhile);
    `state` is its state."""

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


IMPORT_ACTION = "appendix.imported"
"""The audit action of each unit whose data a workbook replaced."""
UPLOAD_ACTION = "workbook.imported"
"""The audit action of the upload itself (one entry per imported file)."""


def apply_import(
    result: WorkbookImport,
    assignments_by_code: dict[str, Assignment],
    upload: Upload | None,
    actor,
    address: str | None,
) -> list[Snapshot]:
    """Replace the data of every unit of `result`, all or nothing; returns the before-import snapshots.

    Refuses (ValueError) a result with errors or naming a unit missing from `assignments_by_code`.
    Each unit's previous data is kept in a snapshot (`replace_unit_data`), linked to `upload` through
    `ImportedSnapshot`; the upload becomes `imported`. Any locked unit (submitted or accepted) raises
    NotEditable and nothing changes, for any unit.

    The upload's row is locked first and must still be `pending` (UploadNotPending otherwise): of two
    confirmations of the same file at once, the second waits for the first and then finds it imported.
    """
    if result.errors:
        raise ValueError(f"the workbook has {len(result.errors)} errors; it cannot be imported")
    by_code = {code.casefold(): assignment for code, assignment in assignments_by_code.items()}
    missing = [unit.unit_code for unit in result.units if unit.unit_code.casefold() not in by_code]
    if missing:
        raise ValueError(f"no assignment given for {', '.join(missing)}")
    note = upload.original_name if upload is not None else ""
    snapshots: list[Snapshot] = []
    with transaction.atomic():
        if upload is not None:
            state = Upload.objects.select_for_update().filter(pk=upload.pk).values_list("state", flat=True)
            current = state.first()
            if current != Upload.State.PENDING:
                raise UploadNotPending(current or "")
        # All the units are locked first, in one fixed order, so two imports (or an import and a
        # removal of units) never deadlock; then every unit is checked before any is written, so a
        # locked fifth unit fails fast.
        lock_assignments([by_code[unit.unit_code.casefold()] for unit in result.units])
        for unit in result.units:
            check_editable(by_code[unit.unit_code.casefold()])
        for unit in result.units:
            assignment = by_code[unit.unit_code.casefold()]
            snapshot = replace_unit_data(
                assignment, unit.data, actor=actor, address=address, action=IMPORT_ACTION, note=note
            )
            if upload is not None:
                ImportedSnapshot.objects.create(snapshot=snapshot, upload=upload)
            snapshots.append(snapshot)
        if upload is not None:
            # The preview's kept result served its purpose; the original file stays for good.
            transaction.on_commit(lambda: kept.drop(upload))
            previous = upload.state
            upload.state = Upload.State.IMPORTED
            upload.save(update_fields=["state"])
            log(
                actor,
                UPLOAD_ACTION,
                upload,
                {"state": [previous, upload.state], "units": [None, [u.unit_code for u in result.units]]},
                unit=upload.unit,
                address=address,
                note=upload.original_name,
            )
    return snapshots


__all__ = ["IMPORT_ACTION", "UPLOAD_ACTION", "NotEditable", "UploadNotPending", "apply_import"]

"""A unit's appendix data in a campaign: read every sheet, replace all, change one row; the workflow.

PUT goes through exactly the path of `rasoat load` and the workbook import: `clean_unit_data` (the
declaration's normalisation, rules and Vietnamese messages), then `replace_unit_data` (a snapshot
of the previous data, one transaction, audit). Nothing is saved while any error remains (422 with
every error). PATCH goes through `save_record`, the web form's path, with its optimistic lock.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Body, Schema

from rasoat.api.access import assignment_for
from rasoat.api.core import api
from rasoat.api.problems import ApiProblem, responses
from rasoat.appendix.declaration import UnitInfo
from rasoat.appendix.validation import clean_unit_data
from rasoat.campaigns.models import Assignment
from rasoat.client_ip import client_address
from rasoat.inventory import storage, workflow
from rasoat.inventory.data import appendix_for, record_values, unit_data_with_ids
from rasoat.inventory.management.commands.load import issue_json
from rasoat.inventory.services import NotEditable, RowGone, replace_unit_data, save_record
from rasoat.workbooks.reading.results import json_value

TAG = "Dữ liệu phụ lục"


class Issue(Schema):
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: Any = None
    message: str


class UnitData(Schema):
    """A unit's data: `data` in the shape of `rasoat dump`, `records` the id and version of each
    stored record (the version a PATCH must name), `warnings` what the declaration warns about."""

    campaign: str
    unit: str
    appendix_version: str
    status: str
    data: dict[str, Any]
    records: dict[str, Any]
    warnings: list[Issue] = []


class RowPatch(Schema):
    """The values to change (by column key) and the version of the record they were read from."""

    version: int
    values: dict[str, Any]


class RowResult(Schema):
    sheet: str
    id: int | None
    version: int
    values: dict[str, Any]
    errors: list[Issue] = []
    warnings: list[Issue] = []


class SubmitIn(Schema):
    acknowledge_warnings: bool = False


class ReturnIn(Schema):
    reason: str


class StatusOut(Schema):
    unit: str
    status: str


def _records(assignment: Assignment) -> dict[str, Any]:
    appendix = appendix_for(assignment)
    result: dict[str, Any] = {}
    for sheet in appendix:
        if sheet.repeating:
            rows = storage.records(sheet, assignment=assignment).values_list("pk", "version")
            result[sheet.code] = [{"id": pk, "version": version} for pk, version in rows]
        else:
            record = storage.single_record(sheet, assignment)
            result[sheet.code] = {"id": record.pk, "version": record.version} if record else None
    return result


def unit_payload(assignment: Assignment, warnings: list | None = None) -> dict[str, Any]:
    data, _ids = unit_data_with_ids(assignment)
    return {
        "campaign": assignment.campaign.code,
        "unit": assignment.unit.code,
        "appendix_version": assignment.campaign.appendix_version,
        "status": assignment.status,
        "data": data,
        "records": _records(assignment),
        "warnings": warnings or [],
    }


def _issues(appendix, issues) -> list[dict]:
    return [{**issue_json(appendix, issue), "value": json_value(issue.value)} for issue in issues]


def _locked_problem(assignment: Assignment) -> ApiProblem:
    return ApiProblem(
        "locked",
        _("The data of %(unit)s is locked (status: %(status)s): it must be returned first.")
        % {"unit": assignment.unit, "status": assignment.get_status_display()},
    )


@api.get(
    "/campaigns/{code}/units/{unit}/data",
    response={200: UnitData, **responses(401, 404, 429)},
    tags=[TAG],
    openapi_extra={"x-appendix-data": "response"},
)
def get_data(request, code: str, unit: str):
    """Every sheet of the unit's data (the shape of `rasoat dump`) with each record's id and version."""
    return unit_payload(assignment_for(request, code, unit))


@api.put(
    "/campaigns/{code}/units/{unit}/data",
    response={200: UnitData, **responses(400, 401, 403, 404, 409, 422, 429)},
    tags=[TAG],
    openapi_extra={"x-appendix-data": "request"},
)
def put_data(request, code: str, unit: str, data: dict[str, Any] = Body(...)):  # noqa: B008
    """Replace the unit's whole data. Validated as the workbook import validates it; on any error
    nothing is saved and the answer is 422 with every error (sheet, row, column, message)."""
    assignment = assignment_for(request, code, unit, "data:edit")
    appendix = appendix_for(assignment)
    result = clean_unit_data(
        appendix, data, UnitInfo.from_unit(assignment.unit), assignment.campaign.reference_date
    )
    if result.errors:
        raise ApiProblem(
            "invalid-data",
            _("The data has %(count)d error(s); nothing was saved.") % {"count": len(result.errors)},
            errors=_issues(appendix, result.errors),
        )
    try:
        replace_unit_data(
            assignment, result.data, actor=request.user, address=client_address(request),
            action="appendix.api_replaced", note="API",
        )  # fmt: skip
    except NotEditable:
        raise _locked_problem(assignment) from None
    assignment.refresh_from_db()
    return unit_payload(assignment, _issues(appendix, result.warnings))


def _patch(request, code: str, unit: str, sheet_code: str, row_id: int | None, patch: RowPatch):
    assignment = assignment_for(request, code, unit, "data:edit")
    appendix = appendix_for(assignment)
    if not appendix.has_sheet(sheet_code):
        raise ApiProblem("not-found", _("This appendix has no sheet %(sheet)s.") % {"sheet": sheet_code})
    sheet = appendix.sheet(sheet_code)
    if sheet.repeating == (row_id is None):
        raise ApiProblem("not-found", _("Name a row of a table sheet; a form sheet has no rows."))
    unknown = [key for key in patch.values if not sheet.has_column(key) or key not in sheet.keys]
    if unknown:
        raise ApiProblem(
            "invalid-data",
            _("Unknown columns; nothing was saved."),
            errors=[
                {"sheet": sheet.title, "column": key, "message": _("Unknown column.")} for key in unknown
            ],
        )
    if row_id is None:
        current = storage.single_record(sheet, assignment)
    else:
        current = storage.records(sheet, assignment=assignment, pk=row_id).first()
        if current is None:
            raise ApiProblem("not-found", _("This row does not exist (deleted meanwhile?)."))
    raw = {**record_values(current, sheet), **patch.values}
    try:
        result = save_record(
            assignment, sheet_code, raw, row_id=row_id, expected_version=patch.version,
            actor=request.user, address=client_address(request),
        )  # fmt: skip
    except NotEditable:
        raise _locked_problem(assignment) from None
    except RowGone:
        raise ApiProblem("not-found", _("This row does not exist (deleted meanwhile?).")) from None
    if result.conflict is not None:
        raise ApiProblem(
            "stale-version",
            _("This record was changed since version %(version)d was read; nothing was saved.")
            % {"version": patch.version},
            current={"version": result.record.version, "values": result.conflict},
        )
    # A table row's issues name its place in the sheet (1-based, the order GET lists and PUT takes).
    row = _row_number(sheet, assignment, current) if row_id is not None else None
    issues = [
        type(i)(i.kind, i.column, i.message, i.value, sheet=sheet_code, row=row if i.row is None else i.row)
        for i in result.issues
    ]
    if not result.saved:
        raise ApiProblem(
            "invalid-data",
            _("Some values cannot be read; nothing was saved."),
            errors=_issues(appendix, issues),
        )
    record = result.record
    return {
        "sheet": sheet_code,
        "id": record.pk,
        "version": record.version,
        "values": record_values(record, sheet),
        "errors": _issues(appendix, [i for i in issues if i.is_error]),
        "warnings": _issues(appendix, [i for i in issues if i.is_warning]),
    }


def _row_number(sheet, assignment: Assignment, record) -> int:
    """The record's 1-based place among its sheet's rows, in sheet order (position, then id)."""
    earlier = storage.records(sheet, assignment=assignment).filter(
        Q(position__lt=record.position) | Q(position=record.position, pk__lt=record.pk)
    )
    return earlier.count() + 1


PATCH_RESPONSES = {200: RowResult, **responses(400, 401, 403, 404, 409, 422, 429)}


@api.patch("/campaigns/{code}/units/{unit}/data/{sheet}/rows/{row_id}", response=PATCH_RESPONSES, tags=[TAG])
def patch_row(request, code: str, unit: str, sheet: str, row_id: int, patch: RowPatch):
    """Change some values of one row, naming the version it was read at (409 when it moved on).

    A row that only lacks required values or breaks a cross-field rule is saved as a draft and its
    errors returned (they block the submission); a value that cannot be read saves nothing (422)."""
    return _patch(request, code, unit, sheet, row_id, patch)


@api.patch("/campaigns/{code}/units/{unit}/data/{sheet}", response=PATCH_RESPONSES, tags=[TAG])
def patch_form(request, code: str, unit: str, sheet: str, patch: RowPatch):
    """Change some values of a form sheet (B01); version 0 when nothing is stored yet."""
    return _patch(request, code, unit, sheet, None, patch)


def _workflow_problem(assignment: Assignment, error: workflow.WorkflowError) -> ApiProblem:
    appendix = appendix_for(assignment)
    return ApiProblem("workflow", error.message, errors=_issues(appendix, error.issues) or None)


STEP_RESPONSES = {200: StatusOut, **responses(400, 401, 403, 404, 422, 429)}


@api.post("/campaigns/{code}/units/{unit}/submit", response=STEP_RESPONSES, tags=[TAG])
def submit(request, code: str, unit: str, body: SubmitIn = Body(None)):  # noqa: B008
    """Submit the draft (refused with every error while any remains; warnings must be acknowledged)."""
    assignment = assignment_for(request, code, unit, "submission:submit")
    acknowledge = body.acknowledge_warnings if body is not None else False
    try:
        workflow.submit(
            assignment, request.user, acknowledge_warnings=acknowledge, address=client_address(request)
        )
    except workflow.WorkflowError as error:
        raise _workflow_problem(assignment, error) from None
    return {"unit": assignment.unit.code, "status": assignment.status}


@api.post("/campaigns/{code}/units/{unit}/return", response=STEP_RESPONSES, tags=[TAG])
def return_submission(request, code: str, unit: str, body: ReturnIn):
    """Return a submission to the unit with the reason it must read (reviewers)."""
    assignment = assignment_for(request, code, unit, "submission:review")
    try:
        workflow.return_submission(assignment, request.user, body.reason, address=client_address(request))
    except workflow.WorkflowError as error:
        raise _workflow_problem(assignment, error) from None
    assignment.refresh_from_db()
    return {"unit": assignment.unit.code, "status": assignment.status}


@api.post("/campaigns/{code}/units/{unit}/accept", response=STEP_RESPONSES, tags=[TAG])
def accept(request, code: str, unit: str):
    """Accept a submission (reviewers)."""
    assignment = assignment_for(request, code, unit, "submission:review")
    try:
        workflow.accept(assignment, request.user, address=client_address(request))
    except workflow.WorkflowError as error:
        raise _workflow_problem(assignment, error) from None
    assignment.refresh_from_db()
    return {"unit": assignment.unit.code, "status": assignment.status}

"""The spreadsheet-like grid of a repeating sheet (B02–B06) and its bulk save (issue 11 item 4).

GET renders the grid: the columns, headers, choices and help of the campaign's appendix version and
the stored rows go into the page as JSON (`json_script`), and rasoat/static/rasoat/grid.js builds a
table of inputs from them. POST takes the grid's changed rows as JSON and saves each through
`inventory.grid.save_rows` (the row form's path), answering per row and per cell.

Both need "data:edit" on the unit (out of scope 404, without the permission 403); a locked report
sends GET back to the read-only table and refuses POST with 409.
"""

import json

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from rasoat.appendix.declaration import Sheet
from rasoat.appendix.validation import clean_record
from rasoat.campaigns.models import Assignment
from rasoat.inventory import grid, services, storage
from rasoat.inventory.access import client_address, get_assignment
from rasoat.inventory.data import record_values
from rasoat.inventory.views.entry import (
    GET_OR_POST,
    _locked_message,
    _page_context,
    _sheet_or_404,
    _sheet_url,
    entry_login_required,
)


def column_spec(sheet: Sheet) -> list[dict]:
    """The grid's columns, straight from the declaration (never a second list)."""
    return [
        {
            "key": column.key,
            "header": column.marked_header,
            "type": str(column.type),
            "choices": list(column.choices) if column.has_choices else None,
            "help": column.help,
            "required": column.required,
            "read_only": column.read_only,
            "max_length": column.max_length,
        }
        for column in sheet.data_columns
    ]


def stored_rows(assignment: Assignment, sheet: Sheet) -> list[dict]:
    """The stored rows with their ids, versions and the errors and warnings of each cell."""
    context = services.context_for(assignment)
    rows = []
    for record in storage.records(sheet, assignment=assignment):
        values = grid.displayed(record, sheet)
        result = clean_record(sheet, record_values(record, sheet), context)
        rows.append(
            {
                "id": record.pk,
                "version": record.version,
                "values": values,
                "errors": grid.by_column(result.errors),
                "warnings": grid.by_column(result.warnings),
            }
        )
    return rows


def _labels() -> dict[str, str]:
    """The texts grid.js shows, translated here once."""
    return {
        "save": _("Save"),
        "saving": _("Saving…"),
        "delete_row": _("Delete row"),
        "undelete": _("Keep row"),
        "unsaved": _("Unsaved changes: %(count)s rows."),
        "nothing": _("Nothing to save."),
        "draft_errors": _("Some saved rows still lack required values (marked in red)."),
        "conflict": _(
            "Someone else saved this row while you were editing it, so your changes were NOT saved. "
            "The values saved meanwhile are shown next to the cells that differ; saving again will "
            "replace them with what is in the grid."
        ),
        "gone": _(
            "This row no longer exists: someone may have deleted it. It is kept here as typed; change it "
            "to enter it again as a new row."
        ),
        "locked": _("The report was locked meanwhile: this row was not saved."),
        "meanwhile": _("Saved meanwhile:"),
        "failed": _(
            "The request failed (no connection or a server error). What you typed is still on the page; "
            "try again."
        ),
        "row": _("Row"),
        "empty": _("(empty)"),
    }


@entry_login_required
@require_http_methods(GET_OR_POST)
def sheet_grid(request, code: str, pk: int, sheet: str):
    """GET: the grid page; POST: save the grid's rows (JSON in, JSON out)."""
    assignment = get_assignment(request, code, pk, "data:edit")
    sheet_ = _sheet_or_404(assignment, sheet)
    if request.method == "POST":
        return _save(request, assignment, sheet_)
    if assignment.status not in services.EDITABLE:
        messages.error(request, _locked_message(assignment))
        return redirect(_sheet_url(assignment, sheet_))
    context = _page_context(request, assignment, sheet_.code)
    context.update(
        {
            "sheet": sheet_,
            "sheet_url": _sheet_url(assignment, sheet_),
            "grid_config": {
                "sheet": sheet_.code,
                "columns": column_spec(sheet_),
                "rows": stored_rows(assignment, sheet_),
                "save_url": reverse("entry_grid", args=[code, pk, sheet_.code]),
                "labels": _labels(),
            },
        }
    )
    return render(request, "inventory/entry_grid.html", context)


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _save(request, assignment: Assignment, sheet: Sheet) -> JsonResponse:
    try:
        if request.content_type != "application/json":
            # A form post (or anything else): its body was already read as form data.
            raise grid.BadRequest("content type")
        payload = json.loads(request.body or b"null")
        rows = grid.parse_rows(sheet, payload)
    except (ValueError, UnicodeDecodeError) as error:
        if isinstance(error, grid.BadRequest) and str(error) == "too many":
            message = _("At most %(count)d rows can be saved at once; save the grid in parts.") % {
                "count": grid.MAX_ROWS
            }
        else:
            message = _("The grid sent data that cannot be read. Reload the page and try again.")
        return _error(message, 400)
    try:
        outcomes = grid.save_rows(
            assignment, sheet.code, rows, actor=request.user, address=client_address(request)
        )
    except services.NotEditable:
        return _error(_locked_message(assignment), 409)
    saved = sum(o.status in (grid.SAVED, grid.DELETED) for o in outcomes)
    refused = sum(o.status in (grid.INVALID, grid.CONFLICT, grid.GONE, grid.LOCKED) for o in outcomes)
    summary = ngettext("%(count)d row saved.", "%(count)d rows saved.", saved) % {"count": saved}
    if refused:
        summary += " " + ngettext(
            "%(count)d row was NOT saved: correct the cells marked in red.",
            "%(count)d rows were NOT saved: correct the cells marked in red.",
            refused,
        ) % {"count": refused}
    assignment.refresh_from_db(fields=["status"])
    return JsonResponse(
        {
            "rows": [o.as_json() for o in outcomes],
            "saved": saved,
            "refused": refused,
            "message": summary,
            "status": assignment.status,
            "status_label": assignment.get_status_display(),
            "row_count": storage.records(sheet, assignment=assignment).count(),
        }
    )

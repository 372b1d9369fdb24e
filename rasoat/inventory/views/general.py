"""Data entry of a label/value sheet (B01, or one a version adds): one form of lines.

Valid lines are saved even when another is not (the unreadable ones keep what was typed, with the
message); the access rules and helpers are those of entry.py.
"""

from typing import Any

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rasoat.appendix.declaration import Sheet
from rasoat.appendix.validation import clean_record
from rasoat.campaigns.models import Assignment
from rasoat.inventory import services, storage
from rasoat.inventory.access import client_address, get_assignment
from rasoat.inventory.data import appendix_for, record_values
from rasoat.inventory.forms import Notice, RecordForm, initial_for
from rasoat.inventory.views.entry import (
    GET_OR_POST,
    _can_edit,
    _conflict_form,
    _conflict_message,
    _is_htmx,
    _locked_message,
    _not_saved_message,
    _page_context,
    _sheet_url,
    _unit_args,
    entry_login_required,
)

# --- B01 ---------------------------------------------------------------------------------------------


def _registry_values(assignment: Assignment) -> dict[str, Any]:
    """B01's prefilled lines as the unit registry knows them."""
    unit = assignment.unit
    return {
        "unit_name": unit.name,
        "unit_code": unit.code,
        "block": unit.get_block_display() if unit.block else None,
        "level": unit.get_level_display() if unit.level else None,
    }


def _stored_form(sheet: Sheet, values: dict[str, Any], version: int, issues, **kwargs) -> RecordForm:
    """A form showing stored values with their issues on the fields."""
    form = RecordForm(sheet, initial_for(sheet, values, version), **kwargs)
    form.is_valid()
    form.add_issues(issues)
    return form


def _general_state(request, assignment: Assignment, sheet: Sheet) -> RecordForm:
    """A label/value sheet as stored (with its issues); B01 is prefilled from the registry before the
    first save."""
    record = storage.single_record(sheet, assignment)
    read_only = not _can_edit(request.user, assignment)
    if record is None:
        prefilled = _registry_values(assignment) if sheet.code == "B01" else {}
        form = _stored_form(sheet, prefilled, 0, [], read_only=read_only)
    else:
        values = record_values(record, sheet)
        issues = clean_record(sheet, values, services.context_for(assignment)).issues
        form = _stored_form(sheet, values, record.version, issues, read_only=read_only)
    return form


def _partly_saved_message(sheet: Sheet) -> str:
    return _(
        "The other values of sheet %(code)s were saved; the values marked in red cannot be read and "
        "were NOT saved. Correct them and save again."
    ) % {"code": sheet.code}


def _render_general(
    request, assignment: Assignment, sheet: Sheet, form: RecordForm, notice=None, unsaved=False
):
    context = _page_context(request, assignment, sheet.code)
    action = (
        reverse("entry_general", args=_unit_args(assignment))
        if sheet.code == "B01"
        else _sheet_url(assignment, sheet)
    )
    context.update(
        {
            "sheet": sheet,
            "form": form,
            "notice": notice,
            "htmx": _is_htmx(request),
            "action": action,
            # What the user typed is still unsaved: leaving the page asks first (unsaved.js).
            "unsaved": unsaved
            or (request.method == "POST" and notice is not None and notice.level == "danger"),
        }
    )
    template = "inventory/_entry_general_form.html" if _is_htmx(request) else "inventory/entry_general.html"
    return render(request, template, context)


@entry_login_required
@require_http_methods(GET_OR_POST)
def general_form(request, code: str, pk: int, sheet_code: str = "B01"):
    """A label/value sheet (B01, or one a version adds) as a form generated from the declaration,
    saved with optimistic locking."""
    perm = "data:edit" if request.method == "POST" else "data:view"
    assignment = get_assignment(request, code, pk, perm)
    appendix = appendix_for(assignment)
    if not appendix.has_sheet(sheet_code) or appendix.sheet(sheet_code).repeating:
        raise Http404
    sheet = appendix.sheet(sheet_code)
    if request.method != "POST":
        return _render_general(request, assignment, sheet, _general_state(request, assignment, sheet))

    form = RecordForm(sheet, request.POST)
    if not form.is_valid():
        return _render_general(request, assignment, sheet, form)
    raw = form.raw()
    if sheet.has_column("unit_code"):
        # The unit code is read-only: it always names the unit of the URL, whatever was posted.
        raw["unit_code"] = assignment.unit.code
    version = form.cleaned_data["version"] or 0
    try:
        result = services.save_record(
            assignment,
            sheet.code,
            raw,
            expected_version=version,
            actor=request.user,
            address=client_address(request),
            partial=True,
        )
    except services.NotEditable:
        return _render_general(request, assignment, sheet, form, Notice(_locked_message(assignment)))
    if result.saved and result.unsaved:
        # Issue 11: the values that could be read are saved; the others keep what was typed.
        data = request.POST.copy()
        data["version"] = str(result.record.version)
        form = RecordForm(sheet, data)
        form.is_valid()
        form.add_issues(result.issues)
        notice = Notice(_partly_saved_message(sheet))
        return _render_general(request, assignment, sheet, form, notice, unsaved=True)
    if result.saved:
        text = _("Sheet %(code)s was saved.") % {"code": sheet.code}
        if not _is_htmx(request):
            messages.success(request, text)
            return redirect(_render_general_url(assignment, sheet))
        form = _general_state(request, assignment, sheet)
        return _render_general(request, assignment, sheet, form, Notice(text, "success"))
    if result.conflict is not None:
        form = _conflict_form(request, assignment, sheet, raw, result)
        return _render_general(request, assignment, sheet, form, Notice(_conflict_message(), conflict=True))
    form.add_issues(result.issues)
    return _render_general(request, assignment, sheet, form, Notice(_not_saved_message()))


def _render_general_url(assignment: Assignment, sheet: Sheet) -> str:
    if sheet.code == "B01":
        return reverse("entry_general", args=_unit_args(assignment))
    return _sheet_url(assignment, sheet)

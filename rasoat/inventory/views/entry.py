"""Data entry for one (campaign, unit): the hub and the B02–B06 tables (label/value sheets: general.py).

Reading needs "data:view" on the unit, every write (and every form that leads to one) "data:edit";
the assignment is always loaded through `access.get_assignment`, so an out-of-scope unit is a 404.
Values are read and checked by `services.save_record` (the appendix declaration), never here.

Each action works with HTMX (a fragment replaces the form or the row) and without it (a full page,
or a redirect after a successful POST).
"""

from collections import defaultdict
from functools import wraps
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from rasoat.appendix.declaration import Sheet
from rasoat.appendix.validation import clean_record
from rasoat.campaigns.models import Assignment, Status
from rasoat.inventory import services, storage
from rasoat.inventory.access import client_address, get_assignment
from rasoat.inventory.data import appendix_for, record_values
from rasoat.inventory.forms import Editing, Notice, RecordForm, initial_for
from rasoat.inventory.templatetags.entry_table import display_rows, row_url_patterns
from rasoat.inventory.workflow import check_assignment

GET_OR_POST = ["GET", "HEAD", "POST"]


# --- helpers -----------------------------------------------------------------------------------------


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def entry_login_required(view):
    """`login_required`, except that an HTMX request whose session has expired sends the whole
    page to the login form (HX-Redirect) instead of swapping the login page into a table row."""
    protected = login_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if _is_htmx(request) and not request.user.is_authenticated:
            page = urlsplit(request.headers.get("HX-Current-URL", "")).path or request.path
            response = HttpResponse()
            response["HX-Redirect"] = redirect_to_login(page).url
            return response
        return protected(request, *args, **kwargs)

    return wrapper


def _can_edit(user, assignment: Assignment) -> bool:
    return assignment.status in services.EDITABLE and user.has_unit_perm("data:edit", assignment.unit)


def _locked_message(assignment: Assignment) -> str:
    return _(
        "This report is “%(status)s” and therefore locked: nothing was saved. It can be changed again "
        "only after a reviewer returns it."
    ) % {"status": assignment.get_status_display()}


def _conflict_message() -> str:
    return _(
        "Someone else saved this data while you were editing it, so your changes were NOT saved. "
        "The value saved meanwhile is shown next to each field that differs. Check them; saving again "
        "will replace them with what is in the form."
    )


def _not_saved_message() -> str:
    return _("Nothing was saved: correct the values marked in red that cannot be read.")


def _sheet_or_404(assignment: Assignment, code: str) -> Sheet:
    """A repeating sheet of the assignment's version; 404 for any other code."""
    appendix = appendix_for(assignment)
    if not appendix.has_sheet(code) or not appendix.sheet(code).repeating:
        raise Http404
    return appendix.sheet(code)


def _int_or_none(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def _unit_args(assignment: Assignment) -> list:
    return [assignment.campaign.code, assignment.unit_id]


def _sheet_url(assignment: Assignment, sheet: Sheet) -> str:
    return reverse("entry_sheet", args=[*_unit_args(assignment), sheet.code])


def _nav(assignment: Assignment, current: str) -> list[dict[str, Any]]:
    """The tabs of the entry pages: the overview and the six sheets."""
    args = _unit_args(assignment)
    tabs = [{"code": "", "title": _("Overview"), "url": reverse("entry_overview", args=args)}]
    for sheet in appendix_for(assignment):
        url = (
            reverse("entry_general", args=args)
            if sheet.code == "B01"
            else reverse("entry_sheet", args=[*args, sheet.code])
        )
        tabs.append({"code": sheet.code, "title": sheet.title, "url": url})
    for tab in tabs:
        tab["active"] = tab["code"] == current
    return tabs


def _page_context(request, assignment: Assignment, current: str) -> dict[str, Any]:
    unit = assignment.unit
    commune_link = None
    if (
        unit.commune_id
        and unit.commune_id != unit.pk
        and request.user.has_unit_perm("data:view", unit.commune)
    ):
        commune_link = reverse("campaign_commune", args=[assignment.campaign.code, unit.commune_id])
    return {
        "commune_link": commune_link,
        "assignment": assignment,
        "campaign": assignment.campaign,
        "unit": assignment.unit,
        "tabs": _nav(assignment, current),
        "can_edit": _can_edit(request.user, assignment),
        "can_edit_unit": request.user.has_unit_perm("data:edit", assignment.unit),
    }


# --- the hub -----------------------------------------------------------------------------------------


def _sheet_counts(assignment: Assignment) -> dict[str, Any]:
    """Rows per repeating sheet, whether each label/value sheet has its record and whether anything is
    carried forward (one query)."""
    annotations: dict[str, Any] = {}
    carried = []
    for sheet in appendix_for(assignment):
        mine = storage.records(sheet, assignment=OuterRef("pk")).order_by()
        if sheet.repeating:
            count = mine.values("assignment").annotate(n=Count("pk")).values("n")
            annotations[sheet.code] = Coalesce(Subquery(count), 0)
        else:
            annotations[sheet.code] = Exists(mine)
        carried.append(Exists(mine.filter(carried_forward=True)))
    annotations["carried"] = carried[0]
    for condition in carried[1:]:
        annotations["carried"] = annotations["carried"] | condition
    return (
        Assignment.objects.filter(pk=assignment.pk)
        .order_by()
        .annotate(**annotations)
        .values(*annotations)
        .get()
    )


def _latest_reason(assignment: Assignment):
    if assignment.status != Status.RETURNED:
        return None
    return assignment.transitions.filter(to_status=Status.RETURNED).order_by("-at", "-pk").first()


def _commune_units(request, assignment: Assignment) -> list[Assignment]:
    """The other units of the same commune in this campaign that the user may see."""
    unit = assignment.unit
    if not unit.commune_id:
        return []
    return list(
        Assignment.objects.visible_to(request.user, "data:view")
        .filter(campaign=assignment.campaign, unit__commune_id=unit.commune_id)
        .select_related("unit")
    )


@entry_login_required
@require_http_methods(["GET", "HEAD"])
def entry_overview(request, code: str, pk: int):
    """A unit's data-entry hub for a campaign: status, contact, the six sheets and their issues."""
    assignment = get_assignment(request, code, pk, "data:view")
    appendix = appendix_for(assignment)
    check = check_assignment(assignment)
    counts = _sheet_counts(assignment)
    errors: dict[str, int] = defaultdict(int)
    warnings: dict[str, int] = defaultdict(int)
    for issue in check.errors:
        errors[issue.sheet] += 1
    for issue in check.warnings:
        warnings[issue.sheet] += 1
    tabs = {tab["code"]: tab["url"] for tab in _nav(assignment, "")}
    sheets = [
        {
            "code": sheet.code,
            "title": sheet.title,
            "url": tabs[sheet.code],
            "repeating": sheet.repeating,
            "rows": counts[sheet.code] if sheet.repeating else int(bool(counts[sheet.code])),
            "errors": errors[sheet.code],
            "warnings": warnings[sheet.code],
        }
        for sheet in appendix
    ]
    editable = assignment.status in services.EDITABLE
    user = request.user
    context = _page_context(request, assignment, "")
    empty = not any(counts[s.code] for s in appendix)
    context.update(
        {
            "sheets": sheets,
            "total_errors": len(check.errors),
            "total_warnings": len(check.warnings),
            "returned": _latest_reason(assignment),
            "carried": counts["carried"],
            "can_submit": editable and user.has_unit_perm("submission:submit", assignment.unit),
            "can_carry_forward": (
                context["can_edit"]
                and empty
                and assignment.campaign.previous_id is not None
                and assignment.status in (Status.NOT_STARTED, Status.IN_PROGRESS)
            ),
            "commune_units": _commune_units(request, assignment),
        }
    )
    return render(request, "inventory/entry_overview.html", context)


@entry_login_required
@require_POST
def confirm_carried(request, code: str, pk: int):
    """Confirm every record still marked as carried forward from the previous campaign."""
    assignment = get_assignment(request, code, pk, "data:edit")
    try:
        count = services.confirm_carried_forward(
            assignment, actor=request.user, address=client_address(request)
        )
    except services.NotEditable:
        messages.error(request, _locked_message(assignment))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d record carried forward was confirmed.",
                "%(count)d records carried forward were confirmed.",
                count,
            )
            % {"count": count},
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("entry_overview", args=_unit_args(assignment))
    return redirect(target)


def _conflict_form(request, assignment: Assignment, sheet: Sheet, raw, result, **kwargs) -> RecordForm:
    """After a refused stale save: the user's input again, the stored value next to each field that
    differs, and the stored version, so that a second save overwrites on purpose."""
    data = request.POST.copy()
    data["version"] = str(result.record.version)
    form = RecordForm(sheet, data, **kwargs)
    form.is_valid()
    form.add_issues(result.issues)
    form.show_current(result.conflict, clean_record(sheet, raw, services.context_for(assignment)).values)
    return form


# --- B02–B06 -----------------------------------------------------------------------------------------


def _url_patterns(assignment: Assignment, sheet: Sheet) -> dict[str, str]:
    return row_url_patterns(assignment.campaign.code, assignment.unit_id, sheet)


def _display_rows(assignment: Assignment, sheet: Sheet, rows, notices=None) -> list[dict]:
    urls = _url_patterns(assignment, sheet)
    return display_rows(sheet, rows, services.context_for(assignment), urls, notices)


def _row_form(sheet: Sheet, *args, pk: int | None = None, **kwargs) -> RecordForm:
    # Ids must stay unique when several row forms are open on one page.
    auto_id = f"row{pk}-%s" if pk else f"new{uuid4().hex[:8]}-%s"
    return RecordForm(sheet, *args, auto_id=auto_id, **kwargs)


def _table_context(request, assignment: Assignment, sheet: Sheet, editing: Editing | None = None):
    context = _page_context(request, assignment, sheet.code)
    create_url = reverse("entry_row_create", args=[*_unit_args(assignment), sheet.code])
    if editing is not None and not editing.action:
        editing.action = (
            _url_patterns(assignment, sheet)["edit"].format(editing.pk) if editing.pk else create_url
        )
    context.update(
        {
            "sheet": sheet,
            "columns": sheet.data_columns,
            "stt_header": next((c.header for c in sheet.columns if c.row_number), "STT"),
            "ncols": len(sheet.data_columns) + 2,
            "note_span": len(sheet.data_columns) + 1,
            "sheet_url": _sheet_url(assignment, sheet),
            "create_url": create_url,
            "editing": editing,
            # Translated once per page rather than once per row.
            "labels": {
                "edit": _("Edit"),
                "duplicate": _("Duplicate"),
                "delete": _("Delete"),
                "confirm_delete": _("Delete this row?"),
                "carried": _("carried forward"),
            },
        }
    )
    return context


def _render_sheet(request, assignment: Assignment, sheet: Sheet, editing: Editing | None = None):
    """The whole table page; `editing` puts one row (or a new row at the end) in form mode."""
    rows = list(storage.records(sheet, assignment=assignment))
    context = _table_context(request, assignment, sheet, editing)
    display = _display_rows(assignment, sheet, rows)
    if editing is not None and editing.pk is not None:
        # The edited row is shown as a form in its place.
        index = next((i for i, row in enumerate(display) if row["pk"] == editing.pk), len(display))
        context.update({"rows_before": display[:index], "rows_after": display[index + 1 :]})
    context.update(
        {
            "rows": display,
            "row_count": len(rows),
            "carried": any(row.carried_forward for row in rows),
        }
    )
    return render(request, "inventory/entry_sheet.html", context)


def _row_fragment(request, assignment: Assignment, sheet: Sheet, rows, notices=None, status=False):
    """Some rows as HTMX swaps them; after a write (`status`) also the status badge and the row count."""
    context = _table_context(request, assignment, sheet)
    context.update({"rows": _display_rows(assignment, sheet, rows, notices), "oob_status": status})
    if status:
        context["row_count"] = storage.records(sheet, assignment=assignment).count()
    return render(request, "inventory/_entry_rows.html", context)


def _form_response(request, assignment: Assignment, sheet: Sheet, editing: Editing):
    if not _is_htmx(request):
        return _render_sheet(request, assignment, sheet, editing)
    context = _table_context(request, assignment, sheet, editing)
    return render(request, "inventory/_entry_row_form.html", context)


def _get_row(assignment: Assignment, sheet: Sheet, row_id: int):
    row = storage.records(sheet, assignment=assignment, pk=row_id).first()
    if row is None:
        raise Http404
    return row


@entry_login_required
@require_http_methods(GET_OR_POST)
def sheet_table(request, code: str, pk: int, sheet: str):
    """A repeating sheet as an editable table. With HTMX and `?row=<id>`, only that row (Cancel).
    A label/value sheet a version adds is a form, like B01."""
    assignment = get_assignment(request, code, pk, "data:view")
    appendix = appendix_for(assignment)
    if appendix.has_sheet(sheet) and not appendix.sheet(sheet).repeating:
        from rasoat.inventory.views.general import general_form  # it builds on this module's helpers

        return general_form(request, code, pk, sheet)
    if request.method == "POST":
        return HttpResponseNotAllowed(["GET", "HEAD"])
    sheet_ = _sheet_or_404(assignment, sheet)
    row_id = _int_or_none(request.GET.get("row"))
    if _is_htmx(request) and row_id is not None:
        return _row_fragment(request, assignment, sheet_, [_get_row(assignment, sheet_, row_id)])
    return _render_sheet(request, assignment, sheet_)


def _save_row(request, assignment: Assignment, sheet: Sheet, row_id: int | None):
    form = _row_form(sheet, request.POST, pk=row_id)
    if not form.is_valid():
        return _form_response(request, assignment, sheet, Editing(form, row_id))
    version = form.cleaned_data["version"]
    if row_id is not None and version is None:
        form.add_error(None, _("The form is out of date. Reload the page and try again."))
        return _form_response(request, assignment, sheet, Editing(form, row_id))
    raw = form.raw()
    try:
        result = services.save_record(
            assignment,
            sheet.code,
            raw,
            row_id=row_id,
            expected_version=version if row_id is not None else None,
            actor=request.user,
            address=client_address(request),
        )
    except services.NotEditable:
        return _form_response(
            request, assignment, sheet, Editing(form, row_id, Notice(_locked_message(assignment)))
        )
    except services.RowGone:
        raise Http404 from None
    if result.saved:
        if not _is_htmx(request):
            messages.success(request, _("The row was saved."))
            return redirect(f"{_sheet_url(assignment, sheet)}#row-{result.record.pk}")
        notice = Notice(_("Saved."), "success")
        return _row_fragment(request, assignment, sheet, [result.record], {result.record.pk: notice}, True)
    if result.conflict is not None:
        form = _conflict_form(request, assignment, sheet, raw, result, auto_id=form.auto_id)
        notice = Notice(_conflict_message(), conflict=True)
        return _form_response(request, assignment, sheet, Editing(form, row_id, notice))
    form.add_issues(result.issues)
    return _form_response(request, assignment, sheet, Editing(form, row_id, Notice(_not_saved_message())))


def _refuse_locked(request, assignment: Assignment, sheet: Sheet, row=None):
    """A write on a locked report: the row (or nothing, for a new row) with the reason, or a redirect."""
    if not _is_htmx(request):
        messages.error(request, _locked_message(assignment))
        return redirect(_sheet_url(assignment, sheet))
    if row is None:
        context = _table_context(request, assignment, sheet)
        context["notice"] = Notice(_locked_message(assignment))
        return render(request, "inventory/_entry_notice_row.html", context)
    return _row_fragment(request, assignment, sheet, [row], {row.pk: Notice(_locked_message(assignment))})


@entry_login_required
@require_http_methods(GET_OR_POST)
def row_create(request, code: str, pk: int, sheet: str):
    """GET: a blank row form (a fragment with HTMX); POST: create the row."""
    assignment = get_assignment(request, code, pk, "data:edit")
    sheet_ = _sheet_or_404(assignment, sheet)
    if request.method == "POST":
        return _save_row(request, assignment, sheet_, None)
    if assignment.status not in services.EDITABLE:
        return _refuse_locked(request, assignment, sheet_)
    form = _row_form(sheet_, initial_for(sheet_, None, 0))
    form.is_valid()
    return _form_response(request, assignment, sheet_, Editing(form))


@entry_login_required
@require_http_methods(GET_OR_POST)
def row_edit(request, code: str, pk: int, sheet: str, row: int):
    """GET: the row as a form with its current issues; POST: save it (optimistic locking)."""
    assignment = get_assignment(request, code, pk, "data:edit")
    sheet_ = _sheet_or_404(assignment, sheet)
    if request.method == "POST":
        return _save_row(request, assignment, sheet_, row)
    record = _get_row(assignment, sheet_, row)
    if assignment.status not in services.EDITABLE:
        return _refuse_locked(request, assignment, sheet_, record)
    values = record_values(record, sheet_)
    issues = clean_record(sheet_, values, services.context_for(assignment)).issues
    form = _row_form(sheet_, initial_for(sheet_, values, record.version), pk=record.pk)
    form.is_valid()
    form.add_issues(issues)
    return _form_response(request, assignment, sheet_, Editing(form, record.pk))


@entry_login_required
@require_POST
def row_duplicate(request, code: str, pk: int, sheet: str, row: int):
    """Insert a copy of the row right after it."""
    assignment = get_assignment(request, code, pk, "data:edit")
    sheet_ = _sheet_or_404(assignment, sheet)
    try:
        copy = services.duplicate_row(
            assignment, sheet_.code, row, actor=request.user, address=client_address(request)
        )
    except services.NotEditable:
        return _refuse_locked(request, assignment, sheet_, _get_row(assignment, sheet_, row))
    except services.RowGone:
        raise Http404 from None
    if not _is_htmx(request):
        messages.success(request, _("The row was duplicated; the copy follows the original."))
        return redirect(f"{_sheet_url(assignment, sheet_)}#row-{copy.pk}")
    assignment.refresh_from_db(fields=["status"])
    rows = storage.records(sheet_, pk__in=[row, copy.pk])
    notice = Notice(_("Copy of the row above. Change what differs."), "success")
    return _row_fragment(request, assignment, sheet_, rows, {copy.pk: notice}, True)


@entry_login_required
@require_POST
def row_delete(request, code: str, pk: int, sheet: str, row: int):
    """Delete the row, unless it changed since the user saw it (the version is part of the request)."""
    assignment = get_assignment(request, code, pk, "data:edit")
    sheet_ = _sheet_or_404(assignment, sheet)
    version = _int_or_none(request.POST.get("version"))
    if version is None:
        record = _get_row(assignment, sheet_, row)
        return _row_refused(request, assignment, sheet_, record, _("Reload the page and try again."))
    try:
        result = services.delete_row(
            assignment, sheet_.code, row, version, actor=request.user, address=client_address(request)
        )
    except services.NotEditable:
        return _refuse_locked(request, assignment, sheet_, _get_row(assignment, sheet_, row))
    except services.RowGone:
        raise Http404 from None
    if result.conflict is not None:
        text = _(
            "Someone else changed this row while you were looking at it, so it was NOT deleted. "
            "It now shows the values saved meanwhile; delete it again if it should still go."
        )
        return _row_refused(request, assignment, sheet_, result.record, text, conflict=True)
    if not _is_htmx(request):
        messages.success(request, _("The row was deleted."))
        return redirect(_sheet_url(assignment, sheet_))
    assignment.refresh_from_db(fields=["status"])
    context = _table_context(request, assignment, sheet_)
    count = storage.records(sheet_, assignment=assignment).count()
    context.update({"rows": [], "oob_status": True, "row_count": count})
    return render(request, "inventory/_entry_rows.html", context)


def _row_refused(request, assignment, sheet, record, text: str, conflict: bool = False):
    if not _is_htmx(request):
        messages.error(request, text)
        return redirect(f"{_sheet_url(assignment, sheet)}#row-{record.pk}")
    notice = Notice(text, conflict=conflict)
    return _row_fragment(request, assignment, sheet, [record], {record.pk: notice})

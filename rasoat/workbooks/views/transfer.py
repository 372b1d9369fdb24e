"""Workbook pages of a unit or a commune: template download, upload, preview, confirm, cancel, and the
downloads of the error workbook and of the original file.

Scope: a unit is loaded through `inventory.access.get_assignment`, a commune through
`Unit.objects.visible_to`, an upload through the units the user may see — out of scope is a 404.
Reading and downloading need "data:view"; uploading, confirming and cancelling "data:edit" (403 in
scope otherwise). A pending upload is shown only to its uploader and to editors of its unit, an
imported one to anyone who may see the unit's data.

An upload is staged (`uploads`): the file is stored and read, the preview shows the result kept in
`Upload.summary` (the file is not read again to show it), and only a confirmation imports the data
(`importer.apply_import`, one transaction, the upload's row locked). Nothing a user sends produces a
500: a file the reader refuses is deleted and the form says why; a read that fails otherwise, or
never finishes, leaves a `failed` upload whose preview says so and which can never be confirmed.
"""

from __future__ import annotations

import logging
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rasoat.campaigns.models import Assignment, Campaign
from rasoat.inventory.access import client_address, get_assignment
from rasoat.inventory.services import EDITABLE, NotEditable
from rasoat.orgs.models import Kind, Unit
from rasoat.text_controls import visible_controls
from rasoat.workbooks import changes, importer, reader, uploads
from rasoat.workbooks.error_workbook import write_error_workbook
from rasoat.workbooks.forms import UploadForm
from rasoat.workbooks.models import Upload
from rasoat.workbooks.template import template_filename, write_commune_template, write_unit_template

logger = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREFILLED_PARAM = "du-lieu"


# --- helpers ---------------------------------------------------------------------------------------


def _attachment(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _commune_scope(request, code: str, pk: int, perm: str | None = None):
    """(campaign, commune, assignments of its units visible to the user) or 404/403."""
    campaign = get_object_or_404(Campaign, code=code)
    communes = Unit.objects.visible_to(request.user, "data:view").filter(kind=Kind.COMMUNE)
    commune = get_object_or_404(communes, pk=pk)
    if perm is not None and not request.user.has_unit_perm(perm, commune):
        raise PermissionDenied
    assignments = list(
        Assignment.objects.visible_to(request.user, perm or "data:view")
        .filter(campaign=campaign, unit__commune=commune)
        .select_related("campaign", "unit")
    )
    return campaign, commune, assignments


def _verified_bytes(upload: Upload) -> bytes:
    """The stored file, checked against the checksum of the preview's result; a file gone from the
    storage (removed by hand) is a 404, not a 500."""
    try:
        return uploads.verified_bytes(upload)
    except FileNotFoundError:
        raise Http404 from None


def _is_commune(upload: Upload) -> bool:
    return upload.unit.kind == Kind.COMMUNE


def _read(upload: Upload, data: bytes, user, perm: str = "data:view", *, reuse: bool = False):
    """Read `data`, the stored file, for the unit or commune it was uploaded for.

    Returns (result, assignments by unit code); a commune's units are those the user holds `perm` on.
    `reuse`: the preview's result kept for exactly these bytes is taken instead of reading again.
    Raises reader.WorkbookRejected.
    """
    kept = uploads.kept_result(upload, data) if reuse else None
    if _is_commune(upload):
        assignments = list(
            Assignment.objects.visible_to(user, perm)
            .filter(campaign=upload.campaign, unit__commune=upload.unit)
            .select_related("campaign", "unit")
        )
        result = kept or reader.read_commune_workbook(
            data, upload.original_name, upload.campaign, upload.unit, assignments
        )
    else:
        assignments = list(
            Assignment.objects.filter(campaign=upload.campaign, unit=upload.unit).select_related(
                "campaign", "unit"
            )
        )
        if not assignments:
            raise Http404
        result = kept or reader.read_unit_workbook(data, upload.original_name, assignments[0])
    return result, {a.unit.code: a for a in assignments}


def _load_upload(request, code: str, upload_pk: int, *, write: bool = False) -> Upload:
    """An upload whose unit (or commune) the user may see; 404 otherwise.

    `write`: the user must hold "data:edit" on it. Otherwise a pending or cancelled upload is shown
    only to its uploader and to editors; an imported one to anyone with "data:view".
    """
    user = request.user
    upload = get_object_or_404(
        Upload.objects.select_related("campaign", "unit", "uploaded_by").filter(
            campaign__code=code, unit__in=Unit.objects.visible_to(user, "data:view")
        ),
        pk=upload_pk,
    )
    can_edit = user.has_unit_perm("data:edit", upload.unit)
    if write and not can_edit:
        raise PermissionDenied
    if upload.state != Upload.State.IMPORTED and not can_edit and upload.uploaded_by_id != user.pk:
        raise PermissionDenied
    return upload


def _back_url(upload: Upload) -> str:
    """Where the unit's (or the commune's) pages are."""
    name = "campaign_commune" if _is_commune(upload) else "entry_overview"
    return reverse(name, args=[upload.campaign.code, upload.unit_id])


def _preview_url(upload: Upload) -> str:
    return reverse("workbook_upload_preview", args=[upload.campaign.code, upload.pk])


def _rows_text(rows: dict[str, int]) -> str:
    return ", ".join(f"{code}: {count}" for code, count in sorted(rows.items())) or "0"


# --- templates -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def unit_template(request, code: str, pk: int):
    """The unit's workbook: blank, or with its current data (`?du-lieu=1`)."""
    assignment = get_assignment(request, code, pk, "data:view")
    prefilled = request.GET.get(PREFILLED_PARAM) == "1"
    content = write_unit_template(assignment, prefilled=prefilled)
    return _attachment(content, template_filename(code, assignment.unit.code, prefilled=prefilled))


@login_required
@require_http_methods(["GET", "HEAD"])
def commune_template(request, code: str, pk: int):
    """The commune workbook for its units (a "Mã đơn vị" column routes each row)."""
    campaign, commune, assignments = _commune_scope(request, code, pk)
    if not assignments:
        raise Http404
    prefilled = request.GET.get(PREFILLED_PARAM) == "1"
    content = write_commune_template(campaign, commune, assignments, prefilled=prefilled)
    return _attachment(content, template_filename(campaign.code, commune.code, prefilled=prefilled))


# --- upload ----------------------------------------------------------------------------------------


def _receive(request, form: UploadForm, *, campaign, unit, read, assignments: list[Assignment]):
    """Store the posted file and read it: the preview on success, None (with the reason on the form)
    when the file is refused or could not be read. What the import would change in `assignments` is
    computed at once and kept for the preview."""
    by_code = {a.unit.code: a for a in assignments}
    try:
        upload = uploads.receive(
            form.cleaned_data["file"],
            campaign=campaign,
            unit=unit,
            user=request.user,
            read=read,
            compare=lambda result: changes.compare(result, by_code),
        )
    except reader.WorkbookRejected as rejected:
        # The message may quote the file's own text (a sheet name, a _meta value): controls shown.
        form.add_error("file", visible_controls(rejected.message))
        return None
    except uploads.ReadFailed:
        form.add_error(
            "file",
            _(
                "The file could not be read. Check that it opens in Excel, save it again "
                "as .xlsx and upload it again."
            ),
        )
        return None
    return redirect(_preview_url(upload))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def unit_upload(request, code: str, pk: int):
    """Upload a workbook for one unit; the preview follows."""
    assignment = get_assignment(request, code, pk, "data:edit")
    form = (
        UploadForm(request.POST, request.FILES, request=request) if request.method == "POST" else UploadForm()
    )
    if request.method == "POST" and form.is_valid():
        response = _receive(
            request,
            form,
            campaign=assignment.campaign,
            unit=assignment.unit,
            read=lambda data: reader.read_unit_workbook(data, form.cleaned_data["file"].name, assignment),
            assignments=[assignment],
        )
        if response is not None:
            return response
    return render(
        request,
        "workbooks/upload.html",
        {
            "form": form,
            "campaign": assignment.campaign,
            "unit": assignment.unit,
            "commune": None,
            "locked": assignment.status not in EDITABLE,
            "back_url": reverse("entry_overview", args=[code, pk]),
            "template_url": reverse("workbook_unit_template", args=[code, pk]),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def commune_upload(request, code: str, pk: int):
    """Upload one commune workbook for the commune's units; the preview follows."""
    campaign, commune, assignments = _commune_scope(request, code, pk, "data:edit")
    if not assignments:
        raise Http404
    form = (
        UploadForm(request.POST, request.FILES, request=request) if request.method == "POST" else UploadForm()
    )
    if request.method == "POST" and form.is_valid():
        response = _receive(
            request,
            form,
            campaign=campaign,
            unit=commune,
            read=lambda data: reader.read_commune_workbook(
                data, form.cleaned_data["file"].name, campaign, commune, assignments
            ),
            assignments=assignments,
        )
        if response is not None:
            return response
    return render(
        request,
        "workbooks/upload.html",
        {
            "form": form,
            "campaign": campaign,
            "unit": commune,
            "commune": commune,
            "commune_units": assignments,
            "locked": any(a.status not in EDITABLE for a in assignments),
            "back_url": reverse("campaign_commune", args=[code, pk]),
            "template_url": reverse("workbook_commune_template", args=[code, pk]),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- preview, confirm, cancel ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def upload_preview(request, code: str, upload: int):
    """What the file holds, per sheet, and every error and warning, before anything is imported."""
    item = uploads.expire_interrupted(_load_upload(request, code, upload))
    summary = item.summary or {}
    codes = {issue.get("unit") for issue in [*summary.get("errors", []), *summary.get("warnings", [])]}
    codes |= set(summary.get("unit_rows", {}))
    names = dict(Unit.objects.filter(code__in=[c for c in codes if c]).values_list("code", "name"))
    can_edit = request.user.has_unit_perm("data:edit", item.unit)
    pending = item.state == Upload.State.PENDING
    errors = summary.get("error_count", len(summary.get("errors", [])))
    locked, stale = _current_state(item, summary) if pending else ([], [])
    unit_changes = [{**unit, "name": names.get(unit["unit"], "")} for unit in summary.get("changes") or []]
    return render(
        request,
        "workbooks/upload_preview.html",
        {
            "upload": item,
            "campaign": item.campaign,
            "unit": item.unit,
            "is_commune": _is_commune(item),
            "summary": summary,
            "sheets": summary.get("sheets", []),
            "errors": summary.get("errors", []),
            "warnings": summary.get("warnings", []),
            "error_count": errors,
            "warning_count": summary.get("warning_count", len(summary.get("warnings", []))),
            "shown_max": uploads.SHOWN_ISSUES_MAX,
            "unit_rows": [
                {"code": c, "name": names.get(c, ""), "rows": _rows_text(r)}
                for c, r in summary.get("unit_rows", {}).items()
            ],
            "unit_names": names,
            "pending": pending,
            "reading": item.state == Upload.State.READING,
            "failed": item.state == Upload.State.FAILED,
            "failure": summary.get("failure"),
            "can_confirm": can_edit and item.checked_without_errors and not locked,
            "locked": locked,
            "stale": stale,
            "unit_changes": unit_changes,
            "rows_shown": changes.ROWS_SHOWN,
            "can_cancel": can_edit and item.state in (Upload.State.PENDING, Upload.State.FAILED),
            "has_file": bool(item.file),
            "back_url": _back_url(item),
        },
    )


def _current_state(item: Upload, summary: dict) -> tuple[list[dict], list[dict]]:
    """(locked, stale), read now, for the units the file would write: the reports that are locked
    (submitted or accepted: the preview then does not offer the import, and says why) and those whose
    data changed since the file was compared with it (the changes shown are then out of date)."""
    codes = list(summary.get("unit_rows") or {}) if _is_commune(item) else [item.unit.code]
    if not codes:
        return [], []
    assignments = list(
        Assignment.objects.filter(campaign=item.campaign, unit__code__in=codes)
        .select_related("campaign", "unit")
        .order_by("unit__code")
    )
    locked = [
        {"code": a.unit.code, "name": a.unit.name, "status": a.get_status_display()}
        for a in assignments
        if a.status not in EDITABLE
    ]
    compared = {unit["unit"]: unit.get("mark") for unit in summary.get("changes") or []}
    stale = []
    if compared:
        marks = changes.data_marks([a for a in assignments if a.unit.code in compared])
        stale = [
            {"code": a.unit.code, "name": a.unit.name}
            for a in assignments
            if a.unit.code in compared and marks.get(a.pk) != compared[a.unit.code]
        ]
    return locked, stale


def _not_confirmable(request, item: Upload) -> bool:
    """Say why `item` cannot be imported, if it cannot; True then."""
    if item.state in (Upload.State.IMPORTED, Upload.State.CANCELLED):
        messages.error(request, _("This file was already imported or cancelled."))
    elif item.state == Upload.State.FAILED:
        messages.error(request, _("This file could not be read, so it cannot be imported. Upload it again."))
    elif item.state == Upload.State.READING:
        messages.error(request, _("This file is still being read. Wait a moment and reload the page."))
    elif not item.checked_without_errors:
        messages.error(
            request, _("The file still has errors: nothing was imported. Correct them and upload it again.")
        )
    else:
        return False
    return True


@login_required
@require_POST
def upload_confirm(request, code: str, upload: int):
    """Import the previewed file: only a file read to the end without error, checked to be the very
    bytes the preview was computed from (whose kept result is applied without reading it again),
    imported once (the upload's row is locked)."""
    item = uploads.expire_interrupted(_load_upload(request, code, upload, write=True))
    if _not_confirmable(request, item):
        return redirect(_preview_url(item))
    try:
        result, assignments = _read(item, _verified_bytes(item), request.user, "data:edit", reuse=True)
    except reader.WorkbookRejected as rejected:
        messages.error(request, rejected.message)
        return redirect(_preview_url(item))
    except uploads.UploadChanged:
        logger.warning("upload %s: the stored file no longer matches its checksum", item.pk)
        uploads.mark_failed(item, uploads.CHANGED)
        messages.error(request, _("The stored file changed since it was checked; nothing was imported."))
        return redirect(_preview_url(item))
    except Http404:
        raise
    except Exception:
        # Reading it worked for the preview; a failure now must neither be a 500 nor retried forever.
        logger.exception("reading upload %s again failed", item.pk)
        uploads.mark_failed(item, uploads.READ_FAILED)
        messages.error(request, _("This file could not be read, so it cannot be imported. Upload it again."))
        return redirect(_preview_url(item))
    if result.errors:
        item.summary = uploads.summarize(result)
        item.save(update_fields=["summary"])
        messages.error(
            request, _("The file still has errors: nothing was imported. Correct them and upload it again.")
        )
        return redirect(_preview_url(item))
    try:
        importer.apply_import(result, assignments, item, request.user, client_address(request))
    except importer.UploadNotPending:
        messages.error(request, _("This file was already imported or cancelled."))
        return redirect(_preview_url(item))
    except NotEditable as locked:
        messages.error(
            request,
            _(
                "Nothing was imported: the report is “%(status)s” and therefore locked. It can be changed "
                "again only after a reviewer returns it."
            )
            % {"status": str(locked) or _("submitted")},
        )
        return redirect(_preview_url(item))
    except ValueError:
        # Errors were checked above; what is left is a unit of the file the user may not edit.
        logger.warning("import of upload %s refused", item.pk, exc_info=True)
        messages.error(request, _("Nothing was imported: the file holds data of a unit you may not change."))
        return redirect(_preview_url(item))
    messages.success(
        request,
        _(
            "The file “%(name)s” was imported (rows per sheet: %(rows)s). The previous data is kept in a "
            "snapshot in the history."
        )
        % {"name": item.original_name, "rows": _rows_text(result.rows)},
    )
    if _is_commune(item):
        return redirect("campaign_commune", code=item.campaign.code, pk=item.unit_id)
    return redirect("workflow_history", code=item.campaign.code, pk=item.unit_id)


@login_required
@require_POST
def upload_cancel(request, code: str, upload: int):
    """Drop a pending upload: its file is deleted and nothing else changes."""
    item = uploads.expire_interrupted(_load_upload(request, code, upload, write=True))
    if item.state not in (Upload.State.PENDING, Upload.State.FAILED):
        messages.error(request, _("This file was already imported or cancelled."))
        return redirect(_preview_url(item))
    uploads.cancel(item)
    messages.info(request, _("The upload was cancelled; nothing was changed."))
    return redirect(_back_url(item))


# --- downloads -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def upload_errors(request, code: str, upload: int):
    """The user's file with every faulty cell highlighted and commented, and the list of issues."""
    item = _load_upload(request, code, upload)
    # Only a file read to the end once (never one whose read failed or never finished) is read again.
    if not item.file or item.state not in (Upload.State.PENDING, Upload.State.IMPORTED):
        raise Http404
    try:
        data = _verified_bytes(item)
        result, _assignments = _read(item, data, request.user)
        content = write_error_workbook(data, item.original_name, result)
    except uploads.UploadChanged:
        raise Http404 from None
    except reader.WorkbookRejected as rejected:
        messages.error(request, rejected.message)
        return redirect(_preview_url(item))
    stem = PurePath(item.original_name).stem or "tep"
    return _attachment(content, f"bao-loi-{stem}.xlsx")


@login_required
@require_http_methods(["GET", "HEAD"])
def upload_file(request, code: str, upload: int):
    """The original file as it was uploaded."""
    item = _load_upload(request, code, upload)
    if not item.file or not item.file.storage.exists(item.file.name):
        raise Http404
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name)

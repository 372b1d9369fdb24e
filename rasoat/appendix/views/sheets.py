"""A version's page (its sheets), adding and editing sheets, moving them, and the entry preview."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rasoat.appendix import editing
from rasoat.appendix.forms import TYPE_LABELS, CopyForm, SheetForm
from rasoat.inventory.forms import RecordForm

from .common import Version, load_version, require_admin, save_edit


def _sheet_or_404(version: Version, sheet: str) -> dict:
    row = editing.sheet_row(version.definition, sheet)
    if row is None:
        raise Http404
    return row


def _step(request) -> int:
    return -1 if request.POST.get("step") == "up" else 1


def _sheet_target(code: str):
    def target(definition):
        index = next((i for i, r in enumerate(definition["sheets"]) if r["code"] == code), None)
        return ("sheets", None if index is None else index + 2)

    return target


@login_required
@require_GET
def version_detail(request, code: str):
    """The version's sheets, its downloads, and (unless frozen) the form to add a sheet."""
    require_admin(request.user)
    version = load_version(code)
    counts = {}
    for row in version.definition["columns"]:
        counts[row["sheet"]] = counts.get(row["sheet"], 0) + 1
    sheets = [{**row, "columns": counts.get(row["code"], 0)} for row in version.definition["sheets"]]
    return render(
        request,
        "appendix/version_detail.html",
        {
            "version": version,
            "sheets": sheets,
            "sheet_form": SheetForm(),
            "copy_form": CopyForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def sheet_add(request, code: str):
    """A new sheet (table or form) with its first column."""
    require_admin(request.user)
    version = load_version(code)
    form = SheetForm(request.POST or None)
    if request.method == "POST" and not version.frozen and form.is_valid():
        data = form.cleaned_data
        sheet = {
            "code": data["code"].strip(),
            "title": data["title"],
            "kind": data["kind"],
            "help": data["help"],
        }
        first = {"key": data["first_key"].strip(), "header": data["first_header"], "type": data["first_type"]}
        if first["type"] == "choice":
            form.add_error("first_type", _("Add a choice column after the sheet is made: it needs its list."))
        elif save_edit(
            request,
            version,
            lambda d: editing.add_sheet(d, sheet, first),
            form=form,
            target=_sheet_target(sheet["code"]),
        ):
            messages.success(request, _("Sheet %(code)s was added.") % {"code": sheet["code"]})
            return redirect("appendix_sheet", code=code, sheet=sheet["code"])
    elif request.method == "POST" and version.frozen:
        messages.error(request, version.frozen)
        return redirect("appendix_version", code=code)
    return render(request, "appendix/sheet_add.html", {"version": version, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def sheet_detail(request, code: str, sheet: str):
    """A sheet: its title and help (editable), its columns with their actions, and the preview."""
    require_admin(request.user)
    version = load_version(code)
    row = _sheet_or_404(version, sheet)
    form = SheetForm(request.POST or None, new=False, initial={"title": row["title"], "help": row["help"]})
    if request.method == "POST":
        if version.frozen:
            messages.error(request, version.frozen)
            return redirect("appendix_version", code=code)
        if form.is_valid() and save_edit(
            request,
            version,
            lambda d: editing.update_sheet(
                d, sheet, title=form.cleaned_data["title"], help=form.cleaned_data["help"]
            ),
            form=form,
            target=_sheet_target(sheet),
        ):
            messages.success(request, _("Sheet %(code)s was saved.") % {"code": sheet})
            return redirect("appendix_sheet", code=code, sheet=sheet)
    columns = [
        {**column, "type_label": TYPE_LABELS.get(column["type"], column["type"])}
        for column in editing.column_rows(version.definition, sheet)
    ]
    return render(
        request,
        "appendix/sheet_detail.html",
        {"version": version, "sheet": row, "form": form, "columns": columns, "copy_form": CopyForm()},
    )


@login_required
@require_POST
def sheet_move(request, code: str, sheet: str):
    require_admin(request.user)
    version = load_version(code)
    _sheet_or_404(version, sheet)
    step = _step(request)
    if save_edit(request, version, lambda d: editing.move_sheet(d, sheet, step)):
        messages.success(request, _("Sheet %(code)s was moved.") % {"code": sheet})
    return redirect("appendix_version", code=code)


@login_required
@require_GET
def sheet_preview(request, code: str, sheet: str):
    """The sheet's entry form as a unit sees it, read-only, built from the version being edited."""
    require_admin(request.user)
    version = load_version(code)
    if not version.appendix.has_sheet(sheet):
        raise Http404
    declared = version.appendix.sheet(sheet)
    context = {
        "version": version,
        "declared": declared,
        "form": RecordForm(declared, read_only=True, auto_id="preview-%s"),
        "hidden": version.appendix.hidden.get(sheet, ()),
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "appendix/_preview.html", context)
    return render(request, "appendix/sheet_preview.html", context)

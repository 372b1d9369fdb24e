"""Adding, editing, moving and hiding columns, and adding choices to the choice lists."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rasoat.appendix import editing
from rasoat.appendix.forms import ChoiceForm, ColumnForm, CopyForm

from .common import Version, load_version, require_admin, save_edit


def _column_target(sheet: str, key: str, *, last: bool = False):
    """Where the edited column is in the definition workbook; `last` for an added one (a key the
    sheet already has is then the new column's fault, not the old one's)."""

    def target(definition):
        indexes = [
            i
            for i, row in enumerate(definition["columns"])
            if row.get("sheet") == sheet and row.get("key") == key
        ]
        if not indexes:
            return ("columns", None)
        return ("columns", (indexes[-1] if last else indexes[0]) + 2)

    return target


def _frozen_redirect(request, version: Version):
    messages.error(request, version.frozen)
    return redirect("appendix_version", code=version.code)


@login_required
@require_http_methods(["GET", "POST"])
def column_add(request, code: str, sheet: str):
    require_admin(request.user)
    version = load_version(code)
    if editing.sheet_row(version.definition, sheet) is None:
        raise Http404
    if request.method == "POST" and version.frozen:
        return _frozen_redirect(request, version)
    lists = editing.list_names(version.definition)
    form = ColumnForm(request.POST or None, lists=lists)
    if request.method == "POST" and form.is_valid():
        row, labels = form.changes(), form.labels()
        if save_edit(
            request,
            version,
            lambda d: editing.add_column(d, sheet, row, labels),
            form=form,
            target=_column_target(sheet, row["key"], last=True),
        ):
            messages.success(request, _("The column “%(header)s” was added.") % {"header": row["header"]})
            return redirect("appendix_sheet", code=code, sheet=sheet)
    return render(
        request,
        "appendix/column_form.html",
        {
            "version": version,
            "sheet": editing.sheet_row(version.definition, sheet),
            "form": form,
            "column": None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def column_edit(request, code: str, sheet: str, key: str):
    require_admin(request.user)
    version = load_version(code)
    index = editing.column_index(version.definition, sheet, key)
    if index is None:
        raise Http404
    if request.method == "POST" and version.frozen:
        return _frozen_redirect(request, version)
    column = version.definition["columns"][index]
    lists = editing.list_names(version.definition)
    initial = {
        **column,
        **{name: "" if column.get(name) is None else column[name] for name in ColumnForm.NUMBERS},
    }
    form = ColumnForm(request.POST or None, lists=lists, new=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes, labels = form.changes(), form.labels()
        if save_edit(
            request,
            version,
            lambda d: editing.update_column(d, sheet, key, changes, labels),
            form=form,
            target=_column_target(sheet, key),
        ):
            messages.success(request, _("The column “%(header)s” was saved.") % {"header": changes["header"]})
            return redirect("appendix_sheet", code=code, sheet=sheet)
    return render(
        request,
        "appendix/column_form.html",
        {
            "version": version,
            "sheet": editing.sheet_row(version.definition, sheet),
            "form": form,
            "column": column,
            "copy_form": CopyForm(),
        },
    )


@login_required
@require_POST
def column_move(request, code: str, sheet: str, key: str):
    require_admin(request.user)
    version = load_version(code)
    if editing.column_index(version.definition, sheet, key) is None:
        raise Http404
    step = -1 if request.POST.get("step") == "up" else 1
    if save_edit(request, version, lambda d: editing.move_column(d, sheet, key, step)):
        messages.success(request, _("The column %(key)s was moved.") % {"key": key})
    return redirect(f"{_sheet_url(code, sheet)}#col-{key}")


@login_required
@require_POST
def column_hide(request, code: str, sheet: str, key: str):
    """Hide a shown column, or show a hidden one (the checks refuse hiding what a rule reads)."""
    require_admin(request.user)
    version = load_version(code)
    index = editing.column_index(version.definition, sheet, key)
    if index is None:
        raise Http404
    hidden = not version.definition["columns"][index].get("hidden")
    if save_edit(request, version, lambda d: editing.update_column(d, sheet, key, {"hidden": hidden})):
        text = _("The column %(key)s is hidden.") if hidden else _("The column %(key)s is shown again.")
        messages.success(request, text % {"key": key})
    return redirect(f"{_sheet_url(code, sheet)}#col-{key}")


def _sheet_url(code: str, sheet: str) -> str:
    from django.urls import reverse

    return reverse("appendix_sheet", kwargs={"code": code, "sheet": sheet})


@login_required
@require_http_methods(["GET", "POST"])
def choice_lists(request, code: str):
    """Every choice list with its labels, and the form to add a label (or start a list)."""
    require_admin(request.user)
    version = load_version(code)
    if request.method == "POST" and version.frozen:
        return _frozen_redirect(request, version)
    form = ChoiceForm(request.POST or None, initial={"list_name": request.GET.get("list", "")})
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["list_name"].strip()
        label = form.cleaned_data["label"].strip()
        before = form.cleaned_data["before"].strip()

        def target(definition):
            index = next(
                (
                    i
                    for i, row in enumerate(definition["choices"])
                    if row["list"] == name and row["label"] == label
                ),
                None,
            )
            return ("choices", None if index is None else index + 2)

        if save_edit(
            request, version, lambda d: editing.add_choice(d, name, label, before), form=form, target=target
        ):
            messages.success(
                request, _("“%(label)s” was added to the list %(list)s.") % {"label": label, "list": name}
            )
            return redirect(f"{request.path}#list-{name}")
    used: dict[str, list[str]] = {}
    for row in version.definition["columns"]:
        if row.get("choices"):
            used.setdefault(row["choices"], []).append(f"{row['sheet']}.{row['key']}")
    lists = [
        {"name": name, "labels": editing.labels_of(version.definition, name), "used": used.get(name, [])}
        for name in editing.list_names(version.definition)
    ]
    return render(
        request,
        "appendix/choice_lists.html",
        {"version": version, "lists": lists, "form": form, "copy_form": CopyForm()},
    )

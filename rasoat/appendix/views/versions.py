"""The list of versions, copying one, uploading a definition workbook, and the two downloads."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rasoat.appendix import services, versions
from rasoat.appendix.checks import Fault
from rasoat.appendix.forms import CopyForm, DefinitionUploadForm
from rasoat.appendix.models import AppendixVersion
from rasoat.appendix.workbook import read_definition, read_title, write_definition
from rasoat.campaigns.models import Campaign

from .common import load_version, require_admin

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def version_list(request):
    """Every version: code, title, whether it may change, and the campaigns pinned to it."""
    require_admin(request.user)
    stored = {v.code: v for v in AppendixVersion.objects.all()}
    pinned: dict[str, list[str]] = {}
    for code, campaign in Campaign.objects.order_by("code").values_list("appendix_version", "code"):
        pinned.setdefault(code, []).append(campaign)
    rows = []
    for code in versions.all_codes():
        version = stored.get(code)
        rows.append(
            {
                "code": code,
                "title": version.title
                if version
                else versions.get_appendix(code).title or _("Appendix of PHU_LUC.md"),
                "frozen": services.frozen_reason(code),
                "campaigns": pinned.get(code, []),
                "based_on": version.based_on if version else "",
                "default": code == versions.default_version(),
            }
        )
    return render(request, "appendix/version_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def version_copy(request, code: str):
    """A new editable version with the definition of this one."""
    require_admin(request.user)
    version = load_version(code)
    form = CopyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            copied = services.copy_version(
                code, form.cleaned_data["code"], form.cleaned_data["title"], actor=request.user
            )
        except ValidationError as invalid:
            form.add_error("code" if invalid.code in ("invalid", "unique") else "title", invalid)
        else:
            messages.success(
                request,
                _("Version %(code)s was created as a copy of %(source)s.")
                % {"code": copied.code, "source": code},
            )
            return redirect("appendix_version", code=copied.code)
    return render(request, "appendix/version_copy.html", {"version": version, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def version_upload(request):
    """Create or replace an unfrozen version from a definition workbook; every fault listed, nothing
    saved when there is one."""
    require_admin(request.user)
    faults: list[Fault] = []
    if request.method == "POST":
        form = DefinitionUploadForm(request.POST, request.FILES, request=request)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            code = form.cleaned_data["code"].strip()
            definition, faults = read_definition(io.BytesIO(content))
            if definition is not None and not faults:
                stored = AppendixVersion.objects.filter(code=code).first()
                title = (
                    form.cleaned_data["title"]
                    or read_title(io.BytesIO(content))
                    or (stored.title if stored else "")
                    or code
                )
                try:
                    version = services.import_definition(code, definition, title=title, actor=request.user)
                except services.DefinitionRefused as refused:
                    faults = refused.faults
                except services.VersionFrozen as frozen:
                    form.add_error("code", str(frozen))
                except ValidationError as invalid:
                    form.add_error("code", invalid)
                else:
                    messages.success(
                        request, _("Version %(code)s was saved from the workbook.") % {"code": version.code}
                    )
                    return redirect("appendix_version", code=version.code)
    else:
        form = DefinitionUploadForm()
    status = 200 if not (faults or form.errors) else 422
    return render(request, "appendix/version_upload.html", {"form": form, "faults": faults}, status=status)


@login_required
@require_GET
def definition_download(request, code: str):
    """The definition workbook of any version (2026.1 included)."""
    require_admin(request.user)
    version = load_version(code)
    buffer = io.BytesIO()
    write_definition(version.definition, buffer, code=version.code, title=version.title)
    return _xlsx(buffer.getvalue(), f"dinh-nghia-phu-luc-{version.code}.xlsx")


@login_required
@require_GET
def template_download(request, code: str):
    """The blank data workbook this version makes (year limits end at this year)."""
    from rasoat.workbooks.template import write_appendix_template

    require_admin(request.user)
    version = load_version(code)
    content = write_appendix_template(version.appendix, timezone.localdate())
    return _xlsx(content, f"mau-phu-luc-{version.code}.xlsx")

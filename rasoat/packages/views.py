"""Pages of the submission package: a unit's and a commune's package, the file itself (a PDF shown
in the page), the return with a reason naming the report, the zip of a scope, the campaign setting
and the trusted certificates.

Everything is loaded through the scoping layer: an out-of-scope unit or file is a 404, an action
without its permission a 403. The rules live in `services`; views parse, call and render.
"""

from __future__ import annotations

from csp.constants import NONE, SELF
from csp.decorators import csp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rasoat.campaigns.models import Campaign
from rasoat.inventory import workflow
from rasoat.inventory.access import client_address, get_assignment
from rasoat.orgs.models import Kind, Unit
from rasoat.packages import archive, services, trust
from rasoat.packages.forms import AttachmentForm, CertificateForm, ReturnForm, SettingForm
from rasoat.packages.models import Attachment, TrustedCertificate
from rasoat.packages.presentation import present


def _read_upload(uploaded) -> bytes:
    uploaded.seek(0)
    return uploaded.read()


def _upload(request, campaign: Campaign, unit: Unit, form: AttachmentForm) -> bool:
    """Store the posted file; errors go on the form. True when stored."""
    if not form.is_valid():
        return False
    uploaded = form.cleaned_data["file"]
    result = services.attach(
        campaign,
        unit,
        uploaded.name,
        _read_upload(uploaded),
        kind=form.cleaned_data["kind"],
        actor=request.user,
        address=client_address(request),
    )
    if result.errors:
        for error in result.errors:
            form.add_error("file", error)
        return False
    if result.replaced is not None:
        messages.success(
            request,
            _("“%(new)s” replaced “%(old)s”; the earlier file is kept in the history.")
            % {"new": result.filename, "old": result.replaced.original_name},
        )
    else:
        messages.success(request, _("“%(name)s” was added to the package.") % {"name": result.filename})
    return True


def _history(campaign: Campaign, units: list[Unit]) -> list[dict]:
    """Every file ever uploaded for these units, newest first, with the submissions it went with."""
    attachments = list(
        Attachment.objects.filter(campaign=campaign, unit__in=units)
        .select_related("unit", "uploaded_by", "superseded_by")
        .prefetch_related("snapshot_links__snapshot")
    )
    return [present(a) for a in attachments]


def _render_package(request, campaign: Campaign, unit: Unit, form, *, assignment=None, status=200):
    units = [unit]
    commune = None
    if assignment is not None and unit.commune_id is not None:
        commune = unit.commune
        units.append(commune)
    can_edit = request.user.has_unit_perm("data:edit", unit) and services.may_change(campaign, unit)
    return render(
        request,
        "packages/package.html",
        {
            "campaign": campaign,
            "unit": unit,
            "assignment": assignment,
            "is_commune": unit.kind == Kind.COMMUNE,
            "setting": services.setting_for(campaign),
            "current": [present(a) for a in services.current_attachments(campaign, units)],
            "history": _history(campaign, units),
            # A refused upload shows its form with the reason, even when no further upload is allowed.
            "form": form if can_edit or form.errors else None,
            "commune": commune,
            "commune_visible": commune is not None and request.user.has_unit_perm("data:view", commune),
            "problems": services.package_problems(assignment) if assignment is not None else [],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_package(request, code: str, pk: int):
    """A unit's package: the report draft to download, the files uploaded, their signature check."""
    assignment = get_assignment(request, code, pk, "data:view")
    campaign, unit = assignment.campaign, assignment.unit
    form = AttachmentForm(request=request)
    if request.method == "POST":
        if not request.user.has_unit_perm("data:edit", unit):
            raise PermissionDenied
        form = AttachmentForm(request.POST, request.FILES, request=request)
        if _upload(request, campaign, unit, form):
            return redirect("package_unit", code=campaign.code, pk=unit.pk)
        return _render_package(request, campaign, unit, form, assignment=assignment, status=400)
    return _render_package(request, campaign, unit, form, assignment=assignment)


@login_required
@require_http_methods(["GET", "POST"])
def commune_package(request, code: str, pk: int):
    """The commune's combined report, which may cover its five units."""
    commune = get_object_or_404(
        Unit.objects.visible_to(request.user, "data:view").filter(kind=Kind.COMMUNE), pk=pk
    )
    campaign = get_object_or_404(Campaign, code=code)
    form = AttachmentForm(request=request)
    if request.method == "POST":
        if not request.user.has_unit_perm("data:edit", commune):
            raise PermissionDenied
        form = AttachmentForm(request.POST, request.FILES, request=request)
        if _upload(request, campaign, commune, form):
            return redirect("package_commune", code=campaign.code, pk=commune.pk)
        return _render_package(request, campaign, commune, form, status=400)
    return _render_package(request, campaign, commune, form)


# The file is shown inside rasoat's own review page (an <iframe>): this response alone may be framed
# by the same origin, and its content may run nothing.
FILE_CSP = {
    "default-src": [NONE],
    "object-src": [SELF],
    "img-src": [SELF, "data:"],
    "style-src": [SELF],
    "frame-ancestors": [SELF],
    "base-uri": [NONE],
    "form-action": [NONE],
}


@login_required
@require_http_methods(["GET", "HEAD"])
@xframe_options_sameorigin
@csp(FILE_CSP)
def attachment_file(request, code: str, attachment: int):
    """The stored file: a PDF inline (preview), anything else as a download."""
    visible = Unit.objects.visible_to(request.user, "data:view")
    item = get_object_or_404(
        Attachment.objects.select_related("unit"), pk=attachment, campaign__code=code, unit__in=visible
    )
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    inline = item.is_pdf and request.GET.get("tai") != "1"
    return FileResponse(
        handle, as_attachment=not inline, filename=item.original_name, content_type=item.content_type
    )


@login_required
@require_POST
def return_view(request, code: str, pk: int):
    """Return a submission with a reason that names the report (reviewer)."""
    assignment = get_assignment(request, code, pk, "submission:review")
    form = ReturnForm(request.POST)
    back = redirect("workflow_history", code=assignment.campaign.code, pk=assignment.unit_id)
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, error)
        return back
    reason = services.return_reason(
        services.report_for(assignment), form.cleaned_data["preset"], form.cleaned_data["note"]
    )
    try:
        workflow.return_submission(assignment, request.user, reason, address=client_address(request))
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The report was returned."))
    return back


@login_required
@require_GET
def scope_zip(request, code: str):
    """Every package in force of a scope (?scope=CODE, else all the user sees), with a manifest."""
    user = request.user
    campaign = get_object_or_404(Campaign, code=code)
    visible = Unit.objects.visible_to(user, "data:view")
    scope_code = request.GET.get("scope", "").strip()
    if "\x00" in scope_code:
        raise Http404
    scope = get_object_or_404(visible, code=scope_code) if scope_code else None
    if not user.has_any_perm("export:run"):
        raise PermissionDenied
    units = visible.filter(path__startswith=scope.path) if scope is not None else visible
    attachments = (
        Attachment.objects.filter(campaign=campaign, unit__in=units, superseded_by__isnull=True)
        .select_related("unit")
        .order_by("unit__path", "kind", "pk")
        .iterator(chunk_size=500)
    )
    handle = archive.write_zip(attachments)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"ho-so-{campaign.code}-{scope.code if scope else 'tat-ca'}-{stamp}.zip"
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/zip")


@login_required
@require_http_methods(["GET", "POST"])
def setting_view(request, code: str):
    """Whether the campaign asks for a signed report (administrator)."""
    campaign = get_object_or_404(Campaign, code=code)
    if not request.user.has_global_perm("campaign:manage"):
        raise PermissionDenied
    setting = services.setting_for(campaign)
    form = SettingForm(
        request.POST if request.method == "POST" else None,
        initial={"requirement": setting.requirement, "allow_unsigned": setting.allow_unsigned},
    )
    if request.method == "POST" and form.is_valid():
        services.save_setting(
            campaign,
            form.cleaned_data["requirement"],
            form.cleaned_data["allow_unsigned"],
            request.user,
            address=client_address(request),
        )
        messages.success(request, _("The setting was saved."))
        return redirect("package_setting", code=campaign.code)
    return render(request, "packages/setting.html", {"campaign": campaign, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def trust_view(request):
    """The certificates signatures are checked against (administrator)."""
    if not request.user.has_global_perm("campaign:manage"):
        raise PermissionDenied
    form = CertificateForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST":
        removing = request.POST.get("remove")
        if removing:
            row = get_object_or_404(TrustedCertificate, pk=removing) if removing.isdigit() else None
            if row is None:
                raise Http404
            trust.remove_certificate(row, request.user, address=client_address(request))
            messages.success(request, _("The certificate is no longer trusted."))
            return redirect("package_trust")
        if form.is_valid():
            uploaded = form.cleaned_data["file"]
            try:
                if uploaded.size > trust.MAX_CERT_BYTES:
                    raise trust.CertificateRejected(_("The certificate file is too large."))
                added = trust.add_certificates(
                    _read_upload(uploaded), request.user, address=client_address(request)
                )
            except trust.CertificateRejected as rejected:
                form.add_error("file", rejected.message)
            else:
                messages.success(request, _("%(count)d certificate(s) added.") % {"count": len(added)})
                return redirect("package_trust")
    return render(
        request,
        "packages/trust.html",
        {"form": form, "certificates": TrustedCertificate.objects.defer("der"), "now": timezone.now()},
        status=400 if form.errors else 200,
    )

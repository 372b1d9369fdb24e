"""Export and import of the whole registry as an Excel workbook (province administrators only).

Import runs in stages: upload → read every cell → validate every row → preview (all errors, or
what would change) → confirm → save everything in one transaction. Nothing is saved while any
row has an error. Between preview and confirm the rows wait in the session, and they are
validated again on confirm because the registry may have changed meanwhile.
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from rasoat.client_ip import client_address
from rasoat.orgs import registry, registry_xlsx
from rasoat.orgs.models import Unit
from rasoat.orgs.unit_forms import RegistryUploadForm

SESSION_KEY = "registry_import"


def _require_registry_admin(user) -> None:
    """The registry file covers every unit, so only a province-wide administrator may use it."""
    if not user.has_global_perm("unit:manage"):
        raise PermissionDenied


@login_required
def registry_export(request):
    """Download the registry (every unit the user manages, in tree order) as a workbook."""
    _require_registry_admin(request.user)
    units = Unit.objects.visible_to(request.user, "unit:manage").select_related("parent", "commune")
    content = registry_xlsx.write_workbook(registry.tree_order(units))
    response = HttpResponse(content, content_type=registry_xlsx.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{registry_xlsx.FILENAME}"'
    return response


@login_required
def registry_import(request):
    """Upload a registry workbook, see every error or the changes, then confirm."""
    _require_registry_admin(request.user)
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request)
    # Bound on any POST: a body cut for its size may hold no field at all, and must still say why.
    posted = request.method == "POST"
    if posted:
        form = RegistryUploadForm(request.POST, request.FILES, request=request)
    else:
        form = RegistryUploadForm()
    context = {"form": form}
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        request.session.pop(SESSION_KEY, None)
        try:
            parsed = registry_xlsx.read_workbook(upload)
        except registry_xlsx.RegistryFileError as error:
            form.add_error("file", error.message)
        else:
            rows, errors = registry.validate_rows(
                parsed.rows, first_row=parsed.row_numbers[0], row_numbers=parsed.row_numbers
            )
            context.update(filename=upload.name, count=len(rows))
            if errors:
                context["errors"] = errors
            else:
                token = secrets.token_urlsafe(16)
                request.session[SESSION_KEY] = {
                    "token": token,
                    "filename": upload.name,
                    "rows": parsed.rows,
                    "numbers": parsed.row_numbers,
                }
                context.update(preview=registry.diff_rows(rows), token=token)
    return render(request, "orgs/registry_import.html", context)


def _confirm(request):
    """Apply the previewed rows, all or nothing."""
    pending = request.session.get(SESSION_KEY)
    if not pending or not constant_time_compare(pending["token"], request.POST.get("token", "")):
        messages.error(
            request, _("This import is no longer waiting for confirmation. Upload the file again.")
        )
        return redirect("registry_import")
    numbers = pending["numbers"]
    with transaction.atomic():
        rows, errors = registry.validate_rows(pending["rows"], first_row=numbers[0], row_numbers=numbers)
        if not errors:
            changes = registry.import_rows(
                rows,
                actor=request.user,
                address=client_address(request),
                filename=pending["filename"],
            )
    request.session.pop(SESSION_KEY, None)
    if errors:
        # The registry changed between preview and confirm (another administrator, another tab).
        context = {
            "form": RegistryUploadForm(),
            "errors": errors,
            "filename": pending["filename"],
            "count": len(rows),
        }
        return render(request, "orgs/registry_import.html", context)
    messages.success(
        request,
        _("The registry was imported: %(created)s new units, %(changed)s changed, %(unchanged)s unchanged.")
        % {
            "created": len(changes["created"]),
            "changed": len(changes["changed"]),
            "unchanged": changes["unchanged"],
        },
    )
    return redirect("unit_list")

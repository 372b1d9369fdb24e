"""The consolidated workbook download: GET /dot/<code>/xuat-excel/?scope=&level=&block=&commune=.

Who gets what: anonymous users go to the login page; a scope or commune the user may not see is a
404 (it does not confirm the unit exists); a user without "export:run" anywhere (a viewer) gets 403.
The workbook holds the campaign's assignments whose unit the user may export ("export:run"), inside
the subtree of `scope` and the filters; so a commune editor's export holds only that commune.
"""

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from rasoat import tempfiles
from rasoat.campaigns.models import Assignment, Campaign
from rasoat.jobs import services as jobs
from rasoat.jobs.models import Job
from rasoat.orgs.models import Block, Kind, Level, Unit
from rasoat.workbooks.export import (
    CONTENT_TYPE,
    scoped_assignments,
    write_consolidated,
)
from rasoat.workbooks.scope_naming import name_scope


def _commune(user, value: str) -> Unit:
    """A commune the user may see, named by its id (the board's filter) or its code."""
    communes = Unit.objects.visible_to(user, "data:view").filter(kind=Kind.COMMUNE)
    # An id only when it is one (ASCII digits that fit a bigint); anything else is looked up as a code.
    is_id = value.isascii() and value.isdigit() and len(value) <= 18
    lookup = {"pk": int(value)} if is_id else {"code": value}
    return get_object_or_404(communes, **lookup)


def start_export_job(
    request, campaign: Campaign, scope: Unit | None, params: dict, commune: Unit | None
) -> Job:
    """Queue the consolidated export as a job of `request.user` (the task scopes it again when it runs)."""
    from rasoat.jobs import tasks

    title = _("Consolidated workbook of %(campaign)s") % {"campaign": campaign.code}
    if scope is not None:
        title += f" · {scope.name}"
    job = Job(
        kind=Job.Kind.EXPORT,
        owner=request.user,
        campaign=campaign,
        unit=scope,
        title=title,
        params={
            "level": params["level"],
            "block": params["block"],
            "commune": commune.pk if commune else None,
        },
    )
    with transaction.atomic():
        return jobs.start_job(job, tasks.export_workbook)


def _choices(choices) -> str:
    return ", ".join(f"{value} ({label})" for value, label in choices.choices)


@login_required
@require_GET
def export(request, code: str):
    """Stream the consolidated workbook of a campaign, limited to what the user may export."""
    user = request.user
    if not user.has_any_perm("campaign:view"):
        raise Http404
    campaign = get_object_or_404(Campaign, code=code)
    params = {name: request.GET.get(name, "").strip() for name in ("scope", "level", "block", "commune")}
    if any("\x00" in value for value in params.values()):
        raise Http404  # PostgreSQL refuses NUL in text: no unit can have such a code
    # Units the user may not see are a 404 before anything else, as everywhere in rasoat.
    scope = None
    if params["scope"]:
        scope = get_object_or_404(Unit.objects.visible_to(user, "data:view"), code=params["scope"])
    commune = _commune(user, params["commune"]) if params["commune"] else None
    if not user.has_any_perm("export:run"):
        raise PermissionDenied
    problems = []
    if params["level"] and params["level"] not in Level.values:
        problems.append(
            _("Unknown level “%(value)s”: choose one of %(choices)s.")
            % {"value": params["level"], "choices": _choices(Level)}
        )
    if params["block"] and params["block"] not in Block.values:
        problems.append(
            _("Unknown block “%(value)s”: choose one of %(choices)s.")
            % {"value": params["block"], "choices": _choices(Block)}
        )
    if problems:
        return render(
            request, "workbooks/export_error.html", {"campaign": campaign, "problems": problems}, status=400
        )

    assignments = scoped_assignments(
        Assignment.objects.visible_to(user, "export:run"),
        scope=scope,
        level=params["level"],
        block=params["block"],
        commune=commune,
    )
    # The scope is named by its units (Xã Mường Tè), in the sheet and in the file name.
    label, filename = name_scope(user, campaign, scope, params["level"], params["block"], commune)
    if assignments.filter(campaign=campaign).count() > settings.JOBS_EXPORT_THRESHOLD:
        # A large scope takes longer than a request should: a background job with a progress bar,
        # whose file only this user downloads (from the jobs page).
        job = start_export_job(request, campaign, scope, params, commune)
        if job.state == Job.State.DONE:
            return redirect("job_download", pk=job.pk)
        messages.info(request, _("The workbook is being prepared in the background; download it from Jobs."))
        return redirect("job_list")
    # An anonymous temporary file: written in constant memory, streamed, gone when the response closes.
    output = tempfile.TemporaryFile(  # noqa: SIM115 - FileResponse closes it
        prefix="rasoat-export-", suffix=".xlsx", dir=tempfiles.process_dir()
    )
    try:
        write_consolidated(campaign, assignments, output, label=label)
        output.seek(0)
    except BaseException:
        output.close()
        raise
    return FileResponse(output, as_attachment=True, filename=filename, content_type=CONTENT_TYPE)

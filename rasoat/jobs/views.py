"""The "Công việc" page (the user's background jobs with progress and download links) and the small
status fragments that pages waiting for a job poll (HTMX, every 2 seconds, until fresh).

Scope: a person sees their own jobs, an administrator of the whole province sees everyone's; a job
outside that is a 404. Only the owner downloads a result, and only while the job's unit is still in
their scope (`Unit.objects.visible_to`): a result outlives neither a lost membership nor the owner.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from rasoat.campaigns.models import Assignment, Campaign
from rasoat.inventory.access import get_assignment
from rasoat.jobs import services
from rasoat.jobs.models import Job
from rasoat.orgs.models import Unit


def visible_jobs(user):
    """The jobs `user` may see: their own; everyone's for an administrator of the whole province."""
    jobs = Job.objects.select_related("owner", "campaign", "unit")
    if user.has_global_perm("user:manage"):
        return jobs
    return jobs.filter(owner=user)


@login_required
@require_GET
def job_list(request):
    """The user's jobs, newest first; the list refreshes itself while any is unfinished."""
    jobs = list(visible_jobs(request.user)[:100])
    context = {"jobs": jobs, "active": any(not job.finished for job in jobs)}
    if request.headers.get("HX-Request"):
        return render(request, "jobs/_job_table.html", context)
    return render(request, "jobs/job_list.html", context)


@login_required
@require_GET
def job_download(request, pk):
    """The result file of a finished job, for its owner only (404 for anyone else)."""
    job = visible_jobs(request.user).filter(pk=pk, owner=request.user).first()
    if job is None or job.state != Job.State.DONE or not job.result_file:
        raise Http404
    if job.unit_id and not Unit.objects.visible_to(request.user, "data:view").filter(pk=job.unit_id).exists():
        raise Http404
    if not job.unit_id and not request.user.has_any_perm("campaign:view"):
        raise Http404
    path = services.result_path(job)
    if not path.is_file():
        raise Http404
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=job.result_name, content_type=job.content_type
    )


@login_required
@require_GET
def assessment_status(request, code: str, pk: int):
    """Polled by a unit's assessment page while a recompute is owed: the same "updating" fragment
    while it is, and a full refresh of the page (HX-Refresh) once the figures are fresh."""
    assignment = get_assignment(request, code, pk, "data:view")
    if services.assessment_pending(assignment):
        return render(request, "jobs/_assessment_pending.html", {"status_url": request.path})
    response = HttpResponse("")
    response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def campaign_status(request, code: str):
    """Polled by the campaign's dashboard and assessment settings while figures in the user's scope
    wait for a recompute; a full refresh (HX-Refresh) once they are fresh."""
    if not request.user.has_any_perm("campaign:view"):
        raise Http404
    campaign = get_object_or_404(Campaign, code=code)
    assignments = Assignment.objects.visible_to(request.user, "data:view").filter(campaign=campaign)
    if services.pending_among(campaign, assignments):
        return render(request, "jobs/_assessment_pending.html", {"status_url": request.path})
    response = HttpResponse("")
    response["HX-Refresh"] = "true"
    return response

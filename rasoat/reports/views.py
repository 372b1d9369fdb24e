"""The reports page of a campaign and the download of one report (.docx, or PDF through LibreOffice).

Who may do what ("report:view"): anyone holding it somewhere sees the page (others get 404); a unit's
or a commune's report is loaded through the user's scope (outside it: 404); the province report, the
reminder and the request concern the whole province and need the permission there (others: 403).
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rasoat.campaigns.models import Assignment, Campaign, Status
from rasoat.campaigns.services import days_left
from rasoat.orgs.models import Kind, Unit
from rasoat.reports import render as rendering
from rasoat.reports import services
from rasoat.reports.figures import PENDING

PERM = "report:view"
PAGE_SIZE = 100


def _require_view(user) -> None:
    if not user.has_any_perm(PERM):
        raise Http404


def _visible_assignments(user, campaign: Campaign) -> QuerySet[Assignment]:
    return Assignment.objects.visible_to(user, PERM).filter(campaign=campaign)


def _communes(user, campaign: Campaign) -> QuerySet[Unit]:
    """The communes the user may see that have units assigned in the campaign."""
    assigned = Assignment.objects.filter(campaign=campaign, unit__commune__isnull=False).values(
        "unit__commune"
    )
    with_data = Assignment.objects.filter(campaign=campaign, unit__commune=OuterRef("pk")).exclude(
        status=Status.NOT_STARTED
    )
    return (
        Unit.objects.visible_to(user, PERM)
        .filter(kind=Kind.COMMUNE, pk__in=assigned)
        .annotate(has_data=Exists(with_data))
        .order_by("name")
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def report_latest(request):
    """The navigation's entry: the reports of the most recent campaign."""
    _require_view(request.user)
    campaign = Campaign.objects.order_by("-deadline", "-pk").first()
    if campaign is None:
        return redirect("campaign_list")
    return redirect("report_list", code=campaign.code)


@login_required
@require_http_methods(["GET", "HEAD"])
def report_list(request, code: str):
    """The reports the user may produce: the department's documents (whole province), a commune's
    report per visible commune, a unit's report per visible assigned unit (paginated, filterable)."""
    _require_view(request.user)
    campaign = get_object_or_404(Campaign, code=code)
    communes = list(_communes(request.user, campaign))
    assignments = _visible_assignments(request.user, campaign).select_related("unit", "unit__commune")
    commune_code = request.GET.get("xa", "")
    if commune_code:
        assignments = assignments.filter(unit__commune__code=commune_code)
    search = request.GET.get("q", "").strip()
    if search:
        assignments = assignments.filter(unit__in=Unit.objects.search(search))
    page = Paginator(assignments.order_by("unit__path"), PAGE_SIZE).get_page(request.GET.get("page"))
    is_global = request.user.has_global_perm(PERM)
    pending = Assignment.objects.filter(campaign=campaign, status__in=PENDING).count() if is_global else None
    days = days_left(campaign)
    return render(
        request,
        "reports/report_list.html",
        {
            "campaign": campaign,
            "communes": communes,
            "page": page,
            "commune_code": commune_code,
            "search": search,
            "is_global": is_global,
            "pending": pending,
            "pdf": rendering.pdf_available(),
            "days_left": days,
            "days_past": -days,
        },
    )


def _pdf_job(request, kind: str, campaign: Campaign, target: dict):
    """A PDF takes LibreOffice seconds: it is made by a background job that the user follows under
    "Công việc" (with the immediate backend, as in tests, it is ready at once and sent back)."""
    from rasoat.jobs import services as jobs
    from rasoat.jobs import tasks
    from rasoat.jobs.models import Job

    assignment = target.get("assignment")
    scope = assignment.unit if assignment else target.get("commune")
    title = _("PDF report of %(campaign)s") % {"campaign": campaign.code}
    if scope is not None:
        title += f" · {scope.name}"
    job = Job(
        kind=Job.Kind.REPORT,
        owner=request.user,
        campaign=campaign,
        unit=scope,
        title=title,
        params={"kind": kind, "assignment": assignment.pk if assignment else None},
    )
    with transaction.atomic():
        job = jobs.start_job(job, tasks.report_pdf)
    if job.state == Job.State.FAILED:
        messages.error(request, job.message)
        return redirect("report_list", code=campaign.code)
    if job.state == Job.State.DONE:
        return FileResponse(
            jobs.result_path(job).open("rb"),
            as_attachment=True,
            filename=job.result_name,
            content_type=job.content_type,
        )
    messages.info(request, _("The PDF is being made in the background; download it from Jobs."))
    return redirect("job_list")


@login_required
@require_http_methods(["GET", "HEAD"])
def report_download(request, code: str, kind: str):
    """One report as a download: `?unit=<code>` or `?commune=<code>` for those kinds, `pdf=1` for PDF."""
    user = request.user
    _require_view(user)
    if kind not in services.KINDS:
        raise Http404
    campaign = get_object_or_404(Campaign, code=code)
    target: dict = {}
    if kind == services.UNIT:
        assignment = (
            _visible_assignments(user, campaign)
            .select_related("campaign", "unit", "unit__parent", "unit__commune")
            .filter(unit__code=request.GET.get("unit", ""))
            .first()
        )
        if assignment is None:
            raise Http404
        target["assignment"] = assignment
    elif kind == services.COMMUNE:
        target["commune"] = get_object_or_404(_communes(user, campaign), code=request.GET.get("commune", ""))
    elif not user.has_global_perm(PERM):
        raise PermissionDenied
    if request.GET.get("pdf") == "1" and rendering.pdf_available():
        return _pdf_job(request, kind, campaign, target)
    try:
        report = services.generate(kind, campaign, pdf=request.GET.get("pdf") == "1", **target)
    except rendering.ReportError as error:
        messages.error(request, str(error))
        return redirect("report_list", code=campaign.code)
    return FileResponse(
        io.BytesIO(report.content),
        as_attachment=True,
        filename=report.filename,
        content_type=report.content_type,
    )

"""The registry of background jobs: every task rasoat queues is declared here, and nowhere else.

- `recompute_unit`: queued by every change of a unit's data (jobs.services); replaces the unit's
  results in one transaction and skips when no flag is pending.
- `recompute_campaign`: queued when the assessment settings are saved, the reference date changes or
  the recompute button is pressed; one transaction; skips when no flag is pending.
- `export_workbook`: a consolidated export of a scope above JOBS_EXPORT_THRESHOLD units; writes
  `<job>.xlsx.part` and renames it when complete.
- `report_pdf`: a report asked for as PDF; the same temporary name, then rename.
- `deliver_mail`: sends the e-mail outbox (rasoat.notifications), queued after every commit that wrote
  mail; while rows stay pending (a mail server down) it queues itself again for their next attempt.

A job killed midway (kill -9 of its worker) is handed to another worker by `rasoat worker`
(rasoat.jobs.recovery) and runs again from the start; what the killed run wrote was either rolled
back with its transaction or left under a temporary name that the rerun overwrites.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override
from django_tasks import task

from rasoat.campaigns.models import Assignment, Campaign
from rasoat.jobs import services
from rasoat.jobs.models import CampaignRecompute, Job, UnitRecompute
from rasoat.jobs.progress import ProgressReporter

RECOMPUTE_LOCK = 1010
"""First key of the PostgreSQL advisory lock that serialises the recomputes of one campaign."""


def _lock_campaign(campaign_id: int) -> None:
    """Serialise recomputes of one campaign (PostgreSQL): a unit's recompute committing while the
    campaign's runs would otherwise leave that unit's findings twice. An advisory lock, not the
    campaign row: campaign services lock that row before assignment rows, while a save (which, with
    the immediate backend, recomputes in its own transaction) holds its assignment row first; the two
    orders would deadlock. SQLite has one writer at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [RECOMPUTE_LOCK, campaign_id])


@task()
def recompute_unit(assignment_id: int) -> str:
    """Recompute one unit's assessment while its stale flag is raised; clear the flag with the results."""
    from rasoat.assessment.services import assess_assignment
    from rasoat.desk.counts import refresh as refresh_check_counts

    while True:
        seen = (
            UnitRecompute.objects.filter(assignment_id=assignment_id)
            .values_list("revision", flat=True)
            .first()
        )
        if seen is None:
            return "nothing pending"
        assignment = Assignment.objects.select_related("campaign", "unit").filter(pk=assignment_id).first()
        if assignment is None:
            return "assignment gone"
        with transaction.atomic():
            _lock_campaign(assignment.campaign_id)
            assess_assignment(assignment)
            # The review desk's error and warning counts follow the data with the assessment.
            refresh_check_counts(assignment)
            # A change committed meanwhile raised the revision: keep the flag and compute again.
            cleared, _deleted = UnitRecompute.objects.filter(
                assignment_id=assignment_id, revision=seen
            ).delete()
        if cleared:
            return "recomputed"


def _recomputed_message(count: int) -> str:
    return ngettext(
        "The assessment was recomputed: %(count)d unit with data.",
        "The assessment was recomputed: %(count)d units with data.",
        count,
    ) % {"count": count}


@task()
def recompute_campaign(campaign_id: int) -> str:
    """Recompute a whole campaign while its stale flag is raised; the recompute jobs people follow
    (Job rows of kind "recompute") move with it and end in the same transaction as the results."""
    from rasoat.assessment.services import assess_campaign

    while True:
        seen = (
            CampaignRecompute.objects.filter(campaign_id=campaign_id)
            .values_list("revision", flat=True)
            .first()
        )
        followers = Job.objects.filter(campaign_id=campaign_id, kind=Job.Kind.RECOMPUTE).exclude(
            state__in=[Job.State.DONE, Job.State.FAILED]
        )
        campaign = Campaign.objects.filter(pk=campaign_id).first()
        if seen is None or campaign is None:
            with override(settings.LANGUAGE_CODE):
                for job_id in followers.values_list("pk", flat=True):
                    services.finish_job(job_id, _("Nothing was left to recompute."))
            return "nothing pending"
        followers.update(state=Job.State.RUNNING)
        reporter = ProgressReporter(list(followers.values_list("pk", flat=True)))
        reporter.delay = settings.JOBS_RECOMPUTE_UNIT_DELAY
        with transaction.atomic():
            _lock_campaign(campaign_id)
            count = assess_campaign(campaign, progress=reporter.report)
            cleared, _deleted = CampaignRecompute.objects.filter(
                campaign_id=campaign_id, revision=seen
            ).delete()
            if cleared:
                with override(settings.LANGUAGE_CODE):
                    for job_id in followers.values_list("pk", flat=True):
                        services.finish_job(job_id, _recomputed_message(count))
        reporter.close()
        if cleared:
            return f"recomputed {count}"


@task()
def export_workbook(job_id: str) -> str:
    """Write the consolidated workbook a person asked for, limited to what they may export *now*."""
    from rasoat.orgs.models import Unit
    from rasoat.workbooks.export import scoped_assignments, write_consolidated
    from rasoat.workbooks.scope_naming import name_scope

    job = Job.objects.select_related("owner", "campaign", "unit").filter(pk=job_id).first()
    if job is None or job.finished:
        return "nothing to do"
    services.set_progress(job.pk, 5)
    owner, params = job.owner, job.params
    commune = Unit.objects.filter(pk=params.get("commune")).first() if params.get("commune") else None
    assignments = scoped_assignments(
        Assignment.objects.visible_to(owner, "export:run"),
        scope=job.unit,
        level=params.get("level", ""),
        block=params.get("block", ""),
        commune=commune,
    ).filter(campaign=job.campaign)
    label, filename = name_scope(
        owner, job.campaign, job.unit, params.get("level", ""), params.get("block", ""), commune
    )
    part = services.part_file(job.pk, ".xlsx")
    write_consolidated(job.campaign, assignments, str(part), label=label)
    services.set_progress(job.pk, 95)
    name = services.publish_result(job.pk, part, ".xlsx")
    with override(settings.LANGUAGE_CODE):
        services.finish_job(
            job.pk,
            _("The workbook is ready."),
            result_file=name,
            result_name=filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return "written"


@task()
def report_pdf(job_id: str) -> str:
    """Render the report a person asked for as PDF (LibreOffice takes seconds: never in a request)."""
    from rasoat.reports import render as rendering
    from rasoat.reports import services as reports

    job = Job.objects.select_related("owner", "campaign", "unit").filter(pk=job_id).first()
    if job is None or job.finished:
        return "nothing to do"
    services.set_progress(job.pk, 10)
    kind, target = job.params["kind"], {}
    if job.params.get("assignment"):
        target["assignment"] = (
            Assignment.objects.visible_to(job.owner, "report:view")
            .select_related("campaign", "unit", "unit__parent", "unit__commune")
            .get(pk=job.params["assignment"])
        )
    elif job.unit_id:
        target["commune"] = job.unit
    with override(settings.LANGUAGE_CODE):
        try:
            report = reports.generate(kind, job.campaign, pdf=True, **target)
        except rendering.ReportError as error:
            services.finish_job(job.pk, str(error), failed=True)
            return "failed"
        part = services.part_file(job.pk, ".pdf")
        part.write_bytes(report.content)
        name = services.publish_result(job.pk, part, ".pdf")
        services.finish_job(
            job.pk,
            _("The report is ready."),
            result_file=name,
            result_name=report.filename,
            content_type=report.content_type,
        )
    return "written"


@task()
def deliver_mail() -> str:
    """Send what the outbox holds; queue the next try of what failed for when it is due."""
    from django_tasks import default_task_backend

    from rasoat.notifications.delivery import deliver_outbox, next_attempt_due

    counts = deliver_outbox()
    due = next_attempt_due()
    if due is not None and default_task_backend.supports_defer:
        deliver_mail.using(run_after=due).enqueue()
    return f"{counts.get('sent', 0)} sent"

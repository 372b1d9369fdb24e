"""Asking for background work, and following it.

Every job goes through `enqueue`, which hands it to the configured django-tasks backend: the database
queue in production (a `rasoat worker` runs it), the immediate backend in the test suite (it runs at
once, inside the caller). With the database backend the queued row is written on the caller's
connection, so it commits or rolls back with the change that asked for it: a job is never queued for
a change that did not happen, nor lost for one that did.

The assessment is owed a recompute when a unit's data change (`mark_unit_stale`) or a campaign's
settings or reference date change (`mark_campaign_stale`). Each writes a flag row in the caller's
transaction and queues a job only when no flag was there: at most one recompute is pending per unit
or campaign however many saves come before a worker takes it (coalescing).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from rasoat.campaigns.models import Assignment, Campaign
from rasoat.jobs.models import CampaignRecompute, Job, UnitRecompute

logger = logging.getLogger(__name__)


class JobFailed(RuntimeError):
    """A job run by the immediate backend failed: raised in the caller so that errors are not silent."""


def enqueue(task, *args):
    """Queue `task(*args)` on the default backend; with the immediate backend a failure is raised."""
    result = task.enqueue(*args)
    if result.errors and result.status == "FAILED":
        raise JobFailed(result.errors[-1].traceback)
    return result


# --- the assessment's stale flags ----------------------------------------------------------------------


def _flag(model, **key) -> bool:
    """Raise the revision of the flag row, or create it; True when it was created (queue a job then)."""
    if model.objects.filter(**key).update(revision=F("revision") + 1, requested_at=timezone.now()):
        return False
    try:
        with transaction.atomic():
            model.objects.create(**key)
    except IntegrityError:
        # Another transaction created it meanwhile (and queued the job): count this change too.
        model.objects.filter(**key).update(revision=F("revision") + 1, requested_at=timezone.now())
        return False
    return True


def mark_unit_stale(assignment: Assignment) -> None:
    """The unit's figures are out of date: flag it and queue its recompute unless one is pending."""
    from rasoat.jobs import tasks

    if _flag(UnitRecompute, assignment_id=assignment.pk):
        enqueue(tasks.recompute_unit, assignment.pk)


def mark_campaign_stale(campaign: Campaign) -> bool:
    """The whole campaign's figures are out of date: flag it and queue its recompute unless one is
    pending. Returns whether a job was queued."""
    from rasoat.jobs import tasks

    if _flag(CampaignRecompute, campaign_id=campaign.pk):
        enqueue(tasks.recompute_campaign, campaign.pk)
        return True
    return False


def on_data_changed(sender, assignment: Assignment, **kwargs) -> None:
    """Receiver of `inventory.signals.data_changed` (inside the change's transaction)."""
    mark_unit_stale(assignment)


def on_reference_date_changed(sender, campaign: Campaign, **kwargs) -> None:
    """Receiver of `campaigns.signals.reference_date_changed` (inside the change's transaction)."""
    mark_campaign_stale(campaign)


def assessment_pending(assignment: Assignment) -> bool:
    """Whether the unit's figures wait for a recompute (its own or its campaign's)."""
    return (
        UnitRecompute.objects.filter(assignment_id=assignment.pk).exists()
        or CampaignRecompute.objects.filter(campaign_id=assignment.campaign_id).exists()
    )


def pending_among(campaign: Campaign, assignments) -> bool:
    """Whether any figure of `assignments` (a queryset of the campaign's, scoped by the caller) waits
    for a recompute: the campaign's, or one of those units'. One query (pages count theirs)."""
    return (
        Campaign.objects.filter(pk=campaign.pk)
        .filter(
            Exists(CampaignRecompute.objects.filter(campaign_id=OuterRef("pk")))
            | Exists(UnitRecompute.objects.filter(assignment__in=assignments.values("pk")))
        )
        .exists()
    )


# --- jobs a person follows -----------------------------------------------------------------------------


def start_job(job: Job, task, *args) -> Job:
    """Save `job` and queue `task(job.pk, *args)` in the caller's transaction."""
    job.save()
    result = enqueue(task, str(job.pk), *args)
    Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id))
    job.refresh_from_db()
    return job


def set_progress(job_id, progress: int, state: str = Job.State.RUNNING) -> None:
    """Record how far a job got (in its own short transaction, so that the owner sees it move)."""
    Job.objects.filter(pk=job_id).exclude(state__in=[Job.State.DONE, Job.State.FAILED]).update(
        progress=max(0, min(100, progress)), state=state
    )


def finish_job(job_id, message: str = "", failed: bool = False, **fields) -> None:
    """The job ended: done (progress 100) or failed, with the message the owner reads."""
    state = Job.State.FAILED if failed else Job.State.DONE
    values = {"state": state, "message": message, "finished_at": timezone.now(), **fields}
    if not failed:
        values["progress"] = 100
    Job.objects.filter(pk=job_id).update(**values)


def result_root() -> Path:
    return Path(settings.JOBS_RESULT_ROOT)


def result_path(job: Job) -> Path:
    """Where the result file of `job` is kept (relative names are stored: the folder may move)."""
    return result_root() / job.result_file


def publish_result(job_id, temporary: Path, suffix: str) -> str:
    """Move a finished temporary file to its final name atomically (rename in the same folder): a
    reader never sees half a file, and a job killed before the rename leaves only a `.part` file that
    the retry overwrites. Returns the stored relative name."""
    name = f"{job_id}{suffix}"
    final = result_root() / name
    os.replace(temporary, final)
    return name


def part_file(job_id, suffix: str) -> Path:
    """The temporary name a job writes its result to before `publish_result`."""
    root = result_root()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return root / f"{job_id}{suffix}.part"

"""Jobs whose worker died: handed back to the queue.

django-tasks-db marks a task RUNNING when a worker claims it and leaves it so if that worker is killed
(kill -9, out of memory, a machine lost). Every `rasoat worker` writes a heartbeat (`WorkerBeat`);
a RUNNING task whose last worker is known dead — its process gone on this machine, or its heartbeat
older than JOBS_WORKER_TIMEOUT seconds — is set READY again, so the next worker runs it from the
start. Every task is idempotent (rasoat.jobs.tasks), so a rerun leaves the same result as one
uninterrupted run. After JOBS_MAX_ATTEMPTS claims the task is marked FAILED instead (a job that kills
its worker every time must not take the queue down with it), and its Job with it.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rasoat.jobs import services
from rasoat.jobs.models import Job, WorkerBeat

logger = logging.getLogger(__name__)
HOST = socket.gethostname()[:255]


def beat(worker_id: str) -> None:
    """Record that this worker is alive."""
    updated = WorkerBeat.objects.filter(pk=worker_id).update(seen_at=timezone.now())
    if not updated:
        WorkerBeat.objects.create(worker_id=worker_id, host=HOST, pid=os.getpid(), seen_at=timezone.now())


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _dead(worker_id: str, beats: dict[str, WorkerBeat], limit) -> bool:
    beat_row = beats.get(worker_id)
    if beat_row is None:
        # A worker that never wrote a heartbeat (plain `db_worker`): trust it while its claim is recent.
        return False
    if beat_row.host == HOST and not _process_alive(beat_row.pid):
        return True
    return beat_row.seen_at < limit


def _jobs_of(task: DBTaskResult):
    """The jobs people follow that end with this task: its own, or for a campaign recompute (queued
    once for everyone who asked) every unfinished recompute job of that campaign."""
    unfinished = Job.objects.exclude(state__in=[Job.State.DONE, Job.State.FAILED])
    if task.task_path == "rasoat.jobs.tasks.recompute_campaign":
        return unfinished.filter(kind=Job.Kind.RECOMPUTE, campaign_id=task.args_kwargs["args"][0])
    return unfinished.filter(task_id=str(task.pk))


def recover(own_worker_id: str = "") -> int:
    """Requeue (or fail, past the attempt limit) the RUNNING tasks of dead workers; returns how many."""
    limit = timezone.now() - timedelta(seconds=settings.JOBS_WORKER_TIMEOUT)
    running = list(DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only("pk", "worker_ids"))
    if not running:
        return 0
    beats = {
        b.worker_id: b
        for b in WorkerBeat.objects.filter(worker_id__in={r.worker_ids[-1] for r in running if r.worker_ids})
    }
    recovered = 0
    for result in running:
        last = result.worker_ids[-1] if result.worker_ids else ""
        if not last or last == own_worker_id or not _dead(last, beats, limit):
            continue
        with transaction.atomic():
            task = (
                DBTaskResult.objects.select_for_update()
                .filter(pk=result.pk, status=TaskResultStatus.RUNNING)
                .first()
            )
            if task is None or task.worker_ids[-1:] != [last]:
                continue  # another worker recovered or finished it meanwhile
            if len(task.worker_ids) >= settings.JOBS_MAX_ATTEMPTS:
                task.status = TaskResultStatus.FAILED
                task.finished_at = timezone.now()
                task.exception_class_path = "rasoat.jobs.recovery.WorkerLost"
                task.traceback = f"its worker died {len(task.worker_ids)} times"
                task.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                with override(settings.LANGUAGE_CODE):
                    for job in _jobs_of(task):
                        services.finish_job(
                            job.pk, _("The job stopped several times and was given up."), failed=True
                        )
                logger.error("task %s given up after %d attempts", task.pk, len(task.worker_ids))
            else:
                task.status = TaskResultStatus.READY
                task.started_at = None
                task.save(update_fields=["status", "started_at"])
                logger.warning("task %s of dead worker %s queued again", task.pk, last)
        recovered += 1
    # Heartbeats of workers gone for long are only noise.
    WorkerBeat.objects.filter(seen_at__lt=limit - timedelta(days=1)).delete()
    return recovered

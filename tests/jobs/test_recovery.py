"""Which running jobs `rasoat worker` hands back to the queue: those whose worker is dead."""

from __future__ import annotations

import os
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rasoat.jobs import recovery, services, tasks
from rasoat.jobs.models import Job, WorkerBeat


@pytest.fixture
def claimed(campaign, database_queue):
    """A campaign recompute claimed by a worker; returns a function that sets that worker's state."""
    services.mark_campaign_stale(campaign)
    task = DBTaskResult.objects.get()

    def claim(worker_id: str, *, pid: int, seen_ago: float = 0, host: str = recovery.HOST, attempts: int = 1):
        WorkerBeat.objects.create(
            worker_id=worker_id, host=host, pid=pid, seen_at=timezone.now() - timedelta(seconds=seen_ago)
        )
        task.status = TaskResultStatus.RUNNING
        task.started_at = timezone.now()
        task.worker_ids = [f"earlier-{n}" for n in range(attempts - 1)] + [worker_id]
        task.save()
        return task

    return claim


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_a_job_of_a_live_worker_is_left_alone(claimed):
    task = claimed("alive", pid=os.getpid())
    assert recovery.recover() == 0
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_a_job_whose_process_is_gone_is_queued_again(claimed):
    task = claimed("killed", pid=dead_pid())
    assert recovery.recover() == 1
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY and task.started_at is None


def test_a_job_of_a_silent_worker_on_another_machine_is_queued_again(claimed, settings):
    task = claimed("far", pid=1, host="other-machine", seen_ago=settings.JOBS_WORKER_TIMEOUT + 5)
    assert recovery.recover() == 1
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY


def test_a_recent_worker_on_another_machine_is_trusted(claimed):
    task = claimed("far", pid=1, host="other-machine", seen_ago=1)
    assert recovery.recover() == 0
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_a_job_that_killed_its_workers_too_often_is_given_up(claimed, campaign, personas, settings):
    job = Job.objects.create(
        kind=Job.Kind.RECOMPUTE, owner=personas["admin"], campaign=campaign, title="recompute"
    )
    task = claimed("killed", pid=dead_pid(), attempts=settings.JOBS_MAX_ATTEMPTS)
    assert recovery.recover() == 1
    task.refresh_from_db()
    job.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert job.state == Job.State.FAILED and "nhiều lần" in job.message


def test_a_worker_does_not_recover_its_own_job(claimed):
    task = claimed("me", pid=dead_pid())
    assert recovery.recover(own_worker_id="me") == 0
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_result_files_are_written_under_a_temporary_name_then_renamed(database_queue, campaign, personas):
    job = Job.objects.create(kind=Job.Kind.EXPORT, owner=personas["admin"], campaign=campaign, title="x")
    part = services.part_file(job.pk, ".xlsx")
    part.write_bytes(b"half")  # what a killed run left
    tasks.export_workbook.call(str(job.pk))
    job.refresh_from_db()
    final = services.result_path(job)
    assert job.state == Job.State.DONE and final.read_bytes()[:2] == b"PK"
    assert not part.exists()

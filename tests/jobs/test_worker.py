"""Real `rasoat worker` processes against the test database: the recompute after an import, and a
worker killed (kill -9) midway through a campaign recompute, restarted, with the same result as an
uninterrupted run."""

from __future__ import annotations

import os
import signal
import time

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rasoat.assessment import services as assessment
from rasoat.assessment.models import Finding, FindingCount, Need, UnitScore
from rasoat.jobs import services
from rasoat.jobs.models import CampaignRecompute, UnitRecompute
from tests.conftest import MUONG_KIM_UNITS, MUONG_TE_UNITS
from tests.inventory.test_workflow import assignment_of, load
from tests.jobs.conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def results(campaign) -> dict[str, list]:
    """Everything a recompute writes, without ids and times, in a stable order."""
    scope = {"assignment__campaign": campaign}
    return {
        "findings": sorted(
            Finding.objects.filter(**scope).values_list(
                "assignment_id", "rule", "sheet", "row", "quantity", "message"
            )
        ),
        "counts": sorted(
            FindingCount.objects.filter(**scope).values_list("assignment_id", "rule", "findings", "quantity")
        ),
        "needs": sorted(
            Need.objects.filter(**scope).values_list("assignment_id", "kind", "item", "quantity", "cost_mvnd")
        ),
        "scores": sorted(
            UnitScore.objects.filter(**scope).values_list("assignment_id", "overall", "devices")
        ),
    }


def test_a_worker_runs_the_recompute_after_an_import_and_the_findings_appear(
    campaign, database_queue, workers
):
    assignment = assignment_of(campaign, MUONG_KIM_UNITS[0])
    load(assignment)
    load(assignment)  # a second import before any worker ran: still one recompute pending
    assert not Finding.objects.filter(assignment=assignment).exists()
    assert UnitRecompute.objects.get(assignment=assignment).revision == 2
    queued = DBTaskResult.objects.filter(task_path="rasoat.jobs.tasks.recompute_unit")
    assert queued.count() == 1 and queued.get().status == TaskResultStatus.READY

    workers.batch()

    assert queued.get().status == TaskResultStatus.SUCCESSFUL
    assert not UnitRecompute.objects.exists()
    stored = results(campaign)
    assert stored["findings"] and stored["scores"]
    # The same as computing it here.
    assessment.assess_assignment(assignment)
    assert results(campaign) == stored


def test_a_worker_killed_midway_through_a_campaign_recompute_is_retried_with_the_same_result(
    campaign, database_queue, workers
):
    for code in (MUONG_KIM_UNITS[0], MUONG_KIM_UNITS[2], MUONG_TE_UNITS[0]):
        load(assignment_of(campaign, code))
    workers.batch()  # the units' own recomputes
    before = results(campaign)
    assert before["findings"]
    config = assessment.config_for(campaign)
    config.computer_max_age = 3  # many more computers count as old
    config.save()
    services.mark_campaign_stale(campaign)
    task = DBTaskResult.objects.get(task_path="rasoat.jobs.tasks.recompute_campaign")

    # About 220 units at 50 ms each: the worker is surely midway when it is killed.
    proc = workers.start(JOBS_RECOMPUTE_UNIT_DELAY="0.05")
    wait_for(lambda: DBTaskResult.objects.get(pk=task.pk).status == TaskResultStatus.RUNNING, message="claim")
    time.sleep(1.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)

    # Killed: nothing of the new results is visible, the task is still claimed, the flag still raised.
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING
    assert CampaignRecompute.objects.filter(campaign=campaign).exists()
    assert results(campaign) == before

    # A new worker sees that the claiming process is gone, queues the task again and runs it.
    output = workers.batch().stdout
    assert "queued again" in output
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL and len(task.worker_ids) == 2
    assert not CampaignRecompute.objects.exists()
    after = results(campaign)
    assert after != before

    # An uninterrupted run gives exactly the same.
    assessment.assess_campaign(campaign)
    assert results(campaign) == after

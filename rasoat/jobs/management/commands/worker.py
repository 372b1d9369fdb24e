"""`rasoat worker`: run background jobs (django-tasks-db's `db_worker`, with recovery of dead workers).

Any number of workers may run, on any number of machines, against the same PostgreSQL database; on
SQLite run one (`rasoat serve` starts it). Each worker writes a heartbeat every
JOBS_HEARTBEAT_SECONDS from a thread of its own and, at start and with every heartbeat, hands the
jobs of dead workers back to the queue (rasoat.jobs.recovery); the same thread sends the day's
deadline reminders once a day (rasoat.jobs.daily).
"""

from __future__ import annotations

import logging
import os
import threading

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from rasoat import tempfiles
from rasoat.jobs import recovery
from rasoat.jobs.daily import DailyDuties

logger = logging.getLogger("rasoat.jobs")


def _heartbeat(worker_id: str, stop: threading.Event) -> None:
    daily = DailyDuties()
    while True:
        try:
            recovery.beat(worker_id)
            recovery.recover(own_worker_id=worker_id)
            daily.tick()
        except DatabaseError:
            # SQLite is busy while a job holds the write lock; try again at the next beat.
            logger.debug("heartbeat skipped", exc_info=True)
        except Exception:
            # The heartbeat must outlive a failing daily pass (it is tried again at the next beat).
            logger.exception("daily duties failed")
        finally:
            connections.close_all()
        if stop.wait(settings.JOBS_HEARTBEAT_SECONDS):
            return


class Command(DbWorkerCommand):
    help = "Run rasoat's background jobs (any number of workers may share a PostgreSQL database)."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        # A worker id that names the machine and process helps reading the queue; still unique.
        parser.set_defaults(
            worker_id=f"{recovery.HOST[:40]}-{os.getpid()}-{get_random_string(8)}",
            reload=False,
            queue_name="*",
        )

    def handle(self, *args, worker_id: str, **options) -> None:
        tempfiles.sweep()
        recovery.beat(worker_id)
        recovered = recovery.recover(own_worker_id=worker_id)
        if recovered:
            self.stdout.write(f"rasoat worker: {recovered} job(s) of stopped workers queued again")
        connections.close_all()
        stop = threading.Event()
        thread = threading.Thread(target=_heartbeat, args=(worker_id, stop), daemon=True, name="heartbeat")
        thread.start()
        try:
            super().handle(*args, worker_id=worker_id, **options)
        finally:
            stop.set()

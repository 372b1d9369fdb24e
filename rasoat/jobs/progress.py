"""Progress of a job that runs inside one long transaction (the campaign recompute).

Its own writes are invisible to others until it commits, so the progress is written on a second
connection (a short-lived thread: Django gives each thread its own connection, in autocommit). Only
on PostgreSQL: SQLite has one writer at a time, and the job holds it, so there the bar stays
indeterminate until the end.
"""

from __future__ import annotations

import threading
import time

from django.db import connection, connections

from rasoat.jobs.models import Job


class ProgressReporter:
    """Report `done / total` for the given jobs, at most every `step` percent."""

    def __init__(self, job_ids: list, step: int = 5):
        self.job_ids = job_ids
        self.step = step
        self.last = 0
        self.enabled = bool(job_ids) and connection.vendor == "postgresql"
        self.delay = 0.0  # seconds slept per unit (settings.JOBS_RECOMPUTE_UNIT_DELAY, tests only)

    def report(self, done: int, total: int) -> None:
        if self.delay:
            time.sleep(self.delay)
        if not self.enabled or total <= 0:
            return
        percent = min(99, done * 100 // total)
        if percent < self.last + self.step:
            return
        self.last = percent
        thread = threading.Thread(target=self._write, args=(percent,), daemon=True)
        thread.start()
        thread.join(timeout=10)

    def _write(self, percent: int) -> None:
        try:
            Job.objects.filter(pk__in=self.job_ids, state=Job.State.RUNNING).update(progress=percent)
        finally:
            connections.close_all()

    def close(self) -> None:
        self.enabled = False

"""Running calls at the same moment, each in its own thread with its own database connection.

Django opens one connection per thread, so two threads are two sessions of the database, exactly as
two gunicorn workers are: on PostgreSQL their transactions interleave and their row locks wait for
each other; on SQLite (IMMEDIATE transactions on a file database) one writer waits for the other.
Tests using this need `@pytest.mark.django_db(transaction=True)`, so that what one thread commits is
what the others see.
"""

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections

JOIN_TIMEOUT = 120  # seconds; a thread still running after this is a deadlock, reported as a failure


@dataclass
class Outcome:
    """What one call gave: its value, or the exception it raised."""

    value: Any = None
    error: BaseException | None = None


def run_together(*calls: Callable[[], Any], jitter: random.Random | None = None) -> list[Outcome]:
    """Start every call at the same moment (a barrier) and wait for all; one thread per call.

    `jitter` (a seeded random generator) delays each start by up to 2 ms, so that repeated runs try
    different interleavings instead of the same one. Every thread closes its connections.
    """
    barrier = threading.Barrier(len(calls))
    delays = [jitter.uniform(0, 0.002) if jitter else 0.0 for _call in calls]
    outcomes = [Outcome() for _call in calls]

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            if delays[index]:
                time.sleep(delays[index])
            outcomes[index].value = call()
        except BaseException as error:  # reported to the test, which decides
            outcomes[index].error = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    stuck = [i for i, thread in enumerate(threads) if thread.is_alive()]
    assert not stuck, f"calls {stuck} did not finish: a deadlock?"
    return outcomes

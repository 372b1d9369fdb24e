"""Shared plumbing: a scratch database, timing, and the report line format."""

import os
import statistics
import tempfile
import time
from collections.abc import Callable

_scratch: tempfile.TemporaryDirectory | None = None


def setup_django() -> None:
    """Configure Django on a scratch database (SQLite in a temp dir, or DATABASE_URL when set)."""
    global _scratch
    if _scratch is None:
        _scratch = tempfile.TemporaryDirectory(prefix="rasoat-bench-")
        os.environ["RASOAT_VAR_DIR"] = _scratch.name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rasoat.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        # Never touch a real database: benchmark inside a scratch schema-free test database.
        from django.test.utils import setup_databases

        setup_databases(verbosity=0, interactive=False)
    call_command("migrate", verbosity=0)


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """The median of `repeat` runs, in seconds (the median resists a noisy neighbour)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(name: str, value: float, baseline: float, target: float | None = None, unit: str = "s") -> None:
    """Print `name: value unit, baseline, ratio` and whether the ratio meets its target."""
    ratio = value / baseline if baseline else float("inf")
    verdict = ""
    if target is not None:
        verdict = "  ok" if ratio <= target else f"  MISSED (target ≤ {target})"
    print(
        f"{name:<52} {value * 1000 if unit == 's' else value:10.1f} {'ms' if unit == 's' else unit}"
        f"  baseline {baseline * 1000 if unit == 's' else baseline:10.1f}  ratio {ratio:6.2f}{verdict}"
    )


def timed(fn: Callable[[], object]) -> Callable[[], float]:
    """`fn` as a contender of `paired`: it returns its own run time in seconds."""

    def run() -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    return run


def paired(
    subject: Callable[[], float], baseline: Callable[[], float], rounds: int = 5
) -> tuple[float, float, float]:
    """Run two contenders round by round, alternating which goes first, and return the median of each
    one's times and the median of the per-round ratios subject ÷ baseline.

    Timing one contender's block after the other's lets machine drift land in the ratio (the same code
    measured 7.6 and 9.5 that way on a shared machine); a ratio per round, taken from two runs seconds
    apart, cancels most of it. Contenders return their own time (see `timed`) so that untimed set-up
    inside a round is allowed.
    """
    ratios, subject_times, baseline_times = [], [], []
    for round_number in range(rounds):
        if round_number % 2:
            base = baseline()
            value = subject()
        else:
            value = subject()
            base = baseline()
        subject_times.append(value)
        baseline_times.append(base)
        ratios.append(value / base if base else float("inf"))
    return statistics.median(subject_times), statistics.median(baseline_times), statistics.median(ratios)


def report_paired(name: str, measured: tuple[float, float, float], target: float | None = None) -> None:
    """Print a `paired` result: both medians and the median of the paired ratios."""
    value, base, ratio = measured
    verdict = ""
    if target is not None:
        verdict = "  ok" if ratio <= target else f"  MISSED (target ≤ {target})"
    print(
        f"{name:<52} {value * 1000:10.1f} ms  baseline {base * 1000:10.1f}  "
        f"median paired ratio {ratio:6.2f}{verdict}"
    )

"""API figures (issue 12): the province's consolidated JSON Lines against the consolidated workbook.

The province campaign of bench/workbooks.py (220 units, ~25,000 rows, same seed) is committed to the
scratch database. Measured side by side in the same run:

- the JSON Lines export (`api.endpoints.export.lines`, every line produced and counted, as the
  streamed response would send it) ÷ the consolidated workbook export (`write_consolidated` to a
  file): the median of paired ratios, the two alternating which goes first round by round so neither
  always runs on a warmer cache — target ≤ 0.5;
- peak RSS of the JSON Lines export in a fresh interpreter, beside that of an interpreter that only
  starts Django (constant memory: the difference must not grow with the rows).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import report
from bench.workbooks import (
    MB,
    SEED,
    _assert_scratch_database,
    clear_database,
    database_version,
    load_province,
)

ROUNDS = 5

_CHILD = """
import os, sys, json
sys.path.insert(0, os.getcwd())
from bench.api import child_main
from bench.workbooks import own_peak_rss_kib
child_main(sys.argv[1:])
print(json.dumps({"peak_kib": own_peak_rss_kib()}))
"""


def jsonl_export(campaign) -> int:
    """Produce every line of the province's JSON Lines; returns the bytes produced."""
    from rasoat.api.endpoints.export import lines

    return sum(len(line.encode("utf-8")) for line in lines(campaign, campaign.assignments.all()))


def child_main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rasoat.settings")
    import django

    django.setup()
    from django.db import connection

    if os.environ.get("RASOAT_BENCH_DB_NAME"):
        connection.settings_dict["NAME"] = os.environ["RASOAT_BENCH_DB_NAME"]
    if argv[0] == "django":
        connection.ensure_connection()
        return
    from rasoat.campaigns.models import Campaign

    jsonl_export(Campaign.objects.get(code="RS2026"))


def peak_rss_mb(*args: str) -> float:
    from django.db import connection

    connection.close()
    env = dict(os.environ, RASOAT_BENCH_DB_NAME=str(connection.settings_dict["NAME"]))
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"child {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])["peak_kib"] / MB


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    from django.db import connection

    from rasoat.workbooks.export import write_consolidated

    _assert_scratch_database()
    workdir = tempfile.TemporaryDirectory(prefix="rasoat-bench-api-")
    path = Path(workdir.name) / "tong-hop.xlsx"
    try:
        campaign, stored = load_province(random.Random(SEED))
        size = jsonl_export(campaign)
        print(f"{database_version()} · province: {stored} rows · JSON Lines {size // 1024} KiB")
        django_rss = peak_rss_mb("django")
        jsonl_rss = peak_rss_mb("jsonl")

        def workbook() -> None:
            write_consolidated(campaign, campaign.assignments.all(), str(path))

        ratios, jsonl_times, workbook_times = [], [], []
        for round_number in range(ROUNDS):
            if round_number % 2 == 0:
                first = _timed(lambda: jsonl_export(campaign))
                second = _timed(workbook)
                jsonl_time, workbook_time = first, second
            else:
                workbook_time = _timed(workbook)
                jsonl_time = _timed(lambda: jsonl_export(campaign))
            jsonl_times.append(jsonl_time)
            workbook_times.append(workbook_time)
            ratios.append(jsonl_time / workbook_time)
        ratio = statistics.median(ratios)
        verdict = "  ok" if ratio <= 0.5 else "  MISSED (target ≤ 0.5)"
        name = "province JSON Lines ÷ consolidated workbook"
        print(
            f"{name:<52} {statistics.median(jsonl_times) * 1000:10.1f} ms"
            f"  baseline {statistics.median(workbook_times) * 1000:10.1f}  ratio {ratio:6.2f}{verdict}"
            f"  (median of {ROUNDS} paired ratios)"
        )
        report("peak RSS, province JSON Lines ÷ Django alone", jsonl_rss, django_rss, unit="MB")
    finally:
        connection.close()
        clear_database()
        workdir.cleanup()

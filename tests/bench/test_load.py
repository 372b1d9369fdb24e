"""bench/load.py in small: 3 editors for a few seconds against a real `rasoat serve`, so the
deadline-day benchmark keeps working as the views it drives change (skipped without locust)."""

import importlib.util

import pytest

from bench import load

# Not importorskip: importing locust patches the standard library with gevent in the test process
# (bench/load.py runs it in a child process for that reason).
pytestmark = pytest.mark.skipif(importlib.util.find_spec("locust") is None, reason="locust is not installed")


def test_three_editors_sign_in_save_rows_and_upload_with_nothing_lost(django_db_blocker):
    with django_db_blocker.unblock():
        # Quick clicks, so that each user reaches its upload and several saves within the seconds.
        result = load.run(users=3, seconds=14, think=(0.5, 1.5), spawn_rate=10)

    assert result["total"]["failures"] == 0, result["errors"]
    assert result["still_active"] == 0
    assert result["server_cpu"] > 0
    # Every user signed in, typed rows through the form, browsed, and imported its workbook once.
    assert result["each"]["sign in"]["requests"] == 3
    assert result["row_saves"]["requests"] >= 3
    assert result["pages"]["requests"] >= 3
    assert all(user["uploaded"] for user in result["users"])
    assert result["uploads_imported"] == 3
    # The database holds exactly what the users saw saved: the workbook's rows and the rows typed since.
    for row in result["rows"]:
        assert row["stored"] == row["expected"] > 0, row
    assert all(row["stored"] >= 300 for row in result["rows"])


def test_the_report_prints_the_targets(capsys):
    summary = {"requests": 10, "failures": 0, "p50": 40, "p95": 120, "p99": 600, "max": 700}
    result = {
        "vendor": "sqlite",
        "elapsed": 10.0,
        "total": summary,
        "pages": summary,
        "row_saves": {**summary, "p95": 800},
        "each": {},
        "errors": [],
        "still_active": 0,
        "users": [{"uploaded": True, "saves": 4}],
        "uploads_imported": 1,
        "rows": [{"expected": 304, "stored": 304, "lost": 0, "uncertain": 0}],
        "server_cpu": 5.0,
        "users_cpu": 1.0,
        "load_before": 0.5,
    }
    load.report(result, users=1, workers=2)
    out = capsys.readouterr().out
    assert "1.0 requests/s" in out
    assert "p95    120 ms" in out and "MISSED (target p95 < 500 ms)" in out
    assert "errors: 0  ok" in out
    assert "uploads completed: 1 of 1 users" in out
    assert "lost 0  ok" in out
    assert "500 ms a request" in out

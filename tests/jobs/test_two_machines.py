"""Two web servers and two job workers on one PostgreSQL database, as production runs on several
machines (issue 10, "Done means"): an upload previewed through one server is confirmed through the
other, its recompute runs on whichever worker takes it, and the figures equal an in-process
assessment of the same file.

Everything runs against a scratch database created (and dropped) by the test, with `rasoat init`
as a fresh installation; the two servers share the var folder (the uploaded files, the secret key)
as web machines share their storage. On SQLite the test is skipped: one file has one writer.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection

from rasoat.assessment.services import assess_assignment
from rasoat.workbooks import importer, reader
from rasoat.workbooks.template import write_unit_template
from tests.conftest import MUONG_KIM_UNITS
from tests.core.live_server import csrf_token, logged_in
from tests.core.test_serve import RASOAT, ROOT, free_port
from tests.inventory.test_workflow import assignment_of, data_for, load
from tests.jobs.conftest import database_url, wait_for
from tests.workbooks.test_killed_read import multipart

UNIT = MUONG_KIM_UNITS[0]
RECOMPUTE = "rasoat.jobs.tasks.recompute_unit"

# The figures of one unit, without ids and times, in a stable order; the same SQL reads the
# scratch database (through psycopg) and the test's own (through Django's connection).
FIGURES = {
    "findings": """
        SELECT f.rule, f.severity, f.sheet, f.row, f.quantity, f.message
        FROM assessment_finding f JOIN campaigns_assignment a ON a.id = f.assignment_id
        JOIN orgs_unit u ON u.id = a.unit_id WHERE u.code = %s ORDER BY 1, 2, 3, 4, 5, 6""",
    "counts": """
        SELECT c.rule, c.severity, c.findings, c.quantity
        FROM assessment_findingcount c JOIN campaigns_assignment a ON a.id = c.assignment_id
        JOIN orgs_unit u ON u.id = a.unit_id WHERE u.code = %s ORDER BY 1, 2""",
    "needs": """
        SELECT n.kind, n.item, n.quantity, n.cost_mvnd
        FROM assessment_need n JOIN campaigns_assignment a ON a.id = n.assignment_id
        JOIN orgs_unit u ON u.id = a.unit_id WHERE u.code = %s ORDER BY 1, 2, 3""",
    "scores": """
        SELECT s.connectivity, s.devices, s.infrastructure, s.software, s.overall
        FROM assessment_unitscore s JOIN campaigns_assignment a ON a.id = s.assignment_id
        JOIN orgs_unit u ON u.id = a.unit_id WHERE u.code = %s""",
}


def figures(cursor, code: str) -> dict[str, list[tuple]]:
    found = {}
    for name, sql in FIGURES.items():
        cursor.execute(sql, [code])
        found[name] = [tuple(row) for row in cursor.fetchall()]
    return found


@contextlib.contextmanager
def scratch_database() -> Iterator[str]:
    """A new, empty database on the test's PostgreSQL server; yields its URL, drops it after."""
    name = f"rasoat_two_machines_{uuid.uuid4().hex[:12]}"
    server = database_url().rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Machines:
    """The processes of the test (two `rasoat serve`, two `rasoat worker`), all stopped at the end."""

    def __init__(self, env: dict[str, str], folder):
        self.env, self.folder = env, folder
        self.procs: list[subprocess.Popen] = []

    def start(self, name: str, *args: str, **extra: str) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(
            [*RASOAT, *args], cwd=ROOT, env={**self.env, **extra}, stdout=log, stderr=subprocess.STDOUT
        )
        proc.log = log
        self.procs.append(proc)
        return proc

    def serve(self, name: str) -> str:
        port = str(free_port())
        self.start(name, "serve", "--workers", "1", "--job-workers", "0", PORT=port)
        base = f"http://127.0.0.1:{port}"

        def serving() -> bool:
            try:
                urllib.request.urlopen(base + "/dang-nhap/", timeout=2)
                return True
            except OSError:
                return False

        wait_for(serving, timeout=60, message=f"the web server {name}")
        return base

    def worker(self, name: str) -> subprocess.Popen:
        return self.start(name, "worker", "--no-startup-delay", "--interval", "0.2")

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
            proc.log.close()

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.log.name}\n{open(p.log.name, errors='replace').read()[-3000:]}" for p in self.procs
        )


@pytest.mark.django_db
def test_preview_on_one_server_confirm_on_the_other_recompute_on_either_worker(campaign, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("two servers and two workers share one PostgreSQL database; DATABASE_URL is SQLite")
    started = time.monotonic()
    # The unit's template filled with the sample data, made in the test's own database.
    assignment = assignment_of(campaign, UNIT)
    load(assignment, data_for(assignment.unit))
    content = write_unit_template(assignment, prefilled=True)
    load(assignment, {"B01": data_for(assignment.unit)["B01"]})

    with scratch_database() as url:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "RASOAT_VAR_DIR": str(tmp_path / "var"),
            "HOST": "127.0.0.1",
            "TASKS_BACKEND": "database",
            "JOBS_HEARTBEAT_SECONDS": "1",
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        init = subprocess.run(
            [*RASOAT, "init"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert init.returncode == 0, init.stderr
        password = re.search(r"password: (\S+)", init.stdout).group(1)
        machines = Machines(env, tmp_path)
        try:
            first, second = machines.serve("web-1"), machines.serve("web-2")
            workers = [machines.worker("worker-1"), machines.worker("worker-2")]
            with psycopg.connect(url, autocommit=True) as scratch:
                [(unit_pk,)] = scratch.execute("SELECT id FROM orgs_unit WHERE code = %s", [UNIT]).fetchall()

                # Preview through the first server.
                opener, _jar = logged_in(first, password)
                page_url = f"{first}/dot/RS2026/don-vi/{unit_pk}/tai-len/"
                token = csrf_token(opener.open(page_url).read().decode())
                body, content_type = multipart(token, "phu_luc.xlsx", content)
                request = urllib.request.Request(
                    page_url, data=body, headers={"Content-Type": content_type, "Referer": page_url}
                )
                preview = opener.open(request, timeout=60)
                upload_pk = int(re.search(r"/tai-len/(\d+)/$", preview.url).group(1))
                assert preview.url.startswith(first)
                assert 'data-testid="preview-ok"' in preview.read().decode()

                # The preview's validated result is kept beside the file, in the shared storage.
                [(kept_name,)] = scratch.execute(
                    "SELECT summary->'kept'->>'name' FROM workbooks_upload WHERE id = %s", [upload_pk]
                ).fetchall()
                kept_file = tmp_path / "var" / "media" / kept_name
                assert kept_file.is_file()

                # Confirmed through the second (the session, the file and its result are shared).
                preview_url = f"{second}/dot/RS2026/tai-len/{upload_pk}/"
                page = opener.open(preview_url).read().decode()
                assert 'data-testid="confirm"' in page
                confirm = urllib.request.Request(
                    preview_url + "xac-nhan/",
                    data=f"csrfmiddlewaretoken={csrf_token(page)}".encode(),
                    headers={"Referer": preview_url},
                )
                done = opener.open(confirm, timeout=60)
                assert done.url.startswith(second) and "/lich-su/" in done.url, done.url
                [(state,)] = scratch.execute(
                    "SELECT state FROM workbooks_upload WHERE id = %s", [upload_pk]
                ).fetchall()
                assert state == "imported" and not kept_file.exists()

                # One of the two workers takes the recompute; the flag goes with the results.
                def recomputed() -> bool:
                    rows = scratch.execute(
                        "SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path = %s",
                        [RECOMPUTE],
                    ).fetchall()
                    flags = scratch.execute("SELECT COUNT(*) FROM jobs_unitrecompute").fetchone()[0]
                    return bool(rows) and all(s == "SUCCESSFUL" for (s,) in rows) and flags == 0

                wait_for(recomputed, timeout=60, message="the recompute by a worker\n" + machines.logs())
                [(worker_ids,)] = scratch.execute(
                    "SELECT worker_ids FROM django_tasks_database_dbtaskresult WHERE task_path = %s "
                    "ORDER BY finished_at DESC LIMIT 1",
                    [RECOMPUTE],
                ).fetchall()
                pids = {
                    pid
                    for (pid,) in scratch.execute(
                        "SELECT pid FROM jobs_workerbeat WHERE worker_id = ANY(%s)", [list(worker_ids)]
                    ).fetchall()
                }
                assert pids and pids <= {proc.pid for proc in workers}, (pids, worker_ids)
                with scratch.cursor() as cursor:
                    served = figures(cursor, UNIT)
        finally:
            machines.stop_all()

    # The same file imported and assessed in this process gives the same figures.
    result = reader.read_unit_workbook(content, "phu_luc.xlsx", assignment)
    importer.apply_import(result, {assignment.unit.code: assignment}, None, None, None)
    assess_assignment(assignment)
    with connection.cursor() as cursor:
        expected = figures(cursor, UNIT)
    assert served["findings"] and served["scores"]
    assert served == expected
    assert time.monotonic() - started < 120

"""Serve the application with gunicorn, and run background jobs beside it (HOST and PORT override
the address).

`rasoat serve` starts gunicorn and `--job-workers` (default 1) `rasoat worker` processes as its
children, restarts a worker that dies, and stops them all when it is stopped (Ctrl+C, SIGTERM from
systemd) or when gunicorn exits. With SQLite keep one job worker (one writer at a time); with
PostgreSQL, production runs `rasoat serve --job-workers 0` on the web machines and any number of
`rasoat worker` processes elsewhere (README, "Background jobs").
"""

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

from rasoat import tempfiles

WORKER_RESTART_PAUSE = 2.0
"""Seconds between restarts of a worker that keeps dying, so that a broken setup does not spin."""


class Command(BaseCommand):
    help = "Serve rasoat with gunicorn at http://HOST:PORT (default 127.0.0.1:8000) with a job worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
        parser.add_argument(
            "--job-workers",
            type=int,
            default=int(os.environ.get("JOB_WORKERS", "1")),
            help="Background job workers to run beside gunicorn (0: they run elsewhere).",
        )

    def handle(self, *args, host, port, workers, job_workers, **options):
        tempfiles.sweep()  # what workers of an earlier run left when they were killed
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        self.stdout.write(f"rasoat: http://{bind}/")
        gunicorn_argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "rasoat.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--timeout",
            "120",
        ]
        worker_argv = [sys.executable, "-m", "rasoat.cli", "worker", "--verbosity", "1"]
        sys.stdout.flush()
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, stop)
        web = subprocess.Popen(gunicorn_argv)
        jobs = [subprocess.Popen(worker_argv) for _ in range(max(0, job_workers))]
        if jobs:
            self.stdout.write(
                f"rasoat: {len(jobs)} background job worker(s), pid {', '.join(str(p.pid) for p in jobs)}"
            )
            sys.stdout.flush()
        last_restart = 0.0
        try:
            while not stopping and web.poll() is None:
                for index, proc in enumerate(jobs):
                    if proc.poll() is not None and time.monotonic() - last_restart > WORKER_RESTART_PAUSE:
                        # A worker killed or crashed: its running job is recovered by the new one.
                        jobs[index] = subprocess.Popen(worker_argv)
                        last_restart = time.monotonic()
                time.sleep(0.2)
        finally:
            for proc in [web, *jobs]:
                if proc.poll() is None:
                    proc.terminate()
            deadline = time.monotonic() + 30
            for proc in [web, *jobs]:
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        return None

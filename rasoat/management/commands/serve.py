"""Serve the application with gunicorn (HOST and PORT override the address)."""

import os
import sys

from django.core.management.base import BaseCommand

from rasoat import tempfiles


class Command(BaseCommand):
    help = "Serve rasoat with gunicorn at http://HOST:PORT (default 127.0.0.1:8000)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))

    def handle(self, *args, host, port, workers, **options):
        tempfiles.sweep()  # what workers of an earlier run left when they were killed
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        self.stdout.write(f"rasoat: http://{bind}/")
        argv = [
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
        sys.stdout.flush()
        # Replace this process so that signals (Ctrl+C, systemd stop) reach gunicorn directly.
        os.execv(sys.executable, argv)

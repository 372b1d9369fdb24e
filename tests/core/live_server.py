"""A real rasoat as `make run` starts it: `rasoat init` then `rasoat serve` (gunicorn) on a fresh SQLite
database in a test's folder, with its temporary folders where the test can watch them."""

from __future__ import annotations

import base64
import contextlib
import http.cookiejar
import os
import re
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.test_serve import RASOAT, ROOT, free_port
from tests.otp import code_from_key


@contextlib.contextmanager
def live_server(folder: Path, **environment: str) -> Iterator[dict]:
    """Yields base URL, port, admin password, the watched temporary folders, the gunicorn master's
    pid and the database file; `environment` adds variables (e.g. UPLOAD_READ_TIMEOUT)."""
    scratch, tmp = folder / "scratch", folder / "tmp"
    tmp.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "RASOAT_VAR_DIR": str(folder / "var"),
        "RASOAT_TEMP_DIR": str(scratch),
        "TMPDIR": str(tmp),
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
        **environment,
    }
    env.pop("DATABASE_URL", None)
    init = subprocess.run([*RASOAT, "init"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert init.returncode == 0, init.stderr
    password = re.search(r"password: (\S+)", init.stdout).group(1)
    # `rasoat serve` starts gunicorn and a job worker as its children (see gunicorn_master).
    proc = subprocess.Popen(
        [*RASOAT, "serve", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        for _attempt in range(150):
            try:
                urllib.request.urlopen(base + "/dang-nhap/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the server did not start")
        yield {
            "base": base,
            "port": int(env["PORT"]),
            "password": password,
            "watched": [scratch, tmp],
            "master": gunicorn_master(proc.pid),
            "database": folder / "var" / "rasoat.sqlite3",
        }
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def gunicorn_master(serve: int) -> int:
    """The gunicorn master among the children of `rasoat serve` (the other is its job worker)."""
    for pid in Path(f"/proc/{serve}/task/{serve}/children").read_text().split():
        if b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes():
            return int(pid)
    raise AssertionError("rasoat serve has no gunicorn child")


def workers(master: int) -> list[int]:
    """The gunicorn workers of `master` (Linux /proc)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


NEW_PASSWORD = "Mat-khau-rieng-cua-quan-tri-2026"


def logged_in(base: str, password: str) -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    """An opener with the session of `admin`, signed in through the login page as a first sign-in
    goes: the generated password replaced, then two-step sign-in set up with the code computed from
    the secret the page shows."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def post(url: str, page: str, fields: dict):
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": csrf_token(page)})
        return opener.open(urllib.request.Request(url, data=body.encode(), headers={"Referer": base + "/"}))

    page = opener.open(base + "/dang-nhap/").read().decode()
    response = post(base + "/dang-nhap/", page, {"username": "admin", "password": password})
    if response.url.startswith(base + "/doi-mat-khau/"):
        fields = {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        response = post(response.url, response.read().decode(), fields)
    enrol = opener.open(base + "/tai-khoan/bao-mat/thiet-lap/")
    if "/thiet-lap/" in enrol.url:
        page = enrol.read().decode()
        secret = re.search(r'data-testid="otp-secret">([^<]+)<', page).group(1).replace(" ", "")
        post(enrol.url, page, {"code": code_from_key(base64.b32decode(secret))})
    return opener, jar


def csrf_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

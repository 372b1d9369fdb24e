"""What `make run` does after installing: `rasoat init` then `rasoat serve`, on a fresh SQLite database.

The server is a real gunicorn on a free loopback port; the test logs in as `admin` with the password
that `init` printed, as a person would after the first start.
"""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RASOAT = [sys.executable, "-m", "rasoat.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    env = {**os.environ, "RASOAT_VAR_DIR": str(tmp_path), "HOST": "127.0.0.1", "PORT": str(free_port())}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    init = subprocess.run([*RASOAT, "init"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert init.returncode == 0, init.stderr
    password = re.search(r"password: (\S+)", init.stdout).group(1)
    proc = subprocess.Popen(
        [*RASOAT, "serve", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        for _attempt in range(100):
            try:
                urllib.request.urlopen(base + "/dang-nhap/", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        else:
            pytest.fail("the server did not start: " + proc.stdout.read1().decode())
        yield base, password, env
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_fresh_start_serves_vietnamese_login_and_admin_logs_in(server):
    base, password, env = server
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    page = opener.open(base + "/dang-nhap/").read().decode()
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page
    assert "Mật khẩu" in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    body = urllib.parse.urlencode({"username": "admin", "password": password, "csrfmiddlewaretoken": token})
    request = urllib.request.Request(
        base + "/dang-nhap/", data=body.encode(), headers={"Referer": base + "/"}
    )
    home = opener.open(request)
    assert home.url == base + "/"
    text = home.read().decode()
    assert "RS2026" in text
    assert "Đăng xuất" in text
    # The static files (vendored Bootstrap) are served by the application itself.
    css = opener.open(base + "/static/vendor/bootstrap-5.3.8/bootstrap.min.css")
    assert css.status == 200

    again = subprocess.run([*RASOAT, "init"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0
    assert password not in again.stdout
    count = subprocess.run(
        [
            *RASOAT,
            "shell",
            "-c",
            "from rasoat.orgs.models import Unit; from rasoat.campaigns.models import Campaign; "
            "print(Unit.objects.count(), Unit.objects.filter(kind='commune').count(), "
            "Unit.objects.reporting().count(), Campaign.objects.count())",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert count.stdout.split()[-4:] == ["259", "38", "220", "1"]

"""A worker killed while it reads an upload leaves nothing that can be confirmed (issue 8, failure 1).

The crash the probe found: the worker died inside the read, the upload stayed pending with no result,
its preview said "Không có lỗi" and offered confirmation. Here a real gunicorn worker is killed with
SIGKILL in the middle of reading a large workbook; its upload is then shown as failed and refused.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
import urllib.error
import urllib.request

from rasoat.appendix.declaration import get_appendix
from tests.core.live_server import csrf_token, live_server, logged_in, workers
from tests.inventory.test_workflow import assignment_of, data_for
from tests.workbooks.conftest import workbook_sheets, xlsx_bytes

UNIT = "X.03637.UB"


def large_workbook(assignment, rows: int) -> bytes:
    """The unit's data with B05 repeated to `rows` rows: several seconds of reading."""
    data = data_for(assignment.unit)
    data["B05"] = [dict(data["B05"][index % len(data["B05"])]) for index in range(rows)]
    return xlsx_bytes(workbook_sheets(get_appendix("2026.1"), data), constant_memory=True)


def multipart(token: str, name: str, content: bytes) -> tuple[bytes, str]:
    boundary = "rasoat-killed-read"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def upload_states(database) -> list[tuple[int, str, str]]:
    with sqlite3.connect(database, timeout=30) as connection:
        return connection.execute("SELECT id, state, summary FROM workbooks_upload ORDER BY id").fetchall()


def test_a_worker_killed_mid_read_leaves_a_failed_upload(campaign, tmp_path):
    content = large_workbook(assignment_of(campaign, UNIT), 25_000)
    with live_server(tmp_path, UPLOAD_READ_TIMEOUT="1") as server:
        base = server["base"]
        opener, _jar = logged_in(base, server["password"])
        with sqlite3.connect(server["database"]) as connection:
            [(unit_pk,)] = connection.execute("SELECT id FROM orgs_unit WHERE code = ?", (UNIT,)).fetchall()
        page_url = f"{base}/dot/RS2026/don-vi/{unit_pk}/tai-len/"
        body, content_type = multipart(csrf_token(opener.open(page_url).read().decode()), "lon.xlsx", content)
        request = urllib.request.Request(
            page_url, data=body, headers={"Content-Type": content_type, "Referer": page_url}
        )
        outcome: dict = {}

        def post():
            try:
                outcome["status"] = opener.open(request, timeout=300).status
            except (urllib.error.URLError, ConnectionError, OSError) as error:
                outcome["error"] = error

        sender = threading.Thread(target=post)
        sender.start()
        # Wait until the worker has stored the file and is reading it, then kill it.
        for _attempt in range(600):
            states = upload_states(server["database"])
            if states and states[-1][1] == "reading":
                break
            time.sleep(0.05)
        else:
            raise AssertionError(f"the upload was never seen being read: {states}")
        [worker] = workers(server["master"])
        os.kill(worker, signal.SIGKILL)
        sender.join(timeout=300)
        assert "status" not in outcome, outcome  # the request died with its worker
        [(upload_pk, state, summary)] = upload_states(server["database"])
        assert (state, summary) == ("reading", "{}")

        time.sleep(1.5)  # past UPLOAD_READ_TIMEOUT; gunicorn has started a new worker meanwhile
        preview_url = f"{base}/dot/RS2026/tai-len/{upload_pk}/"
        preview = opener.open(preview_url).read().decode()
        assert 'data-testid="preview-failed"' in preview and "không hoàn tất" in preview
        assert 'data-testid="preview-ok"' not in preview and 'data-testid="confirm"' not in preview
        token = csrf_token(preview)
        confirm = urllib.request.Request(
            preview_url + "xac-nhan/",
            data=f"csrfmiddlewaretoken={token}".encode(),
            headers={"Referer": preview_url},
        )
        refused = opener.open(confirm).read().decode()
        assert "Không đọc được tệp này nên không thể nhập" in refused
        assert upload_states(server["database"])[0][1] == "failed"
        with sqlite3.connect(server["database"]) as connection:
            assert connection.execute("SELECT COUNT(*) FROM workbooks_importedsnapshot").fetchone() == (0,)

"""The simulated editors of bench/load.py, run by locust as a library in a process of their own.

`python -m bench._load_users PLAN RESULT` reads the plan (JSON written by bench/load.py: the server's
address, the run's length, one account per user with its unit's URLs, workbook and rows to type) and
writes the result (JSON: statistics per kind of request, and per user what it saved). A process of its
own because locust patches the standard library with gevent as it is imported, which the Django
process that seeds and counts the database must not be.

Each user signs in, then until the run ends: browses its entry pages, saves rows through the entry
form (a POST with the CSRF token, as the page's form does) and once, at a random moment, uploads its
300-row workbook, opens the preview and confirms it. What each user expects to find in the database
is tracked here: the workbook replaces the unit's data, so the count starts again at the workbook's rows.
"""

from __future__ import annotations

import json
import random
import sys
import time

import gevent
from locust import HttpUser, task
from locust.env import Environment
from locust.exception import StopUser
from locust.stats import StatsEntry

PAGE = "page"  # name prefix of every GET of an HTML page: the pages' percentiles
ROW_SAVE = "row save"
REQUEST_TIMEOUT = 60  # seconds: a request still unanswered then is an error, not a hang

_accounts: list[dict] = []
_think = (5.0, 15.0)  # seconds between two actions of a user, from the plan
_started = 0.0  # when the run started (time.monotonic())
_stopping = False
_users: list[EditorUser] = []


class EditorUser(HttpUser):
    """One editor of one unit on deadline day."""

    def wait_time(self) -> float:
        """A person reads the page, or types the next row's fields, before the next click."""
        return random.uniform(*_think)

    def on_start(self) -> None:
        self.account = _accounts.pop()
        self.rows_left = list(self.account["rows"])
        self.expected = 0  # rows the unit must hold, as far as this user knows
        self.uncertain = 0  # saves whose outcome the user could not see (an error response)
        self.saves = 0
        self.uploaded = False
        # The upload's moment is drawn over the run (from its start), so uploads are spread across it.
        self.upload_at = _started + random.uniform(*self.account["upload_window"])
        self.turn = 0
        self.active = True
        _users.append(self)
        self._sign_in()

    def _token(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def _page(self, url: str, name: str) -> bool:
        with self.client.get(url, name=f"{PAGE}: {name}", catch_response=True, timeout=REQUEST_TIMEOUT) as r:
            if r.status_code != 200:
                r.failure(f"{name}: HTTP {r.status_code}")
                return False
        return True

    def _sign_in(self) -> None:
        self._page(self.account["login"], "login form")
        data = {
            "username": self.account["username"],
            "password": self.account["password"],
            "csrfmiddlewaretoken": self._token(),
        }
        with self.client.post(
            self.account["login"], data=data, name="sign in", allow_redirects=False, catch_response=True,
            timeout=REQUEST_TIMEOUT,
        ) as r:  # fmt: skip
            if r.status_code != 302 or r.headers.get("Location") != "/":
                r.failure(f"sign in: HTTP {r.status_code} → {r.headers.get('Location')}")

    def _check_stop(self) -> None:
        if _stopping:
            self.active = False
            raise StopUser()

    @task
    def work(self) -> None:
        self._check_stop()
        if not self.uploaded and time.monotonic() >= self.upload_at:
            self._upload()
        else:
            # A row typed, then a page looked at, and so on: every user saves from its first action.
            self.turn += 1
            self._save_row() if self.turn % 2 else self._browse()

    def _browse(self) -> None:
        if random.random() < 0.3:
            self._page(self.account["overview"], "entry overview")
        else:
            code = random.choice(list(self.account["sheets"]))
            self._page(self.account["sheets"][code], f"sheet {code}")

    def _save_row(self) -> None:
        if not self.rows_left:
            return self._browse()
        code, row = self.rows_left.pop()
        data = {**row, "version": "", "csrfmiddlewaretoken": self._token()}
        url = self.account["row_create"][code]
        with self.client.post(
            url, data=data, name=ROW_SAVE, allow_redirects=False, catch_response=True, timeout=REQUEST_TIMEOUT
        ) as r:
            # Saved: a redirect to the new row. The form again (200) means the row was refused.
            if r.status_code == 302 and "#row-" in r.headers.get("Location", ""):
                self.expected += 1
                self.saves += 1
            else:
                self.uncertain += r.status_code != 200
                r.failure(f"row save {code}: HTTP {r.status_code}")

    def _upload(self) -> None:
        self.uploaded = True  # one attempt per user, whatever happens
        with open(self.account["workbook"], "rb") as handle:
            content = handle.read()
        files = {
            "file": (
                "phu-luc.xlsx",
                content,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        }
        with self.client.post(
            self.account["upload"], data={"csrfmiddlewaretoken": self._token()}, files=files, name="upload",
            allow_redirects=False, catch_response=True, timeout=REQUEST_TIMEOUT,
        ) as r:  # fmt: skip
            preview = r.headers.get("Location", "")
            if r.status_code != 302 or "/tai-len/" not in preview:
                r.failure(f"upload: HTTP {r.status_code}")
                return
        if not self._page(preview, "upload preview"):
            return
        with self.client.post(
            preview + "xac-nhan/", data={"csrfmiddlewaretoken": self._token()}, name="confirm upload",
            allow_redirects=False, catch_response=True, timeout=REQUEST_TIMEOUT,
        ) as r:  # fmt: skip
            # Imported: on to the unit's history; back to the preview means nothing was imported.
            if r.status_code == 302 and r.headers.get("Location", "").endswith("/lich-su/"):
                self.expected = self.account["workbook_rows"]
                self.account["confirmed"] = True
            else:
                self.uncertain += r.status_code != 302
                r.failure(f"confirm upload: HTTP {r.status_code} → {r.headers.get('Location')}")
                return
        self._page(r.headers["Location"], "history")


def _merged(stats, names: list[str], label: str) -> StatsEntry:
    """One entry holding the response times of several (so percentiles are over all of them)."""
    merged = StatsEntry(stats, label, "", use_response_times_cache=False)
    for entry in stats.entries.values():
        if entry.name in names:
            merged.extend(entry)
    return merged


def _summary(entry: StatsEntry) -> dict:
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "p50": entry.get_response_time_percentile(0.5) if entry.num_requests else None,
        "p95": entry.get_response_time_percentile(0.95) if entry.num_requests else None,
        "p99": entry.get_response_time_percentile(0.99) if entry.num_requests else None,
        "max": entry.max_response_time if entry.num_requests else None,
    }


def run(plan: dict) -> dict:
    """Run the plan's users for its duration, let every request in flight finish, and report."""
    global _stopping, _think, _started
    _accounts[:] = list(reversed(plan["accounts"]))
    _users.clear()
    _stopping = False
    _think = tuple(plan["think"])
    environment = Environment(user_classes=[EditorUser], host=plan["host"])
    runner = environment.create_local_runner()
    started = _started = time.monotonic()
    runner.start(len(plan["accounts"]), spawn_rate=plan["spawn_rate"])
    gevent.sleep(plan["seconds"])
    # Stop as people stop: nobody starts a new action, the ones under way end (so the database
    # holds exactly what the users saw saved), then the runner quits.
    _stopping = True
    deadline = time.monotonic() + plan["grace"]
    while any(user.active for user in _users) and time.monotonic() < deadline:
        gevent.sleep(0.2)
    elapsed = time.monotonic() - started
    runner.quit()
    stats = environment.stats
    names = {entry.name for entry in stats.entries.values()}
    pages = sorted(name for name in names if name.startswith(PAGE))
    return {
        "elapsed": elapsed,
        "total": _summary(stats.total),
        "pages": _summary(_merged(stats, pages, "pages")),
        "row_saves": _summary(_merged(stats, [ROW_SAVE], ROW_SAVE)),
        "each": {name: _summary(_merged(stats, [name], name)) for name in sorted(names)},
        "errors": [
            {"name": error.name, "error": str(error.error), "occurrences": error.occurrences}
            for error in stats.errors.values()
        ],
        "still_active": sum(user.active for user in _users),
        "users": [
            {
                "assignment": user.account["assignment"],
                "expected": user.expected,
                "uncertain": user.uncertain,
                "saves": user.saves,
                "uploaded": bool(user.account.get("confirmed")),
            }
            for user in _users
        ],
    }


def main(plan_path: str, result_path: str) -> int:
    with open(plan_path, encoding="utf-8") as handle:
        plan = json.load(handle)
    result = run(plan)
    with open(result_path, "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))

"""A real installation driven in its own process, for the backup tests: `python -m tests.backup.installation
ACTION ...` with DATABASE_URL, MEDIA_ROOT and RASOAT_VAR_DIR naming the installation.

- `build`: `rasoat init`, users with memberships, a workbook imported through `rasoat import` (its
  original kept, a before-import snapshot), a submission (submit snapshot), rows typed by an editor,
  a report written under MEDIA_ROOT/reports/; prints what was built as JSON.
- `edit PROGRESS STOP`: an editor keeps adding B02 rows to X.03637.UB through the entry service (each
  row and its audit entry in one transaction), writing the count to PROGRESS after each commit,
  until the file STOP exists (at most MAX_EDITS rows or MAX_SECONDS).
- `probe`: prints the rows per table, the facts the tests compare, and a session cookie of the
  Mường Tè editor for requests to `rasoat serve`.
"""

import json
import os
import sys
import time
from pathlib import Path

EDITOR_MUONG_TE = "bientap.muongte"
EDITOR_MUONG_KIM = "bientap.muongkim"
REVIEWER = "tonghop.sokhcn"
PASSWORD = "Mat-khau-sao-luu-2026!"
IMPORTED_UNIT = "X.03445.DU"
EDITED_UNIT = "X.03637.UB"
WORKBOOK = Path(__file__).resolve().parents[1] / "fixtures" / "mau_dang_uy_muong_te.xlsx"
MAX_EDITS = 5000
MAX_SECONDS = 240
ROW = {
    "link_type": "Internet cáp quang (FTTH)",
    "provider": "Viettel",
    "bandwidth_mbps": "150",
    "quantity": "1",
    "year_started": "2024",
    "purpose": "Truy cập Internet",
}


def _assignment(code: str):
    from rasoat.campaigns.models import Assignment

    return Assignment.objects.select_related("campaign", "unit").get(campaign__code="RS2026", unit__code=code)


def build() -> dict:
    from django.conf import settings
    from django.core.management import call_command

    from rasoat.inventory.services import save_record
    from rasoat.inventory.workflow import submit
    from rasoat.orgs.models import User
    from rasoat.reports import services as reports

    call_command("init", no_static=True, verbosity=0)
    for username, role, unit in [
        (EDITOR_MUONG_TE, "editor", "X.03445"),
        (EDITOR_MUONG_KIM, "editor", "X.03637"),
        (REVIEWER, "reviewer", "LC"),
    ]:
        call_command("createuser", username, password=PASSWORD, role=role, unit=unit, full_name=username)
    # The editors have signed in once and chosen their own password (an editor needs no second step).
    User.objects.filter(username__in=[EDITOR_MUONG_TE, EDITOR_MUONG_KIM]).update(must_change_password=False)
    call_command("import", "RS2026", IMPORTED_UNIT, str(WORKBOOK))
    imported = _assignment(IMPORTED_UNIT)
    submit(
        imported, User.objects.get(username=EDITOR_MUONG_TE), acknowledge_warnings=True, address="127.0.0.1"
    )
    editor = User.objects.get(username=EDITOR_MUONG_KIM)
    edited = _assignment(EDITED_UNIT)
    for _ in range(2):
        assert save_record(edited, "B02", dict(ROW), actor=editor, address="127.0.0.1").saved
    report = reports.generate(reports.UNIT, imported.campaign, assignment=imported)
    folder = Path(settings.MEDIA_ROOT) / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / report.filename).write_bytes(report.content)
    return {"imported_unit_pk": imported.unit_id, "report": report.filename}


def edit(progress: Path, stop: Path) -> dict:
    from rasoat.inventory.services import save_record
    from rasoat.orgs.models import User

    editor = User.objects.get(username=EDITOR_MUONG_KIM)
    assignment = _assignment(EDITED_UNIT)
    done = 0
    started = time.monotonic()
    while not stop.exists() and done < MAX_EDITS and time.monotonic() - started < MAX_SECONDS:
        result = save_record(assignment, "B02", dict(ROW), actor=editor, address="127.0.0.1")
        if not result.saved:
            raise SystemExit(f"save refused: {result.issues}")
        done += 1
        staged = progress.with_suffix(".tmp")
        staged.write_text(str(done))
        os.replace(staged, progress)
    return {"edits": done}


def probe() -> dict:
    from django.db import connection
    from django.test import Client

    from rasoat.audit.models import AuditEntry
    from rasoat.inventory.models import NetworkLink
    from rasoat.orgs.models import User

    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    edited = _assignment(EDITED_UNIT)
    facts = {
        "edited_rows": NetworkLink.objects.filter(assignment=edited).count(),
        "edited_row_audits": AuditEntry.objects.filter(
            action="appendix.created", note="B02", unit=edited.unit
        ).count(),
        "imported_unit_pk": _assignment(IMPORTED_UNIT).unit_id,
    }
    client = Client()
    client.force_login(User.objects.get(username=EDITOR_MUONG_TE))
    return {"counts": counts, "facts": facts, "session": client.cookies["sessionid"].value}


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rasoat.settings")
    import django

    django.setup()
    action, *args = argv
    if action == "build":
        output = build()
    elif action == "edit":
        output = edit(Path(args[0]), Path(args[1]))
    elif action == "probe":
        output = probe()
    else:
        raise SystemExit(f"unknown action {action!r}")
    print(json.dumps(output))


if __name__ == "__main__":
    main(sys.argv[1:])

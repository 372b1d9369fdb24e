"""The upload as a person goes through it (issue 10, item 4): preview (store + read + validate + keep
the result), then confirm (check the file's checksum + apply), for the large workbook of
bench/workbooks.py (10,000 rows of B05).

Two contenders, measured side by side round by round in the same run (`paired`), each ÷ a bare
python-calamine read of the same file:

- "kept result": the confirm step applies the preview's result kept with the upload (rasoat now);
- "read again": the confirm step reads and validates the file a second time (rasoat before).

Only the registry and the campaign are committed to the scratch database (deleted at the end); every
round runs in a transaction rolled back after it, its files under a temporary MEDIA_ROOT.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from bench.common import paired, report_paired, timed
from bench.workbooks import (
    IMPORT_UNIT,
    LARGE_ROWS,
    SEED,
    _assert_scratch_database,
    calamine_read,
    clear_database,
    unit_data,
    write_unit_workbook,
)


def upload_and_confirm(path: Path, assignment, *, reuse: bool):
    """A contender: receive `path` as the upload page does, then confirm it as the confirm view does
    (`reuse`: with the kept result; otherwise reading the file again); returns its time."""
    from django.core.files import File
    from django.db import transaction

    from rasoat.workbooks import uploads
    from rasoat.workbooks.importer import apply_import
    from rasoat.workbooks.reader import read_unit_workbook

    def read(data: bytes):
        return read_unit_workbook(data, path.name, assignment)

    def run() -> float:
        with transaction.atomic():
            start = time.perf_counter()
            with path.open("rb") as handle:
                upload = uploads.receive(
                    File(handle, name=path.name),
                    campaign=assignment.campaign,
                    unit=assignment.unit,
                    user=None,
                    read=read,
                )
            data = uploads.verified_bytes(upload)
            result = uploads.kept_result(upload, data) if reuse else None
            if result is None:
                result = read(data)
            assert not result.errors, result.errors[:3]
            apply_import(result, {assignment.unit.code: assignment}, upload, None, None)
            elapsed = time.perf_counter() - start
            transaction.set_rollback(True)
        return elapsed

    return run


def main() -> None:
    from django.db import connection, transaction
    from django.test.utils import override_settings

    from rasoat.appendix.declaration import get_appendix
    from rasoat.campaigns.models import Assignment, Campaign
    from rasoat.campaigns.services import ensure_first_campaign
    from rasoat.orgs.registry import load_seed_registry

    _assert_scratch_database()
    rng = random.Random(SEED)
    workdir = tempfile.TemporaryDirectory(prefix="rasoat-bench-confirm-")
    folder = Path(workdir.name)
    try:
        with transaction.atomic():
            load_seed_registry()
            ensure_first_campaign()
        campaign = Campaign.objects.get(code="RS2026")
        assignment = Assignment.objects.select_related("campaign", "unit").get(
            campaign=campaign, unit__code=IMPORT_UNIT
        )
        large = folder / "large.xlsx"
        rows = write_unit_workbook(
            large, get_appendix(campaign.appendix_version), unit_data(assignment.unit, LARGE_ROWS, rng)
        )
        with override_settings(MEDIA_ROOT=str(folder / "media")):
            kept = upload_and_confirm(large, assignment, reuse=True)
            again = upload_and_confirm(large, assignment, reuse=False)
            calamine = timed(lambda: calamine_read(large))
            name = f"upload + confirm large ({rows} rows)"
            report_paired(f"{name}, kept result ÷ calamine read", paired(kept, calamine, 3))
            report_paired(f"{name}, read again ÷ calamine read", paired(again, calamine, 3))
            report_paired(f"{name}, kept result ÷ read again", paired(kept, again, 3))
    finally:
        connection.close()
        clear_database()
        workdir.cleanup()

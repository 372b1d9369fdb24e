"""`rasoat import CAMPAIGN UNIT FILE [--dry-run]`: the preview as JSON, exit 1 on errors, stored only when
clean and not a dry run, with the original file kept as an Upload."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rasoat.appendix.declaration import get_appendix
from rasoat.campaigns.models import Snapshot, Status
from rasoat.inventory.data import unit_data
from rasoat.workbooks.models import ImportedSnapshot, Upload
from tests.inventory.test_workflow import assignment_of, data_for, load
from tests.workbooks.conftest import (
    CLEAN_SAMPLE,
    MESSY_SAMPLE,
    SAMPLE_UNIT,
    general_rows,
    sample,
    sheet_rows,
)

APPENDIX_VERSION = "2026.1"


@pytest.fixture
def assignment(campaign):
    return assignment_of(campaign, SAMPLE_UNIT)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def run(*args) -> tuple[dict, int]:
    out = StringIO()
    try:
        call_command("import", *args, stdout=out)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return json.loads(out.getvalue()), code


def test_dry_run_prints_the_preview_and_stores_nothing(assignment):
    before = unit_data(assignment)
    output, code = run("RS2026", SAMPLE_UNIT, str(MESSY_SAMPLE), "--dry-run")
    assert code == 0
    assert output["errors"] == [] and output["saved"] is False
    assert output["rows"] == sample()["rows"]
    assert output["ignored"]["Thiết bị đầu cuối"] == {"blank": 3, "total": 1}
    assert {"sheet": "Thiết bị đầu cuối", "column": "NGƯỜI SỬ DỤNG"} in output["unknown_columns"]
    assert [w["row"] for w in output["warnings"]] == [10]
    assert set(output["warnings"][0]) == {"sheet", "row", "column", "value", "message"}
    assert (output["file"], output["unit"]) == (MESSY_SAMPLE.name, SAMPLE_UNIT)
    assert unit_data(assignment) == before
    assert not Upload.objects.exists() and not Snapshot.objects.filter(assignment=assignment).exists()


def test_import_stores_the_data_and_keeps_the_original_file(assignment, media):
    output, code = run("RS2026", SAMPLE_UNIT, str(CLEAN_SAMPLE))
    assert code == 0 and output["saved"] is True
    [upload] = Upload.objects.all()
    assert upload.state == Upload.State.IMPORTED and upload.uploaded_by is None
    assert upload.unit == assignment.unit and upload.campaign == assignment.campaign
    assert upload.original_name == CLEAN_SAMPLE.name and upload.size == CLEAN_SAMPLE.stat().st_size
    assert upload.file.path.startswith(str(media))
    with upload.file.open("rb") as stored_file:
        assert stored_file.read() == CLEAN_SAMPLE.read_bytes()
    assert upload.summary["rows"] == sample()["rows"]
    assert ImportedSnapshot.objects.filter(upload=upload).count() == 1
    stored = unit_data(assignment)
    assert len(stored["B05"]) == 25 and stored["B01"]["staff_total"] == 46
    assignment.refresh_from_db()
    assert assignment.status == Status.IN_PROGRESS


def test_errors_exit_1_name_the_cell_and_store_nothing(assignment, write_workbook, media):
    load(assignment)
    before = unit_data(assignment)
    appendix = get_appendix(APPENDIX_VERSION)
    rows = sheet_rows(appendix, "B05", [{"device_type": "Máy in", "quantity": "hai", "year_acquired": 2020,
                                         "condition": "Hoạt động tốt"}])  # fmt: skip
    rows[1] = [header.upper() + " " for header in rows[1]]
    path = write_workbook(
        [
            ("Thông tin chung", general_rows(appendix, data_for(assignment.unit)["B01"])),
            ("B05 Thiết bị đầu cuối", rows),
        ]
    )
    output, code = run("RS2026", SAMPLE_UNIT, str(path))
    assert code == 1 and output["saved"] is False
    [error] = output["errors"]
    assert error["sheet"] == "Thiết bị đầu cuối" and error["row"] == 3
    assert error["column"] == "Số lượng" and error["value"] == "hai"
    assert "không phải là số" in error["message"]
    assert unit_data(assignment) == before
    assert not Upload.objects.exists()
    assert not media.exists() or not any(media.rglob("*.xlsx"))


def test_a_locked_unit_is_not_overwritten(assignment, media):
    load(assignment)
    assignment.status = Status.SUBMITTED
    assignment.save(update_fields=["status"])
    before = unit_data(assignment)
    output, code = run("RS2026", SAMPLE_UNIT, str(MESSY_SAMPLE))
    assert code == 1 and output["saved"] is False
    assert "khóa" in output["errors"][-1]["message"]
    assert unit_data(assignment) == before
    assert not Upload.objects.exists()
    assert not media.exists() or not any(media.rglob("*.xlsx"))


def test_a_rejected_file_prints_one_message(assignment, tmp_path):
    path = tmp_path / "ghi-chu.xlsx"
    path.write_text("không phải bảng tính", encoding="utf-8")
    output, code = run("RS2026", SAMPLE_UNIT, str(path))
    assert code == 1
    assert output["errors"] == [{"message": output["errors"][0]["message"]}]
    assert "ghi-chu.xlsx" in output["errors"][0]["message"]


def test_unknown_campaign_unit_or_assignment(assignment):
    with pytest.raises(CommandError):
        call_command("import", "KHONG-CO", SAMPLE_UNIT, str(CLEAN_SAMPLE), stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("import", "RS2026", "KHONG-CO", str(CLEAN_SAMPLE), stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("import", "RS2026", "LC", str(CLEAN_SAMPLE), stdout=StringIO())


def test_importing_the_same_file_twice_gives_the_same_data(assignment):
    assert run("RS2026", SAMPLE_UNIT, str(CLEAN_SAMPLE))[1] == 0
    first = unit_data(assignment)
    assert run("RS2026", SAMPLE_UNIT, str(MESSY_SAMPLE))[1] == 0
    assert unit_data(assignment) == first
    assert Upload.objects.filter(state=Upload.State.IMPORTED).count() == 2

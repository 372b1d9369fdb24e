"""The sample workbooks of ../shared/samples/ import with the result their JSON expects, and the clean and
the messy workbook of the same unit store identical data."""

import pytest
from django.core.files.base import ContentFile

from rasoat.appendix.declaration import UnitInfo
from rasoat.appendix.validation import clean_unit_data
from rasoat.audit.models import AuditEntry
from rasoat.campaigns.models import Snapshot, Status
from rasoat.inventory.data import appendix_for, plain, unit_data
from rasoat.inventory.services import NotEditable, replace_unit_data
from rasoat.workbooks.importer import apply_import
from rasoat.workbooks.models import ImportedSnapshot, Upload
from rasoat.workbooks.reader import read_unit_workbook
from tests.inventory.test_workflow import assignment_of
from tests.workbooks.conftest import CLEAN_SAMPLE, MESSY_SAMPLE, SAMPLE_UNIT, sample


@pytest.fixture
def assignment(campaign):
    return assignment_of(campaign, SAMPLE_UNIT)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def expected_data(assignment) -> dict:
    """The sample JSON's data after the appendix normalisation, as `rasoat dump` shows it."""
    result = clean_unit_data(
        appendix_for(assignment), sample()["data"], UnitInfo.from_unit(assignment.unit),
        assignment.campaign.reference_date,
    )  # fmt: skip
    assert result.errors == []
    return {
        code: ({k: plain(v) for k, v in values.items()} if isinstance(values, dict)
               else [{k: plain(v) for k, v in row.items()} for row in values])
        for code, values in result.data.items()
    }  # fmt: skip


def import_file(path, assignment, upload=None):
    result = read_unit_workbook(path, path.name, assignment)
    apply_import(result, {assignment.unit.code: assignment}, upload, None, "127.0.0.1")
    return result


def test_the_clean_sample_imports_with_the_expected_result(assignment):
    expected = sample()
    result = import_file(CLEAN_SAMPLE, assignment)
    assert len(result.errors) == expected["errors"] == 0
    assert result.rows == expected["rows"]
    stored = unit_data(assignment)
    assert sum(row["quantity"] for row in stored["B05"]) == expected["b05_quantity"]
    assert stored == expected_data(assignment)
    assert result.unknown_columns == []
    assert all(counts == {"blank": 0, "total": 0} for counts in result.ignored.values())


def test_the_messy_sample_stores_identical_data(assignment):
    import_file(CLEAN_SAMPLE, assignment)
    clean = unit_data(assignment)
    result = import_file(MESSY_SAMPLE, assignment)
    assert result.errors == []
    assert result.rows == sample()["rows"]
    assert unit_data(assignment) == clean


def test_the_messy_sample_reports_its_unknown_columns_and_ignored_rows(assignment):
    result = read_unit_workbook(MESSY_SAMPLE, MESSY_SAMPLE.name, assignment)
    unknown = {(item["sheet"], item["column"]) for item in result.unknown_columns}
    assert ("Thiết bị đầu cuối", "NGƯỜI SỬ DỤNG") in unknown
    assert ("Kết nối mạng", "NGƯỜI SỬ DỤNG") in unknown
    assert ("Nền tảng, phần mềm", "Người sử dụng") in unknown
    assert len(unknown) == 5
    assert result.ignored["Thiết bị đầu cuối"] == {"blank": 3, "total": 1}
    assert result.ignored["Nền tảng, phần mềm"] == {"blank": 1, "total": 0}
    b05 = next(s for s in result.sheets if s["code"] == "B05")
    assert b05["file_sheet"] == "B05. Thiết bị đầu cuối"
    assert (b05["rows"], b05["ignored_blank"], b05["ignored_total"]) == (25, 3, 1)
    # Warnings keep the file's positions: the B04 rule fires on the row of the messy file.
    [warning] = result.warnings
    assert (warning.sheet, warning.row, warning.column) == (
        "Nền tảng, phần mềm", 10, "Kinh phí duy trì hằng năm (triệu đồng)"
    )  # fmt: skip
    assert warning.file_col == 13


def test_an_import_keeps_the_previous_data_in_a_snapshot_linked_to_the_upload(assignment):
    import_file(CLEAN_SAMPLE, assignment)
    before = unit_data(assignment)
    # A file read to the end and waiting for confirmation (uploads start as "reading").
    upload = Upload(
        campaign=assignment.campaign,
        unit=assignment.unit,
        original_name=MESSY_SAMPLE.name,
        state=Upload.State.PENDING,
    )
    upload.file.save(MESSY_SAMPLE.name, ContentFile(MESSY_SAMPLE.read_bytes()), save=False)
    upload.size = upload.file.size
    upload.save()
    import_file(MESSY_SAMPLE, assignment, upload)
    upload.refresh_from_db()
    assert upload.state == Upload.State.IMPORTED
    [link] = ImportedSnapshot.objects.filter(upload=upload)
    assert link.snapshot.kind == Snapshot.Kind.BEFORE_IMPORT and link.snapshot.data == before
    assert AuditEntry.objects.filter(action="workbook.imported", object_id=str(upload.pk)).count() == 1
    assert AuditEntry.objects.filter(action="appendix.imported", note=MESSY_SAMPLE.name).count() == 1
    assignment.refresh_from_db()
    assert assignment.status == Status.IN_PROGRESS


def test_apply_import_refuses_a_result_with_errors(assignment, tmp_path):
    result = read_unit_workbook(CLEAN_SAMPLE, CLEAN_SAMPLE.name, assignment)
    result.errors.append(result.warnings[0])
    with pytest.raises(ValueError):
        apply_import(result, {SAMPLE_UNIT: assignment}, None, None, None)
    assert not Snapshot.objects.filter(assignment=assignment).exists()


def test_a_locked_unit_changes_nothing(assignment):
    import_file(CLEAN_SAMPLE, assignment)
    assignment.status = Status.SUBMITTED
    assignment.save(update_fields=["status"])
    data = unit_data(assignment)
    snapshots = Snapshot.objects.count()
    result = read_unit_workbook(MESSY_SAMPLE, MESSY_SAMPLE.name, assignment)
    result.units[0].data["B05"] = result.units[0].data["B05"][:1]
    with pytest.raises(NotEditable):
        apply_import(result, {SAMPLE_UNIT: assignment}, None, None, None)
    assert unit_data(assignment) == data
    assert Snapshot.objects.count() == snapshots


def test_reading_stores_nothing(assignment):
    replace_unit_data(assignment, {})
    snapshots = Snapshot.objects.count()
    read_unit_workbook(CLEAN_SAMPLE, CLEAN_SAMPLE.name, assignment)
    assert Snapshot.objects.count() == snapshots
    assert unit_data(assignment)["B05"] == []

"""`rasoat dump` and `rasoat load`: the unit's data as JSON, and back through the appendix declaration."""

import json
from decimal import Decimal, InvalidOperation
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rasoat.audit.models import AuditEntry
from rasoat.campaigns.models import Snapshot, Status
from rasoat.inventory import workflow
from rasoat.inventory.data import appendix_for, unit_data
from rasoat.inventory.models import EndDevice, GeneralInfo, NetworkLink
from tests.inventory.test_workflow import SAMPLE_UNIT, assignment_of, load, sample, sample_data


@pytest.fixture
def assignment(campaign):
    return assignment_of(campaign, SAMPLE_UNIT)


def run(*args) -> tuple[dict, int]:
    """Run a command; returns its JSON output and exit code (SystemExit's code, 0 when it returns)."""
    out = StringIO()
    try:
        call_command(*args, stdout=out)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return json.loads(out.getvalue()), code


def write(tmp_path, data, name="du_lieu.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def normalised(value, column):
    """What the dump must show for a value of the sample: in number columns numbers given as text
    become numbers; empty text becomes null; choice labels, phone numbers and other text stay as they
    are (the sample uses the exact labels)."""
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return None
        if not column.is_numeric:
            return value
        try:
            number = Decimal(text)
        except InvalidOperation:
            return value
        return int(number) if number == number.to_integral_value() else float(number)
    return value


def assert_same_value(dumped, expected, where):
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        assert dumped == expected and type(dumped) is type(expected), where
    else:
        # A number: int stays int (46, not 46.0); decimals compare by value.
        assert isinstance(dumped, int | float) and not isinstance(dumped, bool), where
        assert Decimal(str(dumped)) == Decimal(str(expected)), where
        if isinstance(expected, int):
            assert isinstance(dumped, int), where


# --- dump -----------------------------------------------------------------------------------------


def test_dump_prints_the_sample_data_normalised(assignment):
    load(assignment, sample_data())
    dumped, code = run("dump", "RS2026", SAMPLE_UNIT)
    assert code == 0
    expected = sample_data()
    appendix = appendix_for(assignment)
    assert list(dumped) == list(appendix.codes)
    # B01: every line of the declaration, numbers given as text ("46") now numbers.
    assert set(dumped["B01"]) == set(appendix.sheet("B01").keys)
    b01 = appendix.sheet("B01")
    for key in b01.keys:
        assert_same_value(
            dumped["B01"][key], normalised(expected["B01"].get(key), b01.column(key)), ("B01", key)
        )
    assert dumped["B01"]["staff_total"] == 46
    for sheet in appendix.repeating_sheets:
        assert len(dumped[sheet.code]) == len(expected[sheet.code]) == sample()["rows"][sheet.code]
        for position, (row, given) in enumerate(
            zip(dumped[sheet.code], expected[sheet.code], strict=True), 1
        ):
            assert set(row) == set(sheet.keys), (sheet.code, position)
            for key in sheet.keys:
                assert_same_value(
                    row[key], normalised(given.get(key), sheet.column(key)), (sheet.code, position, key)
                )


def test_dump_of_an_empty_unit_has_every_sheet(assignment):
    dumped, _code = run("dump", "RS2026", SAMPLE_UNIT)
    assert all(value is None for value in dumped["B01"].values())
    assert {code: dumped[code] for code in ("B02", "B03", "B04", "B05", "B06")} == dict.fromkeys(
        ("B02", "B03", "B04", "B05", "B06"), []
    )


def test_dump_of_an_unassigned_unit_is_an_error(lai_chau):
    with pytest.raises(CommandError):
        call_command("dump", "RS2026", "KHONG-CO", stdout=StringIO())


def test_dump_output_loads_back_unchanged(assignment, tmp_path):
    load(assignment, sample_data())
    dumped, _code = run("dump", "RS2026", SAMPLE_UNIT)
    output, code = run("load", "RS2026", SAMPLE_UNIT, write(tmp_path, dumped))
    assert (code, output["errors"]) == (0, [])
    assert unit_data(assignment) == dumped


# --- load -----------------------------------------------------------------------------------------


def test_load_dry_run_validates_and_stores_nothing(assignment, tmp_path):
    output, code = run("load", "RS2026", SAMPLE_UNIT, write(tmp_path, sample_data()), "--dry-run")
    assert code == 0
    assert set(output) == {"errors", "warnings", "rows"}
    assert output["errors"] == []
    assert output["rows"] == sample()["rows"]
    b04 = appendix_for(assignment).sheet("B04")
    [warning] = output["warnings"]
    assert warning["sheet"] == b04.title
    assert warning["row"] == 6
    assert warning["column"] == b04.column("annual_cost_mvnd").header
    assert warning["value"] == 8
    assert warning["message"]
    assignment.refresh_from_db()
    assert assignment.status == Status.NOT_STARTED
    assert not GeneralInfo.objects.filter(assignment=assignment).exists()
    assert not EndDevice.objects.filter(assignment=assignment).exists()
    assert not Snapshot.objects.filter(assignment=assignment).exists()
    assert not AuditEntry.objects.filter(
        object_id=str(assignment.pk), action__startswith="appendix."
    ).exists()


def test_load_with_errors_exits_1_and_names_sheet_row_column_value(assignment, tmp_path):
    data = sample_data()
    data["B05"][1]["quantity"] = "hai"
    data["B01"]["staff_total"] = "nhiều"
    del data["B02"][0]["link_type"]
    output, code = run("load", "RS2026", SAMPLE_UNIT, write(tmp_path, data))
    assert code == 1
    appendix = appendix_for(assignment)
    errors = {(e["sheet"], e.get("row"), e["column"]): e for e in output["errors"]}
    b01, b02, b05 = (appendix.sheet(code) for code in ("B01", "B02", "B05"))

    quantity = errors[(b05.title, 2, b05.column("quantity").header)]
    assert quantity["value"] == "hai"
    assert quantity["message"]
    staff = errors[(b01.title, None, b01.column("staff_total").header)]
    assert "row" not in staff  # B01 has no rows
    assert staff["value"] == "nhiều"
    missing = errors[(b02.title, 1, b02.column("link_type").header)]
    assert missing["value"] is None
    assert "Chưa nhập" in missing["message"]
    assert len(output["errors"]) == 3
    # Nothing stored, even without --dry-run.
    assert not EndDevice.objects.filter(assignment=assignment).exists()
    assert not Snapshot.objects.filter(assignment=assignment).exists()


def test_load_of_an_unknown_sheet_or_column_is_an_error(assignment, tmp_path):
    data = sample_data()
    data["B09"] = []
    data["B05"][0]["mau_sac"] = "đen"
    output, code = run("load", "RS2026", SAMPLE_UNIT, write(tmp_path, data), "--dry-run")
    assert code == 1
    assert {e["sheet"] for e in output["errors"]} == {"B09", appendix_for(assignment).sheet("B05").title}


def test_load_of_a_file_that_is_not_json_is_a_command_error(assignment, tmp_path):
    path = tmp_path / "hong.json"
    path.write_text("{không phải JSON", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load", "RS2026", SAMPLE_UNIT, str(path), stdout=StringIO())


def test_load_replaces_the_draft_and_keeps_a_snapshot_of_the_previous_data(assignment, tmp_path):
    run("load", "RS2026", SAMPLE_UNIT, write(tmp_path, sample_data(), "lan1.json"))
    first = unit_data(assignment)
    assert len(first["B02"]) == 3

    data = sample_data()
    data["B02"] = data["B02"][:1]
    data["B01"]["contact_phone"] = "0987654321"
    output, code = run("load", "RS2026", SAMPLE_UNIT, write(tmp_path, data, "lan2.json"))
    assert code == 0
    assert output["rows"]["B02"] == 1
    now = unit_data(assignment)
    assert len(now["B02"]) == 1
    assert now["B01"]["contact_phone"] == "0987654321"
    assert NetworkLink.objects.filter(assignment=assignment).count() == 1

    kept = Snapshot.objects.filter(assignment=assignment, kind=Snapshot.Kind.BEFORE_IMPORT).order_by("pk")
    assert kept.count() == 2  # one before each load
    assert kept.last().data == json.loads(json.dumps(first))
    assert kept.last().rows["B02"] == 3
    assignment.refresh_from_db()
    assert assignment.status == Status.IN_PROGRESS
    assert AuditEntry.objects.filter(action="appendix.loaded", object_id=str(assignment.pk)).count() == 2


def test_load_into_a_submitted_report_is_refused(assignment, tmp_path):
    load(assignment, sample_data())
    workflow.submit(assignment, None, acknowledge_warnings=True)
    data = sample_data()
    data["B02"] = []
    with pytest.raises(CommandError):
        call_command("load", "RS2026", SAMPLE_UNIT, write(tmp_path, data), stdout=StringIO())
    assert NetworkLink.objects.filter(assignment=assignment).count() == 3

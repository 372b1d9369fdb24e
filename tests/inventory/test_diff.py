"""Comparing two snapshots: rows added, removed and changed, B01 field changes, and no false changes."""

import pytest

from rasoat.appendix.declaration import get_appendix
from rasoat.campaigns.models import Snapshot
from rasoat.inventory import services
from rasoat.inventory.data import appendix_for, record_values, unit_data
from rasoat.inventory.diff import diff_data, diff_snapshots
from rasoat.inventory.models import GeneralInfo, InfraDevice, NetworkLink
from tests.conftest import make_user
from tests.inventory.test_workflow import SAMPLE_UNIT, assignment_of, edit_b05, load


@pytest.fixture
def editor(lai_chau):
    return make_user("bien_tap_vien", "editor", "X.03445")


@pytest.fixture
def loaded(campaign, editor):
    assignment = assignment_of(campaign, SAMPLE_UNIT)
    load(assignment, actor=editor)
    return assignment


def snap(assignment) -> Snapshot:
    return services.take_snapshot(assignment, Snapshot.Kind.SUBMIT)


def by_sheet(diffs) -> dict:
    return {sheet.code: sheet for sheet in diffs}


def test_diff_reports_added_removed_changed_rows_and_b01_fields(loaded, editor):
    appendix = appendix_for(loaded)
    before = snap(loaded)
    old_b02 = unit_data(loaded)["B02"]

    # B01: one line changed.
    general = GeneralInfo.objects.get(assignment=loaded)
    b01 = appendix.sheet("B01")
    raw = {**record_values(general, b01), "contact_phone": "0987654321"}
    assert services.save_record(loaded, "B01", raw, expected_version=general.version, actor=editor).saved
    # B02: the second link removed.
    second = NetworkLink.objects.get(assignment=loaded, position=2)
    assert services.delete_row(loaded, "B02", second.pk, second.version, actor=editor).saved
    # B03: a new device.
    new_device = {
        "device_type": "Thiết bị phát Wi-Fi",
        "model": "EAP225",
        "manufacturer": "TP-Link",
        "quantity": 2,
        "year_in_use": 2024,
        "condition": "Hoạt động tốt",
    }
    assert services.save_record(loaded, "B03", new_device, actor=editor).saved
    # B05: one field of the first device.
    edit_b05(loaded, editor, position=1, ram_gb=8)

    diffs = by_sheet(diff_snapshots(appendix, before, snap(loaded)))
    assert set(diffs) == {"B01", "B02", "B03", "B05"}

    [b01_change] = diffs["B01"].changes
    assert (b01_change.kind, b01_change.row) == ("changed", None)
    assert b01_change.fields == {"contact_phone": ["0912345678", "0987654321"]}

    [removed] = diffs["B02"].changes
    assert (removed.kind, removed.row) == ("removed", 2)
    assert removed.values == old_b02[1]

    [added] = diffs["B03"].changes
    assert added.kind == "added"
    assert added.row == InfraDevice.objects.filter(assignment=loaded).count()
    assert added.values["model"] == "EAP225"

    [changed] = diffs["B05"].changes
    assert (changed.kind, changed.row) == ("changed", 1)
    assert changed.fields == {"ram_gb": [4, 8]}
    assert diffs["B05"].headers["ram_gb"] == appendix.sheet("B05").column("ram_gb").header
    assert diffs["B05"].title == appendix.sheet("B05").title


def test_unchanged_data_gives_no_change(loaded):
    appendix = appendix_for(loaded)
    assert diff_snapshots(appendix, snap(loaded), snap(loaded)) == []


def test_rows_replaced_wholesale_with_identical_content_give_no_change(loaded, editor):
    appendix = appendix_for(loaded)
    first = snap(loaded)
    ids_before = set(NetworkLink.objects.filter(assignment=loaded).values_list("pk", flat=True))
    # A re-import of the same data deletes every row and creates new ones (new ids).
    services.replace_unit_data(loaded, unit_data(loaded), actor=editor)
    assert ids_before.isdisjoint(NetworkLink.objects.filter(assignment=loaded).values_list("pk", flat=True))
    assert diff_snapshots(appendix, first, snap(loaded)) == []


def test_a_row_changed_by_a_wholesale_replacement_is_removed_and_added(loaded, editor):
    appendix = appendix_for(loaded)
    first = snap(loaded)
    data = unit_data(loaded)
    data["B05"][2]["quantity"] = 7
    services.replace_unit_data(loaded, data, actor=editor)
    [sheet] = diff_snapshots(appendix, first, snap(loaded))
    assert sheet.code == "B05"
    assert sorted((c.kind, c.row) for c in sheet.changes) == [("added", 3), ("removed", 3)]


def test_diff_of_plain_data_matches_rows_by_content_without_ids():
    appendix = get_appendix("2026.1")
    old = {"B01": {"staff_total": 10}, "B02": [{"provider": "VNPT"}, {"provider": "Viettel"}]}
    new = {"B01": {"staff_total": 12}, "B02": [{"provider": "Viettel"}, {"provider": "FPT"}]}
    diffs = by_sheet(diff_data(appendix, old, new))
    assert diffs["B01"].changes[0].fields == {"staff_total": [10, 12]}
    assert sorted((c.kind, c.row, c.values["provider"]) for c in diffs["B02"].changes) == [
        ("added", 2, "FPT"),
        ("removed", 1, "VNPT"),
    ]

"""Grid entry of B02–B06 (issue 11 item 4): the bulk save service and endpoint, and B01's partial save."""

import json
import re

import pytest

from rasoat.audit.models import AuditEntry
from rasoat.campaigns.models import Assignment, Status
from rasoat.inventory import grid
from rasoat.inventory.models import EndDevice, GeneralInfo
from tests.conftest import client_for, make_user
from tests.inventory.test_entry import DESKTOP, GENERAL, LINK, add_device, assignment_of, html, url


@pytest.fixture
def dang_uy(campaign) -> Assignment:
    return assignment_of(campaign)


@pytest.fixture
def editor(clients):
    return clients["editor_muong_kim"]


def post_rows(client, assignment, rows, sheet="B05"):
    return client.post(
        url("entry_grid", assignment, sheet), json.dumps({"rows": rows}), content_type="application/json"
    )


def new(key, **values):
    return {"key": key, "id": None, "version": None, "values": {**DESKTOP, **values}}


# --- the service -------------------------------------------------------------------------------------


def test_service_saves_valid_rows_and_refuses_unreadable_ones_with_the_row_form_messages(dang_uy, personas):
    sheet = grid.appendix_for(dang_uy).sheet("B05")
    rows = grid.parse_rows(
        sheet,
        {
            "rows": [
                new("a"),
                new("b", ram_gb="tám"),
                new("c", model="HP ProDesk"),
                new("d", **dict.fromkeys(DESKTOP, "")),
            ]
        },
    )
    outcomes = grid.save_rows(dang_uy, "B05", rows, actor=personas["editor_muong_kim"])
    assert [o.status for o in outcomes] == [grid.SAVED, grid.INVALID, grid.SAVED, grid.EMPTY]
    assert "không phải là số" in outcomes[1].errors["ram_gb"][0]
    assert list(EndDevice.objects.filter(assignment=dang_uy).values_list("model", flat=True)) == [
        "Dell OptiPlex 3080",
        "HP ProDesk",
    ]
    assert outcomes[0].version == 1 and outcomes[0].values["ram_gb"] == "8"
    created = AuditEntry.objects.filter(action="appendix.created", unit=dang_uy.unit)
    assert created.count() == 2
    dang_uy.refresh_from_db()
    assert dang_uy.status == Status.IN_PROGRESS


def test_service_refuses_a_stale_row_and_returns_the_current_values(dang_uy):
    device = add_device(dang_uy)
    EndDevice.objects.filter(pk=device.pk).update(model="Đã sửa", version=2)
    sheet = grid.appendix_for(dang_uy).sheet("B05")
    rows = grid.parse_rows(sheet, {"rows": [{"key": "x", "id": device.pk, "version": 1, "values": DESKTOP}]})
    [outcome] = grid.save_rows(dang_uy, "B05", rows)
    assert outcome.status == grid.CONFLICT
    assert outcome.version == 2 and outcome.values["model"] == "Đã sửa"
    assert EndDevice.objects.get(pk=device.pk).model == "Đã sửa"


def test_service_signals_the_data_change_once_and_the_counts_follow(dang_uy):
    from rasoat.desk.models import CheckCount
    from rasoat.inventory.signals import data_changed
    from rasoat.inventory.workflow import check_assignment

    calls = []

    def receiver(sender, assignment, **kwargs):
        calls.append(EndDevice.objects.filter(assignment=assignment).count())

    data_changed.connect(receiver, dispatch_uid="test_grid_once")
    try:
        sheet = grid.appendix_for(dang_uy).sheet("B05")
        rows = [new(str(i), ram_gb="") for i in range(5)]  # saved as drafts: RAM is required
        grid.save_rows(dang_uy, "B05", grid.parse_rows(sheet, {"rows": rows}))
    finally:
        data_changed.disconnect(dispatch_uid="test_grid_once")
    assert calls == [5]
    # The stored counts are those of the data after the last row (5 RAM errors among them).
    errors = check_assignment(dang_uy).errors
    assert sum(issue.column == "ram_gb" for issue in errors) == 5
    assert CheckCount.objects.get(assignment=dang_uy).errors == len(errors)


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        {"rows": "x"},
        {"rows": [1]},
        {"rows": [{"id": 3, "values": {}}]},
        {"rows": [{"values": {"model": []}}]},
    ],
)
def test_service_rejects_a_malformed_body(payload, dang_uy):
    sheet = grid.appendix_for(dang_uy).sheet("B05")
    with pytest.raises(grid.BadRequest):
        grid.parse_rows(sheet, payload)


# --- the endpoint ------------------------------------------------------------------------------------


def test_grid_page_carries_the_declaration_and_the_rows_as_json(editor, dang_uy):
    device = add_device(dang_uy, ram_gb="")
    page = html(editor.get(url("entry_grid", dang_uy, "B05")))
    config = json.loads(
        re.search(r'<script id="grid-config" type="application/json">(.*?)</script>', page, re.S)[1]
    )
    keys = [c["key"] for c in config["columns"]]
    sheet = grid.appendix_for(dang_uy).sheet("B05")
    assert keys == [c.key for c in sheet.data_columns]
    device_type = next(c for c in config["columns"] if c["key"] == "device_type")
    assert "Máy tính để bàn" in device_type["choices"]
    [row] = config["rows"]
    assert row["id"] == device.pk and row["version"] == device.version
    assert "Chưa nhập" in row["errors"]["ram_gb"][0]  # RAM is required for a desktop
    assert "<script>" not in page.split('id="grid-config"')[1].split("</script>")[0]


def test_bulk_save_answers_per_row_and_cell(editor, dang_uy):
    device = add_device(dang_uy)
    rows = [
        {"key": "old", "id": device.pk, "version": device.version, "values": {**DESKTOP, "quantity": "3"}},
        new("n1", model="Lenovo"),
        new("n2", year_acquired="năm ngoái"),
        new("n3", device_type="Máy chủ ảo"),
    ]
    response = post_rows(editor, dang_uy, rows)
    assert response.status_code == 200
    data = response.json()
    statuses = {row["key"]: row["status"] for row in data["rows"]}
    assert statuses == {"old": "saved", "n1": "saved", "n2": "invalid", "n3": "invalid"}
    assert data["saved"] == 2 and data["refused"] == 2 and data["row_count"] == 2
    assert "2 dòng" in data["message"]
    by_key = {row["key"]: row for row in data["rows"]}
    assert by_key["old"]["version"] == device.version + 1
    assert "year_acquired" in by_key["n2"]["errors"]
    assert "device_type" in by_key["n3"]["errors"]
    assert EndDevice.objects.get(pk=device.pk).quantity == 3
    assert AuditEntry.objects.filter(action="appendix.updated", object_id=str(device.pk)).exists()


def test_bulk_save_deletes_rows_with_their_version(editor, dang_uy):
    keep, gone = add_device(dang_uy), add_device(dang_uy, model="Cũ")
    rows = [{"key": "g", "id": gone.pk, "version": gone.version, "values": {}, "delete": True}]
    data = post_rows(editor, dang_uy, rows).json()
    assert data["rows"][0]["status"] == "deleted"
    assert list(EndDevice.objects.filter(assignment=dang_uy)) == [keep]
    assert AuditEntry.objects.filter(action="appendix.deleted", object_id=str(gone.pk)).exists()


def test_second_editor_with_a_stale_version_gets_the_conflict(clients, dang_uy):
    device = add_device(dang_uy)
    first, second = clients["editor_muong_kim"], client_for(make_user("bientap2", "editor", "X.03637"))
    row = {"key": "r", "id": device.pk, "version": device.version}
    assert post_rows(first, dang_uy, [{**row, "values": {**DESKTOP, "model": "A"}}]).json()["saved"] == 1
    data = post_rows(second, dang_uy, [{**row, "values": {**DESKTOP, "model": "B"}}]).json()
    [outcome] = data["rows"]
    assert outcome["status"] == "conflict" and outcome["values"]["model"] == "A"
    assert EndDevice.objects.get(pk=device.pk).model == "A"
    # Saving again with the version the conflict returned overwrites on purpose.
    again = {**row, "version": outcome["version"], "values": {**DESKTOP, "model": "B"}}
    assert post_rows(second, dang_uy, [again]).json()["rows"][0]["status"] == "saved"
    assert EndDevice.objects.get(pk=device.pk).model == "B"


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.ACCEPTED])
def test_locked_report_refuses_the_bulk_save(status, editor, dang_uy):
    Assignment.objects.filter(pk=dang_uy.pk).update(status=status)
    response = post_rows(editor, dang_uy, [new("a")])
    assert response.status_code == 409
    assert "khóa" in response.json()["error"] or "khoá" in response.json()["error"]
    assert not EndDevice.objects.filter(assignment=dang_uy).exists()
    # The grid page itself sends back to the read-only table.
    assert editor.get(url("entry_grid", dang_uy, "B05")).status_code == 302


def test_bad_json_is_a_400_with_a_vietnamese_message(editor, dang_uy):
    response = editor.post(url("entry_grid", dang_uy, "B05"), "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "Tải lại trang" in response.json()["error"]
    form_post = editor.post(url("entry_grid", dang_uy, "B05"), {"rows": "x"})
    assert form_post.status_code == 400 and "Tải lại trang" in form_post.json()["error"]
    too_many = post_rows(editor, dang_uy, [new(str(i)) for i in range(grid.MAX_ROWS + 1)])
    assert too_many.status_code == 400 and str(grid.MAX_ROWS) in too_many.json()["error"]


def test_scope_of_the_bulk_save(clients, campaign):
    muong_te = assignment_of(campaign, "X.03445.UB")
    mine = assignment_of(campaign)
    assert post_rows(clients["editor_muong_kim"], muong_te, [new("a")]).status_code == 404
    assert post_rows(clients["viewer_muong_kim"], mine, [new("a")]).status_code == 403
    assert post_rows(clients["reviewer"], mine, [new("a")]).status_code == 403
    assert not EndDevice.objects.exists()
    assert clients["editor_muong_kim"].get(url("entry_grid", mine, "B01")).status_code == 404


# --- B01: valid fields are saved even when another is invalid ----------------------------------------


def test_b01_saves_the_readable_values_and_keeps_the_unreadable_one_typed(editor, dang_uy):
    response = editor.post(
        url("entry_general", dang_uy), {**GENERAL, "staff_total": "bốn mươi", "version": "0"}
    )
    page = html(response)
    assert response.status_code == 200
    record = GeneralInfo.objects.get(assignment=dang_uy)
    assert record.contact_name == "Lò Văn Thắng" and record.staff_total is None
    assert record.version == 1
    assert 'value="bốn mươi"' in page and "không phải là số" in page
    assert "CHƯA được lưu" in page
    assert 'name="version" value="1"' in page
    assert 'data-dirty="true"' in page
    # A later save with an unreadable value keeps the stored one.
    editor.post(url("entry_general", dang_uy), {**GENERAL, "version": "1"})
    editor.post(
        url("entry_general", dang_uy), {**GENERAL, "staff_total": "x", "address": "Bản Mới", "version": "2"}
    )
    record.refresh_from_db()
    assert record.staff_total == 46 and record.address == "Bản Mới"


def test_without_partial_a_b01_value_that_cannot_be_read_saves_nothing(dang_uy):
    """The API's contract (422, nothing saved) stays: only the B01 form asks for a partial save."""
    from rasoat.inventory import services

    result = services.save_record(dang_uy, "B01", {**GENERAL, "staff_total": "x"}, expected_version=0)
    assert not result.saved and not GeneralInfo.objects.filter(assignment=dang_uy).exists()


def test_a_warning_is_returned_on_its_cell_and_does_not_stop_the_save(editor, dang_uy):
    row = {"key": "w", "id": None, "version": None, "values": {**LINK, "bandwidth_mbps": "20000"}}
    [outcome] = post_rows(editor, dang_uy, [row], sheet="B02").json()["rows"]
    assert outcome["status"] == "saved" and outcome["errors"] == {}
    assert (
        "20.000" in outcome["warnings"]["bandwidth_mbps"][0]
        or "20000" in outcome["warnings"]["bandwidth_mbps"][0]
    )

"""The audit log: entries written with the change, read within scope, filtered."""

import pytest
from django.db import transaction

from rasoat.audit.models import AuditEntry
from rasoat.audit.services import diff_fields, log
from rasoat.orgs.models import Unit
from rasoat.orgs.roles import Role
from tests.conftest import client_for, make_user


def test_diff_fields_lists_only_changed_fields():
    assert diff_fields({"a": 1, "b": "x"}, {"a": 2, "b": "x", "c": None}) == {"a": [1, 2]}
    assert diff_fields({"a": None}, {"a": "Có"}) == {"a": [None, "Có"]}


def test_log_records_actor_object_unit_and_changes(personas):
    unit = Unit.objects.get(code="X.03637.UB")
    entry = log(personas["admin"], "unit.renamed", unit, {"name": ["A", "B"]}, address="10.0.0.5")
    entry.refresh_from_db()
    assert entry.actor == personas["admin"]
    assert entry.actor_name == "admin"
    assert entry.unit == unit
    assert entry.object_type == "orgs.unit"
    assert entry.object_id == str(unit.pk)
    assert entry.changes == {"name": ["A", "B"]}
    assert entry.address == "10.0.0.5"


def test_entry_is_rolled_back_with_the_change(personas):
    unit = Unit.objects.get(code="X.03637.UB")
    with pytest.raises(RuntimeError), transaction.atomic():
        log(personas["admin"], "unit.renamed", unit, {"name": ["A", "B"]})
        raise RuntimeError("the change failed")
    assert not AuditEntry.objects.filter(action="unit.renamed").exists()


def test_scope_of_the_log(personas, clients):
    log(personas["admin"], "unit.renamed", Unit.objects.get(code="X.03637.UB"), {"name": ["a", "b"]})
    log(personas["admin"], "unit.renamed", Unit.objects.get(code="X.03445.UB"), {"name": ["c", "d"]})
    log(personas["admin"], "campaign.created", None, {"code": [None, "RS2027"]})
    kim_reviewer = make_user("reviewer_muong_kim", Role.REVIEWER, "X.03637")

    assert AuditEntry.objects.visible_to(personas["reviewer"]).count() == 3
    kim_entries = AuditEntry.objects.visible_to(kim_reviewer)
    assert [e.unit.code for e in kim_entries] == ["X.03637.UB"]

    page = client_for(kim_reviewer).get("/nhat-ky/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "X.03637.UB" in text and "X.03445.UB" not in text
    assert "Nhật ký thay đổi" in text

    for persona in ("editor_muong_kim", "viewer_muong_kim"):
        assert clients[persona].get("/nhat-ky/").status_code == 404
    assert clients["anonymous"].get("/nhat-ky/").status_code == 302


def test_filters_by_action_actor_unit_and_date(personas, clients):
    unit = Unit.objects.get(code="X.03637.UB")
    log(personas["admin"], "unit.renamed", unit, {"name": ["a", "b"]})
    log(personas["reviewer"], "submission.returned", unit, note="Thiếu dữ liệu B05")
    admin = clients["admin"]

    returned = admin.get("/nhat-ky/", {"action": "submission."}).content.decode()
    assert "Thiếu dữ liệu B05" in returned and 'title="unit.renamed"' not in returned
    by_actor = admin.get("/nhat-ky/", {"actor": "reviewer"}).content.decode()
    assert 'title="submission.returned"' in by_actor and 'title="unit.renamed"' not in by_actor
    assert "X.03637.UB" in admin.get("/nhat-ky/", {"unit": "X.03637"}).content.decode()
    assert "X.03637.UB" not in admin.get("/nhat-ky/", {"unit": "X.03445"}).content.decode()
    future = admin.get("/nhat-ky/", {"since": "01/01/2099"}).content.decode()
    assert 'data-testid="audit-row"' not in future
    assert admin.get("/nhat-ky/", {"since": "không phải ngày"}).status_code == 200


def test_list_runs_a_fixed_number_of_queries(personas, clients, django_assert_max_num_queries):
    units = list(Unit.objects.filter(code__startswith="X.03637."))
    for i in range(30):
        log(personas["admin"], "unit.renamed", units[i % len(units)], {"name": [str(i), str(i + 1)]})
    with django_assert_max_num_queries(12):
        assert clients["admin"].get("/nhat-ky/").status_code == 200


def test_a_deleted_row_is_named_by_its_id_in_the_log(personas, campaign):
    """The entry of a deleted row keeps the row's id (the delete itself clears it on the object)."""
    from rasoat.campaigns.models import Assignment
    from rasoat.inventory.services import delete_row, save_record

    assignment = Assignment.objects.select_related("campaign", "unit").get(
        campaign=campaign, unit__code="X.03637.UB"
    )
    row = save_record(assignment, "B05", {"device_type": "Máy in", "quantity": "1"}).record
    delete_row(assignment, "B05", row.pk, row.version, actor=personas["editor_muong_kim"])
    entry = AuditEntry.objects.get(action="appendix.deleted")
    assert (entry.object_type, entry.object_id) == ("inventory.enddevice", str(row.pk))
    assert entry.changes["device_type"] == ["Máy in", None]


def test_the_log_speaks_vietnamese_with_the_headers_of_the_declaration(personas, clients, campaign):
    """Issue 11: action names and field headers in words, a status by its label (not raw codes)."""
    from rasoat.campaigns.models import Assignment
    from rasoat.inventory.services import save_record

    assignment = Assignment.objects.get(campaign=campaign, unit__code="X.03637.UB")
    save_record(
        assignment,
        "B05",
        {"device_type": "Máy tính để bàn", "quantity": "2", "ram_gb": "8", "condition": "Hoạt động tốt"},
        actor=personas["editor_muong_kim"],
    )
    log(personas["reviewer"], "submission.returned", assignment, {"status": ["submitted", "returned"]})
    text = clients["admin"].get("/nhat-ky/").content.decode()
    assert "Trả lại báo cáo" in text or "Đã trả lại báo cáo" in text
    assert "Thêm dòng" in text
    header = get_header("2026.1", "B05", "ram_gb")
    assert f"<strong>{header}</strong>" in text
    assert "<strong>ram_gb</strong>" not in text
    assert "Đã gửi → Trả lại" in text


def get_header(version: str, sheet: str, key: str) -> str:
    from django.utils.html import escape

    from rasoat.appendix.versions import get_appendix

    return escape(get_appendix(version).sheet(sheet).column(key).header)

"""Registry export and import through the web pages, and the registry service they rely on."""

import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from rasoat.audit.models import AuditEntry
from rasoat.orgs import registry
from rasoat.orgs.models import Kind, Membership, Unit
from rasoat.orgs.roles import Role
from tests.conftest import MUONG_KIM

pytestmark = pytest.mark.django_db


SNAPSHOT_FIELDS = ["code", "pk", "name", "parent__code", "path", "level", "block", "kind", "reports"]
SNAPSHOT_FIELDS += ["commune__code", "former_district", "active"]


def snapshot() -> dict[str, tuple]:
    """Everything about each unit that an import may change, keyed by code."""
    return {u["code"]: u for u in Unit.objects.values(*SNAPSHOT_FIELDS)}


def tree_codes() -> list[str]:
    return [u.code for u in registry.tree_order(Unit.objects.all())]


def export(client) -> bytes:
    response = client.get(reverse("registry_export"))
    assert response.status_code == 200
    return response.content


def rows_of(content: bytes) -> list[list]:
    return (
        CalamineWorkbook.from_filelike(io.BytesIO(content))
        .get_sheet_by_index(0)
        .to_python(skip_empty_area=False)
    )


def workbook(rows: list[list]) -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet("Đơn vị")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value not in (None, ""):
                sheet.write_string(r, c, str(value))
    book.close()
    return output.getvalue()


def upload(client, content: bytes, name: str = "danh-muc-don-vi.xlsx"):
    return client.post(reverse("registry_import"), {"file": SimpleUploadedFile(name, content)})


def upload_and_confirm(client, content: bytes):
    preview = upload(client, content)
    assert preview.status_code == 200
    assert "token" in preview.context, preview.context.get("errors")
    return preview, client.post(reverse("registry_import"), {"token": preview.context["token"]})


# --- permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["registry_export", "registry_import"])
@pytest.mark.parametrize(
    "persona, status",
    [
        ("admin", 200),
        ("reviewer", 403),
        ("editor_muong_kim", 403),
        ("viewer_muong_kim", 403),
        ("anonymous", 302),
    ],
)
def test_registry_file_pages_need_province_admin(clients, name, persona, status):
    assert clients[persona].get(reverse(name)).status_code == status


@pytest.mark.parametrize("name", ["registry_export", "registry_import"])
def test_commune_admin_may_not_use_the_registry_file(clients, personas, name):
    Membership.objects.create(
        user=personas["editor_muong_kim"], unit=Unit.objects.get(code=MUONG_KIM), role=Role.ADMIN
    )
    assert clients["editor_muong_kim"].get(reverse(name)).status_code == 403


def test_export_is_a_named_download(clients):
    response = clients["admin"].get(reverse("registry_export"))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="danh-muc-don-vi.xlsx"'
    assert len(rows_of(response.content)) == Unit.objects.count() + 1


def test_export_queries_do_not_grow_with_rows(clients, django_assert_num_queries):
    client = clients["admin"]
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("registry_export"))
    parent = Unit.objects.get(code=MUONG_KIM)
    for i in range(20):
        Unit.objects.create(code=f"N{i}", name=f"Mới {i}", parent=parent, kind=Kind.SUBUNIT, commune=parent)
    with django_assert_num_queries(len(before.captured_queries)):
        client.get(reverse("registry_export"))


# --- round trip -------------------------------------------------------------------------------


def test_export_then_import_changes_nothing(clients):
    before, order = snapshot(), tree_codes()
    preview, done = upload_and_confirm(clients["admin"], export(clients["admin"]))
    assert preview.context["preview"]["unchanged"] == len(before)
    assert 'data-testid="import-no-change"' in preview.content.decode()
    assert done.status_code == 302
    assert snapshot() == before
    assert tree_codes() == order


def test_edited_name_in_the_file_is_applied(clients):
    rows = rows_of(export(clients["admin"]))
    for row in rows:
        if row[0] == "X.03637.UB":
            row[1] = "UBND xã Mường Kim (đã sửa)"
    before = snapshot()
    preview, done = upload_and_confirm(clients["admin"], workbook(rows))
    changed = preview.context["preview"]["changed"]
    assert [(item["row"]["code"], item["columns"]) for item in changed] == [("X.03637.UB", ["Tên đơn vị"])]
    after = snapshot()
    assert after["X.03637.UB"]["name"] == "UBND xã Mường Kim (đã sửa)"
    assert after["X.03637.UB"]["pk"] == before["X.03637.UB"]["pk"]
    del after["X.03637.UB"], before["X.03637.UB"]
    assert after == before
    assert Unit.objects.get(code="X.03637.UB").name_folded == "ubnd xa muong kim (da sua)"


def test_new_row_and_new_parent_in_the_file_are_applied(clients):
    rows = rows_of(export(clients["admin"]))
    header = rows[0]
    new_row = ["T.SKHCN.P1", "Phòng Bưu chính, Viễn thông", "T.SKHCN", "Cấp tỉnh", "Khối UBND"]
    rows.append([*new_row, "Đơn vị trực thuộc", "Có", "", "", "Có"])
    # Move the Women's Union under the province directly, with its own (future) children.
    for row in rows:
        if row[0] == "T.UBMTTQ.HLHPN":
            row[header.index("Mã đơn vị cấp trên")] = "LC"
    _preview, done = upload_and_confirm(clients["admin"], workbook(rows))
    assert done.status_code == 302
    new = Unit.objects.get(code="T.SKHCN.P1")
    assert new.parent.code == "T.SKHCN" and new.path == f"{new.parent.path}{new.pk}/"
    assert new.kind == Kind.SUBUNIT and new.reports
    moved = Unit.objects.get(code="T.UBMTTQ.HLHPN")
    assert moved.path == f"{Unit.objects.get(code='LC').path}{moved.pk}/"
    entry = AuditEntry.objects.get(action="registry.imported")
    assert entry.changes["created"] == ["T.SKHCN.P1"]
    assert entry.changes["changed"] == {"T.UBMTTQ.HLHPN": ["Mã đơn vị cấp trên"]}
    assert entry.unit.code == "LC" and entry.actor.username == "admin"


def test_bad_rows_save_nothing_and_are_all_reported(clients):
    rows = rows_of(export(clients["admin"]))
    index = {row[0]: n for n, row in enumerate(rows)}
    rows[index["X.03637.DU"]][2] = "KHONG.CO"  # unknown parent code
    rows[index["X.03637.HD"]][4] = "Khối Bí mật"  # unknown block
    rows[index["X.03637.MT"]][0] = "X.03637.UB"  # repeated code
    rows[index["T.SNV"]][1] = "Sở Nội vụ (không được lưu)"  # a valid edit that must not be saved
    before = snapshot()
    response = upload(clients["admin"], workbook(rows))
    assert response.status_code == 200
    assert "token" not in response.context
    found = {(e.row, e.column) for e in response.context["errors"]}
    assert (index["X.03637.DU"] + 1, "Mã đơn vị cấp trên") in found
    assert (index["X.03637.HD"] + 1, "Khối") in found
    assert (index["X.03637.MT"] + 1, "Mã đơn vị") in found
    body = response.content.decode()
    assert "KHONG.CO" in body and "Khối Bí mật" in body
    assert "không có đơn vị nào mang mã này" in body
    assert "Không lưu gì" in body
    assert snapshot() == before


def test_non_workbook_upload_gives_a_message(clients):
    before = snapshot()
    response = upload(clients["admin"], b"%PDF-1.4 not a workbook", name="bao-cao.xlsx")
    assert response.status_code == 200
    # The registry goes through the gate of every uploaded workbook, whose message names the file.
    body = response.content.decode()
    assert "bao-cao.xlsx" in body and "không phải là bảng tính Excel" in body
    assert snapshot() == before


def test_wrong_extension_gives_a_message(clients):
    response = upload(clients["admin"], b"code,name\n", name="don-vi.csv")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_confirm_without_a_pending_import_saves_nothing(clients):
    before = snapshot()
    response = clients["admin"].post(reverse("registry_import"), {"token": "forged"}, follow=True)
    assert response.status_code == 200
    assert snapshot() == before


def test_confirm_revalidates_against_the_current_registry(clients):
    header = [title for _key, title in registry.COLUMNS]
    row = [
        "X.03637.VP",
        "Văn phòng",
        MUONG_KIM,
        "Cấp xã",
        "Khối UBND",
        "Cơ quan",
        "Có",
        MUONG_KIM,
        "Than Uyên",
        "Có",
    ]
    content = workbook([header, row])
    preview = upload(clients["admin"], content)
    assert [row["code"] for row in preview.context["preview"]["created"]] == ["X.03637.VP"]
    # Meanwhile another administrator corrects the commune's code: the previewed rows no longer fit.
    Unit.objects.filter(code=MUONG_KIM).update(code="X.03637-SUA")
    response = clients["admin"].post(reverse("registry_import"), {"token": preview.context["token"]})
    assert response.status_code == 200
    assert {e.column for e in response.context["errors"]} == {"Mã đơn vị cấp trên", "Mã xã"}
    assert not Unit.objects.filter(code="X.03637.VP").exists()
    # The pending import is gone: confirming again is refused.
    again = clients["admin"].post(reverse("registry_import"), {"token": preview.context["token"]})
    assert again.status_code == 302 and again["Location"] == reverse("registry_import")


def test_partial_file_adds_units_and_leaves_the_rest(clients):
    header = [title for _key, title in registry.COLUMNS]
    before = snapshot()
    content = workbook(
        [header, ["X.03637.VP", "Văn phòng", MUONG_KIM, "xa", "ubnd", "agency", "1", "", "", ""]]
    )
    _preview, done = upload_and_confirm(clients["admin"], content)
    assert done.status_code == 302
    assert Unit.objects.get(code="X.03637.VP").parent.code == MUONG_KIM
    after = snapshot()
    del after["X.03637.VP"]
    assert after == before


# --- registry service -------------------------------------------------------------------------


def test_apply_rows_handles_a_child_listed_before_its_moved_parent(lai_chau):
    """A moved unit's descendants take their paths from the new place, whatever the row order."""
    rows = [
        {"code": "A", "name": "A", "parent_code": "LC", "kind": "agency"},
        {"code": "B", "name": "B", "parent_code": "A", "kind": "subunit"},
        {"code": "C", "name": "C", "parent_code": "B", "kind": "subunit"},
    ]
    clean, errors = registry.validate_rows(rows)
    assert errors == []
    registry.apply_rows(clean)
    target = Unit.objects.get(code="T.SNV")
    moved = [
        {"code": "A", "name": "A", "parent_code": "T.SNV", "kind": "agency"},
        {"code": "C", "name": "C", "parent_code": "B", "kind": "subunit"},
        {"code": "B", "name": "B", "parent_code": "A", "kind": "subunit"},
    ]
    clean, errors = registry.validate_rows(moved)
    assert errors == []
    registry.apply_rows(clean)
    for code in "ABC":
        unit = Unit.objects.get(code=code)
        assert unit.path == f"{unit.parent.path}{unit.pk}/"
        assert unit.path.startswith(target.path)


def test_move_unit_rewrites_every_descendant(lai_chau):
    moving = Unit.objects.get(code="T.UBMTTQ")
    size = Unit.objects.subtree(moving).count()
    target = Unit.objects.get(code="T.SNV")
    registry.move_unit(moving, target)
    assert Unit.objects.subtree(target).count() == size + 1
    for unit in Unit.objects.subtree(moving).select_related("parent"):
        assert unit.path == f"{unit.parent.path}{unit.pk}/"


def test_import_labels_work_in_any_language(lai_chau):
    from django.utils import translation

    with translation.override("en"):
        rows, errors = registry.validate_rows(
            [{"code": "Z", "name": "Z", "parent_code": "LC", "kind": "Bộ phận một cửa", "block": "khoi ubnd"}]
        )
    assert errors == []
    assert (rows[0]["kind"], rows[0]["block"]) == (Kind.ONE_STOP, "ubnd")

"""The web appendix editor (/phu-luc/): every edit goes through the definition checks, is audited,
and is refused — with the message naming the problem — when it must be."""

from __future__ import annotations

import copy
import datetime
import io

import pytest
from python_calamine import CalamineWorkbook

from rasoat.appendix import versions
from rasoat.appendix.definition import definition_of
from rasoat.appendix.models import AppendixVersion
from rasoat.appendix.services import copy_version
from rasoat.appendix.v2026_1 import APPENDIX
from rasoat.appendix.workbook import read_definition, write_definition
from rasoat.audit.models import AuditEntry
from rasoat.campaigns.models import Assignment, Campaign
from rasoat.campaigns.services import create_campaign
from rasoat.inventory import services as inventory_services
from tests.conftest import client_for

CODE = "LC-2027"
BASE = f"/phu-luc/{CODE}"


@pytest.fixture
def admin(clients):
    return clients["admin"]


@pytest.fixture
def version(lai_chau):
    return copy_version("2026.1", CODE, "Phụ lục Lai Châu 2027")


def stored() -> dict:
    return AppendixVersion.objects.get(code=CODE).definition


def column_of(sheet: str, key: str) -> dict:
    return next(c for c in stored()["columns"] if c["sheet"] == sheet and c["key"] == key)


def new_column(**fields) -> dict:
    data = {"header": "Nguồn kinh phí", "type": "text", "key": "funding"}
    data.update(fields)
    return data


def errors(response) -> str:
    return response.content.decode()


# --- listing, copying, downloads ------------------------------------------------------------------


def test_list_shows_versions_with_state_and_campaigns(admin, version):
    page = admin.get("/phu-luc/").content.decode()
    assert 'data-version="2026.1"' in page and f'data-version="{CODE}"' in page
    assert "RS2026" in page  # the first campaign is pinned to 2026.1
    assert "chỉ đọc" in page and "được sửa" in page


def test_copy_makes_an_editable_version_and_audits(admin, lai_chau):
    response = admin.post("/phu-luc/2026.1/sao-chep/", {"code": "LC-2028", "title": "Phụ lục 2028"})
    assert response.status_code == 302 and response["Location"] == "/phu-luc/LC-2028/"
    copied = AppendixVersion.objects.get(code="LC-2028")
    assert copied.definition == definition_of(APPENDIX) and copied.based_on == "2026.1"
    assert AuditEntry.objects.filter(action="appendix_version.copied", object_id=str(copied.pk)).exists()


def test_copy_refuses_a_taken_or_malformed_code(admin, version):
    response = admin.post("/phu-luc/2026.1/sao-chep/", {"code": CODE, "title": "Trùng"})
    assert response.status_code == 200 and "đã có" in errors(response).lower()
    response = admin.post("/phu-luc/2026.1/sao-chep/", {"code": "phiên bản", "title": "Sai"})
    assert response.status_code == 200 and AppendixVersion.objects.count() == 2  # 2026.2 and LC-2027


def test_downloads_give_the_definition_and_the_data_template(admin, version):
    response = admin.get(f"{BASE}/dinh-nghia/")
    assert response.status_code == 200
    definition, faults = read_definition(io.BytesIO(response.content))
    assert faults == [] and definition == stored()
    template = admin.get(f"{BASE}/mau-excel/")
    assert template.status_code == 200
    names = CalamineWorkbook.from_filelike(io.BytesIO(template.content)).sheet_names
    assert [s.title for s in APPENDIX] == [n for n in names if n in {s.title for s in APPENDIX}]


def test_unknown_version_is_404(admin, lai_chau):
    assert admin.get("/phu-luc/KHONG-CO/").status_code == 404
    assert admin.get("/phu-luc/2026.1/bieu/B99/").status_code == 404
    assert admin.get("/phu-luc/2026.1/bieu/B05/cot/khong_co/").status_code == 404


@pytest.mark.parametrize("persona", ["reviewer", "editor_muong_kim", "viewer_muong_kim"])
def test_only_administrators_may_edit(persona, clients, version):
    before = stored()
    client = clients[persona]
    assert client.get("/phu-luc/").status_code == 403
    assert client.post(f"{BASE}/bieu/B05/cot/them/", new_column()).status_code == 403
    assert client.post(f"{BASE}/lua-chon/", {"list_name": "condition", "label": "Mới"}).status_code == 403
    assert stored() == before


# --- columns -----------------------------------------------------------------------------------------


def test_add_a_choice_column_with_a_new_list(admin, version):
    response = admin.post(
        f"{BASE}/bieu/B05/cot/them/",
        new_column(key="source", header="Nguồn trang bị", type="choice", new_labels="Tỉnh cấp\nTự mua\n"),
    )
    assert response.status_code == 302
    row = column_of("B05", "source")
    assert row["choices"] == "source" and row["type"] == "choice"
    assert [c["label"] for c in stored()["choices"] if c["list"] == "source"] == ["Tỉnh cấp", "Tự mua"]
    assert versions.get_appendix(CODE).sheet("B05").column("source").choices == ("Tỉnh cấp", "Tự mua")
    entry = AuditEntry.objects.filter(action="appendix_version.saved").latest("pk")
    assert entry.changes["columns_added"] == [None, ["B05.source"]]


def test_wrong_type_is_refused(admin, version):
    before = stored()
    response = admin.post(f"{BASE}/bieu/B05/cot/them/", new_column(type="money"))
    assert response.status_code == 200 and "money" in errors(response)
    assert stored() == before


def test_duplicate_key_is_refused_on_the_key_field(admin, version):
    before = stored()
    response = admin.post(f"{BASE}/bieu/B05/cot/them/", new_column(key="quantity", header="Số lượng khác"))
    assert response.status_code == 200
    assert "Biểu B05 đã có cột mang mã “quantity”" in errors(response)
    assert stored() == before


def test_min_above_max_is_refused(admin, version):
    before = stored()
    response = admin.post(f"{BASE}/bieu/B05/cot/them/", new_column(type="int", min="10", max="5"))
    assert response.status_code == 200
    assert "Giá trị nhỏ nhất (10) lớn hơn giá trị lớn nhất (5)" in errors(response)
    assert stored() == before


def test_choice_column_without_a_list_is_refused(admin, version):
    response = admin.post(f"{BASE}/bieu/B05/cot/them/", new_column(type="choice"))
    assert response.status_code == 200 and "danh sách lựa chọn" in errors(response)
    assert not versions.get_appendix(CODE).sheet("B05").has_column("funding")


def test_a_new_list_may_not_take_a_used_name(admin, version):
    response = admin.post(
        f"{BASE}/bieu/B05/cot/them/", new_column(type="choice", choices="", key="condition2", new_labels="A")
    )
    assert response.status_code == 302  # named after the key: free
    response = admin.post(
        f"{BASE}/bieu/B05/cot/them/",
        new_column(type="choice", key="condition2b", header="Khác", choices="", new_labels="B"),
    )
    assert response.status_code == 302
    before = stored()
    # Editing a column to give it a new list named like an existing one is refused.
    response = admin.post(
        f"{BASE}/bieu/B05/cot/condition2b/",
        {"header": "X", "type": "choice", "choices": "condition2", "new_labels": "C"},
    )
    assert response.status_code == 200 and "condition2" in errors(response)
    assert stored() == before


def test_forbidden_edits_name_the_assessment_rule(admin, version):
    before = stored()
    device = column_of("B05", "device_type")
    response = admin.post(
        f"{BASE}/bieu/B05/cot/device_type/",
        {"header": device["header"], "type": "text", "choices": "", "required": "on"},
    )
    assert response.status_code == 200
    assert "D-AGE" in errors(response) and "kiểu" in errors(response)
    # The conditions on device_type that the retype breaks are not listed one by one.
    assert "không phải là cột lựa chọn" not in errors(response)
    response = admin.post(f"{BASE}/bieu/B05/cot/year_acquired/an/")
    assert response.status_code == 302
    assert stored() == before
    follow = admin.get(f"{BASE}/").content.decode()
    assert "D-AGE" in follow  # the refusal is shown as a message on the next page


def test_relabelled_header_keeps_the_old_one(admin, version):
    provider = column_of("B02", "provider")
    response = admin.post(
        f"{BASE}/bieu/B02/cot/provider/",
        {"header": "Doanh nghiệp cung cấp dịch vụ", "type": "text", "help": provider["help"]},
    )
    assert response.status_code == 302
    assert versions.get_appendix(CODE).sheet("B02").column("provider").aliases == (provider["header"],)


def test_reorder_and_hide_columns(admin, version):
    keys = [c["key"] for c in stored()["columns"] if c["sheet"] == "B03"]
    assert admin.post(f"{BASE}/bieu/B03/cot/{keys[1]}/di-chuyen/", {"step": "up"}).status_code == 302
    moved = [c["key"] for c in stored()["columns"] if c["sheet"] == "B03"]
    assert moved[:2] == [keys[1], keys[0]] and moved[2:] == keys[2:]
    assert admin.post(f"{BASE}/bieu/B03/cot/location/an/").status_code == 302
    assert column_of("B03", "location")["hidden"] is True
    assert not versions.get_appendix(CODE).sheet("B03").has_column("location")


# --- sheets and choices ------------------------------------------------------------------------------


def test_add_a_table_sheet_and_edit_it(admin, version):
    response = admin.post(
        f"{BASE}/bieu/them/",
        {
            "code": "B07",
            "title": "Đào tạo kỹ năng số",
            "kind": "table",
            "help": "",
            "first_key": "course",
            "first_header": "Tên lớp",
            "first_type": "text",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"{BASE}/bieu/B07/"
    response = admin.post(
        f"{BASE}/bieu/B07/cot/them/", new_column(key="year_held", header="Năm", type="year")
    )
    assert response.status_code == 302
    sheet = versions.get_appendix(CODE).sheet("B07")
    assert sheet.repeating and sheet.keys == ("course", "year_held")
    response = admin.post(f"{BASE}/bieu/B07/", {"title": "Đào tạo", "help": "Các lớp trong năm."})
    assert response.status_code == 302
    assert versions.get_appendix(CODE).sheet("B07").help == "Các lớp trong năm."
    assert admin.post(f"{BASE}/bieu/B07/di-chuyen/", {"step": "up"}).status_code == 302
    assert versions.get_appendix(CODE).codes[-2:] == ("B07", "B06")


def test_a_sheet_title_taken_or_reserved_is_refused(admin, version):
    data = {"code": "B07", "kind": "form", "first_key": "a", "first_header": "A", "first_type": "text"}
    response = admin.post(f"{BASE}/bieu/them/", {**data, "title": "Hướng dẫn"})
    assert response.status_code == 200 and "Hướng dẫn" in errors(response)
    response = admin.post(f"{BASE}/bieu/them/", {**data, "code": "B 7", "title": "Khác"})
    assert response.status_code == 200
    assert versions.get_appendix(CODE).codes == APPENDIX.codes


def test_add_a_choice_before_a_label(admin, version):
    response = admin.post(
        f"{BASE}/lua-chon/",
        {"list_name": "b05_device_type", "label": "Máy lấy số tự động", "before": "Khác"},
    )
    assert response.status_code == 302, errors(response)
    labels = versions.get_appendix(CODE).sheet("B05").column("device_type").choices
    assert labels[-2:] == ("Máy lấy số tự động", "Khác")
    response = admin.post(
        f"{BASE}/lua-chon/", {"list_name": "b05_device_type", "label": "máy lấy số tự động"}
    )
    assert response.status_code == 200 and "đã có" in errors(response)


def test_preview_renders_the_entry_form_of_the_edited_version(admin, version):
    admin.post(f"{BASE}/bieu/B05/cot/them/", new_column(key="source", header="Nguồn trang bị", type="text"))
    page = admin.get(f"{BASE}/bieu/B05/xem-truoc/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="preview"' in page and "Nguồn trang bị" in page and "<html" not in page
    assert 'name="device_type"' in page and "disabled" in page
    general = admin.get(f"{BASE}/bieu/B01/xem-truoc/").content.decode()
    assert "<html" in general and 'name="unit_name"' in general


# --- frozen versions ---------------------------------------------------------------------------------


def test_a_frozen_version_offers_a_copy_instead_of_edit_forms(admin, version):
    page = admin.get("/phu-luc/2026.1/").content.decode()
    assert 'data-testid="frozen"' in page and 'data-testid="add-sheet"' not in page
    assert "chỉ đọc" in page and 'data-testid="copy-version"' in page
    page = admin.get("/phu-luc/2026.1/bieu/B05/").content.decode()
    assert 'data-testid="add-column"' not in page and 'data-testid="copy-version"' in page


def test_edits_of_a_version_with_data_are_refused(admin, version):
    campaign = create_campaign(
        code="LC27",
        title="Đợt 2027",
        deadline=datetime.date(2027, 6, 30),
        reference_date=datetime.date(2027, 5, 20),
        appendix_version=CODE,
    )
    assignment = Assignment.objects.get(campaign=campaign, unit__code="X.03637.UB")
    inventory_services.save_record(
        assignment, "B05", {"device_type": "Máy in", "quantity": "1", "condition": "Hoạt động tốt"}
    )
    before = stored()
    response = admin.post(f"{BASE}/bieu/B05/cot/them/", new_column())
    assert response.status_code == 302
    page = admin.get(response["Location"]).content.decode()
    assert "LC27" in page and "chỉ đọc" in page
    assert admin.post(f"{BASE}/lua-chon/", {"list_name": "condition", "label": "Mới"}).status_code == 302
    assert stored() == before


# --- upload ------------------------------------------------------------------------------------------


def _workbook(definition: dict) -> bytes:
    buffer = io.BytesIO()
    write_definition(definition, buffer, code="X", title="Phụ lục tải lên")
    return buffer.getvalue()


def _upload(client, content: bytes, code: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("dinh-nghia.xlsx", content)
    return client.post("/phu-luc/tai-len/", {"file": upload, "code": code, "title": ""})


def test_upload_creates_a_version(admin, lai_chau):
    definition = definition_of(APPENDIX)
    response = _upload(admin, _workbook(definition), "LC-UP")
    assert response.status_code == 302
    created = AppendixVersion.objects.get(code="LC-UP")
    assert created.title == "Phụ lục tải lên"
    assert AuditEntry.objects.filter(action="appendix_version.imported", object_id=str(created.pk)).exists()


def test_upload_lists_every_fault_and_saves_nothing(admin, version):
    definition = definition_of(APPENDIX)
    definition["columns"][3]["type"] = "money"
    definition["columns"].append({**definition["columns"][4], "header": "Khác hẳn"})  # duplicate key
    before = stored()
    response = _upload(admin, _workbook(definition), CODE)
    assert response.status_code == 422
    page = errors(response)
    assert page.count('data-testid="fault"') >= 2 and "money" in page and "columns" in page
    assert stored() == before


def test_upload_onto_a_frozen_version_is_refused(admin, lai_chau):
    response = _upload(admin, _workbook(definition_of(APPENDIX)), "2026.1")
    assert response.status_code == 422 and "chỉ đọc" in errors(response)


# --- campaigns pinned to a version ---------------------------------------------------------------------


def test_campaign_form_pins_a_campaign_to_a_version(admin, version):
    page = admin.get("/dot/them/").content.decode()
    assert f'value="{CODE}"' in page
    response = admin.post(
        "/dot/RS2026/sua/",
        {
            "code": "RS2026",
            "title": "Rà soát",
            "deadline": "30/06/2026",
            "reference_date": "20/05/2026",
            "appendix_version": "KHONG-CO",
        },
    )
    assert response.status_code == 200
    assert Campaign.objects.get(code="RS2026").appendix_version == "2026.1"
    response = admin.post(
        "/dot/RS2026/sua/",
        {
            "code": "RS2026",
            "title": "Rà soát",
            "deadline": "30/06/2026",
            "reference_date": "20/05/2026",
            "appendix_version": CODE,
        },
    )
    assert response.status_code == 302
    assert Campaign.objects.get(code="RS2026").appendix_version == CODE


def test_nav_links_the_editor_for_administrators_only(clients, lai_chau):
    assert 'data-testid="nav-appendix"' in clients["admin"].get("/").content.decode()
    assert 'data-testid="nav-appendix"' not in clients["reviewer"].get("/").content.decode()


def test_anonymous_is_sent_to_login(lai_chau):
    response = client_for(None).get("/phu-luc/")
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")


def test_a_limit_that_is_not_a_number_is_refused_on_its_field(admin, version):
    before = stored()
    response = admin.post(f"{BASE}/bieu/B05/cot/them/", new_column(type="int", max="mười"))
    assert response.status_code == 200
    assert "“mười” không phải là số" in errors(response)
    assert stored() == before


def test_a_file_that_is_not_a_workbook_is_refused(admin, lai_chau):
    response = _upload(admin, b"not a workbook at all", "LC-HONG")
    assert response.status_code == 422 and 'data-testid="fault"' in errors(response)
    assert not AppendixVersion.objects.filter(code="LC-HONG").exists()


def test_a_campaign_with_data_keeps_its_version(admin, version, campaign):
    assignment = Assignment.objects.get(campaign=campaign, unit__code="X.03637.UB")
    inventory_services.save_record(
        assignment, "B05", {"device_type": "Máy in", "quantity": "1", "condition": "Hoạt động tốt"}
    )
    data = {
        "code": "RS2026",
        "title": campaign.title,
        "deadline": campaign.deadline.strftime("%d/%m/%Y"),
        "reference_date": campaign.reference_date.strftime("%d/%m/%Y"),
        "appendix_version": CODE,
    }
    response = admin.post("/dot/RS2026/sua/", data)
    assert response.status_code == 200
    assert "không thể đổi phiên bản phụ lục" in errors(response)
    assert Campaign.objects.get(code="RS2026").appendix_version == "2026.1"


def test_an_edit_made_meanwhile_by_another_administrator_is_kept(personas, version):
    """Optimistic lock: the editor's edit, read before another save, is applied again on top of it."""
    from types import SimpleNamespace

    from rasoat.appendix import editing
    from rasoat.appendix.services import save_definition
    from rasoat.appendix.views.common import _apply, load_version

    stale = load_version(CODE)
    other = copy.deepcopy(stored())
    editing.add_column(other, "B04", {"key": "owner", "header": "Đơn vị chủ quản", "type": "text"})
    save_definition(CODE, other)
    request = SimpleNamespace(user=personas["admin"])
    _apply(request, stale, lambda d: editing.add_column(d, "B05", new_column()))
    appendix = versions.get_appendix(CODE)
    assert appendix.sheet("B04").has_column("owner") and appendix.sheet("B05").has_column("funding")
    assert AppendixVersion.objects.get(code=CODE).revision == 3

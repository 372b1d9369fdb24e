"""Data entry on the web: the hub, the B01 form and the B02–B06 tables (views/entry.py)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from rasoat.campaigns.models import Assignment, Status, Transition
from rasoat.inventory.models import EndDevice, GeneralInfo, NetworkLink
from tests.conftest import MUONG_KIM_UNITS, client_for, make_user

HX = {"HTTP_HX_REQUEST": "true"}
CONFLICT = "Người khác đã lưu dữ liệu này"

DESKTOP = {
    "device_type": "Máy tính để bàn",
    "model": "Dell OptiPlex 3080",
    "quantity": "2",
    "year_acquired": "2020",
    "cpu": "Core i5-10500",
    "ram_gb": "8",
    "disk_type": "SSD",
    "disk_gb": "256",
    "os": "Windows 10",
    "os_licensed": "Có",
    "antivirus": "Có bản quyền",
    "at_one_stop": "Không",
    "condition": "Hoạt động tốt",
    "note": "",
}

LINK = {
    "link_type": "Internet cáp quang (FTTH)",
    "provider": "VNPT",
    "bandwidth_mbps": "100",
    "quantity": "1",
    "year_started": "2021",
    "purpose": "Truy cập Internet",
    "adequacy": "Đáp ứng",
    "shared": "Không",
    "note": "",
}

GENERAL = {
    "unit_name": "Đảng ủy xã Mường Kim",
    "unit_code": "X.03637.DU",
    "block": "Khối Đảng",
    "level": "Cấp xã",
    "address": "Bản Mường Kim",
    "contact_name": "Lò Văn Thắng",
    "contact_title": "Chánh Văn phòng",
    "contact_phone": "0912 345 678",
    "contact_email": "thanglv@laichau.gov.vn",
    "staff_total": "46",
    "it_staff_fulltime": "0",
    "it_staff_parttime": "1",
    "has_one_stop": "Không",
    "has_lan": "Có",
    "lan_points": "32",
    "has_wifi": "Có",
    "has_server_room": "Không",
    "overall_assessment": "Hạ tầng cơ bản đáp ứng yêu cầu.",
    "difficulties": "",
    "proposals": "",
}


def assignment_of(campaign, code: str = MUONG_KIM_UNITS[0]) -> Assignment:
    return Assignment.objects.select_related("unit", "campaign").get(campaign=campaign, unit__code=code)


def url(name: str, assignment: Assignment, *extra) -> str:
    return reverse(name, args=[assignment.campaign.code, assignment.unit_id, *extra])


def html(response) -> str:
    return response.content.decode()


def row_html(page: str, pk: int) -> str:
    """The <tbody> of one row in a page or fragment."""
    match = re.search(rf'<tbody id="row-{pk}".*?</tbody>', page, re.S)
    assert match, f"row {pk} not in the page"
    return match.group(0)


def add_device(assignment: Assignment, **values) -> EndDevice:
    fields = {key: value for key, value in {**DESKTOP, **values}.items() if value != ""}
    for key in ("quantity", "year_acquired", "disk_gb"):
        if key in fields:
            fields[key] = int(fields[key])
    if "ram_gb" in fields:
        fields["ram_gb"] = Decimal(fields["ram_gb"])
    position = EndDevice.objects.filter(assignment=assignment).count() + 1
    return EndDevice.objects.create(assignment=assignment, position=position, **fields)


@pytest.fixture
def dang_uy(campaign) -> Assignment:
    """The Party committee of Mường Kim in RS2026 (a commune-level unit)."""
    return assignment_of(campaign)


@pytest.fixture
def editor(clients):
    return clients["editor_muong_kim"]


# --- B01 ---------------------------------------------------------------------------------------------


def test_b01_form_is_prefilled_from_the_registry_with_vietnamese_labels(editor, dang_uy):
    page = html(editor.get(url("entry_general", dang_uy)))
    assert "Tên cơ quan, đơn vị*" in page
    assert "Tổng số cán bộ, công chức, viên chức, người lao động*" in page
    assert 'value="Đảng ủy xã Mường Kim"' in page
    assert re.search(r'<input[^>]*name="unit_code"[^>]*value="X.03637.DU"[^>]*readonly', page)
    assert re.search(r'<option value="Khối Đảng" selected>', page)
    assert re.search(r'<option value="Cấp xã" selected>', page)
    assert re.search(r'name="version" value="0"', page)
    assert re.search(
        r'<input[^>]*name="contact_phone"[^>]*type="tel"|type="tel"[^>]*name="contact_phone"', page
    )
    assert re.search(r'inputmode="numeric"[^>]*name="staff_total"|name="staff_total"[^>]*inputmode', page)
    assert re.search(r'<textarea[^>]*name="overall_assessment"', page)
    # Nothing saved yet, so no error is shown before the first save.
    assert "đây là cột bắt buộc" not in page


def test_b01_valid_data_is_saved_normalised(editor, dang_uy):
    response = editor.post(url("entry_general", dang_uy), {**GENERAL, "version": "0"})
    assert response.status_code == 302
    record = GeneralInfo.objects.get(assignment=dang_uy)
    assert record.contact_phone == "0912345678"
    assert record.staff_total == 46
    assert record.has_lan == "Có"
    assert record.version == 1
    page = html(editor.get(url("entry_general", dang_uy)))
    assert "Đã lưu biểu B01." in page
    assert 'name="version" value="1"' in page
    assert "invalid-feedback" not in page


def test_b01_unit_code_always_names_the_unit_of_the_url(editor, dang_uy):
    editor.post(url("entry_general", dang_uy), {**GENERAL, "unit_code": "X.03445.DU", "version": "0"})
    assert GeneralInfo.objects.get(assignment=dang_uy).unit_code == "X.03637.DU"


def test_b01_with_htmx_returns_the_form_with_errors_on_fields_and_warnings_apart(editor, dang_uy):
    data = {**GENERAL, "staff_total": "", "lan_points": "0", "version": "0"}
    response = editor.post(url("entry_general", dang_uy), data, **HX)
    page = html(response)
    assert response.status_code == 200
    assert page.lstrip().startswith("<form")
    assert "Đã lưu biểu B01." in page
    # The missing total is an error on its field; the LAN warning is in the separate box.
    errors = re.findall(r'<div class="invalid-feedback d-block">(.*?)</div>', page)
    assert errors == [
        "Chưa nhập &quot;Tổng số cán bộ, công chức, viên chức, người lao động&quot;; đây là cột bắt buộc."
    ]
    box = re.search(r'data-testid="warnings">(.*?)</div>\s*</div>', page, re.S).group(1)
    assert "Cảnh báo" in box and "số điểm kết nối mạng LAN là 0" in box
    assert "số điểm kết nối mạng LAN là 0" not in " ".join(errors)
    assert 'id="entry-status" hx-swap-oob="true"' in page


def test_b01_stale_save_is_refused_and_shows_the_current_value(clients, dang_uy):
    first, second = clients["editor_muong_kim"], client_for(make_user("bientap2", "editor", "X.03637"))
    for client in (first, second):
        assert 'name="version" value="0"' in html(client.get(url("entry_general", dang_uy)))
    first.post(url("entry_general", dang_uy), {**GENERAL, "contact_name": "Lò Văn Thắng", "version": "0"})

    response = second.post(
        url("entry_general", dang_uy), {**GENERAL, "contact_name": "Tòng Thị Mai", "version": "0"}
    )
    page = html(response)
    assert response.status_code == 200
    assert 'data-testid="conflict"' in page and CONFLICT in page
    assert GeneralInfo.objects.get(assignment=dang_uy).contact_name == "Lò Văn Thắng"
    # The user's input stays in the form, the stored value is shown next to it, and the form now
    # carries the current version so that saving again overwrites on purpose.
    assert 'value="Tòng Thị Mai"' in page
    assert re.search(r'data-testid="current-contact_name">[^<]*Lò Văn Thắng<', page)
    assert 'data-testid="current-contact_phone"' not in page
    assert 'name="version" value="1"' in page

    second.post(url("entry_general", dang_uy), {**GENERAL, "contact_name": "Tòng Thị Mai", "version": "1"})
    assert GeneralInfo.objects.get(assignment=dang_uy).contact_name == "Tòng Thị Mai"


def test_viewer_sees_b01_read_only(clients, dang_uy):
    page = html(clients["viewer_muong_kim"].get(url("entry_general", dang_uy)))
    assert 'data-testid="read-only"' in page
    assert 'data-testid="save-general"' not in page
    assert re.search(r'name="contact_name"[^>]*disabled', page)


# --- B02–B06 tables ----------------------------------------------------------------------------------


def test_ram_typed_with_a_decimal_comma_is_saved(editor, dang_uy):
    response = editor.post(url("entry_row_create", dang_uy, "B05"), {**DESKTOP, "ram_gb": "0,5"})
    assert response.status_code == 302
    assert EndDevice.objects.get(assignment=dang_uy).ram_gb == Decimal("0.5")
    page = html(editor.get(url("entry_sheet", dang_uy, "B05")))
    assert '<td data-testid="cell-ram_gb">0,5</td>' in page


def test_unreadable_ram_is_not_saved_and_the_error_is_on_the_cell(editor, dang_uy):
    response = editor.post(url("entry_row_create", dang_uy, "B05"), {**DESKTOP, "ram_gb": "abc"}, **HX)
    page = html(response)
    assert response.status_code == 200
    assert not EndDevice.objects.filter(assignment=dang_uy).exists()
    assert re.search(r'<input[^>]*name="ram_gb"[^>]*value="abc"', page)
    error = re.search(r'data-testid="cell-error-ram_gb">(.*?)</div>', page).group(1)
    assert "abc" in error and "không phải là số" in error
    assert "Chưa lưu" in page
    # Without HTMX the whole page comes back with the form in place of the new row.
    page = html(editor.post(url("entry_row_create", dang_uy, "B05"), {**DESKTOP, "ram_gb": "abc"}))
    assert 'data-testid="entry-table"' in page and 'data-testid="cell-error-ram_gb"' in page


def test_desktop_without_ram_is_saved_as_draft_with_the_error_on_the_ram_cell(editor, dang_uy):
    response = editor.post(url("entry_row_create", dang_uy, "B05"), {**DESKTOP, "ram_gb": ""}, **HX)
    row = EndDevice.objects.get(assignment=dang_uy)
    assert row.ram_gb is None
    fragment = html(response)
    assert f'id="row-{row.pk}"' in fragment

    page = html(editor.get(url("entry_sheet", dang_uy, "B05")))
    tbody = row_html(page, row.pk)
    cell = re.search(r'<td data-testid="cell-ram_gb" class="table-danger">(.*?)</td>', tbody).group(1)
    assert 'data-testid="cell-error-ram_gb"' in cell and "Chưa nhập &quot;RAM (GB)&quot;" in cell
    assert 'data-testid="cell-error-cpu"' not in tbody
    assert 'data-testid="row-warning"' not in tbody


def test_warning_is_shown_apart_from_errors(editor, dang_uy):
    editor.post(url("entry_row_create", dang_uy, "B02"), {**LINK, "bandwidth_mbps": "20000"})
    row = NetworkLink.objects.get(assignment=dang_uy)
    assert row.bandwidth_mbps == Decimal("20000")
    tbody = row_html(html(editor.get(url("entry_sheet", dang_uy, "B02"))), row.pk)
    warning = re.search(r'data-testid="row-warning">(.*?)</div></td>', tbody).group(1)
    assert "là 20000, lớn hơn 10000" in warning
    assert "cell-error" not in tbody and "table-danger" not in tbody


def test_edit_returns_the_row_as_a_form_and_saves_it(editor, dang_uy):
    row = add_device(dang_uy, ram_gb="")
    form = html(editor.get(url("entry_row_edit", dang_uy, "B05", row.pk), **HX))
    assert form.lstrip().startswith(f'<tbody id="row-{row.pk}"')
    assert 'data-testid="save-row"' in form and f'name="version" value="{row.version}"' in form
    # The stored row's errors are shown while editing it.
    assert 'data-testid="cell-error-ram_gb"' in form

    data = {**DESKTOP, "ram_gb": "16", "version": str(row.version)}
    fragment = html(editor.post(url("entry_row_edit", dang_uy, "B05", row.pk), data, **HX))
    row.refresh_from_db()
    assert row.ram_gb == Decimal("16") and row.version == 2
    assert '<td data-testid="cell-ram_gb">16</td>' in fragment
    assert 'data-testid="edit-row"' in fragment


def test_stale_row_save_is_refused_and_the_first_save_survives(clients, dang_uy):
    row = add_device(dang_uy, ram_gb="8")
    first, second = clients["editor_muong_kim"], client_for(make_user("bientap2", "editor", "X.03637"))
    edit = url("entry_row_edit", dang_uy, "B05", row.pk)
    for client in (first, second):
        assert f'name="version" value="{row.version}"' in html(client.get(edit, **HX))

    first.post(edit, {**DESKTOP, "ram_gb": "16", "version": str(row.version)}, **HX)
    response = second.post(edit, {**DESKTOP, "ram_gb": "4", "version": str(row.version)}, **HX)
    page = html(response)
    assert response.status_code == 200
    assert 'data-testid="conflict"' in page and CONFLICT in page
    assert re.search(r'data-testid="current-ram_gb">[^<]*16<', page)
    assert 'data-testid="current-model"' not in page
    assert re.search(r'<input[^>]*name="ram_gb"[^>]*value="4"', page)
    row.refresh_from_db()
    assert row.ram_gb == Decimal("16") and row.version == 2
    assert 'name="version" value="2"' in page


def test_duplicate_inserts_a_copy_after_the_row(editor, dang_uy):
    first, last = add_device(dang_uy, model="A"), add_device(dang_uy, model="B")
    fragment = html(editor.post(url("entry_row_duplicate", dang_uy, "B05", first.pk), **HX))
    copy = EndDevice.objects.exclude(pk__in=[first.pk, last.pk]).get()
    assert copy.model == "A"
    order = list(
        EndDevice.objects.filter(assignment=dang_uy).order_by("position").values_list("pk", flat=True)
    )
    assert order == [first.pk, copy.pk, last.pk]
    assert fragment.index(f'id="row-{first.pk}"') < fragment.index(f'id="row-{copy.pk}"')
    assert 'id="row-count" hx-swap-oob="true"' in fragment and "3 dòng" in fragment
    # Without HTMX: a redirect to the table, at the copy.
    response = editor.post(url("entry_row_duplicate", dang_uy, "B05", last.pk))
    assert response.status_code == 302 and response.url.endswith(
        "#row-" + str(EndDevice.objects.latest("pk").pk)
    )


def test_delete_removes_the_row(editor, dang_uy):
    row = add_device(dang_uy)
    response = editor.post(url("entry_row_delete", dang_uy, "B05", row.pk), {"version": row.version}, **HX)
    assert response.status_code == 200
    assert "<tbody" not in html(response) and "0 dòng" in html(response)
    assert not EndDevice.objects.filter(pk=row.pk).exists()
    other = add_device(dang_uy)
    response = editor.post(url("entry_row_delete", dang_uy, "B05", other.pk), {"version": other.version})
    assert response.status_code == 302 and not EndDevice.objects.filter(pk=other.pk).exists()


def test_delete_of_a_row_changed_meanwhile_is_refused(editor, dang_uy):
    row = add_device(dang_uy, ram_gb="8")
    stale = row.version
    editor.post(url("entry_row_edit", dang_uy, "B05", row.pk), {**DESKTOP, "ram_gb": "32", "version": stale})
    response = editor.post(url("entry_row_delete", dang_uy, "B05", row.pk), {"version": stale}, **HX)
    page = html(response)
    assert EndDevice.objects.filter(pk=row.pk).exists()
    assert 'data-testid="conflict"' in page and "CHƯA bị xóa" in page
    assert '<td data-testid="cell-ram_gb">32</td>' in page
    # The row now carries the current version: deleting again is deliberate and works.
    assert 'name="version" value="2"' in page
    editor.post(url("entry_row_delete", dang_uy, "B05", row.pk), {"version": "2"}, **HX)
    assert not EndDevice.objects.filter(pk=row.pk).exists()


def test_row_of_another_unit_is_404(editor, campaign, dang_uy):
    other = add_device(assignment_of(campaign, MUONG_KIM_UNITS[1]))
    for name in ("entry_row_edit", "entry_row_duplicate", "entry_row_delete"):
        method = editor.get if name == "entry_row_edit" else editor.post
        assert method(url(name, dang_uy, "B05", other.pk), {"version": "1"}).status_code == 404
    response = editor.post(url("entry_row_edit", dang_uy, "B05", other.pk), {**DESKTOP, "version": "1"})
    assert response.status_code == 404
    assert editor.get(url("entry_row_edit", dang_uy, "B05", 10**20)).status_code == 404
    assert EndDevice.objects.get(pk=other.pk).version == 1


@pytest.mark.parametrize("sheet", ["B01", "B07", "b05", "XX"])
def test_unknown_sheet_is_404(editor, dang_uy, sheet):
    if sheet != "B01":  # nhap/B01/ is the B01 form itself
        assert editor.get(url("entry_sheet", dang_uy, sheet)).status_code == 404
    assert editor.get(url("entry_row_create", dang_uy, sheet)).status_code == 404
    assert editor.post(url("entry_row_create", dang_uy, sheet), DESKTOP).status_code == 404


def test_new_row_form_fragment(editor, dang_uy):
    fragment = html(editor.get(url("entry_row_create", dang_uy, "B03"), **HX))
    assert fragment.lstrip().startswith('<tbody id="new-')
    assert 'data-testid="new-row"' in fragment and "Loại thiết bị*" in fragment
    assert f'hx-post="{url("entry_row_create", dang_uy, "B03")}"' in fragment
    page = html(editor.get(url("entry_row_create", dang_uy, "B03")))
    assert 'data-testid="entry-table"' in page and 'data-testid="new-row"' in page


def test_every_sheet_page_renders_its_headers(editor, dang_uy):
    for code, header in [
        ("B02", "Băng thông (Mbps)*"),
        ("B03", "Năm đưa vào sử dụng*"),
        ("B04", "Kết nối, chia sẻ dữ liệu (LGSP/NDXP)"),
        ("B05", "Phần mềm phòng chống mã độc"),
        ("B06", "Năm dự kiến thực hiện"),
    ]:
        page = html(editor.get(url("entry_sheet", dang_uy, code)))
        assert header in page and 'data-testid="add-row"' in page


def test_viewer_sees_the_table_without_write_buttons(clients, dang_uy):
    add_device(dang_uy)
    page = html(clients["viewer_muong_kim"].get(url("entry_sheet", dang_uy, "B05")))
    assert 'data-testid="cell-device_type">Máy tính để bàn<' in page
    for testid in ("add-row", "edit-row", "delete-row", "duplicate-row"):
        assert f'data-testid="{testid}"' not in page


# --- status, locking and scope -----------------------------------------------------------------------


def test_first_save_makes_the_report_in_progress(editor, dang_uy):
    assert dang_uy.status == Status.NOT_STARTED
    fragment = html(editor.post(url("entry_row_create", dang_uy, "B05"), DESKTOP, **HX))
    dang_uy.refresh_from_db()
    assert dang_uy.status == Status.IN_PROGRESS
    assert "Đang nhập" in fragment and 'id="entry-status" hx-swap-oob="true"' in fragment
    assert Transition.objects.filter(assignment=dang_uy, to_status=Status.IN_PROGRESS).count() == 1


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.ACCEPTED])
def test_editing_a_submitted_report_is_refused(editor, dang_uy, status):
    row = add_device(dang_uy, ram_gb="8")
    Assignment.objects.filter(pk=dang_uy.pk).update(status=status)
    label = Status(status).label

    response = editor.post(url("entry_general", dang_uy), {**GENERAL, "version": "0"}, **HX)
    assert "bị khóa" in html(response) and str(label) in html(response)
    assert not GeneralInfo.objects.filter(assignment=dang_uy).exists()

    edit = url("entry_row_edit", dang_uy, "B05", row.pk)
    response = editor.post(edit, {**DESKTOP, "ram_gb": "64", "version": "1"}, **HX)
    assert "bị khóa" in html(response) and 'value="64"' in html(response)
    response = editor.post(url("entry_row_create", dang_uy, "B05"), DESKTOP)
    assert "bị khóa" in html(response)
    response = editor.get(url("entry_row_create", dang_uy, "B05"), **HX)
    assert "bị khóa" in html(response) and 'name="device_type"' not in html(response)
    response = editor.post(url("entry_row_duplicate", dang_uy, "B05", row.pk), follow=True)
    assert "bị khóa" in html(response)
    response = editor.post(url("entry_row_delete", dang_uy, "B05", row.pk), {"version": "1"}, **HX)
    assert "bị khóa" in html(response)
    row.refresh_from_db()
    assert row.ram_gb == Decimal("8") and EndDevice.objects.filter(assignment=dang_uy).count() == 1
    page = html(editor.get(url("entry_sheet", dang_uy, "B05")))
    assert 'data-testid="read-only"' in page and 'data-testid="edit-row"' not in page
    assert 'data-testid="save-general"' not in html(editor.get(url("entry_general", dang_uy)))


def _write_requests(assignment: Assignment, row: EndDevice) -> list[tuple[str, dict]]:
    return [
        (url("entry_general", assignment), {**GENERAL, "version": "0"}),
        (url("entry_row_create", assignment, "B05"), DESKTOP),
        (url("entry_row_edit", assignment, "B05", row.pk), {**DESKTOP, "version": "1"}),
        (url("entry_row_duplicate", assignment, "B05", row.pk), {}),
        (url("entry_row_delete", assignment, "B05", row.pk), {"version": "1"}),
        (url("entry_confirm_carried", assignment), {}),
    ]


@pytest.mark.parametrize("persona", ["viewer_muong_kim", "reviewer"])
def test_readers_get_403_on_every_write(clients, dang_uy, persona):
    row = add_device(dang_uy)
    client = clients[persona]
    for target, data in _write_requests(dang_uy, row):
        assert client.post(target, data).status_code == 403, target
    for target in (url("entry_row_create", dang_uy, "B05"), url("entry_row_edit", dang_uy, "B05", row.pk)):
        assert client.get(target).status_code == 403
    assert EndDevice.objects.filter(assignment=dang_uy).count() == 1
    assert not GeneralInfo.objects.filter(assignment=dang_uy).exists()
    for target in (url("entry_overview", dang_uy), url("entry_general", dang_uy)):
        assert client.get(target).status_code == 200


def test_muong_te_editor_gets_404_on_muong_kim_pages(clients, dang_uy):
    row = add_device(dang_uy)
    client = clients["editor_muong_te"]
    reads = [
        url("entry_overview", dang_uy),
        url("entry_general", dang_uy),
        url("entry_sheet", dang_uy, "B05"),
        url("entry_row_create", dang_uy, "B05"),
        url("entry_row_edit", dang_uy, "B05", row.pk),
    ]
    for target in reads:
        assert client.get(target).status_code == 404, target
    for target, data in _write_requests(dang_uy, row):
        assert client.post(target, data).status_code == 404, target
    assert EndDevice.objects.filter(assignment=dang_uy).count() == 1


def test_anonymous_is_sent_to_the_login_page(clients, dang_uy):
    response = clients["anonymous"].get(url("entry_overview", dang_uy))
    assert response.status_code == 302 and "/dang-nhap/" in response.url


def test_expired_session_sends_an_htmx_request_to_the_login_page(clients, dang_uy):
    page = url("entry_sheet", dang_uy, "B05")
    response = clients["anonymous"].post(
        url("entry_row_create", dang_uy, "B05"), DESKTOP, HTTP_HX_CURRENT_URL=f"http://testserver{page}", **HX
    )
    assert response.status_code == 200 and response.content == b""
    assert response["HX-Redirect"] == f"{reverse('login')}?next={page}"
    assert not EndDevice.objects.exists()


def test_write_views_refuse_get(editor, dang_uy):
    row = add_device(dang_uy)
    for name in ("entry_row_duplicate", "entry_row_delete"):
        assert editor.get(url(name, dang_uy, "B05", row.pk)).status_code == 405
    assert editor.get(url("entry_confirm_carried", dang_uy)).status_code == 405


def test_a_tampered_version_saves_nothing(editor, dang_uy):
    row = add_device(dang_uy, ram_gb="8")
    edit = url("entry_row_edit", dang_uy, "B05", row.pk)
    for version in ("abc", "", "-1"):
        response = editor.post(edit, {**DESKTOP, "ram_gb": "64", "version": version}, **HX)
        assert response.status_code == 200 and "Hãy tải lại trang" in html(response)
        response = editor.post(url("entry_row_delete", dang_uy, "B05", row.pk), {"version": version}, **HX)
        assert response.status_code == 200
    row.refresh_from_db()
    assert row.ram_gb == Decimal("8") and row.version == 1


# --- the hub -----------------------------------------------------------------------------------------


def test_overview_shows_sheets_counts_and_issues(editor, dang_uy):
    add_device(dang_uy, ram_gb="")
    add_device(dang_uy)
    editor.post(url("entry_row_create", dang_uy, "B02"), {**LINK, "bandwidth_mbps": "20000"})
    page = html(editor.get(url("entry_overview", dang_uy)))
    assert 'data-testid="unit-name">Đảng ủy xã Mường Kim<' in page
    assert "Đang nhập" in page
    assert re.search(r'data-testid="rows-B05">\s*2\s*<', page)
    assert re.search(r'data-testid="errors-B05">.*?>1<', page)
    assert re.search(r'data-testid="warnings-B02">.*?>1<', page)
    # B01 was never entered: its required lines are errors.
    assert re.search(r'data-testid="rows-B01">.*?Chưa nhập', page)
    assert 'data-testid="errors-B01"><span class="badge text-bg-danger">' in page
    assert "Phòng Bưu chính, Viễn thông, Công nghệ thông tin" in page and "02313.798.798" in page
    assert url("entry_sheet", dang_uy, "B05") in page
    assert reverse("workflow_history", args=["RS2026", dang_uy.unit_id]) in page
    assert reverse("workflow_submit", args=["RS2026", dang_uy.unit_id]) in page


def test_overview_links_the_units_of_the_commune(clients, campaign, dang_uy):
    page = html(clients["editor_muong_kim"].get(url("entry_overview", dang_uy)))
    for code in MUONG_KIM_UNITS[1:]:
        assert url("entry_overview", assignment_of(campaign, code)) in page
    assert page.count('data-testid="commune-unit"') == 5


def test_overview_offers_no_submit_to_readers_nor_on_a_locked_report(clients, dang_uy):
    submit = reverse("workflow_submit", args=["RS2026", dang_uy.unit_id])
    assert submit not in html(clients["viewer_muong_kim"].get(url("entry_overview", dang_uy)))
    assert submit not in html(clients["reviewer"].get(url("entry_overview", dang_uy)))
    Assignment.objects.filter(pk=dang_uy.pk).update(status=Status.SUBMITTED)
    assert submit not in html(clients["editor_muong_kim"].get(url("entry_overview", dang_uy)))


def test_overview_shows_the_latest_return_reason(editor, dang_uy):
    Transition.objects.create(
        assignment=dang_uy, from_status=Status.SUBMITTED, to_status=Status.RETURNED, reason="Thiếu biểu B02."
    )
    Transition.objects.create(
        assignment=dang_uy, from_status=Status.SUBMITTED, to_status=Status.RETURNED, reason="Sai số RAM."
    )
    Assignment.objects.filter(pk=dang_uy.pk).update(status=Status.RETURNED)
    page = html(editor.get(url("entry_overview", dang_uy)))
    reason = re.search(r'data-testid="return-reason">(.*?)</div>\s*</div>', page, re.S).group(1)
    assert "Sai số RAM." in reason and "Thiếu biểu B02." not in reason
    Assignment.objects.filter(pk=dang_uy.pk).update(status=Status.IN_PROGRESS)
    assert 'data-testid="return-reason"' not in html(editor.get(url("entry_overview", dang_uy)))


def test_carried_forward_rows_are_marked_and_confirmed(editor, dang_uy):
    row = add_device(dang_uy)
    EndDevice.objects.filter(pk=row.pk).update(carried_forward=True)
    overview = html(editor.get(url("entry_overview", dang_uy)))
    assert 'data-testid="carried-notice"' in overview and 'data-testid="confirm-carried"' in overview
    assert 'data-testid="carried-forward"' in row_html(
        html(editor.get(url("entry_sheet", dang_uy, "B05"))), row.pk
    )

    response = editor.post(url("entry_confirm_carried", dang_uy))
    assert response.status_code == 302 and response.url == url("entry_overview", dang_uy)
    row.refresh_from_db()
    assert not row.carried_forward and row.version == 2
    assert 'data-testid="carried-notice"' not in html(editor.get(url("entry_overview", dang_uy)))
    # `next` brings the user back to the sheet, but never to another site.
    sheet = url("entry_sheet", dang_uy, "B05")
    assert editor.post(url("entry_confirm_carried", dang_uy), {"next": sheet}).url == sheet
    response = editor.post(url("entry_confirm_carried", dang_uy), {"next": "https://example.com/"})
    assert response.url == url("entry_overview", dang_uy)


def test_a_blank_new_row_is_not_stored(campaign, clients):
    from rasoat.campaigns.models import Assignment
    from rasoat.inventory.models import EndDevice

    assignment = Assignment.objects.get(campaign=campaign, unit__code="X.03637.UB")
    url = f"/dot/RS2026/don-vi/{assignment.unit_id}/nhap/B05/them/"
    response = clients["editor_muong_kim"].post(url, {"version": "0"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Dòng trống" in response.content.decode()
    assert not EndDevice.objects.filter(assignment=assignment).exists()

"""NUL and other control characters at the edge: a clear 400 for addresses, stripped form fields.

Issue 8, failure 5: 17 of 36 probes with `%00` (a campaign code in the path, the report and audit
filters) gave a 500 on PostgreSQL. Run on both databases.
"""

import pytest
from django.urls import reverse

from rasoat.audit.models import AuditEntry
from rasoat.orgs.models import Kind, Unit

REFUSED = [
    "/dot/RS2026%00/",
    "/dot/RS2026%00/theo-doi/",
    "/dot/RS2026%00/theo-doi/chi-tiet/",
    "/dot/RS2026%00/bao-cao/",
    "/dot/RS2026%00/bao-cao/tinh/",
    "/dot/RS2026%00/xuat-excel/",
    "/dot/RS2026%00/don-vi/",
    "/dot/RS%01/sua/",
    "/nhat-ky/?actor=%00",
    "/nhat-ky/?unit=X.03637%00&action=a",
    "/nhat-ky/?since=%1b",
    "/dot/RS2026/bao-cao/?q=%00",
    "/dot/RS2026/bao-cao/?xa=%00",
    "/bao-cao/?q=a%00b",
    "/dot/RS2026/theo-doi/?xa=%00",
    "/dot/RS2026/theo-doi/chi-tiet/?figure=%00&value=1",
    "/don-vi/?q=%00",
    "/dot/RS2026/?q=%0a",
    "/dang-nhap/?next=/%00",
]


@pytest.mark.parametrize("url", REFUSED)
@pytest.mark.parametrize("persona", ["admin", "anonymous"])
def test_control_characters_in_an_address_get_a_400_page_in_vietnamese(clients, url, persona):
    response = clients[persona].get(url)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="control-characters"' in page
    assert "Địa chỉ không hợp lệ" in page and "ký tự điều khiển" in page


def test_the_same_addresses_without_control_characters_are_served(clients):
    for url in ("/dot/RS2026/", "/nhat-ky/?actor=admin", "/dot/RS2026/bao-cao/?q=Mường"):
        assert clients["admin"].get(url).status_code == 200, url


def test_control_characters_in_a_form_are_removed_and_the_user_told(clients):
    target = Unit.objects.get(code="X.03637.HD")
    response = clients["admin"].post(
        reverse("unit_edit", args=[target.pk]),
        {"code": "X.03637.HD", "name": "HĐND\x00 xã Mường Kim\x07", "kind": Kind.AGENCY, "level": "xa",
         "block": "hdnd", "reports": "on", "commune": Unit.objects.get(code="X.03637").pk,
         "former_district": "Than\x1f Uyên"},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    target.refresh_from_db()
    assert (target.name, target.former_district) == ("HĐND xã Mường Kim", "Than Uyên")
    assert "ký tự điều khiển không nhìn thấy được" in response.content.decode()
    entry = AuditEntry.objects.get(action="unit.updated", object_id=str(target.pk))
    assert "\x00" not in str(entry.changes)


def test_tab_and_new_lines_in_a_form_are_kept(clients):
    target = Unit.objects.get(code="X.03637.HD")
    clients["admin"].post(
        reverse("unit_edit", args=[target.pk]),
        {"code": "X.03637.HD", "name": "HĐND xã Mường Kim", "kind": Kind.AGENCY, "level": "xa",
         "block": "hdnd", "reports": "on", "commune": Unit.objects.get(code="X.03637").pk,
         "former_district": "Than\tUyên"},
    )  # fmt: skip
    target.refresh_from_db()
    assert target.former_district == "Than\tUyên"

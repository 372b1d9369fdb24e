"""The Mường Kim editor logs in, sees the campaign board with only its five units, and logs out."""

import pytest
from playwright.sync_api import expect

from tests.conftest import MUONG_KIM_UNITS, PASSWORD, make_user
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor(transactional_db):
    from rasoat.campaigns.services import ensure_first_campaign
    from rasoat.orgs.models import Unit
    from rasoat.orgs.registry import load_seed_registry
    from rasoat.orgs.roles import Role

    if not Unit.objects.exists():
        load_seed_registry()
    ensure_first_campaign()
    return make_user("bientap.muongkim", Role.EDITOR, "X.03637", full_name="Lò Thị Hoa")


def board_codes(page) -> list[str]:
    rows = page.locator("[data-testid=board-row]")
    return [rows.nth(i).get_attribute("data-unit") for i in range(rows.count())]


@pytest.mark.parametrize("device", ["page", "phone"])
def test_muong_kim_editor_sees_only_its_five_units(device, editor, live_server, request):
    page = request.getfixturevalue(device)
    login(page, live_server, editor.username, PASSWORD)
    assert page.locator("html").get_attribute("lang") == "vi"

    if device == "phone":
        page.get_by_role("button", name="Trình đơn").click()
    page.get_by_role("link", name="Đợt rà soát").click()
    page.get_by_role("link", name="RS2026").first.click()
    page.wait_for_selector("[data-testid=board-row]")

    assert sorted(board_codes(page)) == sorted(MUONG_KIM_UNITS)
    assert page.locator("[data-testid=status-count-not_started]").inner_text().strip().startswith("5")
    assert "Chưa thực hiện" in page.locator("main").inner_text()
    assert "Mường Tè" not in page.locator("main").inner_text()

    if device == "phone":
        page.get_by_role("button", name="Trình đơn").click()
        # The menu slides open; a click during its transition can land on a moving target.
        expect(page.locator(".navbar-collapse.show")).to_be_visible()
    page.get_by_role("button", name="Lò Thị Hoa").click()
    expect(page.get_by_test_id("logout")).to_be_visible()
    page.get_by_test_id("logout").click()
    page.wait_for_url(f"{live_server.url}/dang-nhap/**")
    page.goto(f"{live_server.url}/dot/RS2026/")
    assert "/dang-nhap/" in page.url

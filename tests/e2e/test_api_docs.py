"""Issue 12 in Chromium: the API docs (vendored Swagger UI) render under the strict CSP without
calling any other host; a token made on the account page is shown once and works against the API."""

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import login
from tests.e2e.test_csp import LISTEN

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(transactional_db):
    from rasoat.campaigns.services import ensure_first_campaign
    from rasoat.orgs.models import Unit
    from rasoat.orgs.registry import load_seed_registry
    from rasoat.orgs.roles import Role

    if not Unit.objects.exists():
        load_seed_registry()
    ensure_first_campaign()
    return make_user("canbo.api", Role.EDITOR, "X.03637", full_name="Cán bộ API")


def test_swagger_ui_renders_the_schema_offline_without_csp_violations(page, live_server, site):
    hosts = set()
    messages = []
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.add_init_script(LISTEN)
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("rasoat API")
    expect(page.get_by_text("/api/v1/campaigns/{code}/units/{unit}/data").first).to_be_visible()
    assert page.evaluate("window.__violations") == []
    assert not [m for m in messages if "Refused" in m or "Content Security Policy" in m]
    assert hosts == {urlparse(live_server.url).netloc}


def test_a_token_made_on_the_account_page_is_shown_once_and_works(page, live_server, site):
    login(page, live_server, "canbo.api", PASSWORD)
    page.goto(f"{live_server.url}/tai-khoan/ma-truy-cap/")
    page.fill("#id_name", "Kịch bản đồng bộ")
    page.get_by_test_id("token-create").click()
    secret = page.get_by_test_id("token-secret").inner_text().strip()
    assert secret.startswith("rst_")
    expect(page.get_by_test_id("token-list")).to_contain_text("Kịch bản đồng bộ")

    api = page.request
    mine = api.get(
        f"{live_server.url}/api/v1/units/X.03637.UB", headers={"Authorization": f"Bearer {secret}"}
    )
    assert mine.status == 200 and mine.json()["code"] == "X.03637.UB"
    other = api.get(
        f"{live_server.url}/api/v1/units/X.03445.UB", headers={"Authorization": f"Bearer {secret}"}
    )
    assert other.status == 404

    page.reload()  # the page came from a redirect: reloading makes no second token
    assert secret not in page.content()
    expect(page.get_by_test_id("token-revoke")).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("token-revoke").click()
    expect(page.get_by_test_id("token-list")).to_contain_text("đã thu hồi")
    revoked = api.get(f"{live_server.url}/api/v1/units", headers={"Authorization": f"Bearer {secret}"})
    assert revoked.status == 401

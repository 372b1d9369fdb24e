"""Issue 8, security headers, in Chromium: the main pages run under the strict Content-Security-Policy
with no violation reported, and what their scripts do still works — confirm dialogs, the language
switch, adding and cancelling a row with HTMX, the dashboard's charts and the score bars.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

# Chromium reports each blocked inline script, style, eval or resource both as a console message
# ("Refused to ...") and as a `securitypolicyviolation` event; the event listener is installed through
# the DevTools protocol, which the page's policy does not apply to.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = e.sourceFile + ":" + e.lineNumber;
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + where);
});
"""


@pytest.fixture
def site(transactional_db):
    from rasoat.campaigns.models import Campaign
    from rasoat.campaigns.services import ensure_first_campaign
    from rasoat.orgs.models import Unit
    from rasoat.orgs.registry import load_seed_registry
    from rasoat.orgs.roles import Role
    from tests.dashboard.helpers import load_dataset
    from tests.otp import give_app_device

    if not Unit.objects.exists():
        load_seed_registry()
    ensure_first_campaign()
    campaign = Campaign.objects.get(code="RS2026")
    load_dataset(campaign)
    admin = make_user("quantri.csp", Role.ADMIN, "LC", full_name="Quản trị CSP")
    give_app_device(admin)  # an administrator signs in with a second step
    target = make_user("canbo.csp", Role.EDITOR, "X.03637", full_name="Cán bộ CSP")
    return {
        "admin": admin,
        "target": target,
        "unit": Unit.objects.get(code="X.03637.UB"),
    }


@pytest.fixture
def watched(page):
    """The page, with every console message and CSP violation collected."""
    messages = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    page.add_init_script(LISTEN)
    page.messages = messages
    return page


def violations(page) -> list[str]:
    refused = [m for m in page.messages if "Refused to" in m or "Content Security Policy" in m]
    policy_errors = [m for m in page.messages if "Permissions-Policy" in m or "pageerror" in m]
    return refused + policy_errors + page.evaluate("() => window.__violations || []")


def test_main_pages_run_under_the_policy(watched, live_server, site):
    page = watched
    login(page, live_server, site["admin"].username, PASSWORD)
    header = page.request.get(f"{live_server.url}/").headers["content-security-policy"]
    assert "script-src 'self'" in header and "unsafe-inline" not in header
    assert violations(page) == []

    # Data entry: B01 (form) and B05, where HTMX adds a row form and Cancel removes it again.
    base = f"{live_server.url}/dot/RS2026/don-vi/{site['unit'].pk}"
    page.goto(f"{base}/nhap/B01/")
    expect(page.locator("[data-testid=general-form]")).to_be_visible()
    page.goto(f"{base}/nhap/B05/")
    page.locator("[data-testid=add-row]").click()
    expect(page.locator("[data-testid=new-row]")).to_have_count(1)
    page.locator("[data-testid=new-row] [data-testid=cancel-row]").click()
    expect(page.locator("[data-testid=new-row]")).to_have_count(0)
    assert page.url == f"{base}/nhap/B05/"  # the link's navigation was prevented
    assert violations(page) == []

    # The dashboard: every chart is drawn on a canvas sized by the server's height.
    page.goto(f"{live_server.url}/dot/RS2026/theo-doi/")
    page.wait_for_function("() => typeof Chart !== 'undefined'")
    charts = page.evaluate(
        """() => [...document.querySelectorAll('canvas[data-chart]')].map(c => ({
             drawn: !!Chart.getChart(c), height: c.parentElement.getBoundingClientRect().height,
             wanted: Number(c.parentElement.dataset.heightPx), width: c.width}))"""
    )
    assert len(charts) >= 10
    for chart in charts:
        assert chart["drawn"] and chart["width"] > 0
        assert abs(chart["height"] - chart["wanted"]) < 1
    # Pixels were painted (a blank canvas is all zeros).
    painted = page.evaluate(
        """() => { const c = document.querySelector('canvas[data-chart]');
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   return d.some(v => v !== 0); }"""
    )
    assert painted
    assert violations(page) == []

    # A unit's assessment: the score bars take their width from the data attribute.
    page.goto(f"{base}/danh-gia/")
    bars = page.locator(".progress-bar[data-width-percent]")
    assert bars.count() > 0
    widths = page.evaluate(
        """() => [...document.querySelectorAll('.progress-bar[data-width-percent]')].map(b => [
             b.style.width, b.dataset.widthPercent])"""
    )
    assert all(style == f"{percent}%" for style, percent in widths)
    assert violations(page) == []

    # Users: a confirm dialog guards the password reset; Cancel keeps it, OK does it.
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.goto(f"{live_server.url}/nguoi-dung/")
    expect(page.locator("body")).to_contain_text("canbo.csp")
    page.goto(f"{live_server.url}/nguoi-dung/{site['target'].pk}/")
    page.once("dialog", lambda dialog: answer(dialog, False))
    page.get_by_test_id("user-reset-password").click()
    page.wait_for_timeout(300)
    assert questions == ["Đặt mật khẩu ngẫu nhiên mới cho tài khoản này?"]
    assert page.url.endswith(f"/nguoi-dung/{site['target'].pk}/")
    site["target"].refresh_from_db()
    assert site["target"].check_password(PASSWORD)
    page.once("dialog", lambda dialog: answer(dialog, True))
    page.get_by_test_id("user-reset-password").click()
    expect(page.get_by_test_id("new-password-box")).to_be_visible()
    site["target"].refresh_from_db()
    assert not site["target"].check_password(PASSWORD)
    assert len(questions) == 2

    # A button-level confirm: deactivating a unit, dismissed, leaves it active.
    page.goto(f"{live_server.url}/don-vi/{site['unit'].pk}/")
    page.once("dialog", lambda dialog: answer(dialog, False))
    page.get_by_test_id("unit-deactivate").click()
    page.wait_for_timeout(300)
    site["unit"].refresh_from_db()
    assert site["unit"].active
    assert questions[2].startswith("Ngừng hoạt động đơn vị này?")
    assert violations(page) == []

    # The language switch submits its form on change.
    page.locator("#language").select_option("en")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    expect(page.locator("nav.navbar")).to_contain_text("Units")
    page.locator("#language").select_option("vi")
    page.wait_for_function("() => document.documentElement.lang === 'vi'")
    assert violations(page) == []


def test_a_blocked_inline_script_would_be_reported(watched, live_server, site):
    """The check above is not blind: an inline script injected into a page is refused and seen."""
    page = watched
    login(page, live_server, site["admin"].username, PASSWORD)
    page.evaluate(
        """() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';
                   document.body.appendChild(s);
                   const d = document.createElement('div'); d.setAttribute('style', 'color: red');
                   document.body.appendChild(d); }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__ran") is None
    found = violations(page)
    assert any("script-src" in v for v in found), found
    assert any(re.search(r"style-src", v) for v in found), found

"""Issue 11 item 5 in Chromium: a reviewer returns a report with a reason; the editor of that commune gets
the e-mail (a real SMTP server on 127.0.0.1) and sees the notice under the bell, with the reason, and
its link opens the unit; the editor of another commune is told nothing."""

import time

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import login
from tests.otp import give_app_device

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "Biểu B05 thiếu máy in của bộ phận một cửa."


@pytest.fixture
def people(transactional_db):
    from rasoat.campaigns.services import ensure_first_campaign
    from rasoat.orgs.models import Unit
    from rasoat.orgs.registry import load_seed_registry
    from rasoat.orgs.roles import Role

    if not Unit.objects.exists():
        load_seed_registry()
    ensure_first_campaign()
    reviewer = make_user("tonghop.sokhcn", Role.REVIEWER, "LC", full_name="Nguyễn Văn Bình")
    give_app_device(reviewer)
    return {
        "editor": make_user("bientap.muongte", Role.EDITOR, "X.03445", email="muongte@laichau.gov.vn"),
        "other": make_user("bientap.muongkim", Role.EDITOR, "X.03637", email="muongkim@laichau.gov.vn"),
        "reviewer": reviewer,
    }


@pytest.fixture
def smtp_server(settings, live_server):
    from tests.notifications.smtp import SmtpServer

    server = SmtpServer().start()
    settings.EMAIL_URL = server.url
    settings.RASOAT_BASE_URL = live_server.url
    yield server
    server.stop()


def session(browser, live_server, user, width=1280):
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    login(page, live_server, user.username, PASSWORD)
    return context, page


def test_return_reaches_the_editor_by_mail_and_under_the_bell(browser, live_server, people, smtp_server):
    from rasoat.campaigns.models import Assignment
    from rasoat.inventory import workflow
    from tests.inventory.test_workflow import load

    assignment = Assignment.objects.select_related("unit", "campaign").get(unit__code="X.03445.DU")
    load(assignment, actor=people["editor"])
    workflow.submit(assignment, people["editor"], acknowledge_warnings=True)
    base = f"{live_server.url}/dot/RS2026/don-vi/{assignment.unit_id}"

    context, page = session(browser, live_server, people["reviewer"])
    page.goto(f"{base}/lich-su/")
    page.locator("[data-testid=return-form] [name=reason]").fill(REASON)
    page.locator("[data-testid=return]").click()
    # The review desk asks first, on a confirmation page that carries the reason.
    expect(page.locator("[data-testid=confirm-return] [name=reason]")).to_have_value(REASON)
    page.locator("[data-testid=confirm]").click()
    expect(page.locator("main")).to_contain_text("Trả lại")
    context.close()

    deadline = time.monotonic() + 20
    while not smtp_server.inbox.to("muongte@laichau.gov.vn") and time.monotonic() < deadline:
        time.sleep(0.2)
    (mail,) = smtp_server.inbox.to("muongte@laichau.gov.vn")
    assert "bị trả lại" in mail["Subject"] and REASON in mail.get_content()
    assert f"{base}/nhap/" in mail.get_content()
    assert not smtp_server.inbox.to("muongkim@laichau.gov.vn")

    context, page = session(browser, live_server, people["editor"], width=360)
    page.goto(f"{live_server.url}/")
    if page.locator(".navbar-toggler").is_visible():
        page.locator(".navbar-toggler").click()
    expect(page.locator("[data-testid=unread-count]")).to_contain_text("1")
    page.locator("[data-testid=nav-notifications]").click()
    notice = page.locator("[data-testid=notifications] a").first
    expect(notice).to_contain_text(REASON)
    notice.click()
    page.wait_for_url(f"{base}/nhap/")
    expect(page.locator("main")).to_contain_text(REASON)
    expect(page.locator("[data-testid=unread-count]")).to_have_count(0)
    context.close()

    context, page = session(browser, live_server, people["other"])
    page.goto(f"{live_server.url}/thong-bao/")
    expect(page.locator("[data-testid=notifications]")).to_contain_text("chưa có thông báo")
    context.close()

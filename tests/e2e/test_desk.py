"""Issue 11 in Chromium with an English browser (locale en-US): the interface stays Vietnamese; a
reviewer finds a unit by typing part of its name without accents, opens it and returns it with a
reason; the editor's home shows the reason; the editor fixes and resubmits; the reviewer accepts three
units at once from the board. Screenshots at 360 px of the home and the board go to docs/img/ when
RASOAT_SCREENSHOTS=1.
"""

import time

import pytest
from playwright.sync_api import expect

from tests.conftest import MUONG_KIM_UNITS, PASSWORD, make_user
from tests.e2e.conftest import login, screenshot_folder
from tests.otp import give_app_device

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "Số lượng máy in ở B05 chưa khớp biên bản kiểm kê."
DOCS_IMG = screenshot_folder()  # docs/img/ with RASOAT_SCREENSHOTS=1
# Words of the English interface that must never show to a clerk (data may hold other English words).
ENGLISH = ["Campaigns", "Log out", "Not started", "In progress", "Submitted", "Deadline", "Status", "Home"]


@pytest.fixture
def people(transactional_db):
    from rasoat.campaigns.models import Campaign
    from rasoat.campaigns.services import ensure_first_campaign
    from rasoat.inventory import workflow
    from rasoat.orgs.models import Unit
    from rasoat.orgs.registry import load_seed_registry
    from rasoat.orgs.roles import Role
    from tests.inventory.test_workflow import assignment_of, load

    if not Unit.objects.exists():
        load_seed_registry()
    ensure_first_campaign()
    campaign = Campaign.objects.get(code="RS2026")
    editor = make_user(
        "bientap.muongkim", Role.EDITOR, "X.03637", full_name="Lò Thị Hoa", email="muongkim@laichau.gov.vn"
    )
    reviewer = make_user("tonghop.sokhcn", Role.REVIEWER, "LC", full_name="Nguyễn Văn Bình")
    give_app_device(reviewer)
    # Three Mường Kim units have submitted valid data (with one warning each, acknowledged).
    for code in MUONG_KIM_UNITS[:3]:
        assignment = assignment_of(campaign, code)
        load(assignment, actor=editor)
        workflow.submit(assignment, editor, acknowledge_warnings=True)
    return {"editor": editor, "reviewer": reviewer, "unit": Unit.objects.get(code="X.03637.UB")}


@pytest.fixture
def smtp_server(settings, live_server):
    """A real SMTP server on 127.0.0.1 that the notifications are sent to."""
    from tests.notifications.smtp import SmtpServer

    server = SmtpServer().start()
    settings.EMAIL_URL = server.url
    settings.RASOAT_BASE_URL = live_server.url
    yield server
    server.stop()


def session(browser, live_server, user, width=1280):
    """A browser that asks for English, as many office PCs do."""
    context = browser.new_context(
        locale="en-US",
        extra_http_headers={"Accept-Language": "en-US,en;q=0.9"},
        viewport={"width": width, "height": 900},
        is_mobile=width < 500,
        has_touch=width < 500,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    login(page, live_server, user.username, PASSWORD)
    return context, page


def assert_vietnamese(page):
    assert page.locator("html").get_attribute("lang") == "vi", page.url
    text = page.locator("body").inner_text()
    found = [word for word in ENGLISH if word in text]
    assert not found, f"{page.url}: English words {found}"


def test_review_desk_end_to_end_in_an_english_browser(browser, live_server, people, smtp_server):
    unit = people["unit"]
    base = f"{live_server.url}/dot/RS2026/don-vi/{unit.pk}"

    # The reviewer finds the unit by typing part of its name without accents, and opens it.
    context, page = session(browser, live_server, people["reviewer"])
    assert_vietnamese(page)
    page.goto(f"{live_server.url}/dot/RS2026/")
    page.locator("[data-testid=board-search-form] [name=q]").fill("uy ban nhan dan xa muong kim")
    page.locator("[data-testid=board-search]").click()
    rows = page.locator("[data-testid=board-row]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-unit", "X.03637.UB")
    assert_vietnamese(page)
    rows.first.locator("[data-testid=unit-entry-link]").click()
    page.wait_for_url(f"{base}/nhap/")
    # Trả lại from the unit's overview, with the reason, after confirming.
    page.locator("[data-testid=review-return]").click()
    page.locator("[data-testid=confirm-return] [name=reason]").fill(REASON)
    assert_vietnamese(page)
    page.locator("[data-testid=confirm]").click()
    page.wait_for_url(f"{base}/nhap/")
    expect(page.locator("[data-testid=status-badge]").first).to_have_text("Trả lại")
    context.close()
    # The editor of the commune got the e-mail with the reason (a real SMTP server received it).
    deadline = time.monotonic() + 20
    while not smtp_server.inbox.to("muongkim@laichau.gov.vn") and time.monotonic() < deadline:
        time.sleep(0.2)
    (mail,) = smtp_server.inbox.to("muongkim@laichau.gov.vn")
    assert REASON in mail.get_content()

    # The editor's home (a phone, English browser) shows the reason; the editor fixes and resubmits.
    context, page = session(browser, live_server, people["editor"], width=360)
    card = page.locator("[data-testid=todo-unit][data-unit='X.03637.UB']")
    expect(card.locator("[data-testid=todo-return-reason]")).to_contain_text(REASON)
    expect(page.locator("[data-testid=todo-unit]")).to_have_count(5)
    assert_vietnamese(page)
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_IMG / "desk-home-360.png"), full_page=True)
    for path in ("nhap/", "nhap/B01/", "nhap/B05/", "gui/", "lich-su/"):
        page.goto(f"{base}/{path}")
        assert_vietnamese(page)
    page.goto(f"{base}/nhap/B05/")
    page.locator("[data-testid=entry-table] [data-testid=edit-row]").first.click()
    editing = page.locator("[data-testid=row-form]")
    editing.locator("[name=quantity]").fill("7")
    editing.locator("[data-testid=save-row]").click()
    expect(page.locator("[data-testid=row-form]")).to_have_count(0)
    page.goto(f"{live_server.url}/")
    card = page.locator("[data-testid=todo-unit][data-unit='X.03637.UB']")
    card.locator("[data-testid=todo-next]").click()
    page.wait_for_url(f"{base}/gui/")
    page.locator("[name=acknowledge]").check()
    page.locator("[data-testid=submit-button]").click()
    page.wait_for_url(f"{base}/lich-su/")
    expect(page.locator("main")).to_contain_text("Đã gửi")
    page.goto(f"{live_server.url}/")
    card = page.locator("[data-testid=todo-unit][data-unit='X.03637.UB']")
    expect(card.locator("[data-testid=todo-return-reason]")).to_have_count(0)
    context.close()

    # The reviewer accepts the three submitted units at once from the board.
    context, page = session(browser, live_server, people["reviewer"])
    page.goto(f"{live_server.url}/dot/RS2026/?status=submitted")
    boxes = page.locator("[data-testid=select-unit]")
    expect(boxes).to_have_count(3)
    for index in range(3):
        boxes.nth(index).check()
    page.locator("[data-testid=bulk-accept]").click()
    expect(page.locator("[data-testid=bulk-units] li")).to_have_count(3)
    assert_vietnamese(page)
    page.locator("[data-testid=confirm-bulk-accept] [data-testid=confirm]").click()
    expect(page.locator("[data-testid=status-count-accepted]")).to_have_text("3")
    expect(page.locator("main")).to_contain_text("Đã duyệt báo cáo của 3 đơn vị")
    context.close()

    # On a 360 px phone the board still shows each unit's status.
    context, page = session(browser, live_server, people["reviewer"], width=360)
    page.goto(f"{live_server.url}/dot/RS2026/?q=muong+kim")
    badge = page.locator("[data-testid=board-row] [data-testid=status-badge]").first
    expect(badge).to_be_visible()
    box = badge.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 360, box
    page.screenshot(path=str(DOCS_IMG / "desk-board-360.png"), full_page=True)
    context.close()


def test_every_page_a_clerk_sees_is_vietnamese_in_an_english_browser(browser, live_server, people):
    """The commune editor walks through every page of the work in Chromium with locale en-US."""
    from rasoat.orgs.models import Unit

    unit = people["unit"]
    commune = Unit.objects.get(code="X.03637")
    pages = [
        "/",
        "/dot/",
        "/dot/RS2026/",
        f"/dot/RS2026/xa/{commune.pk}/",
        f"/dot/RS2026/don-vi/{unit.pk}/nhap/",
        f"/dot/RS2026/don-vi/{unit.pk}/nhap/B01/",
        f"/dot/RS2026/don-vi/{unit.pk}/nhap/B05/",
        f"/dot/RS2026/don-vi/{unit.pk}/gui/",
        f"/dot/RS2026/don-vi/{unit.pk}/lich-su/",
        f"/dot/RS2026/don-vi/{unit.pk}/tai-len/",
        f"/dot/RS2026/don-vi/{unit.pk}/danh-gia/",
        "/dot/RS2026/bao-cao/",
        "/dot/RS2026/theo-doi/",
        "/don-vi/",
        "/doi-mat-khau/",
        "/tai-khoan/bao-mat/",
        "/trang-khong-co/",
    ]
    context, page = session(browser, live_server, people["editor"])
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        assert_vietnamese(page)
    context.close()
    # Signed out, the sign-in page too.
    context = browser.new_context(locale="en-US", extra_http_headers={"Accept-Language": "en-US"})
    page = context.new_page()
    page.goto(f"{live_server.url}/dang-nhap/")
    assert_vietnamese(page)
    context.close()

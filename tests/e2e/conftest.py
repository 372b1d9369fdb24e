"""Browser tests: Playwright drives the system Chromium (/usr/bin/chromium), never a downloaded one.

Without Chromium the tests skip with the reason printed; in CI (RASOAT_REQUIRE_BROWSER=1) a missing
browser fails the run instead, so the tests cannot silently stop running there.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("RASOAT_CHROMIUM", "/usr/bin/chromium"))
# Keep Chromium from calling out on a closed network; --no-sandbox because CI runs as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM} (Debian package 'chromium'): browser tests skipped"
        if os.environ.get("RASOAT_REQUIRE_BROWSER"):
            pytest.fail(reason.replace("skipped", "required in CI"))
        pytest.skip(reason)
    # Playwright's sync API runs an event loop in this thread; the live server's ORM calls happen in
    # its own thread, but fixtures here touch the ORM while the loop runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    """A narrow, touch viewport like a commune clerk's phone."""
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def login(page, live_server, username: str, password: str) -> None:
    """Sign in as a person would; when the code step asks, type the code the user's app would show."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.otp import next_code

    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/dang-nhap/" not in url or "/ma-xac-thuc/" in url)
    if "/dang-nhap/ma-xac-thuc/" in page.url:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.fill("#id_code", next_code(device))
        page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url(f"{live_server.url}/")


def screenshot_folder() -> Path:
    """Where the documentation's screenshots go: docs/img/ when RASOAT_SCREENSHOTS=1 (to refresh the
    pictures of the user guide), else a temporary folder, so that a test run leaves the tree clean."""
    if os.environ.get("RASOAT_SCREENSHOTS") == "1":
        return Path(__file__).resolve().parents[2] / "docs" / "img"
    import tempfile

    return Path(tempfile.mkdtemp(prefix="rasoat-screenshots-"))

"""Issue 8 in Chromium: an administrator enrols an authenticator app, signs out and in with its code and
with a recovery code (which works once); a reviewer without a second factor is sent to enrol.

The codes are computed from the secret the enrolment page shows, as the phone's app would.
"""

import base64
import re
import time

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, make_user
from tests.otp import code_from_key

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def registry(transactional_db):
    from rasoat.campaigns.services import ensure_first_campaign
    from rasoat.orgs.models import Unit
    from rasoat.orgs.registry import load_seed_registry

    if not Unit.objects.exists():
        load_seed_registry()
    ensure_first_campaign()


class App:
    """The phone's authenticator: codes from the secret, never the same time step twice."""

    def __init__(self, secret: str):
        self.key = base64.b32decode(secret.replace(" ", ""))
        self.last_step = -1

    def code(self) -> str:
        while True:
            step = int(time.time() // 30)
            wanted = max(step, self.last_step + 1)
            if wanted <= step + 1:  # django-otp accepts the next step too
                self.last_step = wanted
                return code_from_key(self.key, at=wanted * 30 + 1)
            time.sleep(1)


def password_step(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def sign_out(page) -> None:
    page.locator("nav .dropdown-toggle").click()
    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(r"/dang-nhap/$"))


def test_administrator_enrols_signs_out_and_signs_in_with_the_app_and_a_recovery_code(
    page, live_server, registry
):
    from rasoat.orgs.roles import Role

    make_user("quantri.so", Role.ADMIN, "LC", full_name="Quản Trị Sở")
    password_step(page, live_server, "quantri.so")
    # An administrator must have a second factor: straight to the enrolment page.
    page.wait_for_url(re.compile(r"/tai-khoan/bao-mat/thiet-lap/"))
    expect(page.get_by_test_id("otp-required")).to_be_visible()
    qr = page.get_by_test_id("otp-qr")
    expect(qr).to_be_visible()
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", qr.element_handle())
    app = App(page.get_by_test_id("otp-secret").inner_text())
    page.fill("#id_code", app.code())
    page.get_by_role("button", name="Xác nhận").click()
    codes = page.get_by_test_id("recovery-code")
    expect(codes).to_have_count(10)
    recovery = codes.nth(0).inner_text()
    page.get_by_test_id("recovery-continue").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Người dùng")).to_be_visible()
    sign_out(page)

    # Signing in again takes the password, then the app's code.
    password_step(page, live_server, "quantri.so")
    page.wait_for_url(re.compile(r"/dang-nhap/ma-xac-thuc/"))
    expect(page.get_by_role("link", name="Người dùng")).to_have_count(0)
    page.fill("#id_code", "000000")
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_text("Mã không đúng.")).to_be_visible()
    time.sleep(1.1)  # django-otp makes the device wait a second after a wrong code
    page.fill("#id_code", app.code())
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url(f"{live_server.url}/")
    sign_out(page)

    # A recovery code signs in once...
    password_step(page, live_server, "quantri.so")
    page.wait_for_url(re.compile(r"/dang-nhap/ma-xac-thuc/"))
    page.fill("#id_code", recovery)
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_text("còn 9 mã")).to_be_visible()
    sign_out(page)

    # ... and only once.
    password_step(page, live_server, "quantri.so")
    page.wait_for_url(re.compile(r"/dang-nhap/ma-xac-thuc/"))
    page.fill("#id_code", recovery)
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_text("Mã không đúng.")).to_be_visible()
    page.goto(f"{live_server.url}/nguoi-dung/")
    assert "/dang-nhap/ma-xac-thuc/" in page.url


def test_a_reviewer_without_a_second_factor_is_sent_to_enrol(page, live_server, registry):
    from rasoat.orgs.roles import Role

    make_user("tonghop.moi", Role.REVIEWER, "LC", full_name="Tổng Hợp Mới")
    password_step(page, live_server, "tonghop.moi")
    page.wait_for_url(re.compile(r"/tai-khoan/bao-mat/thiet-lap/"))
    expect(page.get_by_role("heading", name="Thiết lập xác thực hai bước")).to_be_visible()
    # Nothing else opens until the app is set up; the menu offers only logging out.
    expect(page.get_by_role("link", name="Theo dõi")).to_have_count(0)
    page.goto(f"{live_server.url}/dot/RS2026/theo-doi/")
    assert "/tai-khoan/bao-mat/thiet-lap/" in page.url
    app = App(page.get_by_test_id("otp-secret").inner_text())
    page.fill("#id_code", app.code())
    page.get_by_role("button", name="Xác nhận").click()
    page.get_by_test_id("recovery-continue").click()
    # Back where the reviewer was going.
    page.wait_for_url(re.compile(r"/dot/RS2026/theo-doi/$"))

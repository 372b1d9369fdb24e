"""Two-factor sign-in: the code step, enrolment, recovery codes, who must use it, an administrator's reset."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from rasoat.audit.models import AuditEntry
from rasoat.orgs import services
from rasoat.orgs.models import Unit
from rasoat.orgs.roles import Role
from tests.conftest import PASSWORD, client_for, make_user
from tests.otp import code_from_key, give_app_device, next_code

VERIFY = "/dang-nhap/ma-xac-thuc/"
ENROL = "/tai-khoan/bao-mat/thiet-lap/"
SECURITY = "/tai-khoan/bao-mat/"


def password_step(username: str, next_url: str | None = None) -> tuple[Client, object]:
    client = Client()
    data = {"username": username, "password": PASSWORD}
    url = reverse("login")
    if next_url:
        data["next"] = next_url
    return client, client.post(url, data)


def enrol(client: Client) -> list[str]:
    """Enrol as a person does: read the key from the page, type the app's code; returns the codes."""
    page = client.get(ENROL).content.decode()
    secret = re.search(r'data-testid="otp-secret">([^<]+)<', page).group(1).replace(" ", "")
    import base64

    response = client.post(ENROL, {"code": code_from_key(base64.b32decode(secret))})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return re.findall(r'data-testid="recovery-code">([^<]+)<', response.content.decode())


@pytest.fixture
def reviewer(lai_chau):
    return make_user("tong_hop", Role.REVIEWER, "LC")


@pytest.fixture
def editor(lai_chau):
    return make_user("nhap_lieu", Role.EDITOR, "X.03637")


# --- the code step -----------------------------------------------------------------------------------


def test_a_user_with_a_device_signs_in_in_two_steps(reviewer):
    device = give_app_device(reviewer)
    client, response = password_step("tong_hop", next_url="/dot/")
    # After the password, every page leads to the code step (keeping where the user was going).
    assert response.status_code == 302
    assert client.get("/dot/").url == VERIFY + "?next=%2Fdot%2F"
    assert client.get("/nguoi-dung/").url.startswith(VERIFY)
    assert client.post("/dot/RS2026/danh-gia/tinh-lai/").url == VERIFY
    page = client.get(VERIFY + "?next=/dot/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Xác thực hai bước" in html and "Mã xác thực" in html
    assert 'href="/dot/"' not in html  # no navigation before the code

    response = client.post(VERIFY, {"code": "000000", "next": "/dot/"})
    assert "Mã không đúng." in response.content.decode()
    device.throttle_reset()
    response = client.post(VERIFY, {"code": next_code(device), "next": "/dot/"})
    assert response.status_code == 302 and response["Location"] == "/dot/"
    assert client.get("/dot/").status_code == 200
    assert client.get(VERIFY).status_code == 302  # nothing left to verify


def test_wrong_codes_are_throttled_by_the_device(reviewer):
    device = give_app_device(reviewer)
    client, _ = password_step("tong_hop")
    assert client.post(VERIFY, {"code": "000000"}).status_code == 200
    response = client.post(VERIFY, {"code": next_code(device)})
    # django-otp makes the device wait after a failure: even the right code is refused for now.
    assert response.status_code == 429
    assert "Nhập sai mã quá nhiều lần. Vui lòng chờ" in response.content.decode()
    assert client.get("/dot/").url.startswith(VERIFY)


def test_the_wait_after_wrong_codes_is_capped(reviewer):
    """Someone who learnt the password cannot keep the owner out for days by typing wrong codes."""
    device = give_app_device(reviewer)
    device.throttling_failure_count = 30  # django-otp alone would ask for 2^29 seconds
    device.throttling_failure_timestamp = timezone.now() - datetime.timedelta(minutes=14)
    device.save()
    client, _ = password_step("tong_hop")
    assert client.post(VERIFY, {"code": next_code(device)}).status_code == 429
    device.throttling_failure_timestamp = timezone.now() - datetime.timedelta(minutes=15, seconds=1)
    device.save()
    response = client.post(VERIFY, {"code": next_code(device)})
    assert response.status_code == 302
    assert client.get("/dot/").status_code == 200


def test_the_verify_page_refuses_a_redirect_off_the_site(reviewer):
    device = give_app_device(reviewer)
    client, _ = password_step("tong_hop")
    response = client.post(VERIFY, {"code": next_code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_a_recovery_code_works_once(reviewer):
    give_app_device(reviewer)
    client = client_for(reviewer)
    response = client.post("/tai-khoan/bao-mat/ma-du-phong/")
    codes = re.findall(r'data-testid="recovery-code">([^<]+)<', response.content.decode())
    assert len(codes) == 10

    first, _ = password_step("tong_hop")
    response = first.post(VERIFY, {"code": codes[0].upper()}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "còn 9 mã" in response.content.decode()
    assert AuditEntry.objects.filter(action="user.otp_recovery_used", actor=reviewer).count() == 1

    second, _ = password_step("tong_hop")
    response = second.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 200 and "Mã không đúng." in response.content.decode()
    assert StaticToken.objects.filter(device__user=reviewer).count() == 9


def test_new_recovery_codes_replace_the_old_ones(reviewer):
    give_app_device(reviewer)
    client = client_for(reviewer)
    old = re.findall(
        r'recovery-code">([^<]+)<', client.post("/tai-khoan/bao-mat/ma-du-phong/").content.decode()
    )
    new = re.findall(
        r'recovery-code">([^<]+)<', client.post("/tai-khoan/bao-mat/ma-du-phong/").content.decode()
    )
    assert set(old).isdisjoint(new)
    stored = {
        f"{t[:4]}-{t[4:]}"
        for t in StaticToken.objects.filter(device__user=reviewer).values_list("token", flat=True)
    }
    assert stored == set(new)


# --- who must use it -------------------------------------------------------------------------------


def test_a_reviewer_without_a_device_is_sent_to_enrol_and_can_do_nothing_else(reviewer):
    client, response = password_step("tong_hop")
    assert client.get(reverse("home")).url == ENROL + "?next=%2F"
    for url in ("/dot/", "/don-vi/", "/nguoi-dung/", "/doi-mat-khau/", SECURITY, "/khong-co/"):
        assert client.get(url).url.startswith(ENROL), url
    assert client.post("/dot/RS2026/danh-gia/tinh-lai/").url == ENROL
    page = client.get(ENROL).content.decode()
    assert 'data-testid="otp-required"' in page
    assert 'src="/tai-khoan/bao-mat/ma-qr.svg"' in page
    qr = client.get("/tai-khoan/bao-mat/ma-qr.svg")
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr.content.startswith(b"<svg") and b"<path" in qr.content
    assert "no-store" in qr["Cache-Control"]

    codes = enrol(client)
    assert len(codes) == 10
    assert client.get("/dot/").status_code == 200
    device = TOTPDevice.objects.get(user=reviewer)
    assert device.confirmed
    assert AuditEntry.objects.filter(action="user.otp_enrolled", object_id=str(reviewer.pk)).exists()
    # Logging out and in again now asks for the code.
    client.post(reverse("logout"))
    again, _ = password_step("tong_hop")
    assert again.get("/dot/").url.startswith(VERIFY)


def test_enrolment_refuses_a_wrong_code(reviewer):
    client, _ = password_step("tong_hop")
    client.get(ENROL)
    response = client.post(ENROL, {"code": "12345"})
    assert response.status_code == 200
    assert "Mã không đúng." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=reviewer, confirmed=True).exists()
    assert client.get("/dot/").url.startswith(ENROL)


def test_an_administrator_and_a_superuser_must_enrol_too(lai_chau):
    make_user("quan_tri", Role.ADMIN, "X.03637")
    make_user("sieu", is_superuser=True)
    for username in ("quan_tri", "sieu"):
        client, _ = password_step(username)
        assert client.get("/").url.startswith(ENROL), username


def test_an_editor_may_skip_two_factor_and_may_enrol_and_turn_it_off(editor):
    client, response = password_step("nhap_lieu")
    assert client.get("/dot/").status_code == 200
    page = client.get(SECURITY).content.decode()
    assert "Xác thực hai bước đang tắt." in page
    enrol(client)
    assert "Xác thực hai bước đang bật" in client.get(SECURITY).content.decode()
    # Turning it off asks for the password.
    response = client.post("/tai-khoan/bao-mat/tat/", {"password": "sai"}, follow=True)
    assert "Mật khẩu không đúng." in response.content.decode()
    assert TOTPDevice.objects.filter(user=editor).exists()
    response = client.post("/tai-khoan/bao-mat/tat/", {"password": PASSWORD}, follow=True)
    assert "Đã tắt xác thực hai bước." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert client.get("/dot/").status_code == 200
    assert AuditEntry.objects.filter(action="user.otp_disabled", object_id=str(editor.pk)).exists()


def test_a_reviewer_cannot_turn_it_off(reviewer):
    give_app_device(reviewer)
    client = client_for(reviewer)
    assert client.post("/tai-khoan/bao-mat/tat/", {"password": PASSWORD}).status_code == 403
    assert TOTPDevice.objects.filter(user=reviewer).exists()


def test_a_setting_requires_it_for_everyone(editor, settings):
    settings.OTP_REQUIRED_FOR = "all"
    client, _ = password_step("nhap_lieu")
    assert client.get("/dot/").url.startswith(ENROL)
    enrol(client)
    assert client.get("/dot/").status_code == 200


def test_granting_a_privileged_role_ends_the_sessions_so_the_next_sign_in_enrols(personas, clients, editor):
    client, _ = password_step("nhap_lieu")
    assert client.get("/dot/").status_code == 200
    response = clients["admin"].post(
        reverse("membership_grant", args=[editor.pk]),
        {"role": Role.REVIEWER, "unit": Unit.objects.get(code="X.03637").pk},
    )
    assert response.status_code == 302
    assert client.get("/dot/").url.startswith(reverse("login"))
    again, _ = password_step("nhap_lieu")
    assert again.get("/dot/").url.startswith(ENROL)


# --- an administrator's reset ----------------------------------------------------------------------


def test_an_administrator_resets_a_users_second_factor(personas, clients, reviewer):
    give_app_device(reviewer)
    own_session = client_for(reviewer)
    assert own_session.get("/dot/").status_code == 200
    detail = clients["admin"].get(reverse("user_detail", args=[reviewer.pk])).content.decode()
    assert 'data-testid="user-reset-otp"' in detail
    response = clients["admin"].post(
        reverse("user_reset_second_factor", args=[reviewer.pk]),
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.44",
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert not StaticToken.objects.filter(device__user=reviewer).exists()
    entry = AuditEntry.objects.get(action="user.otp_reset")
    assert (entry.actor, entry.object_id, entry.address) == (
        personas["admin"],
        str(reviewer.pk),
        "192.0.2.44",
    )
    # The session opened with the lost phone is over; the next sign-in enrols a new app.
    assert own_session.get("/dot/").url.startswith(reverse("login"))
    client, _ = password_step("tong_hop")
    assert client.get("/dot/").url.startswith(ENROL)
    # The administrator's own session goes on.
    assert clients["admin"].get("/dot/").status_code == 200


def test_only_administrators_reset_a_second_factor(personas, clients, reviewer):
    give_app_device(reviewer)
    url = reverse("user_reset_second_factor", args=[reviewer.pk])
    for persona in ("reviewer", "editor_muong_kim", "viewer_muong_kim"):
        assert clients[persona].post(url).status_code == 404
    assert clients["admin"].get(url).status_code == 405
    assert TOTPDevice.objects.filter(user=reviewer).exists()


def test_the_user_page_shows_the_second_factor(personas, clients, reviewer, editor):
    give_app_device(reviewer)
    client_for(reviewer).post("/tai-khoan/bao-mat/ma-du-phong/")
    page = clients["admin"].get(reverse("user_detail", args=[reviewer.pk])).content.decode()
    assert "Đang bật · còn 10 mã dự phòng" in page
    page = clients["admin"].get(reverse("user_detail", args=[editor.pk])).content.decode()
    assert "Đang tắt" in page and 'data-testid="user-reset-otp"' not in page
    services.grant_membership(editor, Unit.objects.get(code="X.03637"), Role.REVIEWER)
    page = clients["admin"].get(reverse("user_detail", args=[editor.pk])).content.decode()
    assert "Bắt buộc, chưa thiết lập" in page

"""Login with throttling, session expiry, password change and logout."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rasoat.orgs.models import LoginFailure
from tests.conftest import PASSWORD, make_user

WRONG = "The username or password is incorrect."
WRONG_VI = "Tên đăng nhập hoặc mật khẩu không đúng."
THROTTLED_VI = "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau"
LOCKED_VI = "Tài khoản này đã bị khóa."


def login(client: Client, username: str, password: str, address: str = "10.1.1.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def user(lai_chau):
    return make_user("can_bo", "editor", "X.03637")


@pytest.fixture
def low_limits(settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 5
    settings.LOGIN_LOCK_MINUTES = 15
    return settings


def test_login_page_is_vietnamese(db):
    response = Client().get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="vi"' in html
    assert "<title>Đăng nhập · rasoat</title>" in html
    assert 'name="username"' in html
    assert 'name="password"' in html


def test_good_login_opens_the_home_page(user):
    client = Client()
    response = login(client, "can_bo", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_login_follows_next_only_within_the_site(user):
    response = Client().post(
        reverse("login") + "?next=/nguoi-dung/",
        {"username": "can_bo", "password": PASSWORD, "next": "/nguoi-dung/"},
    )
    assert response["Location"] == "/nguoi-dung/"
    response = Client().post(
        reverse("login"), {"username": "can_bo", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_wrong_password_shows_the_vietnamese_error(user):
    client = Client()
    response = login(client, "can_bo", "sai-mat-khau")
    assert response.status_code == 200
    html = response.content.decode()
    assert WRONG_VI in html
    assert WRONG not in html
    assert client.get(reverse("home")).status_code == 302
    assert LoginFailure.objects.filter(username="can_bo").count() == 1


def test_unknown_user_gets_the_same_error(db):
    response = login(Client(), "khong_ton_tai", "bat-ky")
    assert WRONG_VI in response.content.decode()


def test_good_login_forgets_earlier_failures(user, low_limits):
    for _ in range(2):
        login(Client(), "can_bo", "sai")
    assert login(Client(), "can_bo", PASSWORD).status_code == 302
    assert not LoginFailure.objects.filter(username="can_bo").exists()
    for _ in range(2):
        login(Client(), "can_bo", "sai")
    assert login(Client(), "can_bo", PASSWORD).status_code == 302


def test_account_throttle_refuses_even_the_right_password(user, low_limits):
    for i in range(3):
        # Different addresses: the account limit holds wherever the attempts come from.
        login(Client(), "can_bo", "sai", address=f"10.0.0.{i + 1}")
    response = login(Client(), "can_bo", PASSWORD, address="10.0.0.99")
    assert response.status_code == 200
    html = response.content.decode()
    assert THROTTLED_VI in html
    assert "15 phút" in html
    assert WRONG_VI not in html


def test_account_throttle_ignores_username_case(user, low_limits):
    for _ in range(3):
        login(Client(), "CAN_BO", "sai")
    assert THROTTLED_VI in login(Client(), "can_bo", PASSWORD, address="10.9.9.9").content.decode()


def test_throttle_of_one_account_leaves_others_alone(user, low_limits):
    make_user("nguoi_khac")
    for i in range(3):
        login(Client(), "can_bo", "sai", address=f"10.0.0.{i + 1}")
    assert login(Client(), "nguoi_khac", PASSWORD, address="10.0.0.50").status_code == 302


def test_address_throttle_counts_failures_over_several_usernames(user, low_limits):
    for i in range(5):
        login(Client(), f"doan_ten_{i}", "sai", address="10.2.2.2")
    response = login(Client(), "can_bo", PASSWORD, address="10.2.2.2")
    assert response.status_code == 200
    assert THROTTLED_VI in response.content.decode()
    # Another address is not blocked.
    assert login(Client(), "can_bo", PASSWORD, address="10.3.3.3").status_code == 302


def test_address_below_the_limit_is_not_blocked(user, low_limits):
    for i in range(4):
        login(Client(), f"doan_ten_{i}", "sai", address="10.2.2.2")
    assert login(Client(), "can_bo", PASSWORD, address="10.2.2.2").status_code == 302


def test_failures_older_than_the_lock_window_do_not_count(user, low_limits):
    for _ in range(3):
        login(Client(), "can_bo", "sai")
    old = timezone.now() - datetime.timedelta(minutes=low_limits.LOGIN_LOCK_MINUTES + 1)
    LoginFailure.objects.update(at=old)
    assert login(Client(), "can_bo", PASSWORD).status_code == 302


def test_failures_inside_the_lock_window_still_count(user, low_limits):
    for _ in range(3):
        login(Client(), "can_bo", "sai")
    recent = timezone.now() - datetime.timedelta(minutes=low_limits.LOGIN_LOCK_MINUTES - 1)
    LoginFailure.objects.update(at=recent)
    assert login(Client(), "can_bo", PASSWORD).status_code == 200


def test_locked_account_is_told_it_is_locked(user):
    user.is_active = False
    user.save()
    response = login(Client(), "can_bo", PASSWORD)
    assert response.status_code == 200
    assert LOCKED_VI in response.content.decode()
    # A wrong password does not reveal that the account exists and is locked.
    response = login(Client(), "can_bo", "sai")
    assert WRONG_VI in response.content.decode()
    assert LOCKED_VI not in response.content.decode()


def test_session_settings_end_idle_sessions(settings):
    assert 0 < settings.SESSION_COOKIE_AGE <= 24 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_each_request_renews_the_session(user):
    client = Client()
    login(client, "can_bo", PASSWORD)
    key = client.session.session_key
    soon = timezone.now() + datetime.timedelta(minutes=1)
    Session.objects.filter(session_key=key).update(expire_date=soon)
    assert client.get(reverse("home")).status_code == 200
    renewed = Session.objects.get(session_key=key).expire_date
    from django.conf import settings

    assert renewed > timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_expired_session_is_logged_out(user):
    client = Client()
    login(client, "can_bo", PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_password_change_requires_the_old_password(user):
    client = Client()
    login(client, "can_bo", PASSWORD)
    new = "Mat-khau-moi-Lai-Chau-2026"
    response = client.post(
        reverse("password_change"), {"old_password": "sai", "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    response = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    # The session that changed the password stays logged in.
    assert client.get(reverse("home")).status_code == 200
    assert login(Client(), "can_bo", new).status_code == 302
    assert login(Client(), "can_bo", PASSWORD, address="10.7.7.7").status_code == 200


def test_password_change_rejects_a_weak_password(user):
    client = Client()
    login(client, "can_bo", PASSWORD)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "Mật khẩu này quá phổ biến." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_needs_login(db):
    response = Client().get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_logout_is_post_and_ends_the_session(user):
    client = Client()
    login(client, "can_bo", PASSWORD)
    key = client.session.session_key
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("home")).status_code == 302

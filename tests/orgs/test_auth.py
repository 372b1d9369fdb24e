"""The password step: lockouts per (user name, address), the per-address wait, sessions, logout.

Issue 8 failure 2: 20 random-name failures from one address locked that address for everyone, and
5 wrong passwords for a name locked that name for everyone. Addresses below are documentation
ranges (RFC 5737); 127.0.0.1 is the trusted reverse proxy of the default TRUSTED_PROXIES.
"""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rasoat.orgs import lockout
from tests.conftest import PASSWORD, make_user

WRONG = "The username or password is incorrect."
WRONG_VI = "Tên đăng nhập hoặc mật khẩu không đúng."
LOCKED_PAIR_VI = "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau"
WAIT_VI = "Có quá nhiều lần đăng nhập sai từ mạng của bạn. Vui lòng chờ"
LOCKED_VI = "Tài khoản này đã bị khóa."
PROXY = "127.0.0.1"


def login(client: Client, username: str, password: str, address: str = "192.0.2.10", via_proxy=True):
    """A login as the reverse proxy forwards it (X-Forwarded-For), or straight from `address`."""
    headers = (
        {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": address} if via_proxy else {"REMOTE_ADDR": address}
    )
    return client.post(reverse("login"), {"username": username, "password": password}, **headers)


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("home")


def age_failures(address: str | None = None, **delta) -> None:
    """Move recorded failures back in time, as if they had happened earlier."""
    attempts = (
        AccessAttempt.objects.all() if address is None else AccessAttempt.objects.filter(ip_address=address)
    )
    for attempt in attempts:
        attempt.attempt_time -= datetime.timedelta(**delta)
        attempt.save(update_fields=["attempt_time"])


@pytest.fixture
def user(lai_chau):
    return make_user("can_bo", "editor", "X.03637")


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
    assert signed_in(login(client, "can_bo", PASSWORD))
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


def test_wrong_password_shows_the_vietnamese_error_and_is_recorded_for_the_pair(user):
    client = Client()
    response = login(client, "can_bo", "sai-mat-khau", address="192.0.2.10")
    assert response.status_code == 200
    html = response.content.decode()
    assert WRONG_VI in html
    assert WRONG not in html
    assert client.get(reverse("home")).status_code == 302
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == ("can_bo", "192.0.2.10", 1)
    assert "sai-mat-khau" not in attempt.post_data


def test_unknown_user_gets_the_same_error(db):
    response = login(Client(), "khong_ton_tai", "bat-ky")
    assert response.status_code == 200
    assert WRONG_VI in response.content.decode()


def test_good_login_forgets_the_pairs_earlier_failures(user):
    for _ in range(4):
        login(Client(), "can_bo", "sai")
    assert signed_in(login(Client(), "can_bo", PASSWORD))
    assert not AccessAttempt.objects.filter(username="can_bo").exists()
    for _ in range(4):
        login(Client(), "can_bo", "sai")
    assert signed_in(login(Client(), "can_bo", PASSWORD))


def test_the_fifth_wrong_password_locks_the_pair_even_for_the_right_password(user):
    for _ in range(4):
        assert login(Client(), "can_bo", "sai").status_code == 200
    fifth = login(Client(), "can_bo", "sai")
    assert fifth.status_code == 429
    assert LOCKED_PAIR_VI in fifth.content.decode()
    response = login(Client(), "can_bo", PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED_PAIR_VI in html and "15 phút" in html
    assert WRONG_VI not in html
    assert int(response["Retry-After"]) == 15 * 60


def test_five_wrong_passwords_from_one_address_do_not_lock_the_name_from_another(user):
    for _ in range(5):
        login(Client(), "can_bo", "sai", address="192.0.2.66")
    assert login(Client(), "can_bo", PASSWORD, address="192.0.2.66").status_code == 429
    assert signed_in(login(Client(), "can_bo", PASSWORD, address="198.51.100.20"))


def test_the_pair_lock_ignores_username_case(user):
    for _ in range(5):
        login(Client(), "CAN_BO", "sai")
    assert LOCKED_PAIR_VI in login(Client(), "can_bo", PASSWORD).content.decode()


def test_the_lock_of_one_name_leaves_other_names_at_that_address_alone(user):
    make_user("nguoi_khac")
    for _ in range(5):
        login(Client(), "can_bo", "sai")
    assert signed_in(login(Client(), "nguoi_khac", PASSWORD))


def test_attempts_during_a_lock_do_not_prolong_it(user):
    for _ in range(5):
        login(Client(), "can_bo", "sai")
    before = AccessAttempt.objects.values_list("failures_since_start", "attempt_time").get()
    for _ in range(3):
        assert login(Client(), "can_bo", "sai").status_code == 429
    assert AccessAttempt.objects.values_list("failures_since_start", "attempt_time").get() == before


def test_the_lock_ends_after_the_window(user, settings):
    for _ in range(5):
        login(Client(), "can_bo", "sai")
    age_failures(minutes=settings.LOGIN_LOCK_MINUTES - 1)
    assert login(Client(), "can_bo", PASSWORD).status_code == 429
    age_failures(minutes=2)
    assert signed_in(login(Client(), "can_bo", PASSWORD))


def test_lock_settings_are_read_at_each_attempt(user, settings):
    settings.LOGIN_MAX_FAILURES = 2
    settings.LOGIN_LOCK_MINUTES = 3
    login(Client(), "can_bo", "sai")
    assert login(Client(), "can_bo", "sai").status_code == 429
    response = login(Client(), "can_bo", PASSWORD)
    assert "3 phút" in response.content.decode()


def test_twenty_random_names_from_one_address_do_not_stop_another_user_elsewhere(user):
    """Issue 8, done means: the attack of failure 2 no longer locks the province out."""
    make_user("nguoi_khac")
    for i in range(20):
        login(Client(), f"doan_ten_{i}", "sai", address="203.0.113.50")
    assert signed_in(login(Client(), "nguoi_khac", PASSWORD, address="198.51.100.7"))
    assert signed_in(login(Client(), "can_bo", PASSWORD, address="198.51.100.8"))


def test_an_address_failing_many_names_waits_a_growing_delay_then_gets_in(user, settings):
    attacker = "203.0.113.50"
    for i in range(settings.LOGIN_ADDRESS_FREE_FAILURES - 1):
        login(Client(), f"doan_ten_{i}", "sai", address=attacker)
    assert lockout.address_wait(attacker) == 0
    for i in range(4):  # the free failures are used up: 1, 2, 4, then 8 seconds after the last one
        login(Client(), f"doan_ten_x{i}", "sai", address=attacker)
    response = login(Client(), "can_bo", PASSWORD, address=attacker)
    assert response.status_code == 429
    assert WAIT_VI in response.content.decode()
    assert 1 <= int(response["Retry-After"]) <= 8
    # Refused without being checked: not counted, so the wait does not grow by being asked.
    assert not AccessAttempt.objects.filter(ip_address=attacker, username="can_bo").exists()
    assert lockout.address_wait(attacker) <= 8
    age_failures(attacker, seconds=9)
    assert signed_in(login(Client(), "can_bo", PASSWORD, address=attacker))


def test_the_address_delay_doubles_and_is_capped(settings):
    settings.LOGIN_ADDRESS_FREE_FAILURES = 10
    settings.LOGIN_ADDRESS_MAX_DELAY_SECONDS = 10
    assert [lockout.address_delay(n) for n in (0, 9, 10, 11, 12, 13, 14, 20, 10_000)] == [
        0,
        0,
        1,
        2,
        4,
        8,
        10,
        10,
        10,
    ]


def test_after_twenty_names_the_wait_at_that_address_stays_short(user, settings):
    attacker = "203.0.113.51"
    for i in range(20):
        login(Client(), f"doan_ten_{i}", "sai", address=attacker)
    wait = lockout.address_wait(attacker)
    assert 0 < wait <= settings.LOGIN_ADDRESS_MAX_DELAY_SECONDS
    response = login(Client(), "can_bo", PASSWORD, address=attacker)
    assert int(response["Retry-After"]) <= settings.LOGIN_ADDRESS_MAX_DELAY_SECONDS
    age_failures(attacker, seconds=settings.LOGIN_ADDRESS_MAX_DELAY_SECONDS)
    assert signed_in(login(Client(), "can_bo", PASSWORD, address=attacker))


def test_a_forged_forwarded_for_from_an_untrusted_peer_is_ignored(user):
    for _ in range(5):
        Client().post(
            reverse("login"),
            {"username": "can_bo", "password": "sai"},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR="198.51.100.30",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    # The victim's own address was not locked by the forged header; the attacker's is.
    assert signed_in(login(Client(), "can_bo", PASSWORD, address="198.51.100.30"))
    assert login(Client(), "can_bo", PASSWORD, address="203.0.113.9", via_proxy=False).status_code == 429


def test_without_a_trusted_proxy_the_header_is_never_believed(user, settings):
    settings.TRUSTED_PROXIES = []
    for i in range(5):
        login(Client(), "can_bo", "sai", address=f"198.51.100.{40 + i}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {PROXY}


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


def test_successful_logins_are_recorded_with_the_client_address(user):
    from axes.models import AccessLog

    login(Client(), "can_bo", PASSWORD, address="198.51.100.99")
    assert AccessLog.objects.get(username="can_bo").ip_address == "198.51.100.99"


def test_session_settings_end_idle_sessions(settings):
    assert 0 < settings.SESSION_COOKIE_AGE <= 24 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_each_request_renews_the_session(user, settings):
    client = Client()
    login(client, "can_bo", PASSWORD)
    key = client.session.session_key
    soon = timezone.now() + datetime.timedelta(minutes=1)
    Session.objects.filter(session_key=key).update(expire_date=soon)
    assert client.get(reverse("home")).status_code == 200
    renewed = Session.objects.get(session_key=key).expire_date
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
    assert signed_in(login(Client(), "can_bo", new))
    assert login(Client(), "can_bo", PASSWORD, address="198.51.100.77").status_code == 200


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

"""Administrators see and lift sign-in lockouts (audited); old sign-in records are purged."""

import datetime
from io import StringIO

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rasoat.audit.models import AuditEntry
from tests.conftest import PASSWORD, make_user

LIST = "/nguoi-dung/khoa-dang-nhap/"
LIFT = "/nguoi-dung/khoa-dang-nhap/mo-khoa/"


def fail(username: str, address: str, times: int = 1) -> None:
    for _ in range(times):
        Client().post(
            reverse("login"),
            {"username": username, "password": "sai"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=address,
        )


def can_log_in(username: str, address: str) -> bool:
    response = Client().post(
        reverse("login"),
        {"username": username, "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=address,
    )
    return response.status_code == 302


@pytest.fixture
def victim(lai_chau):
    return make_user("nan_nhan", "editor", "X.03637")


def test_admin_lists_a_locked_pair_and_lifts_it(personas, clients, victim):
    fail("nan_nhan", "198.51.100.5", times=5)
    fail("nan_nhan", "198.51.100.6", times=2)  # not locked: below the limit
    assert not can_log_in("nan_nhan", "198.51.100.5")
    page = clients["admin"].get(LIST).content.decode()
    assert page.count('data-testid="lockout-row"') == 1
    assert "nan_nhan" in page and "198.51.100.5" in page and "198.51.100.6" not in page
    assert "Khóa đăng nhập" in page

    response = clients["admin"].post(
        LIFT,
        {"username": "nan_nhan", "address": "198.51.100.5"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.1",
    )
    assert response.status_code == 302
    assert "Đã mở khóa đăng nhập của nan_nhan từ 198.51.100.5." in clients["admin"].get(LIST).content.decode()
    assert can_log_in("nan_nhan", "198.51.100.5")
    entry = AuditEntry.objects.get(action="login.lockout_lifted")
    assert entry.actor == personas["admin"]
    assert entry.object_id == str(victim.pk)
    assert entry.address == "192.0.2.1"
    assert entry.changes["address"] == ["198.51.100.5", None]
    assert entry.changes["failures"] == [5, 0]
    # The other address's failures are untouched.
    assert AccessAttempt.objects.filter(ip_address="198.51.100.6").exists()


def test_admin_sees_and_lifts_an_address_made_to_wait(personas, clients, settings, victim):
    for i in range(settings.LOGIN_ADDRESS_FREE_FAILURES):
        fail(f"ten_gia_{i}", "203.0.113.40")
    page = clients["admin"].get(LIST).content.decode()
    assert page.count('data-testid="address-row"') == 1 and "203.0.113.40" in page
    assert not can_log_in("nan_nhan", "203.0.113.40")
    clients["admin"].post(LIFT, {"address": "203.0.113.40"})
    assert can_log_in("nan_nhan", "203.0.113.40")
    assert AuditEntry.objects.filter(action="login.address_lifted").count() == 1


def test_lifting_nothing_or_garbage_changes_nothing(personas, clients, victim):
    fail("nan_nhan", "198.51.100.5", times=5)
    for data in ({"username": "nan_nhan", "address": "khong-phai-dia-chi"}, {}):
        response = clients["admin"].post(LIFT, data, follow=True)
        assert response.status_code == 200
        assert "Không xác định được khóa đăng nhập cần mở." in response.content.decode()
    response = clients["admin"].post(LIFT, {"username": "nguoi_khac", "address": "198.51.100.5"}, follow=True)
    assert "Khóa đăng nhập này đã hết hiệu lực." in response.content.decode()
    assert not can_log_in("nan_nhan", "198.51.100.5")
    assert not AuditEntry.objects.filter(action__startswith="login.").exists()


@pytest.mark.parametrize("persona", ["reviewer", "editor_muong_kim", "viewer_muong_kim"])
def test_only_user_administrators_reach_the_lockouts(personas, clients, victim, persona):
    fail("nan_nhan", "198.51.100.5", times=5)
    assert clients[persona].get(LIST).status_code == 404
    assert clients[persona].post(LIFT, {"username": "nan_nhan", "address": "198.51.100.5"}).status_code == 404
    assert not can_log_in("nan_nhan", "198.51.100.5")


def test_the_users_page_links_to_the_lockouts(personas, clients):
    assert LIST in clients["admin"].get("/nguoi-dung/").content.decode()


def test_purge_deletes_expired_counters_and_records_past_retention(victim, settings):
    fail("nan_nhan", "198.51.100.5", times=2)
    fail("ten_cu", "198.51.100.9")
    can_log_in("nan_nhan", "198.51.100.7")
    now = timezone.now()
    AccessAttempt.objects.filter(username="ten_cu").update(
        attempt_time=now - datetime.timedelta(minutes=settings.LOGIN_LOCK_MINUTES + 1)
    )
    old = now - datetime.timedelta(days=settings.LOGIN_RECORDS_RETENTION_DAYS + 1)
    AccessFailureLog.objects.filter(username="ten_cu").update(attempt_time=old)
    AccessLog.objects.create(username="nan_nhan", ip_address="198.51.100.7", user_agent="", attempt_time=now)
    AccessLog.objects.filter(pk=AccessLog.objects.order_by("pk").last().pk).update(attempt_time=old)

    out = StringIO()
    call_command("purge_login_records", stdout=out)

    assert "Deleted 1 expired failure counters, 1 failed and 1 successful" in out.getvalue()
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["nan_nhan"]
    assert set(AccessFailureLog.objects.values_list("username", flat=True)) == {"nan_nhan"}
    assert AccessLog.objects.filter(username="nan_nhan").count() == 1


def test_init_purges_old_records(empty_database, settings, tmp_path):
    AccessFailureLog.objects.create(username="x", ip_address="198.51.100.1", user_agent="")
    AccessFailureLog.objects.update(
        attempt_time=timezone.now() - datetime.timedelta(days=settings.LOGIN_RECORDS_RETENTION_DAYS + 1)
    )
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("init", no_static=True, stdout=out)
    assert not AccessFailureLog.objects.exists()
    assert "Purged old sign-in records" in out.getvalue()

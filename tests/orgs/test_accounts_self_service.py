"""Accounts (issue 11, item 9): own details, `rasoat resetpassword`, the admin password file, passwords
that can be read over the phone."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from rasoat.audit.models import AuditEntry
from rasoat.orgs.models import User
from rasoat.orgs.passwords import generate_password
from tests.conftest import PASSWORD, client_for, make_user

CHANGE = "/doi-mat-khau/"


def test_a_user_edits_their_own_name_email_and_phone(personas):
    user = personas["editor_muong_kim"]
    client = client_for(user)
    assert "Sửa thông tin của tôi" in client.get(f"/nguoi-dung/{user.pk}/").content.decode()
    response = client.post(
        "/tai-khoan/ho-so/",
        {
            "full_name": "Lò Văn Kim",
            "email": "lvkim@laichau.gov.vn",
            "phone": "0912 345 678",
            "is_active": "",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.email, user.phone, user.is_active) == (
        "Lò Văn Kim",
        "lvkim@laichau.gov.vn",
        "0912 345 678",
        True,
    )
    entry = AuditEntry.objects.get(action="user.updated", object_id=str(user.pk))
    assert entry.actor == user and entry.changes["phone"] == ["", "0912 345 678"]


def test_bad_profile_input_names_the_problem_and_saves_nothing(personas):
    user = personas["viewer_muong_kim"]
    response = client_for(user).post(
        "/tai-khoan/ho-so/", {"full_name": "", "email": "khong-phai-email", "phone": "goi-toi"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nhập số điện thoại bằng chữ số" in page and "Nhập địa chỉ email." in page
    user.refresh_from_db()
    assert user.phone == "" and user.email == ""


def test_resetpassword_prints_a_password_that_must_be_changed(lai_chau):
    make_user("bt_muong_kim", "editor", "X.03637")
    out = io.StringIO()
    call_command("resetpassword", "BT_Muong_Kim", stdout=out)
    password = re.search(r": (\S+)\n", out.getvalue()).group(1)
    user = User.objects.get(username="bt_muong_kim")
    assert user.check_password(password) and not user.check_password(PASSWORD)
    assert user.must_change_password
    assert AuditEntry.objects.filter(action="user.password_reset", object_id=str(user.pk)).exists()
    with pytest.raises(CommandError, match="No user"):
        call_command("resetpassword", "khong_co")


def test_the_admin_password_file_goes_once_the_password_is_changed(empty_database, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("init", no_static=True, stdout=out)
    assert "rasoat resetpassword USER" in out.getvalue()
    password_file = tmp_path / "admin-password.txt"
    first = password_file.read_text().strip()
    from django.test import Client

    client = Client()
    response = client.post("/dang-nhap/", {"username": "admin", "password": first})
    assert response.status_code == 302
    new = "Quan-tri-rasoat-Lai-Chau-2026"
    response = client.post(CHANGE, {"old_password": first, "new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert not password_file.exists()
    assert not User.objects.get(username="admin").must_change_password


def test_resetting_the_admin_password_also_removes_the_stale_file(empty_database, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("init", no_static=True, stdout=io.StringIO())
    call_command("resetpassword", "admin", stdout=io.StringIO())
    assert not (tmp_path / "admin-password.txt").exists()


def test_generated_passwords_have_no_look_alikes_and_read_in_groups():
    for _ in range(200):
        password = generate_password()
        assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", password)
        assert not set(password) & set("0O1lIio")

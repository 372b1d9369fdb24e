"""Password rules (12 characters, not common, not built from the name) and the change at first sign-in."""

import io
import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from rasoat.audit.models import AuditEntry
from rasoat.orgs import services
from rasoat.orgs.models import Unit, User
from rasoat.orgs.passwords import generate_password
from rasoat.orgs.roles import Role
from tests.conftest import MUONG_KIM, PASSWORD, make_user

CHANGE = "/doi-mat-khau/"


def refusal_codes(password: str, user: User) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {item.code for item in error.error_list}
    return set()


@pytest.mark.parametrize(
    ("password", "username", "full_name", "code"),
    [
        ("u3u3u3u3", "u3", "", "password_too_short"),
        ("Ng-4x-Muong", "can_bo", "", "password_too_short"),
        # The example, long enough now: still refused, it is only the user name repeated.
        ("u3u3u3u3u3u3", "u3", "", "password_built_from_attributes"),
        ("3u3u3u3u3u3u", "u3", "", "password_built_from_attributes"),
        ("U3U3U3U3-2026", "u3", "", "password_built_from_attributes"),
        ("can_bo2026!!", "can_bo", "", "password_built_from_attributes"),
        ("LoThiHoa-1990", "hoa", "Lò Thị Hoa", "password_built_from_attributes"),
        ("password1234", "can_bo", "", "password_too_common"),
        ("123456789012", "can_bo", "", "password_entirely_numeric"),
        ("nguyenvana2026", "nguyenvana", "", "password_too_similar"),
    ],
)
def test_weak_passwords_are_refused(password, username, full_name, code):
    assert code in refusal_codes(password, User(username=username, full_name=full_name))


@pytest.mark.parametrize(
    ("password", "username"),
    [
        (PASSWORD, "u3"),
        ("Ban-phim-Muong-Kim-2026", "can_bo"),
        ("Quan-tri-Lai-Chau-2026!", "admin"),
    ],
)
def test_good_passwords_pass(password, username):
    assert refusal_codes(password, User(username=username, full_name="Lò Thị Hoa")) == set()


@pytest.mark.parametrize("username", ["u3", "admin", "a", "abcd"])
def test_generated_passwords_satisfy_the_rules(username):
    user = User(username=username)
    for _ in range(20):
        password = generate_password(user)
        assert re.fullmatch(r"[a-hjkmnp-z2-9]{4}(-[a-hjkmnp-z2-9]{4}){3}", password)
        validate_password(password, user)


def test_the_create_form_says_why_in_vietnamese(personas, clients):
    response = clients["admin"].post(
        reverse("user_create"),
        {"username": "u3", "full_name": "U Ba", "password1": "u3u3u3u3u3u3", "password2": "u3u3u3u3u3u3"},
    )
    assert response.status_code == 200
    assert "Mật khẩu quá giống tên đăng nhập hoặc họ tên." in response.content.decode()
    assert not User.objects.filter(username="u3").exists()


def sign_in(username: str, password: str) -> Client:
    client = Client()
    assert client.post(reverse("login"), {"username": username, "password": password}).status_code == 302
    return client


def test_a_generated_password_must_be_changed_at_first_sign_in(personas, clients):
    response = clients["admin"].post(
        reverse("user_create"),
        {
            "username": "moi_vao",
            "full_name": "Người Mới",
            "role": Role.EDITOR,
            "unit": Unit.objects.get(code=MUONG_KIM).pk,
        },
    )
    page = clients["admin"].get(response["Location"]).content.decode()
    generated = re.search(r'data-testid="new-password">([^<]+)<', page).group(1)
    client = sign_in("moi_vao", generated)
    assert client.get("/").url == CHANGE + "?next=%2F"
    for url in ("/dot/", "/don-vi/", "/tai-khoan/bao-mat/", "/nguoi-dung/"):
        assert client.get(url).url.startswith(CHANGE), url
    form = client.get(CHANGE).content.decode()
    assert 'data-testid="password-change-required"' in form
    # Keeping the handed-over password is not a change.
    response = client.post(
        CHANGE, {"old_password": generated, "new_password1": generated, "new_password2": generated}
    )
    assert "Mật khẩu mới phải khác mật khẩu hiện tại." in response.content.decode()
    new = "Mat-khau-cua-toi-Muong-Kim"
    response = client.post(CHANGE, {"old_password": generated, "new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert client.get("/dot/").status_code == 200
    user = User.objects.get(username="moi_vao")
    assert not user.must_change_password
    assert AuditEntry.objects.filter(action="user.password_changed", object_id=str(user.pk)).exists()
    assert sign_in("moi_vao", new).get("/dot/").status_code == 200


def test_a_password_typed_by_the_administrator_must_be_changed_too(personas, clients):
    typed = "Mat-khau-tam-cho-Muong-Kim"
    clients["admin"].post(
        reverse("user_create"),
        {"username": "moi_vao", "full_name": "Người Mới", "password1": typed, "password2": typed},
    )
    assert User.objects.get(username="moi_vao").must_change_password
    assert sign_in("moi_vao", typed).get("/dot/").url.startswith(CHANGE)


def test_an_administrators_reset_must_be_changed(lai_chau):
    user = make_user("can_bo", Role.EDITOR, MUONG_KIM)
    assert sign_in("can_bo", PASSWORD).get("/dot/").status_code == 200
    password = services.reset_password(user)
    user.refresh_from_db()
    assert user.must_change_password
    assert sign_in("can_bo", password).get("/dot/").url.startswith(CHANGE)


def test_a_privileged_user_changes_the_password_then_enrols(lai_chau):
    _user, password = services.create_user(
        username="tong_hop_moi", full_name="Tổng Hợp", role=Role.REVIEWER, unit=Unit.objects.get(code="LC")
    )
    client = sign_in("tong_hop_moi", password)
    assert client.get("/dot/").url.startswith(CHANGE)
    new = "Tong-hop-so-khoa-hoc-2026"
    client.post(CHANGE, {"old_password": password, "new_password1": new, "new_password2": new})
    assert client.get("/dot/").url.startswith("/tai-khoan/bao-mat/thiet-lap/")


def test_createuser_and_init_set_the_flag(empty_database, settings, tmp_path):
    out = io.StringIO()
    call_command("createuser", "cli_user", stdout=out)
    assert User.objects.get(username="cli_user").must_change_password
    settings.VAR_DIR = tmp_path
    call_command("init", no_static=True, stdout=io.StringIO())
    admin = User.objects.get(username="admin")
    assert admin.must_change_password
    password = (tmp_path / "admin-password.txt").read_text().strip()
    validate_password(password, admin)

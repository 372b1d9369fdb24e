"""User administration: who reaches the pages, accounts, passwords and memberships."""

import re
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rasoat.audit.models import AuditEntry
from rasoat.orgs import services
from rasoat.orgs.models import Membership, Unit, User
from rasoat.orgs.roles import Role
from rasoat.orgs.user_forms import MembershipGrantForm
from tests.conftest import MUONG_KIM, MUONG_KIM_UNITS, MUONG_TE, PASSWORD, client_for, make_user

NON_ADMINS = ["reviewer", "editor_muong_kim", "editor_muong_te", "viewer_muong_kim"]
STRONG = "Ban-phim-Muong-Kim-2026"


def shown_password(response) -> str:
    match = re.search(r'data-testid="new-password">([^<]+)<', response.content.decode())
    assert match, "the generated password is not on the page"
    return match.group(1)


def can_log_in(username: str, password: str) -> bool:
    response = client_for(None).post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


@pytest.fixture
def other(lai_chau) -> User:
    return make_user("nguoi_khac", Role.EDITOR, MUONG_TE, full_name="Người Khác")


def admin_urls(user: User, membership: Membership) -> list[tuple[str, str]]:
    """(method, url) of every page that only a user administrator may use on `user`."""
    return [
        ("get", reverse("user_list")),
        ("get", reverse("user_create")),
        ("post", reverse("user_create")),
        ("get", reverse("user_detail", args=[user.pk])),
        ("get", reverse("user_edit", args=[user.pk])),
        ("post", reverse("user_edit", args=[user.pk])),
        ("post", reverse("user_reset_password", args=[user.pk])),
        ("get", reverse("membership_grant", args=[user.pk])),
        ("post", reverse("membership_grant", args=[user.pk])),
        ("post", reverse("membership_revoke", args=[user.pk, membership.pk])),
    ]


# --- who reaches the pages ------------------------------------------------------------------


@pytest.mark.parametrize("persona", NON_ADMINS)
def test_non_admins_get_404_on_user_administration(personas, clients, other, persona):
    membership = other.memberships.get()
    for method, url in admin_urls(other, membership):
        response = getattr(clients[persona], method)(url)
        assert response.status_code == 404, (method, url)
    assert other.memberships.filter(pk=membership.pk).exists()
    assert User.objects.get(pk=other.pk).check_password(PASSWORD)


def test_anonymous_is_sent_to_login(personas, clients, other):
    membership = other.memberships.get()
    for method, url in admin_urls(other, membership):
        response = getattr(clients["anonymous"], method)(url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith(reverse("login"))


def test_unknown_user_is_404_even_for_admin(clients):
    assert clients["admin"].get(reverse("user_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("persona", NON_ADMINS)
def test_user_page_lists_own_scopes(personas, clients, persona):
    user = personas[persona]
    response = clients[persona].get(reverse("user_detail", args=[user.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    membership = user.memberships.select_related("unit").get()
    assert membership.get_role_display() in html
    assert reverse("unit_detail", args=[membership.unit.pk]) in html
    assert membership.unit.name in html
    # No administration actions on one's own page without the right.
    assert reverse("user_edit", args=[user.pk]) not in html
    assert reverse("membership_grant", args=[user.pk]) not in html


@pytest.mark.parametrize("persona", NON_ADMINS)
def test_own_account_changes_need_the_right(personas, clients, persona):
    user = personas[persona]
    membership = user.memberships.get()
    for url in (reverse("user_edit", args=[user.pk]), reverse("membership_grant", args=[user.pk])):
        assert clients[persona].get(url).status_code == 403
    post_urls = (
        reverse("user_reset_password", args=[user.pk]),
        reverse("membership_revoke", args=[user.pk, membership.pk]),
    )
    for url in post_urls:
        assert clients[persona].post(url).status_code == 403
    assert user.memberships.filter(pk=membership.pk).exists()


def test_commune_admin_is_not_a_user_admin(lai_chau):
    commune_admin = make_user("qt_xa", Role.ADMIN, MUONG_KIM)
    client = client_for(commune_admin)
    assert client.get(reverse("user_list")).status_code == 404
    assert client.get(reverse("user_detail", args=[commune_admin.pk])).status_code == 200


# --- the list -----------------------------------------------------------------------------


def test_user_list_shows_users_with_their_roles(personas, clients):
    response = clients["admin"].get(reverse("user_list"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ["admin", "reviewer", "editor_muong_kim", "editor_muong_te", "viewer_muong_kim"]:
        assert reverse("user_detail", args=[personas[name].pk]) in html
    assert "Xã Mường Kim" in html
    assert str(Role.EDITOR.label) in html


def test_user_list_search_ignores_accents_and_case(personas, clients):
    duc = make_user("nvduc", full_name="Nguyễn Văn Đức")
    make_user("ttlan", full_name="Trần Thị Lan")
    for query in ["nguyen van duc", "ĐỨC", "nvduc", "Văn"]:
        users = clients["admin"].get(reverse("user_list"), {"q": query}).context["users"]
        assert [user.pk for user in users] == [duc.pk], query


def test_user_list_filters_by_role(personas, clients):
    response = clients["admin"].get(reverse("user_list"), {"role": Role.EDITOR})
    assert {user.username for user in response.context["users"]} == {"editor_muong_kim", "editor_muong_te"}
    response = clients["admin"].get(reverse("user_list"), {"role": Role.EDITOR, "q": "MUONG_TE"})
    assert [user.username for user in response.context["users"]] == ["editor_muong_te"]


def test_user_list_unknown_role_filter_is_ignored_not_an_error(personas, clients):
    response = clients["admin"].get(reverse("user_list"), {"role": "boss", "page": "x"})
    assert response.status_code == 200
    assert len(response.context["users"]) == 5
    response = clients["admin"].get(reverse("user_list"), {"role": "boss", "q": "reviewer", "page": "99"})
    assert [user.username for user in response.context["users"]] == ["reviewer"]


def _memberships_for_many_users(count: int) -> None:
    units = list(Unit.objects.filter(code__in=MUONG_KIM_UNITS))
    start = User.objects.count()
    for i in range(start, start + count):
        user = User.objects.create(username=f"nhieu_{i:03d}", full_name=f"Cán bộ số {i}")
        Membership.objects.create(user=user, unit=units[i % len(units)], role=Role.EDITOR)
        Membership.objects.create(user=user, unit=units[(i + 1) % len(units)], role=Role.VIEWER)


@pytest.mark.parametrize("params", [{}, {"q": "can bo"}, {"role": Role.EDITOR}])
def test_user_list_query_count_does_not_grow_with_users(personas, clients, django_assert_num_queries, params):
    client = clients["admin"]
    _memberships_for_many_users(3)
    client.get(reverse("user_list"), params)  # warm the session
    with CaptureQueriesContext(connection) as few:
        response = client.get(reverse("user_list"), params)
    assert len(response.context["users"]) >= 3
    # session, user, permissions, count or ids, page of users, memberships with units, session save
    assert len(few) <= 10
    _memberships_for_many_users(40)
    with django_assert_num_queries(len(few)):
        response = client.get(reverse("user_list"), params)
    assert len(response.context["users"]) > 40


def test_user_list_paginates(personas, clients):
    _memberships_for_many_users(60)
    first = clients["admin"].get(reverse("user_list"))
    assert len(first.context["users"]) == 50
    second = clients["admin"].get(reverse("user_list"), {"page": 2})
    assert len(second.context["users"]) == 65 - 50
    searched = clients["admin"].get(reverse("user_list"), {"q": "can bo so", "page": 2})
    assert len(searched.context["users"]) == 10


# --- creating accounts ------------------------------------------------------------------------


def create_payload(**overrides) -> dict:
    data = {
        "username": "cb_muong_kim",
        "full_name": "Lò Văn Tâm",
        "email": "tam@laichau.gov.vn",
        "phone": "0912345678",
        "password1": "",
        "password2": "",
        "role": "",
        "unit": "",
    }
    data.update(overrides)
    return data


def test_create_user_with_generated_password_shown_once(personas, clients):
    client = clients["admin"]
    unit = Unit.objects.get(code=MUONG_KIM)
    response = client.post(reverse("user_create"), create_payload(role=Role.EDITOR, unit=unit.pk))
    user = User.objects.get(username="cb_muong_kim")
    assert response.status_code == 302
    assert response["Location"] == reverse("user_detail", args=[user.pk])
    assert (user.full_name, user.email, user.phone) == ("Lò Văn Tâm", "tam@laichau.gov.vn", "0912345678")
    assert list(user.memberships.values_list("role", "unit__code")) == [(Role.EDITOR, MUONG_KIM)]

    page = client.get(response["Location"])
    password = shown_password(page)
    assert len(password) >= 16
    assert can_log_in("cb_muong_kim", password)
    again = client.get(response["Location"])
    assert password not in again.content.decode()
    assert 'data-testid="new-password"' not in again.content.decode()


def test_generated_password_is_not_shown_on_another_users_page(personas, clients, other):
    client = clients["admin"]
    client.post(reverse("user_create"), create_payload())
    other_page = client.get(reverse("user_detail", args=[other.pk]))
    assert 'data-testid="new-password"' not in other_page.content.decode()
    new_user = User.objects.get(username="cb_muong_kim")
    assert shown_password(client.get(reverse("user_detail", args=[new_user.pk])))


def test_create_user_with_typed_password(personas, clients):
    response = clients["admin"].post(
        reverse("user_create"), create_payload(password1=STRONG, password2=STRONG)
    )
    assert response.status_code == 302
    assert 'data-testid="new-password"' not in clients["admin"].get(response["Location"]).content.decode()
    assert can_log_in("cb_muong_kim", STRONG)


@pytest.mark.parametrize(
    ("password1", "password2", "message"),
    [
        ("12345678", "12345678", "Mật khẩu này"),
        # Issue 8: at least 12 characters.
        ("Ng-4x-Muong", "Ng-4x-Muong", "Mật khẩu quá ngắn: cần ít nhất 12 ký tự."),
        (STRONG, STRONG + "x", "Hai mật khẩu không khớp nhau."),
    ],
)
def test_create_user_rejects_weak_or_mismatched_password(personas, clients, password1, password2, message):
    response = clients["admin"].post(
        reverse("user_create"), create_payload(password1=password1, password2=password2)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(username="cb_muong_kim").exists()


def test_create_user_refuses_taken_username_whatever_the_case(personas, clients):
    response = clients["admin"].post(reverse("user_create"), create_payload(username="Editor_Muong_Kim"))
    assert response.status_code == 200
    assert "Tên đăng nhập này đã có người dùng." in response.content.decode()
    assert User.objects.filter(username__iexact="editor_muong_kim").count() == 1


def test_create_user_needs_unit_with_role_and_a_known_unit(personas, clients):
    response = clients["admin"].post(reverse("user_create"), create_payload(role=Role.EDITOR))
    assert "Chọn đơn vị mà vai trò được áp dụng." in response.content.decode()
    response = clients["admin"].post(reverse("user_create"), create_payload(role=Role.EDITOR, unit=999999))
    assert response.status_code == 200
    assert "Chọn một đơn vị trong danh sách." in response.content.decode()
    assert not User.objects.filter(username="cb_muong_kim").exists()


def test_create_user_page_is_vietnamese(personas, clients):
    html = clients["admin"].get(reverse("user_create")).content.decode()
    assert "Thêm người dùng" in html
    assert "Họ và tên" in html


# --- editing and locking ---------------------------------------------------------------------


def test_edit_user_saves_profile(personas, clients, other):
    response = clients["admin"].post(
        reverse("user_edit", args=[other.pk]),
        {
            "full_name": "Người Khác Đã Sửa",
            "email": "khac@laichau.gov.vn",
            "phone": "0200",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert (other.full_name, other.email, other.phone, other.is_active) == (
        "Người Khác Đã Sửa",
        "khac@laichau.gov.vn",
        "0200",
        True,
    )


def test_deactivating_locks_login_and_ends_sessions(personas, clients, other):
    session = client_for(other)
    assert session.get(reverse("home")).status_code == 200
    response = clients["admin"].post(
        reverse("user_edit", args=[other.pk]), {"full_name": other.full_name, "email": "", "phone": ""}
    )
    assert response.status_code == 302
    assert not User.objects.get(pk=other.pk).is_active
    assert session.get(reverse("home")).status_code == 302
    assert not can_log_in(other.username, PASSWORD)


def test_admin_cannot_deactivate_themselves(personas, clients):
    admin = personas["admin"]
    response = clients["admin"].post(
        reverse("user_edit", args=[admin.pk]), {"full_name": "Quản trị", "email": "", "phone": ""}
    )
    assert response.status_code == 200
    assert "Bạn không thể tự khóa tài khoản của mình." in response.content.decode()
    assert User.objects.get(pk=admin.pk).is_active
    with pytest.raises(ValidationError):
        services.update_user(admin, actor=admin, is_active=False)


# --- passwords -----------------------------------------------------------------------------


def test_reset_password_is_post_only_and_shows_the_new_one_once(personas, clients, other):
    url = reverse("user_reset_password", args=[other.pk])
    assert clients["admin"].get(url).status_code == 405
    AccessAttempt.objects.create(
        username=other.username, ip_address="10.0.0.9", user_agent="", failures_since_start=5
    )
    response = clients["admin"].post(url)
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=other.username).exists()
    password = shown_password(clients["admin"].get(response["Location"]))
    assert not can_log_in(other.username, PASSWORD)
    assert can_log_in(other.username, password)
    assert password not in clients["admin"].get(response["Location"]).content.decode()


def test_reset_own_password_keeps_the_admin_logged_in(personas, clients):
    admin = personas["admin"]
    response = clients["admin"].post(reverse("user_reset_password", args=[admin.pk]))
    assert response.status_code == 302
    assert clients["admin"].get(response["Location"]).status_code == 200


def test_reset_password_lifts_the_account_throttle(personas, settings, other):
    settings.LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        assert not can_log_in(other.username, "sai")
    assert not can_log_in(other.username, PASSWORD)
    password = services.reset_password(other)
    assert can_log_in(other.username, password)


# --- memberships --------------------------------------------------------------------------------


def test_grant_membership(personas, clients, other):
    unit = Unit.objects.get(code=MUONG_KIM)
    response = clients["admin"].post(
        reverse("membership_grant", args=[other.pk]), {"role": Role.VIEWER, "unit": unit.pk}
    )
    assert response.status_code == 302
    assert other.memberships.filter(role=Role.VIEWER, unit=unit).exists()
    fresh = User.objects.get(pk=other.pk)
    assert set(Unit.objects.visible_to(fresh).values_list("code", flat=True)) >= {MUONG_KIM, *MUONG_KIM_UNITS}


def test_grant_page_offers_units(personas, clients, other):
    response = clients["admin"].get(reverse("membership_grant", args=[other.pk]))
    assert response.status_code == 200
    assert "Xã Mường Kim (X.03637)" in response.content.decode()


def test_duplicate_grant_is_a_clear_message(personas, clients, other):
    unit = Unit.objects.get(code=MUONG_TE)
    response = clients["admin"].post(
        reverse("membership_grant", args=[other.pk]), {"role": Role.EDITOR, "unit": unit.pk}
    )
    assert response.status_code == 200
    assert "đã có vai trò" in response.content.decode()
    assert other.memberships.count() == 1
    with pytest.raises(ValidationError):
        services.grant_membership(other, unit, Role.EDITOR)


@pytest.mark.parametrize(
    "payload", [{"role": Role.VIEWER, "unit": "999999"}, {"role": "boss", "unit": ""}, {}]
)
def test_grant_refuses_bad_input(personas, clients, other, payload):
    response = clients["admin"].post(reverse("membership_grant", args=[other.pk]), payload)
    assert response.status_code == 200
    assert other.memberships.count() == 1


def test_grant_never_trusts_a_unit_outside_the_managed_scope(lai_chau, other):
    commune_admin = make_user("qt_muong_kim", Role.ADMIN, MUONG_KIM)
    outside = Unit.objects.get(code=MUONG_TE)
    inside = Unit.objects.get(code=MUONG_KIM_UNITS[0])
    form = MembershipGrantForm({"role": Role.VIEWER, "unit": outside.pk}, actor=commune_admin, user=other)
    assert not form.is_valid()
    assert "unit" in form.errors
    assert MembershipGrantForm(
        {"role": Role.VIEWER, "unit": inside.pk}, actor=commune_admin, user=other
    ).is_valid()
    with pytest.raises(PermissionDenied):
        services.grant_membership(other, outside, Role.ADMIN, actor=commune_admin)
    assert not other.memberships.filter(role=Role.ADMIN).exists()


def test_revoke_membership_is_post_only(personas, clients, other):
    membership = other.memberships.get()
    url = reverse("membership_revoke", args=[other.pk, membership.pk])
    assert clients["admin"].get(url).status_code == 405
    response = clients["admin"].post(url)
    assert response.status_code == 302
    assert not other.memberships.exists()
    fresh = User.objects.get(pk=other.pk)
    assert not Unit.objects.visible_to(fresh).exists()


def test_revoke_needs_the_membership_of_that_user(personas, clients, other):
    membership = personas["reviewer"].memberships.get()
    response = clients["admin"].post(reverse("membership_revoke", args=[other.pk, membership.pk]))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_admin_cannot_revoke_own_last_admin_membership(personas, clients):
    admin = personas["admin"]
    province_admin = admin.memberships.get()
    response = clients["admin"].post(
        reverse("membership_revoke", args=[admin.pk, province_admin.pk]), follow=True
    )
    assert response.status_code == 200
    assert "Bạn không thể thu hồi vai trò quản trị cuối cùng của chính mình." in response.content.decode()
    assert Membership.objects.filter(pk=province_admin.pk).exists()


def test_admin_may_revoke_own_extra_roles(personas, clients):
    admin = personas["admin"]
    extra = Membership.objects.create(user=admin, unit=Unit.objects.get(code=MUONG_KIM), role=Role.ADMIN)
    response = clients["admin"].post(reverse("membership_revoke", args=[admin.pk, extra.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=extra.pk).exists()
    second = Membership.objects.create(user=admin, unit=Unit.objects.get(code="LC"), role=Role.EDITOR)
    services.revoke_membership(second, actor=admin)
    assert admin.memberships.filter(role=Role.ADMIN, unit__code="LC").exists()


def test_admin_may_revoke_another_admin(personas, clients):
    second_admin = make_user("qt_thu_hai", Role.ADMIN, "LC")
    membership = second_admin.memberships.get()
    response = clients["admin"].post(reverse("membership_revoke", args=[second_admin.pk, membership.pk]))
    assert response.status_code == 302
    assert not second_admin.memberships.exists()


def test_admin_sees_actions_on_user_page(personas, clients, other):
    html = clients["admin"].get(reverse("user_detail", args=[other.pk])).content.decode()
    membership = other.memberships.get()
    assert reverse("membership_revoke", args=[other.pk, membership.pk]) in html
    assert reverse("user_reset_password", args=[other.pk]) in html
    assert "Vai trò và phạm vi" in html


# --- audit ----------------------------------------------------------------------------------------


def test_user_administration_is_audited_without_passwords(personas, clients):
    client = clients["admin"]
    unit = Unit.objects.get(code=MUONG_KIM)
    client.post(
        reverse("user_create"), create_payload(role=Role.EDITOR, unit=unit.pk), REMOTE_ADDR="10.4.4.4"
    )
    user = User.objects.get(username="cb_muong_kim")
    password = shown_password(client.get(reverse("user_detail", args=[user.pk])))
    client.post(reverse("user_edit", args=[user.pk]), {"full_name": "Lò Văn Tâm", "email": "", "phone": ""})
    client.post(reverse("user_reset_password", args=[user.pk]))
    membership = user.memberships.get()
    client.post(reverse("membership_revoke", args=[user.pk, membership.pk]))

    entries = AuditEntry.objects.order_by("pk")
    assert [entry.action for entry in entries] == [
        "user.created",
        "membership.granted",
        "user.deactivated",
        "user.password_reset",
        "membership.revoked",
    ]
    assert {entry.actor_id for entry in entries} == {personas["admin"].pk}
    assert entries[0].address == "10.4.4.4"
    assert entries[1].unit_id == unit.pk
    assert entries[2].changes["is_active"] == [True, False]
    assert "email" in entries[2].changes
    assert all(password not in str(entry.changes) for entry in entries)


def test_refused_changes_write_no_audit_entry(personas, clients, other):
    admin = personas["admin"]
    clients["admin"].post(reverse("membership_revoke", args=[admin.pk, admin.memberships.get().pk]))
    clients["admin"].post(
        reverse("membership_grant", args=[other.pk]),
        {"role": Role.EDITOR, "unit": other.memberships.get().unit_id},
    )
    assert not AuditEntry.objects.exists()


# --- the createuser command ------------------------------------------------------------------------


def test_createuser_command_creates_user_with_membership(lai_chau):
    out = StringIO()
    call_command(
        "createuser",
        "cb_muong_te",
        "--role",
        Role.EDITOR,
        "--unit",
        MUONG_TE,
        "--full-name",
        "Pờ Thị Na",
        stdout=out,
    )
    user = User.objects.get(username="cb_muong_te")
    assert user.full_name == "Pờ Thị Na"
    assert list(user.memberships.values_list("role", "unit__code")) == [(Role.EDITOR, MUONG_TE)]
    password = out.getvalue().strip().rsplit(" ", 1)[-1]
    assert can_log_in("cb_muong_te", password)
    assert set(Unit.objects.visible_to(user, "data:edit").values_list("code", flat=True)) == {
        MUONG_TE,
        *[code.replace(MUONG_KIM, MUONG_TE) for code in MUONG_KIM_UNITS],
    }


def test_createuser_command_with_typed_password_prints_no_password(lai_chau):
    out = StringIO()
    call_command("createuser", "cb_tinh", "--password", STRONG, stdout=out)
    assert STRONG not in out.getvalue()
    assert can_log_in("cb_tinh", STRONG)
    assert not User.objects.get(username="cb_tinh").memberships.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "editor", "--unit", "X.99999"], "no unit with code 'X.99999'"),
        (["--role", "editor"], "--role and --unit go together"),
        (["--unit", MUONG_KIM], "--role and --unit go together"),
        (["--password", "12345678"], "Mật khẩu này quá phổ biến."),
    ],
)
def test_createuser_command_refuses_bad_input(lai_chau, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("createuser", "cb_loi", *args, stdout=StringIO())
    assert not User.objects.filter(username="cb_loi").exists()


def test_createuser_command_refuses_existing_username(personas):
    with pytest.raises(CommandError):
        call_command("createuser", "Admin", stdout=StringIO())
    assert User.objects.filter(username__iexact="admin").count() == 1

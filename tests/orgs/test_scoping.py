"""Scope per persona: Unit.objects.visible_to, has_unit_perm, has_global_perm, has_any_perm."""

import pytest
from django.contrib.auth.models import AnonymousUser

from rasoat.orgs.models import Membership, Unit
from rasoat.orgs.roles import Role
from tests.conftest import MUONG_KIM, MUONG_KIM_UNITS, MUONG_TE, MUONG_TE_UNITS, make_user

ALL_UNITS = 259


def codes(user, perm: str = "unit:view") -> set[str]:
    return set(Unit.objects.visible_to(user, perm).values_list("code", flat=True))


@pytest.mark.parametrize("name", ["admin", "reviewer"])
def test_province_roles_see_every_unit(personas, name):
    assert Unit.objects.count() == ALL_UNITS
    assert Unit.objects.visible_to(personas[name]).count() == ALL_UNITS
    assert personas[name].has_global_perm("unit:view")


@pytest.mark.parametrize("name", ["editor_muong_kim", "viewer_muong_kim"])
def test_muong_kim_roles_see_exactly_the_commune_and_its_five_units(personas, name):
    assert codes(personas[name]) == {MUONG_KIM, *MUONG_KIM_UNITS}


def test_muong_te_editor_sees_the_muong_te_subtree(personas):
    assert codes(personas["editor_muong_te"]) == {MUONG_TE, *MUONG_TE_UNITS}
    assert codes(personas["editor_muong_te"], "data:edit") == {MUONG_TE, *MUONG_TE_UNITS}


def test_subtree_follows_the_tree_not_the_code_prefix(personas):
    """A unit added below Mường Kim later is in scope, whatever its code."""
    commune = Unit.objects.get(code=MUONG_KIM)
    added = Unit.objects.create(
        code="Z.NEW", name="Tổ công nghệ số cộng đồng", parent=commune, kind="subunit"
    )
    assert Unit.objects.visible_to(personas["editor_muong_kim"]).filter(pk=added.pk).exists()
    assert not Unit.objects.visible_to(personas["editor_muong_te"]).filter(pk=added.pk).exists()


def test_anonymous_sees_nothing(lai_chau):
    anonymous = AnonymousUser()
    assert not Unit.objects.visible_to(anonymous).exists()
    assert not Unit.objects.visible_to(None).exists()


def test_inactive_user_sees_nothing_and_has_no_perm(lai_chau):
    user = make_user("da_nghi", Role.ADMIN, "LC", is_active=False)
    assert not Unit.objects.visible_to(user).exists()
    assert not user.has_global_perm("unit:view")
    assert not user.has_unit_perm("unit:view", lai_chau)
    assert not user.has_any_perm("unit:view")


def test_user_without_membership_sees_nothing(lai_chau):
    user = make_user("chua_co_quyen")
    assert not Unit.objects.visible_to(user).exists()
    assert not user.has_any_perm("unit:view")
    assert not user.has_unit_perm("unit:view", lai_chau)


def test_revoked_membership_removes_the_scope(lai_chau):
    user = make_user("tam_thoi", Role.EDITOR, MUONG_KIM)
    assert codes(user) == {MUONG_KIM, *MUONG_KIM_UNITS}
    Membership.objects.filter(user=user).delete()
    fresh = type(user).objects.get(pk=user.pk)  # scope is cached per object, as within one request
    assert not Unit.objects.visible_to(fresh).exists()
    assert not fresh.has_unit_perm("data:edit", Unit.objects.get(code=MUONG_KIM_UNITS[0]))


def test_membership_on_an_inactive_unit_grants_nothing(lai_chau):
    user = make_user("don_vi_giai_the", Role.EDITOR, MUONG_KIM)
    Unit.objects.filter(code=MUONG_KIM).update(active=False)
    assert not Unit.objects.visible_to(user).exists()


def test_several_memberships_add_up(lai_chau):
    user = make_user("hai_xa", Role.EDITOR, MUONG_KIM)
    Membership.objects.create(user=user, unit=Unit.objects.get(code=MUONG_TE), role=Role.VIEWER)
    assert codes(user) == {MUONG_KIM, *MUONG_KIM_UNITS, MUONG_TE, *MUONG_TE_UNITS}
    assert codes(user, "data:edit") == {MUONG_KIM, *MUONG_KIM_UNITS}


@pytest.mark.parametrize(
    ("name", "expected"),
    [("admin", True), ("editor_muong_kim", True), ("reviewer", False), ("viewer_muong_kim", False)],
)
def test_data_edit_only_for_admins_and_editors(personas, name, expected):
    unit = Unit.objects.get(code=MUONG_KIM_UNITS[2])
    assert personas[name].has_unit_perm("data:edit", unit) is expected
    assert personas[name].has_any_perm("data:edit") is expected


def test_editor_has_no_perm_outside_the_commune(personas):
    editor = personas["editor_muong_kim"]
    assert editor.has_unit_perm("data:edit", Unit.objects.get(code=MUONG_KIM_UNITS[0]))
    assert not editor.has_unit_perm("data:edit", Unit.objects.get(code=MUONG_TE_UNITS[0]))
    assert not editor.has_unit_perm("unit:view", Unit.objects.get(code="LC"))


@pytest.mark.parametrize(
    ("name", "perm", "expected"),
    [
        ("admin", "user:manage", True),
        ("admin", "submission:review", True),
        ("reviewer", "submission:review", True),
        ("reviewer", "user:manage", False),
        ("editor_muong_kim", "unit:view", False),
        ("editor_muong_kim", "user:manage", False),
        ("viewer_muong_kim", "dashboard:view", False),
    ],
)
def test_global_perm_needs_a_membership_at_the_province(personas, name, perm, expected):
    assert personas[name].has_global_perm(perm) is expected


def test_commune_admin_manages_the_commune_but_not_users_of_the_province(lai_chau):
    user = make_user("qt_muong_kim", Role.ADMIN, MUONG_KIM)
    assert codes(user, "unit:manage") == {MUONG_KIM, *MUONG_KIM_UNITS}
    assert user.has_any_perm("user:manage")
    assert not user.has_global_perm("user:manage")


def test_superuser_sees_everything_without_membership(lai_chau):
    root = make_user("root", is_superuser=True)
    assert Unit.objects.visible_to(root, "unit:manage").count() == ALL_UNITS
    assert root.has_global_perm("user:manage")


@pytest.mark.parametrize(
    "check",
    [
        lambda user, unit: Unit.objects.visible_to(user, "data:delete"),
        lambda user, unit: user.has_unit_perm("data:delete", unit),
        lambda user, unit: user.has_global_perm("unit:edit"),
        lambda user, unit: user.has_any_perm("users:manage"),
    ],
)
def test_unknown_permission_name_raises(personas, check):
    with pytest.raises(ValueError, match="unknown permission"):
        check(personas["editor_muong_kim"], Unit.objects.get(code=MUONG_KIM))

"""The unit registry pages: tree and list, a unit's page, and the administrator's operations."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rasoat.audit.models import AuditEntry
from rasoat.campaigns.models import Assignment, Status
from rasoat.orgs.models import Kind, Unit
from rasoat.orgs.registry import tree_order
from tests.conftest import MUONG_KIM, MUONG_KIM_UNITS, MUONG_TE, MUONG_TE_UNITS

pytestmark = pytest.mark.django_db


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def listed_codes(response) -> list[str]:
    return [u.code for u in response.context["units"]]


# --- list -------------------------------------------------------------------------------------


def test_search_ignores_accents_and_case(clients):
    response = clients["admin"].get(reverse("unit_list"), {"q": "muong KIM"})
    assert response.status_code == 200
    codes = listed_codes(response)
    assert MUONG_KIM in codes
    assert set(MUONG_KIM_UNITS) <= set(codes)
    assert MUONG_TE not in codes
    assert "Xã Mường Kim" in response.content.decode()


def test_search_matches_code(clients):
    response = clients["admin"].get(reverse("unit_list"), {"q": "x.03637.du"})
    assert listed_codes(response) == ["X.03637.DU"]


def test_filters_by_block_level_and_kind(clients):
    response = clients["admin"].get(reverse("unit_list"), {"block": "hdnd", "level": "xa"})
    units = response.context["units"]
    assert units and all(u.block == "hdnd" and u.level == "xa" for u in units)
    assert "X.03637.HD" in [u.code for u in units]

    response = clients["admin"].get(reverse("unit_list"), {"kind": Kind.ONE_STOP})
    assert {u.kind for u in response.context["units"]} == {Kind.ONE_STOP}
    assert "T.TTPVHCC" in listed_codes(response)


def test_filters_by_commune(clients):
    commune = unit(MUONG_KIM)
    response = clients["admin"].get(reverse("unit_list"), {"commune": commune.pk})
    assert sorted(listed_codes(response)) == sorted([MUONG_KIM, *MUONG_KIM_UNITS])


def test_filters_by_active_status(clients):
    Unit.objects.filter(code="X.03637.TT").update(active=False)
    response = clients["admin"].get(reverse("unit_list"), {"active": "0"})
    assert listed_codes(response) == ["X.03637.TT"]
    response = clients["admin"].get(reverse("unit_list"), {"active": "1", "commune": unit(MUONG_KIM).pk})
    assert "X.03637.TT" not in listed_codes(response)
    assert "X.03637.DU" in listed_codes(response)


def test_flat_list_is_paginated(clients):
    response = clients["admin"].get(reverse("unit_list"), {"active": "1"})
    assert len(response.context["units"]) == 100
    assert response.context["page"].paginator.count == Unit.objects.filter(active=True).count()
    second = clients["admin"].get(reverse("unit_list"), {"active": "1", "page": 2})
    assert set(listed_codes(second)).isdisjoint(listed_codes(response))


def test_tree_lists_every_unit_after_its_parent(clients):
    response = clients["admin"].get(reverse("unit_list"))
    units = response.context["units"]
    assert len(units) == Unit.objects.count()
    assert units[0].code == "LC"
    seen = set()
    for u in units:
        assert u.parent_id is None or u.parent_id in seen
        seen.add(u.pk)
    codes = [u.code for u in units]
    # The one-stop centre sits right under its parent office, not at its file position.
    assert codes.index("T.TTPVHCC") == codes.index("T.VPUBND") + 1
    assert codes.index("X.03637.DU") == codes.index(MUONG_KIM) + 1


def test_editor_sees_only_the_commune_and_its_units(clients):
    response = clients["editor_muong_kim"].get(reverse("unit_list"))
    assert response.status_code == 200
    assert listed_codes(response) == [MUONG_KIM, *tree_codes(MUONG_KIM_UNITS)]
    assert [u.indent for u in response.context["units"]] == [0, 1, 1, 1, 1, 1]
    # The commune filter offers only the communes in scope.
    assert list(response.context["form"].fields["commune"].queryset) == [unit(MUONG_KIM)]
    body = response.content.decode()
    assert 'data-testid="unit-create"' not in body
    assert 'data-testid="registry-export"' not in body


def tree_codes(codes: list[str]) -> list[str]:
    return [u.code for u in tree_order(Unit.objects.filter(code__in=codes))]


def test_editor_search_stays_in_scope(clients):
    response = clients["editor_muong_kim"].get(reverse("unit_list"), {"q": "muong"})
    assert sorted(listed_codes(response)) == sorted([MUONG_KIM, *MUONG_KIM_UNITS])


def test_out_of_scope_commune_filter_is_ignored(clients):
    response = clients["editor_muong_kim"].get(reverse("unit_list"), {"commune": unit(MUONG_TE).pk})
    assert response.status_code == 200
    assert not set(listed_codes(response)) & {MUONG_TE, *MUONG_TE_UNITS}


def test_admin_sees_management_buttons(clients):
    body = clients["admin"].get(reverse("unit_list")).content.decode()
    assert 'data-testid="unit-create"' in body
    assert 'data-testid="registry-export"' in body
    assert 'data-testid="registry-import"' in body


def test_anonymous_is_sent_to_login(clients):
    response = clients["anonymous"].get(reverse("unit_list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_user_without_role_gets_403(client, lai_chau):
    from tests.conftest import make_user

    client.force_login(make_user("nobody"))
    assert client.get(reverse("unit_list")).status_code == 403


def _add_units(parent: Unit, count: int) -> None:
    for i in range(count):
        Unit.objects.create(
            code=f"{parent.code}.N{i}", name=f"Đơn vị thêm {i}", parent=parent, kind=Kind.SUBUNIT
        )


@pytest.mark.parametrize("params", [{}, {"q": "xa", "active": "1"}])
def test_list_queries_do_not_grow_with_rows(clients, django_assert_num_queries, params):
    client = clients["admin"]
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("unit_list"), params)
    _add_units(unit(MUONG_KIM), 30)
    with django_assert_num_queries(len(before.captured_queries)):
        response = client.get(reverse("unit_list"), params)
    assert response.status_code == 200


def test_editor_list_query_count(clients, django_assert_num_queries):
    # Session, user, memberships, units, their ancestors outside the scope, the communes of the
    # filter, and saving the session (savepoint, update, release).
    with django_assert_num_queries(9):
        clients["editor_muong_kim"].get(reverse("unit_list"))


# --- detail -----------------------------------------------------------------------------------


def test_detail_shows_fields_breadcrumbs_and_commune_units(clients):
    commune = unit(MUONG_KIM)
    response = clients["admin"].get(reverse("unit_detail", args=[commune.pk]))
    assert response.status_code == 200
    assert [a.code for a in response.context["breadcrumbs"]] == ["LC"]
    assert sorted(u.code for u in response.context["commune_units"]) == sorted(MUONG_KIM_UNITS)
    body = response.content.decode()
    assert "Than Uyên" in body
    assert 'data-testid="unit-edit"' in body


def test_detail_shows_campaign_status_and_contact(clients, campaign):
    target = unit("X.03637.UB")
    Assignment.objects.filter(campaign=campaign, unit=target).update(status=Status.SUBMITTED)
    response = clients["viewer_muong_kim"].get(reverse("unit_detail", args=[target.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("campaign_board", args=[campaign.code]) in body
    assert str(Status.SUBMITTED.label) in body
    assert campaign.contact_phone in body
    assert "Phòng Bưu chính" in body
    # Breadcrumbs stop at the scope: the province is not shown to a commune viewer.
    assert [a.code for a in response.context["breadcrumbs"]] == [MUONG_KIM]
    assert 'data-testid="unit-edit"' not in body


@pytest.mark.parametrize("code", MUONG_TE_UNITS + [MUONG_TE, "LC"])
def test_detail_out_of_scope_is_404(clients, code):
    response = clients["editor_muong_kim"].get(reverse("unit_detail", args=[unit(code).pk]))
    assert response.status_code == 404


# --- administration ---------------------------------------------------------------------------


def test_admin_creates_a_unit_under_a_parent(clients):
    parent = unit("X.03637.UB")
    response = clients["admin"].post(
        reverse("unit_create"),
        {
            "parent": parent.pk,
            "code": "X.03637.UB.VP",
            "name": "Văn phòng  HĐND và UBND xã",
            "kind": Kind.SUBUNIT,
            "level": "xa",
            "block": "ubnd",
            "reports": "on",
            "former_district": "",
        },
    )
    created = unit("X.03637.UB.VP")
    assert response.status_code == 302
    assert response["Location"] == reverse("unit_detail", args=[created.pk])
    assert created.path == f"{parent.path}{created.pk}/"
    assert created.name == "Văn phòng HĐND và UBND xã"
    assert created.commune == unit(MUONG_KIM)  # inherited from the parent
    assert created.reports
    assert created.position == Unit.objects.exclude(pk=created.pk).order_by("-position")[0].position + 1
    entry = AuditEntry.objects.get(action="unit.created")
    assert (entry.object_id, entry.unit_id, entry.actor.username) == (str(created.pk), created.pk, "admin")


def test_create_refuses_a_repeated_code_in_vietnamese(clients):
    response = clients["admin"].post(
        reverse("unit_create"),
        {"parent": unit("LC").pk, "code": "x.03637.du", "name": "Trùng mã", "kind": Kind.AGENCY},
    )
    assert response.status_code == 200
    assert "Đã có đơn vị khác mang mã" in response.content.decode()
    assert Unit.objects.filter(name="Trùng mã").count() == 0


def test_create_applies_the_registry_rules(clients):
    response = clients["admin"].post(
        reverse("unit_create"),
        {
            "parent": unit("LC").pk,
            "code": "T.MOI",
            "name": "Cơ quan mới",
            "kind": Kind.AGENCY,
            "reports": "on",
        },
    )
    assert response.status_code == 200
    assert "reports" in response.context["form"].errors
    assert not Unit.objects.filter(code="T.MOI").exists()


def test_create_offers_only_manageable_parents(clients, personas):
    from rasoat.orgs.models import Membership
    from rasoat.orgs.roles import Role

    commune_admin = personas["viewer_muong_kim"]
    Membership.objects.create(user=commune_admin, unit=unit(MUONG_KIM), role=Role.ADMIN)
    client = clients["viewer_muong_kim"]
    response = client.get(reverse("unit_create"))
    assert set(response.context["form"].fields["parent"].queryset.values_list("code", flat=True)) == {
        MUONG_KIM,
        *MUONG_KIM_UNITS,
    }
    response = client.post(
        reverse("unit_create"),
        {"parent": unit(MUONG_TE).pk, "code": "X.NEW", "name": "Ngoài phạm vi", "kind": "agency"},
    )
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    assert not Unit.objects.filter(code="X.NEW").exists()


@pytest.mark.parametrize("persona", ["reviewer", "editor_muong_kim", "viewer_muong_kim"])
def test_create_without_manage_is_403(clients, persona):
    assert clients[persona].get(reverse("unit_create")).status_code == 403


def test_admin_edits_a_unit_and_its_code(clients, campaign):
    target = unit("X.03637.HD")
    assignment = Assignment.objects.get(campaign=campaign, unit=target)
    response = clients["admin"].post(
        reverse("unit_edit", args=[target.pk]),
        {"code": "X.03637.HDND", "name": "HĐND xã Mường Kim", "kind": Kind.AGENCY, "level": "xa",
         "block": "hdnd", "reports": "on", "commune": unit(MUONG_KIM).pk, "former_district": "Than Uyên"},
    )  # fmt: skip
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.code, target.name, target.name_folded) == (
        "X.03637.HDND",
        "HĐND xã Mường Kim",
        "hdnd xa muong kim",
    )
    assignment.refresh_from_db()
    assert assignment.unit_id == target.pk
    entry = AuditEntry.objects.get(action="unit.updated", object_id=str(target.pk))
    assert entry.changes["code"] == ["X.03637.HD", "X.03637.HDND"]


@pytest.mark.parametrize("persona", ["reviewer", "editor_muong_kim", "viewer_muong_kim"])
def test_edit_in_scope_without_manage_is_403(clients, persona):
    target = unit("X.03637.UB")
    assert clients[persona].get(reverse("unit_edit", args=[target.pk])).status_code == 403
    response = clients[persona].post(reverse("unit_edit", args=[target.pk]), {"code": "HACK", "name": "x"})
    assert response.status_code == 403
    assert unit("X.03637.UB").name == "Ủy ban nhân dân xã Mường Kim"


@pytest.mark.parametrize("name", ["unit_edit", "unit_move", "unit_set_active"])
def test_admin_operations_out_of_scope_are_404(clients, name):
    target = unit("X.03445.UB")
    assert (
        clients["editor_muong_kim"].post(reverse(name, args=[target.pk]), {"active": "0"}).status_code == 404
    )


def test_move_rewrites_the_subtree_paths(clients):
    moving = unit("T.UBMTTQ")
    children = list(moving.children.values_list("code", flat=True))
    assert len(children) >= 3
    Unit.objects.create(code="T.UBMTTQ.TD.X", name="Chi đoàn", parent=unit("T.UBMTTQ.TD"), kind=Kind.SUBUNIT)
    target = unit("T.VPUBND")
    response = clients["admin"].post(reverse("unit_move", args=[moving.pk]), {"parent": target.pk})
    assert response.status_code == 302
    moving.refresh_from_db()
    assert moving.parent == target
    assert moving.path == f"{target.path}{moving.pk}/"
    for descendant in Unit.objects.filter(path__startswith=moving.path).exclude(pk=moving.pk):
        assert descendant.path == f"{descendant.parent.path}{descendant.pk}/"
    assert Unit.objects.filter(path__startswith=moving.path).count() == len(children) + 2
    assert unit("T.UBMTTQ.TD.X").path.startswith(target.path)
    assert AuditEntry.objects.get(action="unit.moved").changes == {"parent": ["LC", "T.VPUBND"]}


def test_move_under_its_own_subtree_is_refused(clients):
    moving = unit("T.UBMTTQ")
    below = unit("T.UBMTTQ.TD")
    old_path = moving.path
    for parent in (moving, below):
        response = clients["admin"].post(reverse("unit_move", args=[moving.pk]), {"parent": parent.pk})
        assert response.status_code == 200
        assert "parent" in response.context["form"].errors
    assert unit("T.UBMTTQ").path == old_path


def test_move_offers_no_unit_of_the_subtree(clients):
    moving = unit(MUONG_KIM)
    response = clients["admin"].get(reverse("unit_move", args=[moving.pk]))
    offered = set(response.context["form"].fields["parent"].queryset.values_list("code", flat=True))
    assert "LC" in offered
    assert not offered & {MUONG_KIM, *MUONG_KIM_UNITS}


def test_deactivate_and_reactivate(clients):
    target = unit("X.03637.TT")
    url = reverse("unit_set_active", args=[target.pk])
    assert clients["admin"].get(url).status_code == 405
    assert clients["admin"].post(url, {"active": "0"}).status_code == 302
    assert not unit("X.03637.TT").active
    assert clients["admin"].post(url, {"active": "1"}).status_code == 302
    assert unit("X.03637.TT").active
    actions = list(AuditEntry.objects.filter(object_id=str(target.pk)).values_list("action", flat=True))
    assert sorted(actions) == ["unit.deactivated", "unit.reactivated"]


def test_deactivate_without_manage_is_403(clients):
    target = unit("X.03637.TT")
    assert (
        clients["editor_muong_kim"]
        .post(reverse("unit_set_active", args=[target.pk]), {"active": "0"})
        .status_code
        == 403
    )
    assert unit("X.03637.TT").active


def test_admin_cannot_deactivate_the_root(clients):
    response = clients["admin"].post(
        reverse("unit_set_active", args=[unit("LC").pk]), {"active": "0"}, follow=True
    )
    assert unit("LC").active
    assert "Không thể ngừng hoạt động đơn vị gốc" in response.content.decode()


def test_admin_cannot_deactivate_the_unit_of_their_own_role(clients, personas):
    from rasoat.orgs.models import Membership
    from rasoat.orgs.roles import Role

    Membership.objects.create(user=personas["viewer_muong_kim"], unit=unit(MUONG_KIM), role=Role.ADMIN)
    client = clients["viewer_muong_kim"]
    response = client.post(
        reverse("unit_set_active", args=[unit(MUONG_KIM).pk]), {"active": "0"}, follow=True
    )
    assert unit(MUONG_KIM).active
    assert "chính bạn đang giữ quyền quản trị" in response.content.decode()
    # A unit below the role's unit may be deactivated.
    client.post(reverse("unit_set_active", args=[unit("X.03637.TT").pk]), {"active": "0"})
    assert not unit("X.03637.TT").active


def test_create_form_is_prefilled_from_the_parent(clients):
    parent = unit("X.03637.UB")
    form = clients["admin"].get(reverse("unit_create"), {"parent": parent.pk}).context["form"]
    assert form.initial == {
        "parent": parent.pk, "level": "xa", "block": "ubnd", "commune": unit(MUONG_KIM).pk,
        "former_district": "Than Uyên",
    }  # fmt: skip

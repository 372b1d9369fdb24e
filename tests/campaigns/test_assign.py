"""Adding units to a campaign and removing them: only units that have not started may leave."""

from django.urls import reverse

from rasoat.campaigns.models import Status
from rasoat.campaigns.services import remove_units
from rasoat.orgs.models import Unit


def assign_url(campaign) -> str:
    return reverse("campaign_assign", args=[campaign.code])


def pks(*codes: str) -> list[int]:
    return list(Unit.objects.filter(code__in=codes).values_list("pk", flat=True))


def assigned_codes(campaign) -> set[str]:
    return set(campaign.assignments.values_list("unit__code", flat=True))


def test_assign_page_lists_assigned_units(clients, campaign):
    html = clients["admin"].get(assign_url(campaign)).content.decode()
    assert html.count('data-testid="assign-row"') == 220
    assert "Chưa thực hiện" in html


def test_remove_not_started_units(clients, campaign):
    response = clients["admin"].post(
        assign_url(campaign), {"action": "remove", "units": pks("T.VPTU", "T.BTCTU")}
    )
    assert response.status_code == 302 and response["Location"] == assign_url(campaign)
    assert not {"T.VPTU", "T.BTCTU"} & assigned_codes(campaign)
    assert campaign.assignments.count() == 218
    html = clients["admin"].get(response["Location"]).content.decode()
    assert "Đã đưa 2 đơn vị ra khỏi đợt." in html


def test_started_units_are_refused_with_a_message(clients, campaign):
    for code, status in [("X.03637.DU", Status.IN_PROGRESS), ("X.03637.HD", Status.SUBMITTED)]:
        campaign.assignments.filter(unit__code=code).update(status=status)
    response = clients["admin"].post(
        assign_url(campaign),
        {"action": "remove", "units": pks("X.03637.DU", "X.03637.HD", "X.03637.UB")},
        follow=True,
    )
    assert {"X.03637.DU", "X.03637.HD"} <= assigned_codes(campaign)
    assert "X.03637.UB" not in assigned_codes(campaign)
    html = response.content.decode()
    assert "2 đơn vị được giữ lại trong đợt vì đã có dữ liệu hoặc đã bắt đầu thực hiện." in html
    assert "Đảng ủy xã Mường Kim: trạng thái là “Đang nhập”" in html
    assert "Đã đưa 1 đơn vị ra khỏi đợt." in html


def test_started_units_have_no_active_checkbox(clients, campaign):
    campaign.assignments.filter(unit__code="X.03637.DU").update(status=Status.ACCEPTED)
    unit = Unit.objects.get(code="X.03637.DU")
    html = clients["admin"].get(assign_url(campaign)).content.decode()
    checkbox = html.split(f'value="{unit.pk}" id="unit-{unit.pk}"')[1].split(">")[0]
    assert "disabled" in checkbox


def test_remove_a_unit_not_in_the_campaign_is_refused(clients, campaign):
    clients["admin"].post(assign_url(campaign), {"action": "remove", "units": pks("T.VPTU")})
    response = clients["admin"].post(
        assign_url(campaign), {"action": "remove", "units": pks("T.VPTU", "T.BTCTU")}, follow=True
    )
    assert "Có đơn vị được chọn không thuộc đợt rà soát này." in response.content.decode()
    assert "T.BTCTU" in assigned_codes(campaign)  # nothing is removed when the selection is invalid


def test_add_selected_units(clients, campaign):
    remove_units(campaign, Unit.objects.filter(code__in=["T.VPTU", "T.BTCTU", "X.03637.DU"]))
    form = clients["admin"].get(assign_url(campaign)).context["add_form"]
    assert set(form.fields["units"].queryset.values_list("code", flat=True)) == {
        "T.VPTU",
        "T.BTCTU",
        "X.03637.DU",
    }
    response = clients["admin"].post(
        assign_url(campaign), {"action": "add", "units": pks("T.VPTU", "X.03637.DU")}, follow=True
    )
    assert {"T.VPTU", "X.03637.DU"} <= assigned_codes(campaign)
    assert "T.BTCTU" not in assigned_codes(campaign)
    assert "Đã bổ sung 2 đơn vị." in response.content.decode()


def test_add_all_active_reporting_units(clients, campaign):
    remove_units(campaign, Unit.objects.filter(code__startswith="X.036"))
    assert campaign.assignments.count() < 220
    clients["admin"].post(assign_url(campaign), {"action": "add_all"})
    assert campaign.assignments.count() == 220


def test_add_refuses_non_reporting_inactive_or_already_assigned_units(clients, campaign):
    Unit.objects.filter(code="T.VPTU").update(active=False)
    remove_units(campaign, Unit.objects.filter(code="T.VPTU"))
    for codes in (["X.03637"], ["T.VPTU"], ["X.03637.DU"]):  # a commune node, an inactive unit, assigned one
        response = clients["admin"].post(
            assign_url(campaign), {"action": "add", "units": pks(*codes)}, follow=True
        )
        assert response.redirect_chain == [(assign_url(campaign), 302)]
        assert "Có đơn vị được chọn không thể bổ sung" in response.content.decode()
    assert "X.03637" not in assigned_codes(campaign) and "T.VPTU" not in assigned_codes(campaign)


def test_add_with_nothing_selected_says_so(clients, campaign):
    remove_units(campaign, Unit.objects.filter(code="T.VPTU"))
    response = clients["admin"].post(assign_url(campaign), {"action": "add"}, follow=True)
    assert "Hãy chọn ít nhất một đơn vị để bổ sung." in response.content.decode()


def test_unknown_action_changes_nothing(clients, campaign):
    response = clients["admin"].post(
        assign_url(campaign), {"action": "drop_table", "units": pks("T.VPTU")}, follow=True
    )
    assert "Thao tác không hợp lệ." in response.content.decode()
    assert campaign.assignments.count() == 220


def test_assign_page_query_count_is_fixed(clients, campaign, django_assert_max_num_queries):
    client = clients["admin"]
    client.get(assign_url(campaign))
    with django_assert_max_num_queries(14):
        client.get(assign_url(campaign))

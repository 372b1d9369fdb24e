"""Who may open each campaign page: one matrix of (page, persona, expected status)."""

import pytest
from django.urls import reverse

from rasoat.campaigns.models import Campaign
from rasoat.orgs.models import Unit
from tests.campaigns.helpers import commune_url
from tests.conftest import MUONG_TE, client_for, make_user

PERSONAS = [
    "admin",
    "reviewer",
    "editor_muong_kim",
    "editor_muong_te",
    "viewer_muong_kim",
    "anonymous",
    "nobody",
]
EVERYONE = {
    "admin": 200,
    "reviewer": 200,
    "editor_muong_kim": 200,
    "editor_muong_te": 200,
    "viewer_muong_kim": 200,
    "anonymous": 302,
    "nobody": 404,
}
MANAGERS = {
    **EVERYONE,
    "reviewer": 403,
    "editor_muong_kim": 403,
    "editor_muong_te": 403,
    "viewer_muong_kim": 403,
}
MUONG_KIM_PAGE = {**EVERYONE, "editor_muong_te": 404}
MUONG_TE_PAGE = {**EVERYONE, "editor_muong_kim": 404, "viewer_muong_kim": 404}

PAGES = {
    "list": (lambda c: reverse("campaign_list"), EVERYONE),
    "create": (lambda c: reverse("campaign_create"), MANAGERS),
    "edit": (lambda c: reverse("campaign_edit", args=[c.code]), MANAGERS),
    "assign": (lambda c: reverse("campaign_assign", args=[c.code]), MANAGERS),
    "board": (lambda c: reverse("campaign_board", args=[c.code]), EVERYONE),
    "commune_muong_kim": (lambda c: commune_url(c), MUONG_KIM_PAGE),
    "commune_muong_te": (lambda c: commune_url(c, MUONG_TE), MUONG_TE_PAGE),
}


@pytest.fixture
def everyone(clients):
    """The conftest personas plus a logged-in user without any membership."""
    return {**clients, "nobody": client_for(make_user("nobody"))}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", list(PAGES))
def test_page_access_by_persona(everyone, campaign, page, persona):
    url_for, expected = PAGES[page]
    url = url_for(campaign)
    response = everyone[persona].get(url)
    assert response.status_code == expected[persona], (page, persona)
    if expected[persona] == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["reviewer", "editor_muong_kim", "viewer_muong_kim", "nobody"])
def test_post_by_non_manager_changes_nothing(everyone, campaign, persona):
    before = campaign.assignments.count()
    everyone[persona].post(
        reverse("campaign_create"),
        {"code": "X1", "title": "x", "deadline": "20/05/2027", "reference_date": "20/05/2027"},
    )
    everyone[persona].post(reverse("campaign_edit", args=[campaign.code]), {"code": "HACK", "title": "x"})
    everyone[persona].post(
        reverse("campaign_assign", args=[campaign.code]),
        {"action": "remove", "units": list(campaign.assignments.values_list("unit_id", flat=True)[:3])},
    )
    assert not Campaign.objects.filter(code__in=["X1", "HACK"]).exists()
    assert campaign.assignments.count() == before


def test_province_admin_role_below_the_province_cannot_manage(lai_chau, campaign):
    """An administrator of one commune sees campaigns but cannot change them (needs the province)."""
    user = make_user("commune_admin", "admin", "X.03637")
    client = client_for(user)
    assert client.get(reverse("campaign_board", args=[campaign.code])).status_code == 200
    assert client.get(reverse("campaign_edit", args=[campaign.code])).status_code == 403


def test_unknown_campaign_is_404(clients, lai_chau):
    assert clients["admin"].get(reverse("campaign_board", args=["NOPE"])).status_code == 404
    assert clients["admin"].get(reverse("campaign_edit", args=["NOPE"])).status_code == 404


def test_commune_page_for_a_unit_that_is_not_a_commune_is_404(clients, campaign):
    unit = Unit.objects.get(code="X.03637.UB")
    response = clients["admin"].get(reverse("campaign_commune", args=[campaign.code, unit.pk]))
    assert response.status_code == 404


def test_create_button_only_for_province_managers(clients, campaign):
    assert 'data-testid="campaign-create"' in clients["admin"].get(reverse("campaign_list")).content.decode()
    assert (
        'data-testid="campaign-create"'
        not in clients["reviewer"].get(reverse("campaign_list")).content.decode()
    )

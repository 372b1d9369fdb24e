"""Who may open the dashboard and what they see: scope, filters limited to the scope."""

import pytest
from django.urls import reverse

from rasoat.orgs.models import Unit
from tests.conftest import MUONG_KIM_UNITS, client_for, make_user
from tests.dashboard.helpers import dashboard_url, drilldown_url

PAGES = ["dashboard", "drilldown", "latest"]


def _url(campaign, page: str) -> str:
    if page == "dashboard":
        return dashboard_url(campaign)
    if page == "drilldown":
        return drilldown_url(campaign, "status", "not_started")
    return reverse("dashboard_latest")


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_the_login_page(clients, campaign, page):
    response = clients["anonymous"].get(_url(campaign, page))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("page", PAGES)
def test_a_user_without_any_role_gets_404(lai_chau, campaign, page):
    client = client_for(make_user("no-role"))
    assert client.get(_url(campaign, page)).status_code == 404


@pytest.mark.parametrize(
    "persona", ["admin", "reviewer", "editor_muong_kim", "editor_muong_te", "viewer_muong_kim"]
)
def test_every_role_opens_the_dashboard(clients, campaign, persona):
    assert clients[persona].get(dashboard_url(campaign)).status_code == 200
    assert clients[persona].get(_url(campaign, "drilldown")).status_code == 200


def test_unknown_campaign_is_404(clients, campaign):
    assert clients["reviewer"].get(reverse("dashboard", args=["KHONGCO"])).status_code == 404
    assert clients["reviewer"].get(reverse("dashboard_drilldown", args=["KHONGCO"])).status_code == 404


def test_the_navigation_entry_opens_the_latest_campaign(clients, campaign):
    response = clients["viewer_muong_kim"].get(reverse("dashboard_latest"))
    assert response.status_code == 302
    assert response.url == dashboard_url(campaign)


def test_commune_viewer_sees_only_its_commune(clients, loaded, campaign):
    response = clients["viewer_muong_kim"].get(dashboard_url(campaign))
    context = response.context
    assert context["progress"].total == len(MUONG_KIM_UNITS)
    assert {a.unit.code for a in context["late"]} <= set(MUONG_KIM_UNITS)
    html = response.content.decode()
    assert "Mường Tè" not in html
    assert "Văn phòng Tỉnh ủy" not in html
    # Its filters offer only its commune and its former district.
    form = context["filter_form"]
    communes = [label for value, label in form.fields["commune"].choices if value]
    assert communes == ["Xã Mường Kim"]
    assert [value for value, _label in form.fields["former_district"].choices if value] == ["Than Uyên"]


def test_out_of_scope_filter_values_are_ignored(clients, loaded, campaign):
    muong_te = Unit.objects.get(code="X.03445")
    context = clients["viewer_muong_kim"].get(dashboard_url(campaign, commune=muong_te.pk)).context
    assert context["filters"] == {}
    assert context["progress"].total == len(MUONG_KIM_UNITS)
    context = clients["viewer_muong_kim"].get(dashboard_url(campaign, former_district="Mường Tè")).context
    assert context["filters"] == {}
    assert context["progress"].total == len(MUONG_KIM_UNITS)
    # A bad value next to a good one drops only the bad one.
    context = clients["reviewer"].get(dashboard_url(campaign, commune="abc", level="xa")).context
    assert context["filters"] == {"level": "xa"}


def test_out_of_scope_drilldown_shows_nothing_outside_the_scope(clients, loaded, campaign):
    muong_te = Unit.objects.get(code="X.03445")
    url = drilldown_url(campaign, "computer_support", "out", commune=muong_te.pk)
    response = clients["viewer_muong_kim"].get(url)
    assert response.status_code == 200
    units = {row.assignment.unit.code for row in response.context["page"]}
    assert units and units <= set(MUONG_KIM_UNITS)


def test_the_province_report_link_is_shown_to_province_wide_users_only(clients, campaign):
    report = reverse("report_download", args=[campaign.code, "province"])
    assert (
        f'href="{report}" data-testid="province-report"'
        in clients["reviewer"].get(dashboard_url(campaign)).content.decode()
    )
    assert report not in clients["viewer_muong_kim"].get(dashboard_url(campaign)).content.decode()


def test_the_dashboard_reads_vietnamese(clients, loaded, campaign):
    html = clients["reviewer"].get(dashboard_url(campaign)).content.decode()
    for text in ("Tiến độ", "Đơn vị chậm", "Máy tính hết hỗ trợ", "Bảng số liệu", "Xã Mường Kim"):
        assert text in html, text

"""The drill-down: every number of the dashboard opens the rows behind it, and they add up to it."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models import Sum

from rasoat.dashboard import views
from rasoat.inventory.models import EndDevice
from rasoat.orgs.models import Unit
from tests.conftest import MUONG_KIM_UNITS
from tests.dashboard.helpers import COMPUTERS, UNSUPPORTED, dashboard_url, drilldown_url

UNIT_FIGURES = {"status", "timeliness", "tslcd", "bandwidth_internet", "bandwidth_tslcd"}


def _links(context):
    """(figure key, number shown, drill-down URL) of every linked number of the dashboard."""
    for chart in context["charts"].values():
        if chart.key.startswith("score_"):
            continue  # averages: their drill-down is tested with the assessment figures
        for row in chart.table():
            if row["total_link"]:
                yield chart.key, row["total"], row["total_link"]
            for number, link in row["cells"] if chart.second else ():
                if link:
                    yield chart.key, number, link


@pytest.mark.parametrize("persona", ["reviewer", "viewer_muong_kim"])
def test_every_number_drills_down_to_rows_that_add_up_to_it(clients, loaded, campaign, persona):
    client = clients[persona]
    links = list(_links(client.get(dashboard_url(campaign)).context))
    assert {key for key, _n, _l in links} >= {
        "status",
        "timeliness",
        "devices_B03",
        "devices_B05",
        "computer_os",
        "computer_age",
        "computer_support",
        "tslcd",
        "bandwidth_internet",
        "bandwidth_tslcd",
        "software_category",
        "software_security",
    }
    for key, number, link in links:
        response = client.get(link)
        assert response.status_code == 200, link
        summary = response.context["summary"]
        counted = summary["quantity"] is None or key == "findings"
        shown = summary["rows"] if counted else summary["quantity"]
        assert shown == number, (key, link)


def test_computers_out_of_support_list_the_b05_rows(clients, loaded, campaign):
    response = clients["reviewer"].get(drilldown_url(campaign, "computer_support", "out"))
    expected = EndDevice.objects.filter(
        assignment__campaign=campaign, device_type__in=COMPUTERS, os__in=UNSUPPORTED
    ).select_related("assignment__unit")
    rows = list(response.context["page"])
    assert {row.pk for row in rows} == {row.pk for row in expected}
    assert response.context["summary"]["quantity"] == expected.aggregate(q=Sum("quantity"))["q"]
    html = response.content.decode()
    row = expected.first()
    # Each row names its unit and position and links to the unit's B05 sheet at that row.
    assert f'data-unit="{row.assignment.unit.code}" data-row="{row.position}"' in html
    entry = f"/dot/{campaign.code}/don-vi/{row.assignment.unit_id}/nhap/B05/#row-{row.pk}"
    assert f'href="{entry}"' in html
    for header in ("Loại thiết bị", "Hãng, model", "Hệ điều hành", "Năm trang bị", "Số lượng"):
        assert header in html


def test_drilldown_keeps_the_filters(clients, loaded, campaign):
    commune = Unit.objects.get(code="X.03637")
    dashboard = clients["reviewer"].get(dashboard_url(campaign, commune=commune.pk)).context
    link = dashboard["charts"]["computer_support"].total_links[0]
    assert parse_qs(urlsplit(link).query)["commune"] == [str(commune.pk)]
    response = clients["reviewer"].get(link)
    units = {row.assignment.unit.code for row in response.context["page"]}
    assert units and units <= set(MUONG_KIM_UNITS)
    assert response.context["summary"]["quantity"] == dashboard["support"].out
    assert "Xã Mường Kim" in response.content.decode()  # the filter in use is named


def test_unit_drilldown_lists_units_with_contact(clients, loaded, campaign):
    response = clients["viewer_muong_kim"].get(drilldown_url(campaign, "tslcd", "without"))
    codes = [a.unit.code for a in response.context["page"]]
    assert sorted(codes) == ["X.03637.TT", "X.03637.UB"]
    html = response.content.decode()
    assert "Lò Văn Thắng" in html and "editor_muong_kim" in html


def test_device_drilldown_by_type_and_condition(clients, loaded, campaign):
    url = drilldown_url(campaign, "devices_B05", "Máy in", condition="Hỏng, không sử dụng được")
    response = clients["reviewer"].get(url)
    expected = EndDevice.objects.filter(
        assignment__campaign=campaign, device_type="Máy in", condition="Hỏng, không sử dụng được"
    )
    assert {row.pk for row in response.context["page"]} == set(expected.values_list("pk", flat=True))
    assert response.context["selection"].second_label == "Hỏng, không sử dụng được"


@pytest.mark.parametrize(
    "params",
    [
        {"figure": "assignment__unit__path", "value": "1/"},
        {"figure": "computer_os", "value": "Windows 95"},
        {"figure": "computer_os", "value": "Windows 10", "condition": "Hoạt động tốt"},
        {"figure": "devices_B05", "value": "Máy in", "condition": "os"},
        {"figure": "status", "value": ""},
        {},
    ],
)
def test_figures_and_values_outside_the_whitelist_are_404(clients, campaign, params):
    from urllib.parse import urlencode

    from django.urls import reverse

    url = f"{reverse('dashboard_drilldown', args=[campaign.code])}?{urlencode(params)}"
    assert clients["reviewer"].get(url).status_code == 404


def test_drilldown_is_paginated(clients, loaded, campaign):
    url = drilldown_url(campaign, "status", "not_started")
    first = clients["reviewer"].get(url).context
    total = first["summary"]["rows"]
    assert total > views.DRILLDOWN_PAGE_SIZE
    assert len(first["page"]) == views.DRILLDOWN_PAGE_SIZE
    second = clients["reviewer"].get(url + "&page=2").context
    assert not {a.pk for a in first["page"]} & {a.pk for a in second["page"]}
    assert first["page"].paginator.count == total

"""The assessment's figures on the dashboard: the most frequent findings, the scores by commune and by
block, their drill-downs, and the end-of-support dates read from the assessment settings."""

import datetime

import pytest
from django.db.models import Avg, Count, Sum
from django.urls import reverse

from rasoat.assessment.models import Finding, UnitScore
from rasoat.assessment.services import config_for
from rasoat.inventory.models import EndDevice
from rasoat.orgs.models import Unit
from tests.conftest import MUONG_KIM, MUONG_KIM_UNITS
from tests.dashboard.helpers import COMPUTERS, dashboard_url, drilldown_url, in_scope

VIEWS = [("reviewer", None), ("viewer_muong_kim", MUONG_KIM)]


@pytest.fixture(params=VIEWS, ids=[name for name, _c in VIEWS])
def seen(request, clients, loaded, campaign):
    persona, commune = request.param
    response = clients[persona].get(dashboard_url(campaign))
    assert response.status_code == 200
    return response.context, commune, clients[persona]


def test_most_frequent_findings_equal_the_findings_table(seen, campaign):
    context, commune, _client = seen
    expected = (
        in_scope(Finding.objects.filter(assignment__campaign=campaign), commune=commune)
        .values("rule")
        .annotate(n=Count("pk"), q=Sum("quantity"), units=Count("assignment", distinct=True))
    )
    expected = {row["rule"]: row for row in expected}
    assert expected  # the data changes recomputed the assessment
    rows = context["assessment"]["findings"].rows
    assert {r["rule"]: (r["findings"], r["quantity"], r["units"]) for r in rows} == {
        rule: (row["n"], row["q"], row["units"]) for rule, row in expected.items()
    }
    counts = [r["findings"] for r in rows]
    assert counts == sorted(counts, reverse=True)  # most frequent first
    chart = context["charts"]["findings"]
    assert chart.value_of("D-OS") == expected["D-OS"]["n"]


def test_scores_by_commune_equal_the_unit_scores(seen, campaign):
    context, commune, _client = seen
    expected = (
        in_scope(UnitScore.objects.filter(assignment__campaign=campaign), commune=commune)
        .exclude(assignment__unit__commune=None)
        .values("assignment__unit__commune_id")
        .annotate(overall=Avg("overall"), devices=Avg("devices"), n=Count("pk"))
    )
    expected = {str(row["assignment__unit__commune_id"]): row for row in expected}
    rows = {row["value"]: row for row in context["assessment"]["scores"][0].rows}
    assert set(rows) == set(expected)
    for key, row in rows.items():
        assert row["units"] == expected[key]["n"]
        assert row["overall"] == pytest.approx(expected[key]["overall"])
        assert row["devices"] == pytest.approx(expected[key]["devices"])
    if commune:
        assert [row["label"] for row in rows.values()] == ["Xã Mường Kim"]


def test_scores_by_block_equal_the_unit_scores(seen, campaign):
    context, commune, _client = seen
    expected = (
        in_scope(UnitScore.objects.filter(assignment__campaign=campaign), commune=commune)
        .values("assignment__unit__block")
        .annotate(overall=Avg("overall"), n=Count("pk"))
    )
    rows = {row["value"]: row for row in context["assessment"]["scores"][1].rows}
    assert {k: (r["units"], pytest.approx(r["overall"])) for k, r in rows.items()} == {
        row["assignment__unit__block"]: (row["n"], row["overall"]) for row in expected
    }


def test_finding_drilldown_lists_the_findings_of_the_rule(seen, campaign):
    context, commune, client = seen
    response = client.get(drilldown_url(campaign, "findings", "D-OS"))
    expected = in_scope(Finding.objects.filter(assignment__campaign=campaign, rule="D-OS"), commune=commune)
    assert {f.pk for f in response.context["page"]} == set(expected.values_list("pk", flat=True))
    assert response.context["summary"]["quantity"] == expected.aggregate(q=Sum("quantity"))["q"]
    finding = expected.select_related("assignment").first()
    html = response.content.decode()
    sheet = reverse("entry_sheet", args=[campaign.code, finding.assignment.unit_id, "B05"])
    assert f'href="{sheet}#row-{finding.record_id}"' in html


def test_score_drilldown_lists_the_scored_units_of_the_commune(clients, loaded, campaign):
    commune = Unit.objects.get(code=MUONG_KIM)
    response = clients["viewer_muong_kim"].get(drilldown_url(campaign, "score_commune", str(commune.pk)))
    units = {a.unit.code for a in response.context["page"]}
    scored = UnitScore.objects.filter(assignment__campaign=campaign, assignment__unit__commune=commune)
    assert units == set(scored.values_list("assignment__unit__code", flat=True))
    assert units <= set(MUONG_KIM_UNITS)
    # Another commune is not in the viewer's whitelist.
    other = Unit.objects.get(code="X.03445")
    assert (
        clients["viewer_muong_kim"].get(drilldown_url(campaign, "score_commune", str(other.pk))).status_code
        == 404
    )
    assert clients["viewer_muong_kim"].get(drilldown_url(campaign, "findings", "X-NONE")).status_code == 404


def test_end_of_support_dates_come_from_the_assessment_settings(clients, loaded, campaign):
    config = config_for(campaign)
    config.windows.filter(os="Windows 10").update(end_of_support=datetime.date(2026, 10, 14))
    support = clients["reviewer"].get(dashboard_url(campaign)).context["support"]
    expected = EndDevice.objects.filter(
        assignment__campaign=campaign,
        device_type__in=COMPUTERS,
        os__in=["Windows 7 hoặc cũ hơn", "Windows 8/8.1"],
    ).aggregate(q=Sum("quantity"))["q"]
    assert support.out == expected
    assert "Windows 10" not in support.unsupported

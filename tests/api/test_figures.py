"""The assessment and the dashboard as JSON: the same figures as the pages, over the token's scope."""

import json

from django.utils import timezone

from rasoat.assessment import services
from rasoat.assessment.models import Finding, UnitScore
from rasoat.campaigns.models import Assignment
from rasoat.dashboard import figures
from rasoat.packages.models import PackageSetting, Requirement
from tests.api.conftest import SAMPLE, SAMPLE_UNIT

C = "/api/v1/campaigns/RS2026"


def _submitted(campaign, client):
    """The sample unit's data sent through the API and accepted."""
    campaign.appendix_version = "2026.2"  # the version with the target indicators
    campaign.save(update_fields=["appendix_version"])
    # 2026.2 asks for a signed report by default; these figures are about the data alone.
    PackageSetting.objects.create(campaign=campaign, requirement=Requirement.NOT_ASKED)
    unit = f"{C}/units/{SAMPLE_UNIT}"
    saved = client.put(f"{unit}/data", json.dumps(SAMPLE), content_type="application/json")
    assert saved.status_code == 200, saved.content
    sent = client.post(
        f"{unit}/submit", json.dumps({"acknowledge_warnings": True}), content_type="application/json"
    )
    assert sent.status_code == 200, sent.content
    return Assignment.objects.get(campaign=campaign, unit__code=SAMPLE_UNIT)


def test_unit_assessment_has_scores_findings_needs_and_indicators(campaign, api_clients):
    assignment = _submitted(campaign, api_clients["admin"])
    got = api_clients["editor_muong_te"].get(f"{C}/units/{SAMPLE_UNIT}/assessment").json()
    score = UnitScore.objects.get(assignment=assignment)
    assert got["scores"]["overall"] == float(score.overall)
    assert got["scores"]["components"] == score.details
    assert len(got["findings"]) == Finding.objects.filter(assignment=assignment).count()
    assert {f["rule"] for f in got["findings"]} == set(
        Finding.objects.filter(assignment=assignment).values_list("rule", flat=True)
    )
    assert got["indicators"] and all(
        {"code", "ratio", "target", "reached"} <= set(i) for i in got["indicators"]
    )


def test_aggregated_assessment_by_block_matches_the_services(campaign, api_clients):
    _submitted(campaign, api_clients["admin"])
    got = api_clients["reviewer"].get(f"{C}/assessment?by=block").json()
    expected = services.score_averages(Assignment.objects.filter(campaign=campaign), "block")
    assert [row["group"] for row in got["scores"]] == [row["group"] for row in expected]
    assert [row["units"] for row in got["scores"]] == [row["units"] for row in expected]
    assert got["indicators"] and {row["group"] for row in got["indicators"]} <= {
        "dang",
        "hdnd",
        "ubnd",
        "mttq",
        None,
    }
    # A commune editor's aggregate holds only the commune's units.
    own = api_clients["editor_muong_kim"].get(f"{C}/assessment").json()
    assert all(row["units"] == 0 or row["units"] is None for row in own["scores"])


def test_dashboard_figures_are_the_pages_over_the_scope(campaign, api_clients):
    _submitted(campaign, api_clients["admin"])
    everything = api_clients["reviewer"].get(f"{C}/dashboard").json()
    expected = figures.progress(Assignment.objects.filter(campaign=campaign), campaign, timezone.localdate())
    assert everything["progress"]["counts"] == expected.counts
    assert everything["progress"]["submitted"] == 1
    assert "status" in everything["charts"] and everything["charts"]["status"]["totals"]
    commune = api_clients["editor_muong_kim"].get(f"{C}/dashboard").json()
    in_commune = Assignment.objects.filter(campaign=campaign, unit__path__startswith=_path("X.03637")).count()
    assert commune["progress"]["total"] == in_commune < everything["progress"]["total"]
    assert commune["progress"]["submitted"] == 0
    filtered = api_clients["reviewer"].get(f"{C}/dashboard?block=dang&level=xa").json()
    assert filtered["filters"] == {"block": "dang", "level": "xa"}
    assert filtered["progress"]["total"] < everything["progress"]["total"]


def _path(code: str) -> str:
    from rasoat.orgs.models import Unit

    return Unit.objects.get(code=code).path

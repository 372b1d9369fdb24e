"""Each figure of the dashboard equals a direct database query, for the province reviewer and for the
Mường Kim viewer (who sees only its commune)."""

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from rasoat.campaigns.models import Assignment, Status
from rasoat.inventory.models import EndDevice, GeneralInfo, InfraDevice, NetworkLink, Software
from tests.conftest import MUONG_KIM
from tests.dashboard.helpers import COMPUTERS, TSLCD, UNSUPPORTED, dashboard_url, in_scope, load_dataset

# (persona, the commune it is limited to)
VIEWS = [("reviewer", None), ("viewer_muong_kim", MUONG_KIM)]


@pytest.fixture(params=VIEWS, ids=[name for name, _c in VIEWS])
def seen(request, clients, loaded, campaign):
    """(context of the persona's dashboard, the commune it is limited to)."""
    persona, commune = request.param
    response = clients[persona].get(dashboard_url(campaign))
    assert response.status_code == 200
    campaign.refresh_from_db()
    return response.context, commune


def assignments(campaign, commune):
    return in_scope(Assignment.objects.filter(campaign=campaign), prefix="", commune=commune)


def test_status_counts_equal_the_assignments(seen, campaign):
    context, commune = seen
    expected = Counter(assignments(campaign, commune).values_list("status", flat=True))
    progress = context["progress"]
    assert progress.counts == {status: expected.get(status, 0) for status in Status.values}
    assert progress.total == sum(expected.values())
    chart = context["charts"]["status"]
    assert [chart.value_of(status) for status in Status.values] == [expected[s] for s in Status.values]


def test_on_time_late_and_overdue_follow_the_deadline(seen, campaign):
    context, commune = seen
    rows = list(assignments(campaign, commune).select_related("campaign"))
    standing = [a for a in rows if a.status in (Status.SUBMITTED, Status.ACCEPTED)]
    progress = context["progress"]
    assert progress.late == sum(1 for a in standing if a.is_late)
    assert progress.on_time == sum(1 for a in standing if not a.is_late)
    assert progress.overdue == len(rows) - len(standing)  # the deadline has passed
    assert progress.pending == 0
    assert progress.days_left == -10
    assert progress.on_time >= 1  # the dataset has on-time and late submissions in both communes' mix
    if commune is None:
        assert progress.late == 1


def test_late_units_are_listed_with_their_contact(seen, campaign, personas):
    context, commune = seen
    rows = list(assignments(campaign, commune).select_related("campaign", "unit"))
    expected = {
        a.unit.code
        for a in rows
        if (a.status in (Status.SUBMITTED, Status.ACCEPTED) and a.is_late)
        or a.status not in (Status.SUBMITTED, Status.ACCEPTED)
    }
    assert context["late_total"] == len(expected)
    listed = {a.unit.code: a for a in context["late"]}
    assert set(listed) <= expected
    if commune == MUONG_KIM:
        assert set(listed) == expected
        # B01's contact person when there is one, else the editors of the commune.
        assert listed["X.03637.UB"].contacts == [("Lò Văn Thắng", "0912345678")]
        assert listed["X.03637.TT"].contacts == [("editor_muong_kim", "")]
        assert "X.03637.DU" not in listed  # submitted on time


def test_infrastructure_devices_by_type_and_condition(seen, campaign):
    context, commune = seen
    chart = context["charts"]["devices_B03"]
    expected = (
        in_scope(InfraDevice.objects.filter(assignment__campaign=campaign), commune=commune)
        .values("device_type", "condition")
        .annotate(q=Sum("quantity"))
    )
    assert expected
    for row in expected:
        assert chart.value_of(row["device_type"], row["condition"]) == row["q"]
    assert chart.total == sum(row["q"] for row in expected)


def test_end_devices_by_type_and_condition(seen, campaign):
    context, commune = seen
    chart = context["charts"]["devices_B05"]
    expected = (
        in_scope(EndDevice.objects.filter(assignment__campaign=campaign), commune=commune)
        .values("device_type", "condition")
        .annotate(q=Sum("quantity"))
    )
    for row in expected:
        assert chart.value_of(row["device_type"], row["condition"]) == row["q"]
    assert chart.total == sum(row["q"] for row in expected)
    assert {c.value for c in chart.categories} == {row["device_type"] for row in expected}


def _computers(campaign, commune):
    return in_scope(
        EndDevice.objects.filter(assignment__campaign=campaign, device_type__in=COMPUTERS), commune=commune
    )


def test_computers_by_operating_system(seen, campaign):
    context, commune = seen
    chart = context["charts"]["computer_os"]
    expected = _computers(campaign, commune).values("os").annotate(q=Sum("quantity"))
    for row in expected:
        assert chart.value_of(row["os"] or "_none") == row["q"]
    assert chart.total == sum(row["q"] for row in expected)


def test_computers_by_age_band_at_the_reference_date(seen, campaign):
    context, commune = seen
    bands = Counter()
    for year, quantity in _computers(campaign, commune).values_list("year_acquired", "quantity"):
        if year is None:
            bands["_none"] += quantity
            continue
        age = campaign.reference_date.year - year
        bands["0-2" if age <= 2 else "3-4" if age <= 4 else "5-7" if age <= 7 else "8+"] += quantity
    chart = context["charts"]["computer_age"]
    for band in ("0-2", "3-4", "5-7", "8+"):
        assert chart.value_of(band) == bands[band], band
    assert chart.total == sum(bands.values())


def test_share_of_computers_out_of_support(seen, campaign):
    context, commune = seen
    computers = _computers(campaign, commune)
    total = computers.aggregate(q=Sum("quantity"))["q"]
    out = computers.filter(os__in=UNSUPPORTED).aggregate(q=Sum("quantity"))["q"]
    support = context["support"]
    assert (support.out, support.total) == (out, total)
    assert support.share == pytest.approx(100 * out / total)
    assert sorted(support.unsupported) == sorted(UNSUPPORTED)
    assert context["charts"]["computer_support"].value_of("out") == out


def test_units_without_tslcd(seen, campaign):
    context, commune = seen
    with_data = set(
        in_scope(GeneralInfo.objects.filter(assignment__campaign=campaign), commune=commune).values_list(
            "assignment_id", flat=True
        )
    )
    connected = set(
        in_scope(NetworkLink.objects.filter(assignment__campaign=campaign, link_type=TSLCD), commune=commune)
        .values_list("assignment_id", flat=True)
        .distinct()
    )
    chart = context["charts"]["tslcd"]
    assert chart.value_of("with") == len(connected)
    assert chart.value_of("without") == len(with_data - connected)
    assert chart.value_of("without") >= 1


def _mbps(campaign, commune, tslcd: bool) -> dict[int, Decimal]:
    """Per assignment with data: its total bandwidth (Mbps × lines) of one kind of line."""
    totals = dict.fromkeys(
        in_scope(GeneralInfo.objects.filter(assignment__campaign=campaign), commune=commune).values_list(
            "assignment_id", flat=True
        ),
        Decimal(0),
    )
    links = in_scope(NetworkLink.objects.filter(assignment__campaign=campaign), commune=commune)
    for assignment_id, link_type, mbps, quantity in links.values_list(
        "assignment_id", "link_type", "bandwidth_mbps", "quantity"
    ):
        if (link_type == TSLCD) == tslcd:
            totals[assignment_id] += mbps * quantity
    return totals


@pytest.mark.parametrize(
    ("kind", "edges"), [("internet", (50, 100, 300)), ("tslcd", (10, 20, 50))], ids=["internet", "tslcd"]
)
def test_bandwidth_bands_and_average(seen, campaign, kind, edges):
    context, commune = seen
    totals = _mbps(campaign, commune, tslcd=kind == "tslcd")
    bands = Counter()
    for mbps in totals.values():
        if mbps <= 0:
            bands["none"] += 1
        else:
            bands[str(1 + sum(1 for edge in edges if mbps >= edge))] += 1
    chart = context["charts"][f"bandwidth_{kind}"]
    for band in ("none", "1", "2", "3", "4"):
        assert chart.value_of(band) == bands[band], band
    connected = [mbps for mbps in totals.values() if mbps > 0]
    figure = context["internet" if kind == "internet" else "tslcd_bandwidth"]
    assert figure.connected == len(connected)
    assert figure.average == pytest.approx(sum(connected) / len(connected))


@pytest.mark.parametrize("column", ["category", "security_level"])
def test_software_by_category_and_security_level(seen, campaign, column):
    context, commune = seen
    expected = (
        in_scope(Software.objects.filter(assignment__campaign=campaign), commune=commune)
        .values(column)
        .annotate(n=Count("pk"))
    )
    chart = context["charts"]["software_category" if column == "category" else "software_security"]
    for row in expected:
        assert chart.value_of(row[column] or "_none") == row["n"]
    assert chart.total == sum(row["n"] for row in expected)


def test_rendered_numbers_match_the_context(clients, loaded, campaign):
    html = clients["reviewer"].get(dashboard_url(campaign)).content.decode()
    out = EndDevice.objects.filter(
        assignment__campaign=campaign, device_type__in=COMPUTERS, os__in=UNSUPPORTED
    ).aggregate(q=Sum("quantity"))["q"]
    assert f'data-testid="computers-out-of-support">{out}</a>' in html
    assert 'data-testid="progress-total">220<' in html
    assert 'canvas role="img"' in html
    assert 'id="chart-data-computer_os" type="application/json"' in html


def test_deadline_ahead_counts_pending_units_not_overdue(clients, campaign):
    campaign.deadline = timezone.localdate() + datetime.timedelta(days=3)
    campaign.save()
    load_dataset(campaign, ["X.03637.DU", "X.03637.UB"])
    progress = clients["viewer_muong_kim"].get(dashboard_url(campaign)).context["progress"]
    assert (progress.overdue, progress.pending, progress.days_left) == (0, 4, 3)
    assert (progress.on_time, progress.late) == (1, 0)


def test_filters_narrow_every_figure(clients, loaded, campaign):
    from rasoat.orgs.models import Unit

    commune = Unit.objects.get(code="X.03445")
    for params, scope in [
        ({"commune": commune.pk}, {"unit__commune": commune}),
        ({"level": "tinh"}, {"unit__level": "tinh"}),
        ({"block": "dang"}, {"unit__block": "dang"}),
        ({"former_district": "Than Uyên"}, {"unit__former_district": "Than Uyên"}),
    ]:
        context = clients["reviewer"].get(dashboard_url(campaign, **params)).context
        assert context["filters"] == {k: str(v) for k, v in params.items()}
        units = Assignment.objects.filter(campaign=campaign, **scope)
        expected = EndDevice.objects.filter(assignment__in=units).aggregate(q=Sum("quantity"))["q"] or 0
        assert context["charts"]["devices_B05"].total == expected, params
        assert expected > 0, params
        assert context["progress"].total == units.count(), params

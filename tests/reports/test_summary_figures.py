"""The report figures that read the per-unit summaries equal the same figures grouped directly over
the sheet rows (issue 10, item 3): for the unit, commune and province reports of a loaded dataset.

Each expected value below is a GROUP BY written here over the rows (EndDevice, InfraDevice,
NetworkLink, Software), independent of rasoat/summaries and of rasoat/reports/figures.py.
"""

from decimal import Decimal

import pytest
from django.db.models import DecimalField, F, Q, Sum
from django.db.models.functions import Coalesce

from rasoat.appendix.declaration import get_appendix
from rasoat.appendix.v2026_1 import COMPUTERS, CONDITIONS, LINK_TYPES
from rasoat.campaigns.models import Assignment, Status
from rasoat.inventory.models import EndDevice, InfraDevice, NetworkLink, Software
from rasoat.orgs.models import Unit
from rasoat.reports import figures, services
from rasoat.reports.context.common import fmt
from tests.conftest import make_user
from tests.reports.conftest import COMMITTEE, MUONG_KIM, TODAY, seed

pytestmark = pytest.mark.django_db

GOOD, WORN, BROKEN = CONDITIONS
TSLCD = LINK_TYPES[2]


@pytest.fixture
def seeded(campaign):
    actor = make_user("tong-hop")
    return seed(campaign, actor)


def direct_devices(model, assignments) -> tuple[dict, dict]:
    """Per type: quantity, good, worn, broken, straight from the sheet rows; and the totals."""
    rows = (
        model.objects.filter(assignment__in=assignments)
        .order_by()
        .values("device_type")
        .annotate(
            q=Coalesce(Sum("quantity"), 0),
            good=Coalesce(Sum("quantity", filter=Q(condition=GOOD)), 0),
            worn=Coalesce(Sum("quantity", filter=Q(condition=WORN)), 0),
            broken=Coalesce(Sum("quantity", filter=Q(condition=BROKEN)), 0),
        )
    )
    by_type = {r["device_type"]: (r["q"], r["good"], r["worn"], r["broken"]) for r in rows}
    totals = tuple(sum(v[i] for v in by_type.values()) for i in range(4))
    return by_type, totals


def direct_internet(assignments) -> Decimal:
    value = (
        NetworkLink.objects.filter(assignment__in=assignments)
        .exclude(link_type=TSLCD)
        .aggregate(m=Sum(F("bandwidth_mbps") * F("quantity"), output_field=DecimalField()))["m"]
    )
    return value or Decimal(0)


def direct_computers(assignments, campaign, section: dict) -> dict:
    """The computers' counts over the rows, with the thresholds the report used (read back from it)."""
    reference_year = campaign.reference_date.year
    max_age = int(section["max_age"])
    unsupported = section["unsupported_labels"]
    pcs = EndDevice.objects.filter(assignment__in=assignments, device_type__in=COMPUTERS)
    return pcs.aggregate(
        total=Coalesce(Sum("quantity"), 0),
        old=Coalesce(Sum("quantity", filter=Q(year_acquired__lte=reference_year - max_age)), 0),
        unsupported=Coalesce(Sum("quantity", filter=Q(os__in=unsupported)), 0),
        broken=Coalesce(Sum("quantity", filter=Q(condition=BROKEN)), 0),
    )


def direct_by_os(assignments) -> dict:
    rows = (
        EndDevice.objects.filter(assignment__in=assignments, device_type__in=COMPUTERS)
        .order_by()
        .values("os")
        .annotate(q=Sum("quantity"))
    )
    return {r["os"]: r["q"] for r in rows}


def assert_devices_section(section: dict, model, assignments) -> None:
    by_type, totals = direct_devices(model, assignments)
    assert by_type, "the dataset must have rows of this sheet, or the comparison proves nothing"
    shown = {
        r["device_type"]: tuple(r[k] for k in ("quantity", "good", "worn", "broken")) for r in section["rows"]
    }
    assert shown == {t: tuple(fmt(v) for v in values) for t, values in by_type.items()}
    assert tuple(section["total"][k] for k in ("quantity", "good", "worn", "broken")) == tuple(
        fmt(v) for v in totals
    )


def assert_computers_section(section: dict, assignments, campaign) -> None:
    expected = direct_computers(assignments, campaign, section)
    assert expected["total"] > 0
    for key, value in expected.items():
        assert section[key] == fmt(value), key
    shown = {r["os"]: r["quantity"] for r in section["by_os"]}
    assert shown == {(os or "Chưa kê khai"): fmt(q) for os, q in direct_by_os(assignments).items()}


def test_unit_report_figures_equal_the_rows(campaign, seeded):
    assignment = seeded[COMMITTEE]
    only = Assignment.objects.filter(pk=assignment.pk)
    context = services.build_context("unit", campaign, today=TODAY, assignment=assignment)
    assert_devices_section(context["infra"], InfraDevice, only)
    assert_devices_section(context["devices"], EndDevice, only)
    assert_computers_section(context["computers"], only, campaign)
    assert direct_internet(only) > 0
    assert context["links"]["internet"] == fmt(direct_internet(only))


def test_province_report_figures_equal_the_rows(campaign, seeded):
    received = Assignment.objects.filter(campaign=campaign, status__in=figures.RECEIVED)
    assert received.count() >= 2
    context = services.build_context("province", campaign, today=TODAY)
    assert_devices_section(context["infra"], InfraDevice, received)
    assert_devices_section(context["devices"], EndDevice, received)
    assert_computers_section(context["computers"], received, campaign)
    assert context["internet"] == fmt(direct_internet(received))


def test_figures_equal_the_rows_as_numbers(campaign, seeded):
    """Unformatted, over every assignment of the campaign (so rounding in `fmt` hides nothing)."""
    assignments = Assignment.objects.filter(campaign=campaign)
    appendix = get_appendix(campaign.appendix_version)
    for function, model in ((figures.infra_by_type, InfraDevice), (figures.end_devices_by_type, EndDevice)):
        rows, totals = function(assignments, appendix)
        by_type, expected_totals = direct_devices(model, assignments)
        assert {r["device_type"]: (r["quantity"], r["good"], r["worn"], r["broken"]) for r in rows} == by_type
        assert (totals["quantity"], totals["good"], totals["worn"], totals["broken"]) == expected_totals
    assert figures.internet_bandwidth(assignments) == direct_internet(assignments)
    by_os = {r["os"]: r["quantity"] for r in figures.computers_by_os(assignments, appendix)}
    assert by_os == direct_by_os(assignments)


def test_commune_unit_lines_equal_the_rows(campaign, seeded):
    """Per unit of the commune report: computers, Internet Mbps, TSLCD, systems."""
    commune = Unit.objects.get(code=MUONG_KIM)
    assignments = Assignment.objects.filter(campaign=campaign, unit__commune=commune)
    lines = figures.unit_summaries(assignments)
    assert len(lines) == assignments.count() >= 2
    for line in lines:
        only = Assignment.objects.filter(pk=line["assignment_id"])
        pcs = EndDevice.objects.filter(assignment__in=only, device_type__in=COMPUTERS)
        assert line["computers"] == (pcs.aggregate(n=Sum("quantity"))["n"] or 0)
        assert line["internet_mbps"] == direct_internet(only)
        assert line["tslcd"] == NetworkLink.objects.filter(assignment__in=only, link_type=TSLCD).exists()
        assert line["software"] == Software.objects.filter(assignment__in=only).count()


def test_province_groups_equal_the_rows(campaign, seeded):
    """Province state by level and block: computers, out of support, broken, infrastructure devices."""
    assignments = Assignment.objects.filter(campaign=campaign)
    received = assignments.filter(status__in=figures.RECEIVED)
    unsupported = services.build_context("province", campaign, today=TODAY)["computers"]["unsupported_labels"]
    groups = figures.grouped_state(assignments, received, ("level", "block"), unsupported)
    keys = ("assignment__unit__level", "assignment__unit__block")
    devices = (
        EndDevice.objects.filter(assignment__in=received)
        .order_by()
        .values(*keys)
        .annotate(
            computers=Coalesce(Sum("quantity", filter=Q(device_type__in=COMPUTERS)), 0),
            unsupported=Coalesce(Sum("quantity", filter=Q(device_type__in=COMPUTERS, os__in=unsupported)), 0),
            broken=Coalesce(Sum("quantity", filter=Q(condition=BROKEN)), 0),
        )
    )
    infra = (
        InfraDevice.objects.filter(assignment__in=received)
        .order_by()
        .values(*keys)
        .annotate(n=Coalesce(Sum("quantity"), 0))
    )
    expected_infra = {(r[keys[0]], r[keys[1]]): r["n"] for r in infra}
    assert devices and expected_infra
    for row in devices:
        group = groups[(row[keys[0]], row[keys[1]])]
        assert (group["computers"], group["unsupported"], group["broken"]) == (
            row["computers"], row["unsupported"], row["broken"],
        )  # fmt: skip
    for key, value in expected_infra.items():
        assert groups[key]["infra"] == value
    assert Status.ACCEPTED in set(received.values_list("status", flat=True))

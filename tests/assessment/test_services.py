"""Storing the assessment: one unit, a whole campaign, the receiver of data changes, the settings and
the SQL aggregates."""

import copy
import datetime
import re
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rasoat.assessment import services
from rasoat.assessment.models import AssessmentConfig, Finding, Need, UnitScore, WindowsSupport
from rasoat.campaigns.models import Assignment
from rasoat.inventory.data import appendix_for, record_values
from rasoat.inventory.models import EndDevice, GeneralInfo
from tests.conftest import MUONG_KIM_UNITS, MUONG_TE_UNITS
from tests.inventory.test_workflow import SAMPLE_UNIT, assignment_of, data_for, load

SAMPLE_FINDINGS = {
    "D-AGE": 10,
    "D-AGE-OTHER": 4,
    "D-OS": 9,
    "D-OS-LIC": 5,
    "D-AV": 2,
    "D-RAM": 7,
    "D-HDD": 4,
    "D-BROKEN": 7,
    "D-WORN": 6,
    "N-INADEQ": 1,
    "S-SEC": 4,
    "S-IDLE-COST": 1,
    "P-RATIO": 1,
}


def rules_of(assignment: Assignment) -> Counter:
    return Counter(Finding.objects.filter(assignment=assignment).values_list("rule", flat=True))


def stored(assignment: Assignment) -> tuple:
    """Everything stored for one unit, comparable between two ways of computing it."""
    score = UnitScore.objects.filter(assignment=assignment).first()
    return (
        list(
            Finding.objects.filter(assignment=assignment)
            .order_by("pk")
            .values_list("rule", "severity", "area", "sheet", "row", "record_id", "quantity", "message")
        ),
        list(
            Need.objects.filter(assignment=assignment)
            .order_by("pk")
            .values_list("kind", "item", "quantity", "unit_price_mvnd", "cost_mvnd", "rule")
        ),
        score and (score.connectivity, score.devices, score.infrastructure, score.software, score.overall),
        score and score.details,
    )


@pytest.fixture
def sample(campaign) -> Assignment:
    """The sample unit (Đảng ủy xã Mường Tè) with the sample data, stored as the JSON load does."""
    assignment = assignment_of(campaign, SAMPLE_UNIT)
    load(assignment)
    return assignment


def test_the_sample_scores_and_findings_are_those_worked_out_by_hand(sample):
    score = UnitScore.objects.get(assignment=sample)
    # Connectivity: LAN 25 + TSLCD 25 + bandwidth 25 (330 Mbps) + adequacy 25 × 2/4 lines.
    # Devices: no computer without finding, 26 computers but 37 expected (46 × 0.8).
    # Infrastructure: 2 of 16 devices good.
    # Software: 30 + 20 + 0 (4 own systems, no level) + 15 × 7/12, of 80.
    assert (score.connectivity, score.devices, score.infrastructure, score.software, score.overall) == (
        Decimal("87.5"),
        Decimal("0.0"),
        Decimal("12.5"),
        Decimal("73.4"),
        Decimal("43.4"),
    )
    assert score.reference_date == datetime.date(2026, 5, 20)
    assert rules_of(sample) == SAMPLE_FINDINGS
    p_ratio = Finding.objects.get(assignment=sample, rule="P-RATIO")
    assert (p_ratio.quantity, p_ratio.row, p_ratio.area) == (15, None, "devices")
    total = sum(n.cost_mvnd for n in Need.objects.filter(assignment=sample) if n.cost_mvnd is not None)
    assert total == Decimal("675.5")


def test_row_findings_point_at_the_stored_rows(sample):
    ids = list(
        EndDevice.objects.filter(assignment=sample).order_by("position", "pk").values_list("pk", flat=True)
    )
    for finding in Finding.objects.filter(assignment=sample, sheet="B05").exclude(row=None):
        assert finding.record_id == ids[finding.row - 1]
        assert finding.quantity == EndDevice.objects.get(pk=finding.record_id).quantity


def test_a_unit_without_data_has_no_score_no_finding_and_no_need(campaign):
    assignment = assignment_of(campaign, MUONG_KIM_UNITS[1])
    assert services.assess_assignment(assignment) is None
    assert not UnitScore.objects.filter(assignment=assignment).exists()
    assert not Finding.objects.filter(assignment=assignment).exists()
    assert not Need.objects.filter(assignment=assignment).exists()


def test_the_receiver_recomputes_after_a_web_save_and_a_delete(campaign, clients):
    assignment = assignment_of(campaign, MUONG_KIM_UNITS[0])
    load(assignment)
    assert rules_of(assignment)["D-AV"] == 2
    sheet = appendix_for(assignment).sheet("B05")
    row = EndDevice.objects.get(assignment=assignment, position=1)  # a laptop with a free antivirus
    data = {k: ("" if v is None else str(v)) for k, v in record_values(row, sheet).items()}
    data.update(antivirus="Không có", version=str(row.version))
    editor = clients["editor_muong_kim"]
    response = editor.post(
        reverse("entry_row_edit", args=[campaign.code, assignment.unit_id, "B05", row.pk]), data
    )
    assert response.status_code == 302
    assert rules_of(assignment)["D-AV"] == 3
    assert Finding.objects.filter(assignment=assignment, rule="D-AV", record_id=row.pk).exists()

    row.refresh_from_db()
    editor.post(
        reverse("entry_row_delete", args=[campaign.code, assignment.unit_id, "B05", row.pk]),
        {"version": row.version},
    )
    assert not Finding.objects.filter(assignment=assignment, sheet="B05", record_id=row.pk).exists()
    assert rules_of(assignment)["D-AV"] == 2


def _computer_rows(assignment: Assignment, **values) -> None:
    GeneralInfo.objects.create(
        assignment=assignment, unit_code=assignment.unit.code, has_lan="Có", staff_total=1
    )
    EndDevice.objects.create(
        assignment=assignment,
        position=1,
        device_type="Máy tính để bàn",
        quantity=1,
        ram_gb=16,
        disk_type="SSD",
        os_licensed="Có",
        antivirus="Có bản quyền",
        condition="Hoạt động tốt",
        **values,
    )


@pytest.mark.parametrize(
    ("reference", "triggered"),
    [(datetime.date(2025, 10, 13), False), (datetime.date(2025, 10, 15), True)],
)
def test_windows_10_is_out_of_support_after_14_october_2025_at_the_campaigns_reference_date(
    campaign, reference, triggered
):
    campaign.reference_date = reference
    campaign.save()
    assignment = assignment_of(campaign, MUONG_KIM_UNITS[0])
    _computer_rows(assignment, os="Windows 10", year_acquired=2025)
    services.assess_assignment(assignment)
    assert ("D-OS" in rules_of(assignment)) is triggered


@pytest.mark.parametrize(("year", "triggered"), [(2021, True), (2022, False)])
def test_a_computer_is_past_its_service_life_at_exactly_5_years(campaign, year, triggered):
    assignment = assignment_of(campaign, MUONG_KIM_UNITS[0])
    _computer_rows(assignment, os="Windows 11", year_acquired=year)
    services.assess_assignment(assignment)
    assert ("D-AGE" in rules_of(assignment)) is triggered


def test_the_settings_are_created_with_the_defaults_of_assessment_md(campaign):
    config = services.config_for(campaign)
    assert (config.computer_max_age, config.other_max_age, config.min_ram_gb) == (5, 8, Decimal(8))
    assert (config.min_bandwidth_province_mbps, config.min_bandwidth_commune_mbps) == (
        Decimal(100),
        Decimal(50),
    )
    assert config.staff_ratio == Decimal("0.8")
    assert (config.price_desktop, config.price_kiosk, config.price_ram_upgrade) == (
        Decimal(18),
        Decimal(60),
        Decimal("1.5"),
    )
    assert dict(config.windows.values_list("os", "end_of_support")) == {
        "Windows 7 hoặc cũ hơn": datetime.date(2020, 1, 14),
        "Windows 8/8.1": datetime.date(2023, 1, 10),
        "Windows 10": datetime.date(2025, 10, 14),
    }
    assert services.config_for(campaign).pk == config.pk


@pytest.mark.parametrize(
    "changes",
    [{"staff_ratio": Decimal(-1)}, {"computer_max_age": 0}, {"price_desktop": Decimal(-5)}]
    + [{f"weight_{area}": Decimal(0) for area in ("connectivity", "devices", "infrastructure", "software")}],
)
def test_invalid_settings_are_refused_on_save(campaign, changes):
    config = services.config_for(campaign)
    for name, value in changes.items():
        setattr(config, name, value)
    with pytest.raises(ValidationError):
        config.save()


def test_changing_the_settings_changes_the_results(sample, campaign):
    config = services.config_for(campaign)
    config.computer_max_age = 10
    config.price_laptop = Decimal(30)
    config.save()
    WindowsSupport.objects.filter(config=config, os="Windows 10").delete()
    services.assess_campaign(campaign)
    found = rules_of(sample)
    assert found["D-AGE"] == 6  # only the computers of 2016 or before are 10 years old or more
    assert found["D-OS"] == 7  # Windows 10 no longer listed: supported
    laptops = Need.objects.get(assignment=sample, kind="replace", item="Máy tính xách tay", rule="D-AGE")
    assert laptops.unit_price_mvnd == Decimal(30) and laptops.cost_mvnd == laptops.quantity * Decimal(30)


def test_a_campaign_recompute_stores_what_a_unit_recompute_stores(campaign):
    units = [MUONG_TE_UNITS[0], MUONG_TE_UNITS[2], MUONG_KIM_UNITS[3]]
    assignments = [assignment_of(campaign, code) for code in units]
    for assignment in assignments:
        load(assignment)
    one_by_one = [stored(a) for a in assignments]
    assert services.assess_campaign(campaign) == 3
    assert [stored(a) for a in assignments] == one_by_one
    assert UnitScore.objects.filter(assignment__campaign=campaign).count() == 3


def queries(context: CaptureQueriesContext) -> list[str]:
    """The SQL run, without what differs from one run to the next: savepoint and (PostgreSQL)
    server-side cursor names, and how many rows one executemany inserted."""
    names = re.compile(r'"(s\d+_x\d+|_django_curs_\d+_sync_\d+)"')
    return [names.sub("name", re.sub(r"^\d+ times: ", "", q["sql"])) for q in context.captured_queries]


def test_a_campaign_recompute_runs_the_same_queries_for_1_and_3_units(campaign):
    first = assignment_of(campaign, MUONG_TE_UNITS[0])
    load(first)
    with CaptureQueriesContext(connection) as one:
        services.assess_campaign(campaign)
    for code in (MUONG_TE_UNITS[2], MUONG_KIM_UNITS[0]):
        load(assignment_of(campaign, code))
    with CaptureQueriesContext(connection) as three:
        services.assess_campaign(campaign)
    assert queries(three) == queries(one)
    assert UnitScore.objects.filter(assignment__campaign=campaign).count() == 3


# --- aggregates ------------------------------------------------------------------------------------


@pytest.fixture
def four_units(campaign) -> list[Assignment]:
    """The sample in four units of two communes and a provincial agency, with varied data."""
    assignments = [
        assignment_of(campaign, code)
        for code in (MUONG_TE_UNITS[0], MUONG_TE_UNITS[2], MUONG_KIM_UNITS[0], "T.SNV")
    ]
    for index, assignment in enumerate(assignments):
        data = data_for(assignment.unit)
        data = copy.deepcopy(data)
        data["B01"]["staff_total"] = 10 + 20 * index
        data["B05"] = data["B05"][: 25 - 6 * index]
        data["B02"] = data["B02"][index % 2 :]
        load(assignment, data)
    return assignments


UNIT_KEYS = {
    "level": lambda unit: unit.level,
    "block": lambda unit: unit.block,
    "commune": lambda unit: unit.commune_id,
    "former_district": lambda unit: unit.former_district,
    "province": lambda unit: None,
}


def test_score_averages_equal_a_direct_computation(four_units, campaign):
    for by in UNIT_KEYS:
        check_score_averages(campaign, by)


def test_finding_counts_and_need_totals_equal_a_direct_computation(four_units, campaign):
    for by in UNIT_KEYS:
        check_finding_counts_and_need_totals(campaign, by)


def check_score_averages(campaign, by: str) -> None:
    scope = Assignment.objects.filter(campaign=campaign)
    expected: dict = defaultdict(list)
    for score in UnitScore.objects.filter(assignment__campaign=campaign).select_related("assignment__unit"):
        expected[UNIT_KEYS[by](score.assignment.unit)].append(score)
    rows = services.score_averages(scope, by)
    assert {row["group"] for row in rows} == set(expected), by
    for row in rows:
        group = expected[row["group"]]
        assert row["units"] == len(group)
        for name in services.SCORE_FIELDS:
            values = [getattr(s, name) for s in group if getattr(s, name) is not None]
            assert Decimal(row[name]).quantize(Decimal("0.0001")) == (sum(values) / len(values)).quantize(
                Decimal("0.0001")
            )


def check_finding_counts_and_need_totals(campaign, by: str) -> None:
    scope = Assignment.objects.filter(campaign=campaign)
    findings: Counter = Counter()
    quantities: Counter = Counter()
    for f in Finding.objects.filter(assignment__campaign=campaign).select_related("assignment__unit"):
        key = (UNIT_KEYS[by](f.assignment.unit), f.rule)
        findings[key] += 1
        quantities[key] += f.quantity
    rows = services.finding_counts(scope, by)
    assert {(r["group"], r["rule"]): r["findings"] for r in rows} == findings, by
    assert {(r["group"], r["rule"]): r["quantity"] for r in rows} == quantities

    costs: Counter = Counter()
    for n in Need.objects.filter(assignment__campaign=campaign).select_related("assignment__unit"):
        costs[(UNIT_KEYS[by](n.assignment.unit), n.kind, n.item)] += n.cost_mvnd or 0
    rows = services.need_totals(scope, by)
    assert {(r["group"], r["kind"], r["item"]): (r["cost_mvnd"] or 0) for r in rows} == costs


def test_aggregates_are_limited_to_the_assignments_given(four_units, campaign, personas):
    scope = Assignment.objects.visible_to(personas["editor_muong_te"]).filter(campaign=campaign)
    (row,) = services.score_averages(scope)
    assert row["units"] == 2
    (commune,) = services.score_averages(scope, "commune")
    assert commune["label"] == "Xã Mường Tè"
    counted = sum(r["findings"] for r in services.finding_counts(scope))
    assert counted == Finding.objects.filter(assignment__in=four_units[:2]).count()


def test_an_unknown_grouping_is_refused(campaign):
    with pytest.raises(ValueError):
        services.score_averages(Assignment.objects.none(), "country")


def test_results_go_with_their_assignment(sample, campaign):
    from rasoat.assessment.models import FindingCount

    assert FindingCount.objects.filter(assignment=sample).exists()
    sample.delete()
    for model in (Finding, FindingCount, Need, UnitScore):
        assert not model.objects.filter(assignment_id=sample.pk).exists()


def test_settings_survive_as_one_row_per_campaign(campaign):
    services.config_for(campaign)
    services.config_for(campaign)
    assert AssessmentConfig.objects.filter(campaign=campaign).count() == 1

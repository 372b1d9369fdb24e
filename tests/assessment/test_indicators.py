"""The target indicators of ASSESSMENT.md on a 2026.2 campaign, each checked against a direct SQL
query over the stored data (written here, independently of the code under test), and where they
show: the dashboard, the province report, `rasoat assess`, the settings page."""

from __future__ import annotations

import copy
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from rasoat.assessment import indicators, services
from rasoat.assessment.models import AssessmentConfig, IndicatorCount
from rasoat.campaigns.models import Assignment, Campaign, Status
from rasoat.campaigns.services import create_campaign
from rasoat.inventory.models import EndDevice, GeneralInfo, NetworkLink, Software
from rasoat.orgs.models import Unit
from rasoat.reports import services as reports
from tests import v2026_2
from tests.conftest import MUONG_KIM, MUONG_KIM_UNITS, MUONG_TE_UNITS, client_for
from tests.inventory.test_workflow import assignment_of, data_for, load
from tests.reports.helpers import open_docx, table_with

UNITS = [*MUONG_KIM_UNITS, *MUONG_TE_UNITS, "T.SNV"]
NOT_RECEIVED = {MUONG_KIM_UNITS[2]}
"""Left in progress: its data must not count."""
TSLCD = "Mạng truyền số liệu chuyên dùng (TSLCD)"
DOCUMENTS = "Quản lý văn bản và điều hành"
KIOSK = "Kiosk tra cứu, lấy số thứ tự"
QUEUE_MACHINE = "Máy lấy số tự động"
RATING = "Thiết bị đánh giá mức độ hài lòng"
BROKEN = "Hỏng, không sử dụng được"
COMPUTERS = ("Máy tính để bàn", "Máy tính xách tay")
UNSUPPORTED = ("Windows 10", "Windows 8/8.1", "Windows 7 hoặc cũ hơn")
"""Out of vendor support at the reference date 20/05/2026 (the default Windows table)."""
CODES = ["CT-MT", "CT-CKS", "CT-KNS", "CT-TSLCD", "CT-MOTCUA", "CT-HDH", "CT-VB"]


@pytest.fixture
def version_2026_2(db):
    return v2026_2.stored_version()


@pytest.fixture
def campaign_2026_2(lai_chau, version_2026_2) -> Campaign:
    return create_campaign(
        code="RS2026B",
        title="Rà soát năm 2026 theo phụ lục 2026.2",
        deadline=datetime.date(2026, 6, 30),
        reference_date=datetime.date(2026, 5, 20),
        appendix_version="2026.2",
    )


def varied(unit: Unit, i: int) -> dict:
    """The sample unit's data made 2026.2 and varied by `i`, so every indicator has units on both
    sides and units left out."""
    data = copy.deepcopy(data_for(unit))
    general = data["B01"]
    total = 0 if i == 7 else 10 + 3 * i
    general.update(
        staff_total=total,
        staff_with_computer=None if i % 4 == 3 else max(total - i % 3, 0),
        staff_with_signature=min(i, total),
        staff_digital_trained=None if i == 5 else total // 2,
        official_email_accounts=total,
        has_video_point="Có",
        has_one_stop="Có" if i % 3 == 0 else "Không",
    )
    if total == 0:
        general.update(it_staff_fulltime=0, it_staff_parttime=0)
    if i % 2:
        data["B02"] = [row for row in data["B02"] if row["link_type"] != TSLCD]
    if i % 3 == 1:
        data["B04"] = [row for row in data["B04"] if row["category"] != DOCUMENTS]
    elif i % 5 == 2:
        for row in data["B04"]:
            if row["category"] == DOCUMENTS:
                row["usage"] = "Không sử dụng"
                row["annual_cost_mvnd"] = None
    devices = data["B05"]
    for row in devices:
        row["source"] = "Tỉnh cấp"
        if row["device_type"] == KIOSK and i % 2 == 0:
            row["device_type"] = QUEUE_MACHINE
    if i % 4 == 1:
        data["B05"] = devices = [row for row in devices if row["device_type"] != KIOSK]
    if i in (0, 3, 4, 8, 9):
        devices.append(
            {
                "device_type": RATING,
                "quantity": 1,
                "year_acquired": 2024,
                "at_one_stop": "Có",
                "condition": BROKEN if i == 4 else "Hoạt động tốt",
            }
        )
    if i == 10:
        data["B05"] = [row for row in devices if row["device_type"] not in COMPUTERS]
    if i == 6:
        for row in devices:
            if row["device_type"] in COMPUTERS:
                row["os"] = "Windows 11"
    return data


@pytest.fixture
def seeded(campaign_2026_2) -> Campaign:
    """Eleven units of the 2026.2 campaign with data; all but one submitted or accepted."""
    for i, code in enumerate(UNITS):
        assignment = assignment_of(campaign_2026_2, code)
        load(assignment, varied(assignment.unit, i))
        if code not in NOT_RECEIVED:
            status = Status.ACCEPTED if i % 2 else Status.SUBMITTED
            Assignment.objects.filter(pk=assignment.pk).update(status=status)
    services.assess_campaign(campaign_2026_2)
    return campaign_2026_2


# --- direct SQL, written from ASSESSMENT.md ------------------------------------------------------


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def json_int(column: str, key: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} ->> '{key}')::integer"
    return f"CAST(json_extract({column}, '$.{key}') AS INTEGER)"


def received_units(campaign: Campaign, commune: str | None = None) -> str:
    """FROM/WHERE of the assignments counted: this campaign's, submitted or accepted."""
    where = f"a.campaign_id = {campaign.pk} AND a.status IN ('submitted', 'accepted')"
    if commune:
        where += f" AND u.commune_id = (SELECT id FROM {table(Unit)} WHERE code = '{commune}')"
    return (
        f"FROM {table(Assignment)} a JOIN {table(Unit)} u ON u.id = a.unit_id "
        f"JOIN {table(GeneralInfo)} g ON g.assignment_id = a.id WHERE {where}"
    )


def sql(query: str, params=()) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return tuple(cursor.fetchone())


def expected(campaign: Campaign, code: str, commune: str | None = None) -> tuple[int, int, int]:
    """(numerator, denominator, units left out) of an indicator by a direct query."""
    units = received_units(campaign, commune)
    staff = {
        "CT-MT": "staff_with_computer",
        "CT-CKS": "staff_with_signature",
        "CT-KNS": "staff_digital_trained",
    }
    if code in staff:
        value = json_int("g.extra", staff[code])
        measured = f"({value} IS NOT NULL AND g.staff_total > 0)"
        return sql(
            f"SELECT COALESCE(SUM(CASE WHEN {measured} THEN {value} END), 0), "
            f"COALESCE(SUM(CASE WHEN {measured} THEN g.staff_total END), 0), "
            f"COUNT(CASE WHEN NOT {measured} THEN 1 END) {units}"
        )
    if code == "CT-TSLCD":
        must = (
            "(u.kind = 'one_stop' OR (u.kind = 'agency' AND (u.level = 'tinh' "
            "OR (u.level = 'xa' AND u.block IN ('dang', 'ubnd')))))"
        )
        has = (
            f"EXISTS (SELECT 1 FROM {table(NetworkLink)} n WHERE n.assignment_id = a.id AND n.link_type = %s)"
        )
        return sql(
            f"SELECT COUNT(CASE WHEN {must} AND {has} THEN 1 END), COUNT(CASE WHEN {must} THEN 1 END), "
            f"COUNT(CASE WHEN NOT {must} THEN 1 END) {units}",
            [TSLCD],
        )
    if code == "CT-MOTCUA":
        applies = "(u.kind = 'one_stop' OR g.has_one_stop = 'Có')"

        def working(types: tuple[str, ...]) -> str:
            labels = ", ".join(f"'{t}'" for t in types)
            return (
                f"(SELECT COALESCE(SUM(d.quantity), 0) FROM {table(EndDevice)} d "
                f"WHERE d.assignment_id = a.id AND d.device_type IN ({labels}) AND d.condition <> '{BROKEN}' "
                f"AND (u.kind = 'one_stop' OR d.at_one_stop = 'Có'))"
            )

        multi = "Máy đa chức năng (in, scan, photo)"
        complete = (
            f"({working(COMPUTERS)} >= 2 AND {working(('Máy quét (scan)', multi))} >= 1 "
            f"AND {working(('Máy in', multi))} >= 1 AND {working((KIOSK, QUEUE_MACHINE))} >= 1 "
            f"AND {working((RATING,))} >= 1)"
        )
        return sql(
            f"SELECT COUNT(CASE WHEN {applies} AND {complete} THEN 1 END), "
            f"COUNT(CASE WHEN {applies} THEN 1 END), COUNT(CASE WHEN NOT {applies} THEN 1 END) {units}"
        )
    if code == "CT-HDH":
        computers = ", ".join(f"'{t}'" for t in COMPUTERS)
        old = ", ".join(f"'{t}'" for t in UNSUPPORTED)
        rows = f"FROM {table(EndDevice)} d WHERE d.assignment_id = a.id AND d.device_type IN ({computers})"
        total = f"(SELECT COALESCE(SUM(d.quantity), 0) {rows})"
        supported = f"(SELECT COALESCE(SUM(d.quantity), 0) {rows} AND d.os NOT IN ({old}))"
        return sql(
            f"SELECT COALESCE(SUM({supported}), 0), COALESCE(SUM({total}), 0), "
            f"COUNT(CASE WHEN {total} = 0 THEN 1 END) {units}"
        )
    if code == "CT-VB":
        uses = (
            f"EXISTS (SELECT 1 FROM {table(Software)} s WHERE s.assignment_id = a.id AND s.category = %s "
            f"AND (s.usage IS NULL OR s.usage <> 'Không sử dụng'))"
        )
        return sql(f"SELECT COUNT(CASE WHEN {uses} THEN 1 END), COUNT(*), 0 {units}", [DOCUMENTS])
    raise AssertionError(code)


def computed(campaign: Campaign, by: str = "province", **filters) -> dict:
    assignments = Assignment.objects.filter(campaign=campaign, **filters)
    return {(v.group, v.code): v for v in indicators.values(assignments, campaign, by)}


# --- the indicators ------------------------------------------------------------------------------


def test_a_2026_2_campaign_has_the_seven_indicators_and_a_2026_1_campaign_none(campaign, campaign_2026_2):
    assert [i.code for i in indicators.for_campaign(campaign_2026_2)] == CODES
    assert indicators.for_campaign(campaign) == ()


@pytest.mark.parametrize("code", CODES)
def test_each_indicator_equals_a_direct_query(seeded, code):
    value = computed(seeded)[None, code]
    numerator, denominator, left_out = expected(seeded, code)
    assert (value.numerator, value.denominator, value.left_out) == (numerator, denominator, left_out)
    assert value.units == len(UNITS) - len(NOT_RECEIVED) - left_out
    # The seed puts units on both sides of every indicator.
    assert 0 < numerator < denominator, code
    assert value.ratio == (Decimal(numerator) * 100 / denominator).quantize(Decimal("0.1"))
    assert value.target == 100
    assert value.gap == 100 - value.ratio


@pytest.mark.parametrize("code", ["CT-MT", "CT-KNS", "CT-TSLCD", "CT-HDH"])
def test_units_left_out_are_counted(seeded, code):
    _numerator, _denominator, left_out = expected(seeded, code)
    assert left_out > 0
    assert computed(seeded)[None, code].left_out == left_out


@pytest.mark.parametrize("code", CODES)
def test_by_commune_equals_a_direct_query_per_commune(seeded, code):
    by_commune = computed(seeded, "commune")
    for commune in (MUONG_KIM, "X.03445"):
        pk = Unit.objects.get(code=commune).pk
        value = by_commune.get((pk, code))
        numerator, denominator, left_out = expected(seeded, code, commune)
        assert (value.numerator, value.denominator, value.left_out) == (numerator, denominator, left_out)


def test_by_level_and_block_add_up_to_the_province(seeded):
    province = computed(seeded)
    for by in ("level", "block"):
        groups = computed(seeded, by)
        for code in CODES:
            parts = [v for (group, c), v in groups.items() if c == code]
            assert sum(v.numerator for v in parts) == province[None, code].numerator
            assert sum(v.denominator for v in parts) == province[None, code].denominator
            assert sum(v.left_out for v in parts) == province[None, code].left_out
    levels = {group for group, _code in computed(seeded, "level")}
    assert levels == {"xa", "tinh"}


def test_a_unit_not_submitted_is_not_counted_until_it_is(seeded):
    before = computed(seeded)[None, "CT-VB"].denominator
    Assignment.objects.filter(campaign=seeded, unit__code__in=NOT_RECEIVED).update(status=Status.SUBMITTED)
    assert computed(seeded)[None, "CT-VB"].denominator == before + 1


def test_a_unit_saved_alone_gets_the_same_counts_as_in_the_whole_campaign(seeded):
    """The web save path (assess_assignment) and the campaign recompute store the same numbers."""
    assignment = assignment_of(seeded, MUONG_KIM_UNITS[0])
    whole = sorted(
        IndicatorCount.objects.filter(assignment=assignment).values_list("code", "numerator", "denominator")
    )
    services.assess_assignment(assignment)
    alone = sorted(
        IndicatorCount.objects.filter(assignment=assignment).values_list("code", "numerator", "denominator")
    )
    assert alone == whole
    assert len(alone) == 7


def test_a_queue_machine_meets_the_kiosk_item_of_the_one_stop_minimum(seeded):
    """Unit 0 (Mường Kim's Party committee, has a desk) has a queue machine instead of a kiosk."""
    assignment = assignment_of(seeded, MUONG_KIM_UNITS[0])
    assert EndDevice.objects.filter(assignment=assignment, device_type=QUEUE_MACHINE).exists()
    assert not EndDevice.objects.filter(assignment=assignment, device_type=KIOSK).exists()
    counts = dict(IndicatorCount.objects.filter(assignment=assignment).values_list("code", "numerator"))
    assert counts["CT-MOTCUA"] == 1
    assert not assignment.findings.filter(rule="P-ONESTOP").exists()
    EndDevice.objects.filter(assignment=assignment, device_type=QUEUE_MACHINE).update(device_type="Khác")
    services.assess_assignment(assignment)
    counts = dict(IndicatorCount.objects.filter(assignment=assignment).values_list("code", "numerator"))
    assert counts["CT-MOTCUA"] == 0
    assert "kiosk" in assignment.findings.get(rule="P-ONESTOP").message


def test_a_2026_1_campaign_stores_no_indicator(campaign):
    load(assignment_of(campaign, MUONG_KIM_UNITS[0]))
    services.assess_campaign(campaign)
    assert not IndicatorCount.objects.filter(assignment__campaign=campaign).exists()
    assert indicators.section(Assignment.objects.filter(campaign=campaign), campaign) is None


def test_targets_are_per_campaign_and_move_the_gap(seeded):
    config = services.config_for(seeded)
    config.target_mt = Decimal("50")
    config.save()
    value = computed(seeded)[None, "CT-MT"]
    assert value.target == 50
    assert value.ratio > 50 and value.gap == 0 and value.reached
    config.target_mt = Decimal("101")
    with pytest.raises(Exception, match="100"):
        config.save()


# --- where they show -------------------------------------------------------------------------------


def percent_text(value: Decimal) -> str:
    return f"{value:.1f}".replace(".", ",")


def test_the_dashboard_shows_the_indicators_with_their_target_and_gap(seeded, personas):
    config = services.config_for(seeded)
    config.target_cks = Decimal("90")
    config.save()
    response = client_for(personas["admin"]).get(reverse("dashboard", args=[seeded.code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="indicators"' in page and "Chỉ tiêu" in page
    for code in CODES:
        numerator, denominator, left_out = expected(seeded, code)
        ratio = (Decimal(numerator) * 100 / denominator).quantize(Decimal("0.1"))
        row = page.split(f'data-testid="row-indicator" data-value="{code}"', 1)[1].split("</tr>", 1)[0]
        assert f"{numerator} / {denominator}" in row
        assert f"{percent_text(ratio)} %" in row
        target = Decimal(90 if code == "CT-CKS" else 100)
        assert f"{percent_text(target)} %" in row
        gap = max(target - ratio, Decimal(0))
        assert (f"{percent_text(gap)} điểm" if gap else "Đạt") in row
        assert f'data-testid="indicator-left-out">{left_out}<' in row
    for by in ("level", "block", "commune"):
        assert f'data-testid="indicators-{by}"' in page
    assert "Mường Kim" in page.split('data-testid="indicators-commune"', 1)[1]


def test_the_dashboard_of_a_commune_viewer_counts_the_commune_only(seeded, personas):
    response = client_for(personas["viewer_muong_kim"]).get(reverse("dashboard", args=[seeded.code]))
    page = response.content.decode()
    numerator, denominator, _left_out = expected(seeded, "CT-VB", MUONG_KIM)
    row = page.split('data-testid="row-indicator" data-value="CT-VB"', 1)[1].split("</tr>", 1)[0]
    assert f"{numerator} / {denominator}" in row
    assert denominator < expected(seeded, "CT-VB")[1]


def test_a_2026_1_dashboard_has_no_indicator_section(campaign, personas):
    response = client_for(personas["admin"]).get(reverse("dashboard", args=[campaign.code]))
    assert response.status_code == 200
    assert 'data-testid="indicators"' not in response.content.decode()


def test_the_province_report_has_the_indicator_table_with_the_gap(seeded):
    document = open_docx(reports.generate(reports.PROVINCE, seeded).content)
    rows = table_with(document, "STT", "Chỉ tiêu", "Đạt / tổng số")
    assert rows[0][-3:] == ["Mục tiêu (%)", "Còn thiếu (điểm %)", "Đơn vị không tính"]
    assert [row[1].split(" – ")[0] for row in rows[1:]] == CODES
    for row, code in zip(rows[1:], CODES, strict=True):
        numerator, denominator, left_out = expected(seeded, code)
        ratio = (Decimal(numerator) * 100 / denominator).quantize(Decimal("0.1"))
        assert row[2] == f"{numerator}/{denominator}"
        # The reports write 50 rather than 50,0.
        assert row[3] == percent_text(ratio).removesuffix(",0")
        assert row[4] == "100"
        assert row[5] == percent_text(100 - ratio).removesuffix(",0")
        assert row[6] == str(left_out)


def test_a_2026_1_province_report_has_no_indicator_table(campaign):
    document = open_docx(reports.generate(reports.PROVINCE, campaign).content)
    with pytest.raises(AssertionError):
        table_with(document, "STT", "Chỉ tiêu", "Đạt / tổng số")
    assert "Mức độ đạt các chỉ tiêu" not in "\n".join(p.text for p in document.paragraphs)


def assess(*args) -> object:
    out = io.StringIO()
    call_command("assess", *args, stdout=out)
    return json.loads(out.getvalue())


def test_assess_prints_the_indicators_of_each_unit(seeded):
    code = MUONG_TE_UNITS[1]
    one = assess(seeded.code, "--unit", code)
    assignment = assignment_of(seeded, code)
    stored = {
        c.code: (c.numerator, c.denominator) for c in IndicatorCount.objects.filter(assignment=assignment)
    }
    assert [entry["code"] for entry in one["indicators"]] == CODES
    assert all(set(entry) == {"code", "numerator", "denominator"} for entry in one["indicators"])
    assert {e["code"]: (e["numerator"], e["denominator"]) for e in one["indicators"]} == stored
    general = GeneralInfo.objects.get(assignment=assignment)
    mt = next(e for e in one["indicators"] if e["code"] == "CT-MT")
    assert (mt["numerator"], mt["denominator"]) == (general.extra["staff_with_computer"], general.staff_total)

    everything = assess(seeded.code)
    by_unit = {entry["unit"]: entry for entry in everything}
    assert by_unit[code]["indicators"] == one["indicators"]
    unstarted = next(entry for entry in everything if entry["unit"] not in UNITS)
    assert unstarted["indicators"] == []


def test_the_settings_page_edits_the_targets_of_a_2026_2_campaign_only(seeded, campaign, personas):
    client = client_for(personas["admin"])
    page = client.get(reverse("assessment_config", args=[seeded.code])).content.decode()
    assert 'name="target_mt"' in page
    assert (
        'name="target_mt"'
        not in client.get(reverse("assessment_config", args=[campaign.code])).content.decode()
    )
    form = {
        name: value
        for name, value in services.config_for(seeded).__dict__.items()
        if name.startswith(
            ("computer_", "other_", "min_", "staff_", "one_stop_", "weight_", "price_", "target_")
        )
    }
    form = {name: str(value) for name, value in form.items()}
    form.update({"target_vb": "80", "windows-TOTAL_FORMS": "0", "windows-INITIAL_FORMS": "0"})
    response = client.post(reverse("assessment_config", args=[seeded.code]), form)
    assert response.status_code == 302
    assert AssessmentConfig.objects.get(campaign=seeded).target_vb == 80
    form["target_vb"] = "120"
    response = client.post(reverse("assessment_config", args=[seeded.code]), form)
    assert response.status_code == 200
    assert AssessmentConfig.objects.get(campaign=seeded).target_vb == 80


def test_the_unit_page_shows_its_own_indicators_whatever_its_status(seeded, personas):
    """The unit left in progress is not counted in the totals, but its own page shows its numbers."""
    code = next(iter(NOT_RECEIVED))
    assignment = assignment_of(seeded, code)
    url = reverse("assessment_unit", args=[seeded.code, assignment.unit_id])
    page = client_for(personas["editor_muong_kim"]).get(url).content.decode()
    assert 'data-testid="unit-indicators"' in page
    for count in IndicatorCount.objects.filter(assignment=assignment):
        row = page.split(f'data-testid="unit-indicator" data-value="{count.code}"', 1)[1].split("</tr>", 1)[0]
        if count.denominator:
            assert f"{count.numerator} / {count.denominator}" in row
        else:
            assert "Không tính cho đơn vị này" in row
    # Out of scope stays 404.
    assert client_for(personas["editor_muong_te"]).get(url).status_code == 404


def test_a_2026_1_unit_page_has_no_indicator(campaign, personas):
    assignment = assignment_of(campaign, MUONG_KIM_UNITS[0])
    load(assignment)
    url = reverse("assessment_unit", args=[campaign.code, assignment.unit_id])
    page = client_for(personas["editor_muong_kim"]).get(url).content.decode()
    assert 'data-testid="needs"' in page
    assert 'data-testid="unit-indicators"' not in page


def test_a_version_declaring_a_staff_line_as_text_has_no_such_indicator():
    from rasoat.appendix.definition import build_appendix

    definition = v2026_2.definition()
    for row in definition["columns"]:
        if row["key"] == "staff_with_computer":
            row.update(type="text", min=None)
    appendix = build_appendix("TEST", "Thử", definition)
    assert [i.code for i in indicators.for_appendix(appendix)] == CODES[1:]

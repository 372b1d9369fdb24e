"""The assessment pages: scope, content in Vietnamese, the settings form and the recompute button."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rasoat.assessment import services
from rasoat.assessment.forms import ConfigForm, WindowsFormSet
from rasoat.assessment.models import AssessmentConfig, Finding, UnitScore
from rasoat.inventory.models import EndDevice
from tests.conftest import MUONG_KIM_UNITS, client_for, make_user
from tests.inventory.test_workflow import assignment_of, load

PERSONAS = ["admin", "reviewer", "editor_muong_kim", "editor_muong_te", "viewer_muong_kim", "anonymous"]
UNIT_PAGE = [200, 200, 200, 404, 200, 302]
ADMIN_ONLY = [200, 403, 403, 403, 403, 302]
RECOMPUTE = [302, 403, 403, 403, 403, 302]


@pytest.fixture
def dang_uy(campaign):
    """Đảng ủy xã Mường Kim with the sample data."""
    assignment = assignment_of(campaign, MUONG_KIM_UNITS[0])
    load(assignment)
    return assignment


def unit_url(assignment) -> str:
    return reverse("assessment_unit", args=[assignment.campaign.code, assignment.unit_id])


def html(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    ("method", "name", "expected"),
    [
        ("GET", "unit", UNIT_PAGE),
        ("GET", "assessment_config", ADMIN_ONLY),
        ("POST", "assessment_recompute", RECOMPUTE),
    ],
)
@pytest.mark.parametrize("persona", range(len(PERSONAS)), ids=PERSONAS)
def test_scope(clients, dang_uy, method, name, expected, persona):
    target = unit_url(dang_uy) if name == "unit" else reverse(name, args=["RS2026"])
    client = clients[PERSONAS[persona]]
    response = client.get(target) if method == "GET" else client.post(target)
    assert response.status_code == expected[persona]
    if PERSONAS[persona] == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_a_user_without_membership_gets_404(dang_uy):
    client = client_for(make_user("nobody"))
    assert client.get(unit_url(dang_uy)).status_code == 404
    assert client.get(reverse("assessment_config", args=["RS2026"])).status_code == 404


def test_unknown_campaign_or_unassigned_unit_is_404(clients, dang_uy):
    admin = clients["admin"]
    assert admin.get(reverse("assessment_unit", args=["NOPE", dang_uy.unit_id])).status_code == 404
    assert admin.get(reverse("assessment_config", args=["NOPE"])).status_code == 404
    assert admin.post(reverse("assessment_recompute", args=["NOPE"])).status_code == 404
    province = dang_uy.unit.parent.parent  # the province node is not assigned
    assert admin.get(reverse("assessment_unit", args=["RS2026", province.pk])).status_code == 404


def test_recompute_only_by_post(clients):
    assert clients["admin"].get(reverse("assessment_recompute", args=["RS2026"])).status_code == 405


def test_unit_page_shows_the_scores_the_findings_behind_them_and_the_needs(clients, dang_uy):
    page = html(clients["viewer_muong_kim"].get(unit_url(dang_uy)))
    assert "Đánh giá" in page and "Kết nối" in page and "Thiết bị đầu cuối" in page
    assert re.search(r'data-testid="score-connectivity">87,5<', page)
    assert re.search(r'data-testid="score-devices">0<', page)
    assert re.search(r'data-testid="score-overall">43,4<', page)
    assert "20/05/2026" in page
    # Every finding is listed once, under the score it lowers or among the other findings.
    assert page.count('data-testid="finding"') == Finding.objects.filter(assignment=dang_uy).count()
    row = EndDevice.objects.get(assignment=dang_uy, position=16)  # the desktop without antivirus
    link = reverse("entry_sheet", args=["RS2026", dang_uy.unit_id, "B05"]) + f"#row-{row.pk}"
    assert f'href="{link}"' in page
    assert "Không có phần mềm phòng chống mã độc" in page
    assert re.search(r'data-testid="needs-total">675,5<', page)
    assert re.search(r'data-testid="proposals-total">227,5<', page)
    assert "Thay thế máy tính để bàn đã hết niên hạn" in page  # the unit's own B06 proposal
    assert "config-link" not in page


def test_numbers_are_written_the_vietnamese_way(clients, dang_uy, campaign):
    config = services.config_for(campaign)
    config.price_laptop = Decimal("2000.5")
    config.save()
    services.assess_campaign(campaign)
    page = html(clients["admin"].get(unit_url(dang_uy)))
    # 13 laptops past their service life × 2.000,5 million VND.
    assert "26.006,5" in page and "2.000,5" in page
    assert "config-link" in page


def test_a_unit_without_data_is_not_assessed(clients, campaign):
    assignment = assignment_of(campaign, MUONG_KIM_UNITS[1])
    page = html(clients["admin"].get(unit_url(assignment)))
    assert 'data-testid="not-assessed"' in page
    assert not UnitScore.objects.filter(assignment=assignment).exists()


def test_the_page_catches_up_when_the_reference_date_changed(clients, dang_uy, campaign):
    campaign.reference_date = datetime.date(2030, 1, 1)
    campaign.save()
    clients["admin"].get(unit_url(dang_uy))
    assert UnitScore.objects.get(assignment=dang_uy).reference_date == datetime.date(2030, 1, 1)


def test_unit_page_runs_the_same_queries_for_few_and_many_rows(
    clients, dang_uy, campaign, django_assert_num_queries
):
    small = assignment_of(campaign, MUONG_KIM_UNITS[2])
    EndDevice.objects.create(
        assignment=small,
        position=1,
        device_type="Máy in",
        quantity=1,
        year_acquired=2010,
        condition="Hỏng, không sử dụng được",
    )
    services.assess_assignment(small)
    client = clients["admin"]
    small_url, large_url = unit_url(small), unit_url(dang_uy)
    client.get(small_url)  # the session and the language are settled by a first request
    with CaptureQueriesContext(connection) as few:
        assert client.get(small_url).status_code == 200
    with django_assert_num_queries(len(few)):
        client.get(large_url)
    assert len(few) < 15


# --- settings ---------------------------------------------------------------------------------------


def config_data(config: AssessmentConfig, **changes) -> dict[str, str]:
    """The settings form as the page sends it, with some values changed."""
    data: dict[str, str] = {}
    formset = WindowsFormSet(instance=config, prefix="windows")
    for form in [ConfigForm(instance=config), formset.management_form, *formset.forms]:
        for field in form:
            value = field.value()
            if isinstance(value, datetime.date):
                value = value.strftime("%d/%m/%Y")
            data[field.html_name] = "" if value is None else str(value)
    data.update(changes)
    return data


def test_saving_the_settings_recomputes_the_campaign(clients, dang_uy, campaign):
    config = services.config_for(campaign)
    assert Finding.objects.filter(assignment=dang_uy, rule="D-AGE").count() == 10
    response = clients["admin"].post(
        reverse("assessment_config", args=["RS2026"]),
        config_data(config, computer_max_age="10", staff_ratio="0,9"),
        follow=True,
    )
    assert "Đã lưu" in html(response)
    config.refresh_from_db()
    assert (config.computer_max_age, config.staff_ratio) == (10, Decimal("0.9"))
    assert Finding.objects.filter(assignment=dang_uy, rule="D-AGE").count() == 6
    p_ratio = Finding.objects.get(assignment=dang_uy, rule="P-RATIO")
    assert p_ratio.quantity == 20  # 46 × 0.9 = 41.4 → 42 − 22 working


def test_the_windows_table_is_edited_on_the_settings_page(clients, dang_uy, campaign):
    config = services.config_for(campaign)
    data = config_data(config)
    row = next(k for k, v in data.items() if v == "Windows 10" and k.endswith("-os"))
    data[row.replace("-os", "-end_of_support")] = "31/12/2026"
    data.update({"windows-3-os": "Windows 11", "windows-3-end_of_support": "14/10/2031"})
    response = clients["admin"].post(reverse("assessment_config", args=["RS2026"]), data)
    assert response.status_code == 302
    assert dict(config.windows.values_list("os", "end_of_support"))["Windows 10"] == datetime.date(
        2026, 12, 31
    )
    # Windows 10 is supported again at 20/05/2026; nothing in the sample runs Windows 11.
    assert Finding.objects.filter(assignment=dang_uy, rule="D-OS").count() == 7


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"staff_ratio": "abc"}, "staff_ratio"),
        ({"computer_max_age": "0"}, "computer_max_age"),
        ({"price_desktop": "-1"}, "price_desktop"),
        (
            {
                "weight_connectivity": "0",
                "weight_devices": "0",
                "weight_infrastructure": "0",
                "weight_software": "0",
            },
            "form-errors",
        ),
        ({"windows-3-os": "Windows 10", "windows-3-end_of_support": "01/01/2030"}, "Windows"),
        ({"windows-3-os": "Windows 11", "windows-3-end_of_support": "2026-13-45"}, "end_of_support"),
    ],
)
def test_bad_settings_are_refused_with_a_message_and_nothing_is_saved(
    clients, dang_uy, campaign, changes, error
):
    config = services.config_for(campaign)
    before = config.updated_at
    findings = Finding.objects.filter(assignment=dang_uy).count()
    response = clients["admin"].post(
        reverse("assessment_config", args=["RS2026"]), config_data(config, **changes)
    )
    assert response.status_code == 200
    page = html(response)
    assert "Chưa lưu" in page
    assert error in page
    config.refresh_from_db()
    assert config.updated_at == before and config.windows.count() == 3
    assert Finding.objects.filter(assignment=dang_uy).count() == findings


def test_the_recompute_button_picks_up_data_written_without_the_signal(clients, campaign):
    assignment = assignment_of(campaign, MUONG_KIM_UNITS[2])
    EndDevice.objects.create(
        assignment=assignment,
        position=1,
        device_type="Máy in",
        quantity=2,
        year_acquired=2010,
        condition="Hoạt động tốt",
    )
    response = clients["admin"].post(reverse("assessment_recompute", args=["RS2026"]), follow=True)
    assert "Đã tính lại" in html(response)
    assert Finding.objects.filter(assignment=assignment, rule="D-AGE-OTHER", quantity=2).exists()


def test_the_unit_pages_link_to_the_assessment(clients, dang_uy):
    link = f'href="{unit_url(dang_uy)}"'
    for name in ("entry_overview", "workflow_history"):
        page = html(clients["viewer_muong_kim"].get(reverse(name, args=["RS2026", dang_uy.unit_id])))
        assert link in page, name

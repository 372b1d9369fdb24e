"""Issue 5 in Chromium: a province reviewer opens the dashboard, filters by commune, drills down from
the computers out of support to the B05 rows (all of that commune), and downloads the province report.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import MUONG_KIM_UNITS, PASSWORD, make_user
from tests.e2e.conftest import login
from tests.otp import give_app_device

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reviewer(transactional_db):
    from rasoat.campaigns.models import Campaign
    from rasoat.campaigns.services import ensure_first_campaign
    from rasoat.orgs.models import Unit
    from rasoat.orgs.registry import load_seed_registry
    from rasoat.orgs.roles import Role
    from tests.dashboard.helpers import load_dataset

    if not Unit.objects.exists():
        load_seed_registry()
    ensure_first_campaign()
    load_dataset(Campaign.objects.get(code="RS2026"))
    reviewer = make_user("tonghop.sokhcn", Role.REVIEWER, "LC", full_name="Nguyễn Văn Bình")
    give_app_device(reviewer)  # reviewers sign in with a second factor; login() types its code
    return reviewer


def test_reviewer_filters_drills_down_and_downloads_the_province_report(page, live_server, reviewer):
    login(page, live_server, reviewer.username, PASSWORD)
    page.get_by_test_id("nav-dashboard").click()
    page.wait_for_url(re.compile(r"/dot/RS2026/theo-doi/$"))
    expect(page.get_by_test_id("progress-total")).to_have_text("220")
    # The charts are drawn by the vendored Chart.js, each with its table of numbers.
    page.wait_for_function("() => typeof Chart !== 'undefined'")
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('canvas[data-chart]')].filter(c => Chart.getChart(c)).length"
    )
    assert drawn >= 10
    expect(page.get_by_test_id("table-computer_support")).to_be_visible()

    # Filter by commune: every figure is now Mường Kim's.
    filters = page.get_by_test_id("dashboard-filters")
    filters.locator("[name=commune]").select_option(label="Xã Mường Kim")
    page.get_by_test_id("dashboard-filter").click()
    page.wait_for_url(re.compile(r"commune=\d+"))
    expect(page.get_by_test_id("progress-total")).to_have_text(str(len(MUONG_KIM_UNITS)))
    out = page.get_by_test_id("computers-out-of-support")
    shown = int(out.inner_text())
    assert shown > 0

    # Drill down from the computers out of support to the B05 rows.
    out.click()
    page.wait_for_url(re.compile(r"/theo-doi/chi-tiet/\?.*figure=computer_support"))
    expect(page.get_by_test_id("drilldown-title")).to_contain_text("Hết hỗ trợ")
    expect(page.get_by_test_id("drilldown-quantity")).to_have_text(str(shown))
    rows = page.get_by_test_id("drilldown-row")
    assert rows.count() > 0
    units = {rows.nth(i).get_attribute("data-unit") for i in range(rows.count())}
    assert units <= set(MUONG_KIM_UNITS)
    table = page.get_by_test_id("drilldown-table").inner_text()
    assert "Windows" in table and "Mường Tè" not in table
    # A row links to the unit's B05 sheet at that row.
    href = rows.first.get_by_test_id("row-link").get_attribute("href")
    assert re.search(r"/nhap/B05/#row-\d+$", href)

    # Back to the dashboard (filters kept), then the province report.
    page.get_by_test_id("back-to-dashboard").click()
    page.wait_for_url(re.compile(r"/theo-doi/\?commune=\d+"))
    with page.expect_download() as info:
        page.get_by_test_id("province-report").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    with open(download.path(), "rb") as report:
        assert len(report.read()) > 0

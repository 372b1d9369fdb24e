"""Issue 9 in Chromium: a reviewer picks an added B05 column in "Thống kê theo cột" on a campaign
pinned to a version with added columns, sees its chart drawn and its table, and opens the rows of one
label; they are the B05 rows holding it, with the added column shown."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import login
from tests.otp import give_app_device

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reviewer(transactional_db):
    from rasoat.appendix.models import AppendixVersion
    from rasoat.campaigns.models import Campaign
    from rasoat.campaigns.services import ensure_first_campaign
    from rasoat.orgs.models import Unit
    from rasoat.orgs.registry import load_seed_registry
    from rasoat.orgs.roles import Role
    from tests.dashboard import helpers
    from tests.dashboard.test_column_counts import VERSION, column_definition, with_added

    if not Unit.objects.exists():
        load_seed_registry()
    ensure_first_campaign()
    AppendixVersion.objects.create(
        code=VERSION, title="Phụ lục thử có cột thêm", definition=column_definition()
    )
    campaign = Campaign.objects.get(code="RS2026")
    campaign.appendix_version = VERSION
    campaign.save()
    original = dict(helpers.DATASET)
    helpers.DATASET.update({code: with_added(code, index) for index, code in enumerate(original)})
    try:
        helpers.load_dataset(campaign)
    finally:
        helpers.DATASET.update(original)
    reviewer = make_user("tonghop.cot", Role.REVIEWER, "LC", full_name="Nguyễn Văn Cột")
    give_app_device(reviewer)
    return reviewer


def test_reviewer_counts_by_an_added_column_and_opens_its_rows(page, live_server, reviewer):
    from rasoat.inventory.models import EndDevice
    from tests.dashboard.test_column_counts import ORIGINS

    login(page, live_server, reviewer.username, PASSWORD)
    page.goto(f"{live_server.url}/dot/RS2026/theo-doi/")
    section = page.get_by_test_id("column-counts")
    expect(section).to_contain_text("Thống kê theo cột")
    section.get_by_test_id("column-choice").select_option(value="B05.origin")
    section.get_by_role("button", name="Xem").click()
    page.wait_for_url(re.compile(r"column=B05\.origin#column-counts$"))
    page.wait_for_function("() => typeof Chart !== 'undefined'")
    assert page.evaluate(
        "() => !!Chart.getChart(document.querySelector('canvas[data-chart=chart-data-column_counts]'))"
    )
    row = page.locator(f"[data-testid=row-column-counts][data-value='{ORIGINS[1]}']")
    shown = int(row.get_by_test_id("column-rows").inner_text())
    expected = EndDevice.objects.filter(extra__origin=ORIGINS[1]).count()
    assert shown == expected > 0

    row.get_by_test_id("column-link").click()
    page.wait_for_url(re.compile(r"/theo-doi/chi-tiet/\?.*figure=column"))
    expect(page.get_by_test_id("drilldown-title")).to_have_text(ORIGINS[1])
    assert page.get_by_test_id("drilldown-row").count() == expected
    table = page.get_by_test_id("drilldown-table").inner_text()
    assert "Nguồn trang bị" in table and ORIGINS[1] in table

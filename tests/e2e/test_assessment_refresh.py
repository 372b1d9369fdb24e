"""A unit's assessment page that waits for its recompute says so and refreshes itself once the
worker is done (HTMX polling under the site's Content-Security-Policy, in the system Chromium)."""

import pytest

from tests.conftest import MUONG_KIM_UNITS, PASSWORD, make_user
from tests.e2e.conftest import login
from tests.jobs.conftest import DATABASE_QUEUE

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_the_page_says_updating_and_refreshes_by_itself(live_server, page, settings):
    from rasoat.assessment.models import UnitScore
    from rasoat.campaigns.models import Campaign
    from rasoat.campaigns.services import ensure_first_campaign
    from rasoat.orgs.models import Unit
    from rasoat.orgs.registry import load_seed_registry
    from rasoat.orgs.roles import Role
    from tests.inventory.test_workflow import assignment_of, load
    from tests.jobs.test_web import run_queued

    if not Unit.objects.exists():
        load_seed_registry()
    ensure_first_campaign()
    settings.TASKS = DATABASE_QUEUE
    editor = make_user("bientap.muongkim", Role.EDITOR, "X.03637", full_name="Lò Thị Hoa")
    assignment = assignment_of(Campaign.objects.get(code="RS2026"), MUONG_KIM_UNITS[0])
    load(assignment)  # queued; no worker yet
    assert not UnitScore.objects.filter(assignment=assignment).exists()

    login(page, live_server, editor.username, PASSWORD)
    page.goto(f"{live_server.url}/dot/RS2026/don-vi/{assignment.unit_id}/danh-gia/")
    banner = page.get_by_test_id("assessment-pending")
    assert "Đang cập nhật đánh giá…" in banner.inner_text()
    page.wait_for_timeout(2500)  # a poll or two: still pending, still on the page
    assert banner.is_visible()

    run_queued()  # what the worker does
    page.get_by_test_id("scores").wait_for(timeout=15000)
    assert page.get_by_test_id("assessment-pending").count() == 0

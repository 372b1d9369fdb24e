"""On a 360 px phone, the import preview's change tables scroll sideways inside their card: the page
itself never becomes wider than the screen. The file is uploaded through the page, as a clerk does."""

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def setup(transactional_db):
    from rasoat.appendix.services import ensure_shipped
    from rasoat.campaigns.models import Campaign
    from rasoat.campaigns.services import ensure_first_campaign
    from rasoat.orgs.models import Unit
    from rasoat.orgs.registry import load_seed_registry
    from rasoat.orgs.roles import Role
    from tests.inventory.test_workflow import assignment_of

    if not Unit.objects.exists():
        load_seed_registry()
        ensure_shipped(audit=False)
    ensure_first_campaign()
    campaign = Campaign.objects.get(code="RS2026")
    editor = make_user("bientap.muongkim", Role.EDITOR, "X.03637", full_name="Lò Thị Hoa")
    return editor, assignment_of(campaign, "X.03637.UB")


@pytest.fixture
def narrow_phone(browser):
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_the_change_tables_scroll_inside_their_card_on_a_phone(
    setup, narrow_phone, live_server, tmp_path, settings
):
    from tests.workbooks.test_upload_preview_changes import reimport_file

    settings.MEDIA_ROOT = tmp_path / "media"
    editor, assignment = setup
    path = tmp_path / "phu_luc.xlsx"
    path.write_bytes(reimport_file(assignment))
    page = narrow_phone
    login(page, live_server, editor.username, PASSWORD)
    page.goto(
        live_server.url + reverse("workbook_unit_upload", args=[assignment.campaign.code, assignment.unit_id])
    )
    page.set_input_files("input[type=file]", str(path))
    page.get_by_test_id("upload-submit").click()
    page.wait_for_selector("[data-testid=preview-changes]")
    assert page.get_by_test_id("confirm").inner_text().strip() == "Xác nhận nhập"
    # The page is no wider than the screen; B05's table is, and scrolls within its frame in the card.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    frame = page.locator("[data-testid=changes-sheet][data-sheet=B05] .table-responsive")
    sizes = frame.evaluate("e => [e.scrollWidth, e.clientWidth, getComputedStyle(e).overflowX]")
    assert sizes[0] > sizes[1] and sizes[2] == "auto"
    card = page.locator("[data-testid=changes-unit]").first.bounding_box()
    box = frame.bounding_box()
    assert card["x"] <= box["x"] and box["x"] + box["width"] <= card["x"] + card["width"] <= 360
    page.locator("[data-testid=changes-unit]").first.screenshot(path=str(tmp_path / "preview-360.png"))
    frame.evaluate("e => { e.scrollLeft = 400; }")
    assert frame.evaluate("e => e.scrollLeft") > 0

"""Issue 9 in Chromium: an administrator copies 2026.1 in the appendix editor, adds a choice column with
its list and a new repeating sheet, and pins a new campaign to the version; the Mường Kim editor fills
the new sheet on the web and uploads a workbook made from the version's template — and the data is
there, the added column in `extra`, the new sheet in its rows."""

import datetime

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import login
from tests.e2e.test_csp import LISTEN
from tests.otp import give_app_device

pytestmark = pytest.mark.django_db(transaction=True)

VERSION = "LC-2027"
CAMPAIGN = "RS2027"
UNIT = "X.03637.UB"
SOURCES = ("Tỉnh cấp", "Đơn vị tự mua sắm", "Tài trợ")
TRAINING = "Đào tạo kỹ năng số"


@pytest.fixture
def people(transactional_db):
    from rasoat.appendix.services import ensure_shipped
    from rasoat.campaigns.services import ensure_first_campaign
    from rasoat.orgs.models import Unit
    from rasoat.orgs.registry import load_seed_registry
    from rasoat.orgs.roles import Role

    if not Unit.objects.exists():
        load_seed_registry()
    ensure_shipped(audit=False)
    ensure_first_campaign()
    admin = make_user("quantri.phuluc", Role.ADMIN, "LC", full_name="Trần Văn Quản")
    give_app_device(admin)
    editor = make_user("bientap.phuluc", Role.EDITOR, "X.03637", full_name="Lò Thị Hoa")
    return {"admin": admin, "editor": editor}


def session(browser, live_server, user):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.add_init_script(LISTEN)  # the editor's pages run under the strict CSP too
    login(page, live_server, user.username, PASSWORD)
    return context, page


def administrator_makes_the_version(page, live_server) -> None:
    base = f"{live_server.url}/phu-luc/{VERSION}"
    page.get_by_test_id("nav-appendix").click()
    page.wait_for_url(f"{live_server.url}/phu-luc/")
    page.get_by_test_id("copy-2026.1").click()
    page.fill("#id_code", VERSION)
    page.fill("#id_title", "Phụ lục Lai Châu 2027")
    page.get_by_test_id("copy-version").click()
    page.wait_for_url(f"{base}/")
    expect(page.locator("[data-testid=frozen]")).to_have_count(0)

    # A choice column with its own list, in B05.
    page.locator("[data-sheet=B05] a").first.click()
    page.wait_for_url(f"{base}/bieu/B05/")
    page.get_by_test_id("add-column").click()
    page.fill("#id_key", "source")
    page.fill("#id_header", "Nguồn trang bị")
    page.select_option("#id_type", value="choice")
    page.fill("#id_new_labels", "\n".join(SOURCES))
    page.get_by_test_id("save-column").click()
    page.wait_for_url(f"{base}/bieu/B05/")
    expect(page.locator("[data-column=source]")).to_contain_text("Nguồn trang bị")
    # The preview (loaded by HTMX) shows the new column as a unit will see it.
    preview = page.get_by_test_id("preview")
    expect(preview).to_contain_text("Nguồn trang bị")
    assert preview.locator("[name=source] option").all_inner_texts()[1:] == list(SOURCES)
    assert page.evaluate("window.__violations") == []

    # A new repeating sheet with a year column.
    page.goto(f"{base}/")
    page.get_by_test_id("add-sheet").click()
    page.fill("#id_code", "B07")
    page.fill("#id_title", TRAINING)
    page.select_option("#id_kind", value="table")
    page.fill("#id_first_key", "course")
    page.fill("#id_first_header", "Tên lớp, khóa đào tạo")
    page.select_option("#id_first_type", value="text")
    page.get_by_test_id("save-sheet").click()
    page.wait_for_url(f"{base}/bieu/B07/")
    page.get_by_test_id("add-column").click()
    page.fill("#id_key", "year_held")
    page.fill("#id_header", "Năm tổ chức")
    page.select_option("#id_type", value="year")
    page.get_by_test_id("save-column").click()
    page.wait_for_url(f"{base}/bieu/B07/")
    expect(page.get_by_test_id("preview")).to_contain_text("Năm tổ chức")
    assert page.evaluate("window.__violations") == []


def administrator_pins_a_campaign(page, live_server) -> None:
    page.goto(f"{live_server.url}/dot/them/")
    page.fill("#id_code", CAMPAIGN)
    page.fill("#id_title", "Rà soát năm 2027")
    page.fill("#id_deadline", "30/12/2026")
    page.fill("#id_reference_date", "20/05/2026")
    page.select_option("#id_appendix_version", value=VERSION)
    page.get_by_test_id("campaign-save").click()
    page.wait_for_url(f"{live_server.url}/dot/{CAMPAIGN}/")


def test_a_version_made_in_the_editor_is_filled_on_the_web_and_by_workbook(
    browser, live_server, people, tmp_path
):
    from rasoat.campaigns.models import Assignment, Campaign
    from rasoat.inventory.data import unit_data
    from rasoat.inventory.models import CustomRow, EndDevice
    from rasoat.workbooks.template import write_unit_template
    from tests.inventory.test_workflow import data_for, load
    from tests.workbooks.test_versions import fill

    context, page = session(browser, live_server, people["admin"])
    administrator_makes_the_version(page, live_server)
    administrator_pins_a_campaign(page, live_server)
    context.close()
    campaign = Campaign.objects.get(code=CAMPAIGN)
    assert campaign.appendix_version == VERSION
    assignment = Assignment.objects.select_related("campaign", "unit").get(campaign=campaign, unit__code=UNIT)
    # The unit's other sheets as the sample has them, so that the workbook below has no error.
    load(assignment, data_for(assignment.unit))

    # The editor fills the new sheet on the web.
    context, page = session(browser, live_server, people["editor"])
    base = f"{live_server.url}/dot/{CAMPAIGN}/don-vi/{assignment.unit_id}"
    page.goto(f"{base}/nhap/B07/")
    expect(page.locator("main")).to_contain_text(TRAINING)
    page.locator("[data-testid=add-row]").click()
    row = page.locator("[data-testid=new-row]")
    row.locator("[name=course]").fill("Kỹ năng số cho cán bộ xã")
    row.locator("[name=year_held]").fill("2026")
    row.locator("[data-testid=save-row]").click()
    expect(page.locator("[data-testid=new-row]")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Kỹ năng số cho cán bộ xã")
    assert unit_data(assignment)["B07"] == [{"course": "Kỹ năng số cho cán bộ xã", "year_held": 2026}]

    # ... and uploads a workbook made from the version's template, with its data and one more row.
    template = write_unit_template(assignment, prefilled=True)
    workbook = tmp_path / "phu-luc-muong-kim.xlsx"
    workbook.write_bytes(
        fill(
            template,
            rows={TRAINING: [{"Tên lớp, khóa đào tạo": "An toàn thông tin", "Năm tổ chức": 2025}]},
            cells={("Thiết bị đầu cuối", 3, "Nguồn trang bị"): SOURCES[0]},
        )
    )
    page.goto(f"{base}/tai-len/")
    page.locator("input[type=file]").set_input_files(str(workbook))
    page.get_by_test_id("upload-submit").click()
    expect(page.get_by_test_id("preview-ok")).to_be_visible()
    page.get_by_test_id("confirm").click()
    expect(page.locator("main [role=alert]").first).to_contain_text("B07: 2")
    context.close()

    data = unit_data(assignment)
    assert data["B07"] == [
        {"course": "Kỹ năng số cho cán bộ xã", "year_held": 2026},
        {"course": "An toàn thông tin", "year_held": 2025},
    ]
    assert CustomRow.objects.filter(assignment=assignment, sheet="B07").count() == 2
    first = EndDevice.objects.get(assignment=assignment, position=1)
    assert first.extra == {"source": SOURCES[0]} and data["B05"][0]["source"] == SOURCES[0]
    assert campaign.deadline == datetime.date(2026, 12, 30)

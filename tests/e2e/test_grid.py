"""Issue 11 item 4 in Chromium: a commune editor pastes 40 rows copied from a spreadsheet into B05's
grid, two of them faulty; the faulty cells are marked with the message and the 38 valid rows saved;
fixing the two saves them; a second browser editing the same row gets the conflict message. B01 asks
before leaving with unsaved changes. A screenshot of B05 at 360 px goes to docs/img/ when
RASOAT_SCREENSHOTS=1.
"""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import login, screenshot_folder
from tests.inventory.test_entry import DESKTOP

pytestmark = pytest.mark.django_db(transaction=True)

DOCS_IMG = screenshot_folder()  # docs/img/ with RASOAT_SCREENSHOTS=1
FAULTY_RAM, FAULTY_TYPE = 6, 22  # 0-based rows of the pasted block


@pytest.fixture
def people(transactional_db):
    from rasoat.campaigns.services import ensure_first_campaign
    from rasoat.orgs.models import Unit
    from rasoat.orgs.registry import load_seed_registry
    from rasoat.orgs.roles import Role

    if not Unit.objects.exists():
        load_seed_registry()
    from rasoat.campaigns.models import Campaign

    ensure_first_campaign()
    campaign = Campaign.objects.get(code="RS2026")
    return {
        "editor": make_user("bientap.muongkim", Role.EDITOR, "X.03637", full_name="Lò Thị Hoa"),
        "second": make_user("bientap2.muongkim", Role.EDITOR, "X.03637", full_name="Tòng Văn Nam"),
        "unit": Unit.objects.get(code="X.03637.UB"),
        "campaign": campaign,
    }


def session(browser, live_server, user, width=1366):
    # An English browser: the pages are Vietnamese all the same (issue 11 item 1).
    context = browser.new_context(locale="en-US", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20000)
    login(page, live_server, user.username, PASSWORD)
    return context, page


def b05_keys(campaign) -> list[str]:
    from rasoat.appendix.declaration import get_appendix

    return [c.key for c in get_appendix(campaign.appendix_version).sheet("B05").data_columns]


def spreadsheet_text(keys: list[str]) -> str:
    """40 rows as Excel puts them on the clipboard: tab-separated, CRLF line ends."""
    lines = []
    for i in range(40):
        row = {**DESKTOP, "model": f"Dell OptiPlex {i + 1}"}
        if i == FAULTY_RAM:
            row["ram_gb"] = "tám"
        if i == FAULTY_TYPE:
            row["device_type"] = "Máy chủ ảo"
        lines.append("\t".join(row.get(key, "") for key in keys))
    return "\r\n".join(lines) + "\r\n"


PASTE = """([selector, text]) => {
  const target = document.querySelector(selector);
  target.focus();
  const data = new DataTransfer();
  data.setData("text/plain", text);
  target.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
}"""


def test_paste_forty_rows_fix_two_and_meet_a_conflict(browser, live_server, people):
    from rasoat.inventory.models import EndDevice

    unit, campaign = people["unit"], people["campaign"]
    keys = b05_keys(campaign)
    grid_url = f"{live_server.url}/dot/RS2026/don-vi/{unit.pk}/nhap/B05/bang-tinh/"
    context, page = session(browser, live_server, people["editor"])
    page.goto(f"{live_server.url}/dot/RS2026/don-vi/{unit.pk}/nhap/B05/")
    page.get_by_test_id("grid-link").click()
    page.wait_for_url(grid_url)
    expect(page.get_by_test_id("grid-help")).to_contain_text("Excel")

    page.evaluate(PASTE, [f"[data-testid=grid-0-{keys[0]}]", spreadsheet_text(keys)])
    expect(page.get_by_test_id("grid-39-model")).to_have_value("Dell OptiPlex 40")
    expect(page.get_by_test_id("grid-dirty")).to_contain_text("40 dòng")
    page.get_by_test_id("grid-save").click()

    expect(page.get_by_test_id("grid-message")).to_contain_text("Đã lưu 38 dòng")
    expect(page.get_by_test_id("grid-message")).to_contain_text("2 dòng CHƯA được lưu")
    assert EndDevice.objects.filter(assignment__unit=unit).count() == 38
    expect(page.get_by_test_id("status-badge")).to_have_text("Đang nhập")
    ram_cell = page.locator(f"[data-testid=grid-row-{FAULTY_RAM}] td[data-col=ram_gb]")
    expect(ram_cell).to_have_class("grid-invalid")
    expect(ram_cell).to_contain_text("không phải là số")
    type_cell = page.locator(f"[data-testid=grid-row-{FAULTY_TYPE}] td[data-col=device_type]")
    expect(type_cell).to_have_class("grid-invalid")
    expect(type_cell).to_contain_text("Máy chủ ảo")
    # The faulty rows keep what was typed, so it can be fixed in place.
    expect(page.get_by_test_id(f"grid-{FAULTY_RAM}-ram_gb")).to_have_value("tám")

    page.get_by_test_id(f"grid-{FAULTY_RAM}-ram_gb").fill("8")
    page.get_by_test_id(f"grid-{FAULTY_TYPE}-device_type").select_option(label="Máy tính để bàn")
    page.get_by_test_id("grid-save").click()
    expect(page.get_by_test_id("grid-message")).to_contain_text("Đã lưu 2 dòng")
    expect(page.locator("td.grid-invalid")).to_have_count(0)
    assert EndDevice.objects.filter(assignment__unit=unit).count() == 40
    models = list(EndDevice.objects.filter(assignment__unit=unit).values_list("model", flat=True))
    assert sorted(models) == sorted(f"Dell OptiPlex {i + 1}" for i in range(40))
    page.screenshot(path=str(DOCS_IMG / "entry-b05-grid.png"))

    # A second browser edits the first row and saves; the first browser's save of it is refused.
    other_context, other = session(browser, live_server, people["second"])
    other.goto(grid_url)
    other.get_by_test_id("grid-0-model").fill("HP ProDesk 400")
    other.get_by_test_id("grid-save").click()
    expect(other.get_by_test_id("grid-message")).to_contain_text("Đã lưu 1 dòng")
    other_context.close()

    page.get_by_test_id("grid-0-model").fill("Lenovo ThinkCentre")
    page.get_by_test_id("grid-save").click()
    expect(page.get_by_test_id("grid-row-msg-0")).to_contain_text("Người khác đã lưu dòng này")
    expect(page.locator("[data-testid=grid-row-0] td[data-col=model]")).to_contain_text("HP ProDesk 400")
    first = EndDevice.objects.filter(assignment__unit=unit).order_by("position").first()
    assert first.model == "HP ProDesk 400"
    # Saving again overwrites on purpose.
    page.get_by_test_id("grid-save").click()
    expect(page.get_by_test_id("grid-message")).to_contain_text("Đã lưu 1 dòng")
    first.refresh_from_db()
    assert first.model == "Lenovo ThinkCentre"
    context.close()


def test_grid_keyboard_fill_down_and_delete(browser, live_server, people):
    from rasoat.inventory.models import EndDevice

    unit = people["unit"]
    context, page = session(browser, live_server, people["editor"])
    page.goto(f"{live_server.url}/dot/RS2026/don-vi/{unit.pk}/nhap/B05/bang-tinh/")
    page.get_by_test_id("grid-0-model").click()
    page.keyboard.type("Máy A")
    page.keyboard.press("Enter")  # down to the new blank row
    page.keyboard.type("Máy B")
    page.keyboard.press("ArrowUp")
    expect(page.get_by_test_id("grid-0-model")).to_be_focused()
    page.get_by_test_id("grid-0-device_type").select_option(label="Máy in")
    page.get_by_test_id("grid-0-device_type").focus()
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Control+d")
    expect(page.get_by_test_id("grid-1-device_type")).to_have_value("Máy in")
    page.get_by_test_id("grid-0-quantity").fill("1")
    page.get_by_test_id("grid-1-quantity").fill("2")
    page.get_by_test_id("grid-save").click()
    expect(page.get_by_test_id("grid-message")).to_contain_text("Đã lưu 2 dòng")
    assert list(EndDevice.objects.order_by("position").values_list("model", "device_type")) == [
        ("Máy A", "Máy in"),
        ("Máy B", "Máy in"),
    ]
    page.get_by_test_id("grid-delete-1").click()
    page.get_by_test_id("grid-save").click()
    expect(page.get_by_test_id("grid-message")).to_contain_text("Đã lưu 1 dòng")
    assert list(EndDevice.objects.values_list("model", flat=True)) == ["Máy A"]
    context.close()


def test_b01_keeps_valid_fields_and_asks_before_leaving(browser, live_server, people):
    from rasoat.inventory.models import GeneralInfo

    unit = people["unit"]
    context, page = session(browser, live_server, people["editor"])
    page.goto(f"{live_server.url}/dot/RS2026/don-vi/{unit.pk}/nhap/B01/")
    form = page.get_by_test_id("general-form")
    form.locator("[name=contact_name]").click()
    page.keyboard.type("Lò Thị Hoa")
    form.locator("[name=staff_total]").fill("hai mươi")
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.get_by_test_id("tab-overview").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith("/nhap/B01/")

    form.get_by_test_id("save-general").click()
    expect(page.get_by_test_id("general-form")).to_contain_text("CHƯA được lưu")
    expect(page.locator("[name=staff_total]")).to_have_value("hai mươi")
    assert GeneralInfo.objects.get(assignment__unit=unit).contact_name == "Lò Thị Hoa"
    context.close()


def test_b05_at_360_px_keeps_the_row_form(browser, live_server, people):
    from rasoat.campaigns.models import Assignment
    from tests.inventory.test_entry import add_device

    unit = people["unit"]
    assignment = Assignment.objects.get(campaign=people["campaign"], unit=unit)
    add_device(assignment)
    add_device(assignment, device_type="Máy tính xách tay", model="Lenovo ThinkPad E14", quantity="1")
    context, page = session(browser, live_server, people["editor"], width=360)
    page.goto(f"{live_server.url}/dot/RS2026/don-vi/{unit.pk}/nhap/B05/")
    expect(page.get_by_test_id("add-row")).to_be_visible()
    expect(page.get_by_test_id("grid-link")).to_be_hidden()
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_IMG / "entry-b05-360.png"), full_page=True)
    context.close()


def save_and_wait(page) -> None:
    """Click "save" and wait for the grid's answer (the message may read the same as before)."""
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.get_by_test_id("grid-save").click()
    page.wait_for_function("!document.getElementById('grid-save').disabled")


def test_a_row_deleted_by_someone_else_is_not_brought_back_by_a_later_save(browser, live_server, people):
    """The grid keeps a row another user deleted as it was typed, says so, and enters it again only
    once it is changed — saving the other rows never silently re-creates it."""
    from rasoat.inventory import services
    from rasoat.inventory.models import EndDevice

    unit = people["unit"]
    context, page = session(browser, live_server, people["editor"])
    page.goto(f"{live_server.url}/dot/RS2026/don-vi/{unit.pk}/nhap/B05/bang-tinh/")
    for r, model in enumerate(("Máy A", "Máy B")):
        page.get_by_test_id(f"grid-{r}-device_type").select_option(label="Máy in")
        page.get_by_test_id(f"grid-{r}-model").fill(model)
        page.get_by_test_id(f"grid-{r}-quantity").fill("1")
    page.get_by_test_id("grid-save").click()
    expect(page.get_by_test_id("grid-message")).to_contain_text("Đã lưu 2 dòng")

    second = EndDevice.objects.get(assignment__unit=unit, model="Máy B")
    services.delete_row(second.assignment, "B05", second.pk, second.version, actor=people["second"])
    page.get_by_test_id("grid-0-quantity").fill("2")
    page.get_by_test_id("grid-1-quantity").fill("3")
    save_and_wait(page)
    expect(page.get_by_test_id("grid-row-msg-1")).to_contain_text("người khác đã xóa")
    expect(page.get_by_test_id("grid-1-model")).to_have_value("Máy B")
    assert list(EndDevice.objects.filter(assignment__unit=unit).values_list("model", "quantity")) == [
        ("Máy A", 2)
    ]

    page.get_by_test_id("grid-0-quantity").fill("4")
    save_and_wait(page)
    expect(page.get_by_test_id("grid-message")).to_contain_text("Đã lưu 1 dòng")
    assert list(EndDevice.objects.filter(assignment__unit=unit).values_list("model", "quantity")) == [
        ("Máy A", 4)
    ]

    page.get_by_test_id("grid-1-quantity").fill("5")
    save_and_wait(page)
    expect(page.get_by_test_id("grid-message")).to_contain_text("Đã lưu 1 dòng")
    stored = EndDevice.objects.filter(assignment__unit=unit).order_by("position")
    assert list(stored.values_list("model", "quantity")) == [("Máy A", 4), ("Máy B", 5)]
    context.close()

"""Issue 3 end to end in Chromium: the Mường Kim editor fills B01 and B05, meets a cell error, fixes
it and submits; a province reviewer returns it with a reason; the editor reads the reason, changes a
row and resubmits; the reviewer accepts; the history shows the steps and the diff the changed field.
"""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import login
from tests.otp import give_app_device

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "Số lượng máy tính để bàn chưa khớp với biên bản kiểm kê."


@pytest.fixture
def people(transactional_db):
    from rasoat.campaigns.services import ensure_first_campaign
    from rasoat.orgs.models import Unit
    from rasoat.orgs.registry import load_seed_registry
    from rasoat.orgs.roles import Role

    if not Unit.objects.exists():
        load_seed_registry()
    ensure_first_campaign()
    editor = make_user("bientap.muongkim", Role.EDITOR, "X.03637", full_name="Lò Thị Hoa")
    reviewer = make_user("tonghop.sokhcn", Role.REVIEWER, "LC", full_name="Nguyễn Văn Bình")
    give_app_device(reviewer)  # reviewers sign in with a second factor; login() types its code
    return {"editor": editor, "reviewer": reviewer, "unit": Unit.objects.get(code="X.03637.UB")}


def session(browser, live_server, user):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    login(page, live_server, user.username, PASSWORD)
    return context, page


def test_enter_submit_return_resubmit_accept(browser, live_server, people):
    unit = people["unit"]
    base = f"{live_server.url}/dot/RS2026/don-vi/{unit.pk}"

    # The editor reaches the unit from the commune page and fills B01.
    context, page = session(browser, live_server, people["editor"])
    page.goto(f"{live_server.url}/dot/RS2026/xa/{unit.commune_id}/")
    page.locator("[data-testid=commune-row][data-unit='X.03637.UB'] [data-testid=unit-entry-link]").click()
    page.wait_for_url(f"{base}/nhap/")
    page.goto(f"{base}/nhap/B01/")
    form = page.locator("[data-testid=general-form]")
    expect(form.locator("[name=unit_code]")).to_have_value("X.03637.UB")
    form.locator("[name=contact_name]").fill("Lò Thị Hoa")
    form.locator("[name=contact_phone]").fill("0912 345 678")
    form.locator("[name=staff_total]").fill("25")
    form.locator("[name=it_staff_parttime]").fill("1")
    form.locator("[name=has_lan]").select_option(label="Có")
    form.locator("[name=lan_points]").fill("20")
    # Wait for the HTMX save to answer before leaving the page: navigating away mid-request raced it.
    with page.expect_response(lambda r: r.request.method == "POST" and "/nhap/B01/" in r.url) as saved:
        form.locator("[data-testid=save-general]").click()
    assert saved.value.ok
    expect(page.locator("[data-testid=general-form] .is-invalid")).to_have_count(0)

    # B05: a desktop without RAM is saved as a draft with the error on the RAM cell.
    page.goto(f"{base}/nhap/B05/")
    page.locator("[data-testid=add-row]").click()
    row = page.locator("[data-testid=new-row]")
    row.locator("[name=device_type]").select_option(label="Máy tính để bàn")
    row.locator("[name=quantity]").fill("5")
    row.locator("[name=year_acquired]").fill("2023")
    row.locator("[name=cpu]").fill("Intel Core i5-12400")
    row.locator("[name=disk_type]").select_option(label="SSD")
    row.locator("[name=os]").select_option(label="Windows 11")
    row.locator("[name=os_licensed]").select_option(label="Có")
    row.locator("[name=antivirus]").select_option(label="Có bản quyền")
    row.locator("[name=condition]").select_option(label="Hoạt động tốt")
    row.locator("[data-testid=save-row]").click()
    error = page.locator("[data-testid=entry-table] [data-testid=cell-error-ram_gb]")
    expect(error).to_be_visible()
    expect(error).to_contain_text("RAM")

    # The editor fixes it: "8" in the RAM cell, and the error is gone.
    page.locator("[data-testid=entry-table] [data-testid=edit-row]").first.click()
    editing = page.locator("[data-testid=row-form]")
    editing.locator("[name=ram_gb]").fill("8")
    editing.locator("[data-testid=save-row]").click()
    expect(page.locator("[data-testid=row-form]")).to_have_count(0)
    expect(page.locator("[data-testid=cell-error-ram_gb]")).to_have_count(0)
    expect(page.locator("[data-testid=entry-table] [data-testid=cell-ram_gb]").first).to_contain_text("8")

    page.goto(f"{base}/gui/")
    page.locator("[data-testid=submit-button]").click()
    page.wait_for_url(f"{base}/lich-su/")
    expect(page.locator("main")).to_contain_text("Đã gửi")
    context.close()

    # The reviewer returns it with a reason.
    context, page = session(browser, live_server, people["reviewer"])
    page.goto(f"{base}/lich-su/")
    page.locator("[data-testid=return-form] [name=reason]").fill(REASON)
    page.locator("[data-testid=return]").click()
    # Issue 11: every review step asks first, on a confirmation page.
    expect(page.locator("[data-testid=confirm-return] [name=reason]")).to_have_value(REASON)
    page.locator("[data-testid=confirm]").click()
    page.wait_for_url(f"{base}/lich-su/")
    expect(page.locator("main")).to_contain_text("Trả lại")
    context.close()

    # The editor sees the reason, changes the quantity and submits again.
    context, page = session(browser, live_server, people["editor"])
    page.goto(f"{base}/nhap/")
    expect(page.locator("main")).to_contain_text(REASON)
    page.goto(f"{base}/nhap/B05/")
    page.locator("[data-testid=entry-table] [data-testid=edit-row]").first.click()
    editing = page.locator("[data-testid=row-form]")
    editing.locator("[name=quantity]").fill("6")
    editing.locator("[data-testid=save-row]").click()
    expect(page.locator("[data-testid=entry-table] [data-testid=cell-quantity]").first).to_contain_text("6")
    page.goto(f"{base}/gui/")
    page.locator("[data-testid=submit-button]").click()
    page.wait_for_url(f"{base}/lich-su/")
    context.close()

    # The reviewer accepts; the history shows every step and the diff the changed quantity.
    context, page = session(browser, live_server, people["reviewer"])
    page.goto(f"{base}/lich-su/")
    page.locator("[data-testid=accept]").click()
    page.locator("[data-testid=confirm-accept] [data-testid=confirm]").click()
    page.wait_for_url(f"{base}/lich-su/")
    expect(page.locator("main")).to_contain_text("Đã duyệt")
    transitions = page.locator("[data-testid=transition]")
    expect(transitions).to_have_count(6)
    expect(page.locator("[data-testid=transitions]")).to_contain_text(REASON)
    page.locator("[data-testid=compare]").click()
    change = page.locator("[data-testid=diff-field-quantity]")
    expect(change).to_be_visible()
    expect(change).to_contain_text("5")
    expect(change).to_contain_text("6")
    context.close()

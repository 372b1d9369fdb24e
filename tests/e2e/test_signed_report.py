"""Issue 13 end to end in Chromium: the Mường Kim editor downloads the report draft, uploads the signed
PDF and submits; the reviewer sees the badge and the signer beside the data and returns the report with
a preset reason; the editor replaces the report and submits again; the history shows both files."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import login
from tests.otp import give_app_device
from tests.packages import pdfs

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people(transactional_db, settings, tmp_path):
    from rasoat.campaigns.models import Assignment, Campaign
    from rasoat.campaigns.services import ensure_first_campaign
    from rasoat.orgs.models import Unit
    from rasoat.orgs.registry import load_seed_registry
    from rasoat.orgs.roles import Role
    from rasoat.packages.models import PackageSetting, Requirement
    from rasoat.packages.trust import add_certificates
    from tests.inventory.test_workflow import load

    settings.MEDIA_ROOT = tmp_path / "media"
    if not Unit.objects.exists():
        load_seed_registry()
    ensure_first_campaign()
    campaign = Campaign.objects.get(code="RS2026")
    PackageSetting.objects.create(campaign=campaign, requirement=Requirement.REQUIRED)
    ca = pdfs.make_ca()
    add_certificates(ca.pem)
    editor = make_user("bientap.muongkim", Role.EDITOR, "X.03637", full_name="Lò Thị Hoa")
    reviewer = make_user("tonghop.sokhcn", Role.REVIEWER, "LC", full_name="Nguyễn Văn Bình")
    give_app_device(reviewer)
    unit = Unit.objects.get(code="X.03637.UB")
    load(
        Assignment.objects.select_related("campaign", "unit").get(campaign=campaign, unit=unit), actor=editor
    )
    signer = pdfs.make_signer(ca, "Lò Văn Tuấn", "UBND xã Mường Kim")
    return {"editor": editor, "reviewer": reviewer, "unit": unit, "ca": ca, "signer": signer}


def session(browser, live_server, user):
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(30000)
    login(page, live_server, user.username, PASSWORD)
    return context, page


def upload(page, name: str, data: bytes) -> None:
    page.locator("[data-testid=attachment-kind]").select_option("report")
    page.locator("[data-testid=attachment-file]").set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": data}
    )
    page.locator("[data-testid=attachment-upload]").click()
    expect(page.locator(".alert-success")).to_contain_text(name)


def submit(page, base: str) -> None:
    page.goto(f"{base}/gui/")
    acknowledge = page.locator("[data-testid=submit-form] input[type=checkbox]")
    if acknowledge.count():
        acknowledge.check()
    page.locator("[data-testid=submit-button]").click()
    page.wait_for_url(f"{base}/lich-su/")


def test_upload_signed_report_submit_return_replace(browser, live_server, people):
    unit, ca, signer = people["unit"], people["ca"], people["signer"]
    base = f"{live_server.url}/dot/RS2026/don-vi/{unit.pk}"
    first = pdfs.sign_pdf(pdfs.tiny_pdf("Bao cao lan 1"), signer, ca)
    second = pdfs.sign_pdf(pdfs.tiny_pdf("Bao cao lan 2"), signer, ca)

    # The editor: submitting without the report is refused and says why.
    context, page = session(browser, live_server, people["editor"])
    submit_page = page.goto(f"{base}/gui/")
    assert submit_page.ok
    acknowledge = page.locator("[data-testid=submit-form] input[type=checkbox]")
    if acknowledge.count():
        acknowledge.check()
    page.locator("[data-testid=submit-button]").click()
    expect(page.locator("[data-testid=submit-failure]")).to_contain_text("báo cáo đã ký")

    # The draft, then the signed PDF, then the submission.
    page.goto(f"{base}/ho-so/")
    with page.expect_download() as download:
        page.locator("[data-testid=report-draft]").click()
    assert download.value.suggested_filename.endswith(".docx")
    upload(page, "bao-cao-lan-1.pdf", first)
    row = page.locator("[data-testid=package-current] [data-testid=package-row]")
    expect(row.locator("[data-testid=signature-badge]")).to_have_text("hợp lệ")
    submit(page, base)
    context.close()

    # The reviewer: the badge and the signer beside the data, the preview, a return naming the report.
    context, page = session(browser, live_server, people["reviewer"])
    page.goto(f"{base}/lich-su/")
    panel = page.locator("[data-testid=package-panel]")
    expect(panel.locator("[data-testid=signature-badge]")).to_have_text("hợp lệ")
    expect(panel.locator("[data-testid=signer]")).to_have_text("Lò Văn Tuấn")
    preview = panel.locator("[data-testid=report-preview]")
    expect(preview).to_be_visible()
    response = page.request.get(live_server.url + preview.get_attribute("src"))
    assert response.headers["content-type"] == "application/pdf"
    assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
    panel.locator("[data-testid=return-preset]").select_option("differs")
    panel.locator("[data-testid=package-return]").click()
    expect(page.locator("[data-testid=return-reason]")).to_contain_text("bao-cao-lan-1.pdf")
    expect(page.locator("[data-testid=return-reason]")).to_contain_text("số liệu trong báo cáo khác phụ lục")
    context.close()

    # The editor replaces the report and submits again.
    context, page = session(browser, live_server, people["editor"])
    page.goto(f"{base}/ho-so/")
    upload(page, "bao-cao-lan-2.pdf", second)
    expect(page.locator(".alert-success")).to_contain_text("bao-cao-lan-1.pdf")
    submit(page, base)

    # The history shows both reports, each with the submission it went with.
    page.goto(f"{base}/ho-so/")
    history = page.locator("[data-testid=package-history] [data-testid=package-row]")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_contain_text("bao-cao-lan-2.pdf")
    expect(history.nth(1)).to_contain_text("bao-cao-lan-1.pdf")
    expect(history.nth(1).locator("[data-testid=replaced]")).to_be_visible()
    for index in range(2):
        expect(history.nth(index).locator("[data-testid=submitted-with] div")).to_have_count(1)
    # The unit's history: each submission snapshot names the report it went with.
    page.goto(f"{base}/lich-su/")
    snapshots = page.locator("[data-testid=snapshot]")
    expect(snapshots.nth(0).locator("[data-testid=snapshot-file]")).to_have_text("bao-cao-lan-2.pdf")
    expect(snapshots.nth(1).locator("[data-testid=snapshot-file]")).to_have_text("bao-cao-lan-1.pdf")
    context.close()

"""The reports page and downloads: scope (404 outside it, 403 for the province-wide documents without the
whole province), the files sent, the PDF button, and a failed conversion shown as a message."""

import shutil

import pytest
from django.urls import reverse

from tests.conftest import client_for, make_user
from tests.reports.conftest import SOFFICE, require_tool
from tests.reports.helpers import open_docx

PERSONAS = ["admin", "reviewer", "editor_muong_kim", "editor_muong_te", "viewer_muong_kim", "anonymous"]
LIST = "/dot/RS2026/bao-cao/"
DOWNLOAD = "/dot/RS2026/bao-cao/{}/"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

MATRIX = [
    (LIST, [200, 200, 200, 200, 200, 302]),
    ("/dot/KHONGCO/bao-cao/", [404, 404, 404, 404, 404, 302]),
    (DOWNLOAD.format("unit") + "?unit=X.03637.UB", [200, 200, 200, 404, 200, 302]),
    (DOWNLOAD.format("unit") + "?unit=X.03445.UB", [200, 200, 404, 200, 404, 302]),
    (DOWNLOAD.format("unit") + "?unit=KHONGCO", [404, 404, 404, 404, 404, 302]),
    (DOWNLOAD.format("unit"), [404, 404, 404, 404, 404, 302]),
    (DOWNLOAD.format("commune") + "?commune=X.03637", [200, 200, 200, 404, 200, 302]),
    (DOWNLOAD.format("commune") + "?commune=X.03445", [200, 200, 404, 200, 404, 302]),
    (DOWNLOAD.format("commune") + "?commune=X.03637.UB", [404, 404, 404, 404, 404, 302]),
    (DOWNLOAD.format("province"), [200, 200, 403, 403, 403, 302]),
    (DOWNLOAD.format("reminder"), [200, 200, 403, 403, 403, 302]),
    (DOWNLOAD.format("request"), [200, 200, 403, 403, 403, 302]),
    (DOWNLOAD.format("khac"), [404, 404, 404, 404, 404, 302]),
    ("/dot/KHONGCO/bao-cao/province/", [404, 404, 404, 404, 404, 302]),
]


@pytest.mark.parametrize(
    ("url", "persona", "expected"),
    [
        (url, persona, status)
        for url, statuses in MATRIX
        for persona, status in zip(PERSONAS, statuses, strict=True)
    ],
)
def test_scope(clients, url, persona, expected):
    response = clients[persona].get(url)
    assert response.status_code == expected
    if expected == 302:
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "url", [LIST, DOWNLOAD.format("province"), DOWNLOAD.format("unit") + "?unit=X.03637.UB"]
)
def test_a_user_without_any_role_gets_404(lai_chau, url):
    assert client_for(make_user("khong-vai-tro")).get(url).status_code == 404


@pytest.mark.parametrize(
    ("url", "filename"),
    [
        (DOWNLOAD.format("unit") + "?unit=X.03637.UB", "bao-cao-RS2026-X.03637.UB.docx"),
        (DOWNLOAD.format("commune") + "?commune=X.03637", "bao-cao-RS2026-X.03637.docx"),
        (DOWNLOAD.format("province"), "bao-cao-RS2026-tinh.docx"),
        (DOWNLOAD.format("reminder"), "cong-van-don-doc-RS2026.docx"),
        (DOWNLOAD.format("request"), "cong-van-de-nghi-ra-soat-RS2026.docx"),
    ],
)
def test_a_download_is_a_word_document_named_after_the_campaign_and_unit(clients, url, filename):
    response = clients["reviewer"].get(url)
    assert response["Content-Type"] == DOCX
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    document = open_docx(b"".join(response.streaming_content))
    assert document.tables[0].cell(0, 0).text.strip()


def test_the_page_lists_what_the_user_may_produce(clients):
    commune_page = clients["editor_muong_kim"].get(LIST).content.decode()
    assert 'data-testid="reports-province"' not in commune_page
    assert 'data-unit="X.03637.UB"' in commune_page and 'data-unit="X.03445.UB"' not in commune_page
    # Without data a commune's report is not offered (issue 11, item 8).
    assert '<option value="X.03637" disabled>Xã Mường Kim — chưa nhập số liệu</option>' in commune_page
    assert "X.03445" not in commune_page
    province_page = clients["reviewer"].get(LIST).content.decode()
    assert 'data-testid="report-row-province"' in province_page
    assert (
        'data-testid="report-row-reminder"' in province_page
        and 'data-testid="report-row-request"' in province_page
    )
    commune_rows = clients["reviewer"].get(LIST, {"xa": "X.03637"}).content.decode()
    assert reverse("workbook_unit_template", args=["RS2026", _pk("X.03637.UB")]) in commune_rows


def _pk(code):
    from rasoat.orgs.models import Unit

    return Unit.objects.get(code=code).pk


def test_the_unit_list_filters_by_commune_and_text(clients):
    page = clients["reviewer"].get(LIST, {"xa": "X.03637"}).content.decode()
    assert page.count('data-testid="report-unit-row"') == 5
    page = clients["reviewer"].get(LIST, {"q": "uy ban nhan dan xa muong kim"}).content.decode()
    assert 'data-unit="X.03637.UB"' in page and 'data-unit="X.03637.DU"' not in page


def test_the_page_costs_a_fixed_number_of_queries(clients, django_assert_num_queries):
    client = clients["reviewer"]
    client.get(LIST)
    # 12 with the reviewer's two-step sign-in: the session's verified device is loaded on each request.
    with django_assert_num_queries(12):
        response = client.get(LIST)
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="report-unit-row"') == 100


def test_the_pdf_button_is_hidden_without_libreoffice(clients, settings):
    settings.REPORTS_SOFFICE = "/khong/co/soffice"
    page = clients["reviewer"].get(LIST).content.decode()
    assert 'data-testid="report-province-docx"' in page
    assert "pdf=1" not in page
    assert "LibreOffice chưa được cài đặt" in page
    response = clients["reviewer"].get(DOWNLOAD.format("province"), {"pdf": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == LIST
    assert "LibreOffice chưa được cài đặt" in response.content.decode()


def test_the_pdf_button_is_shown_with_libreoffice(clients, settings):
    settings.REPORTS_SOFFICE = "/bin/true"
    page = clients["reviewer"].get(LIST).content.decode()
    assert f'href="{DOWNLOAD.format("province")}?pdf=1"' in page
    assert 'data-testid="report-commune-pdf"' in page


def test_a_failed_conversion_is_a_message_not_an_error(clients, settings):
    settings.REPORTS_SOFFICE = shutil.which("false")
    response = clients["reviewer"].get(
        DOWNLOAD.format("unit"), {"unit": "X.03637.UB", "pdf": "1"}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == LIST
    assert "Không chuyển được báo cáo sang PDF" in response.content.decode()


def test_a_pdf_download(clients):
    require_tool(SOFFICE if shutil.which(SOFFICE) else shutil.which("soffice"), "LibreOffice")
    response = clients["viewer_muong_kim"].get(DOWNLOAD.format("unit"), {"unit": "X.03637.UB", "pdf": "1"})
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-RS2026-X.03637.UB.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_latest_campaign_and_the_navigation_lead_to_the_reports(clients):
    response = clients["viewer_muong_kim"].get("/bao-cao/")
    assert response.status_code == 302 and response.url == LIST
    board = clients["viewer_muong_kim"].get("/dot/RS2026/").content.decode()
    assert f'href="{LIST}" data-testid="campaign-reports"' in board
    assert f'href="{LIST}" data-testid="nav-reports"' in board
    home = clients["viewer_muong_kim"].get("/").content.decode()
    assert 'href="/bao-cao/" data-testid="nav-reports"' in home


# --- a deployment's own templates ------------------------------------------------------------------------


def test_a_template_edited_by_a_clerk_replaces_the_built_in_one(clients, settings, tmp_path):
    from rasoat.reports.render import TEMPLATES

    document = open_docx((TEMPLATES / "unit.docx").read_bytes())
    document.add_paragraph("Mẫu riêng của Sở: {{ unit.name }}.")
    document.save(tmp_path / "unit.docx")
    settings.REPORTS_TEMPLATE_DIR = str(tmp_path)
    response = clients["reviewer"].get(DOWNLOAD.format("unit"), {"unit": "X.03637.UB"})
    paragraphs = [p.text for p in open_docx(b"".join(response.streaming_content)).paragraphs]
    assert "Mẫu riêng của Sở: Ủy ban nhân dân xã Mường Kim." in paragraphs
    # Kinds without an edited copy keep the built-in template.
    assert clients["reviewer"].get(DOWNLOAD.format("province")).status_code == 200


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("broken-tag", "unit.docx có lỗi ở các thẻ"),
        ("not-a-docx", "unit.docx không phải là văn bản Word hợp lệ"),
    ],
)
def test_a_broken_template_is_a_message_not_an_error(clients, settings, tmp_path, content, message):
    from rasoat.reports.render import TEMPLATES

    if content == "broken-tag":
        document = open_docx((TEMPLATES / "unit.docx").read_bytes())
        document.add_paragraph("{{ unit.name ")
        document.save(tmp_path / "unit.docx")
    else:
        (tmp_path / "unit.docx").write_bytes(b"PK\x03\x04 not really a zip")
    settings.REPORTS_TEMPLATE_DIR = str(tmp_path)
    response = clients["reviewer"].get(DOWNLOAD.format("unit"), {"unit": "X.03637.UB"}, follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == LIST
    assert message in response.content.decode()

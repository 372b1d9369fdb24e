"""The closing block (Nơi nhận + signature) stays whole and with the last paragraph; unit codes never
wrap; the reminder's annex names each late unit's assigned editor with phone (issue 11, item 8)."""

import io
import re
import subprocess
import unicodedata

import docx
import pytest

pytestmark = pytest.mark.django_db


def squeeze(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def pages(pdf, poppler) -> list[str]:
    text = subprocess.run(
        [poppler["pdftotext"], "-enc", "UTF-8", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [squeeze(page) for page in text.split("\f") if page.strip()]


LAST_WORDS = {
    "province": "xem xét, chỉ đạo./.",
    "reminder": "quan tâm, phối hợp thực hiện./.",
    "unit": "thiết bị đầu cuối của",
}


def closing_holds_together(texts: list[str], last_words: str, title: str, name: str) -> int:
    """The page index of "Nơi nhận:"; asserts the closing block is whole and next to the last paragraph."""
    (where,) = [i for i, page in enumerate(texts) if "Nơi nhận:" in page]
    page = texts[where]
    assert title in page and name in page, f"the signature block is cut from Nơi nhận (page {where + 1})"
    if last_words in page:
        assert page.index(last_words) < page.index("Nơi nhận:")
    else:
        # The closing block moved to the next page: then it starts that page and the last paragraph ends
        # the previous one.
        assert where > 0 and texts[where - 1].rstrip().endswith(last_words), "closing block split off"
        assert page.index("Nơi nhận:") < 40 or page.startswith(title[:10])
    return where


@pytest.mark.parametrize("name", ["province", "reminder", "unit"])
def test_closing_block_is_whole_and_with_the_last_paragraph(name, rendered, pdfs, poppler):
    texts = pages(pdfs[name], poppler)
    signature = rendered[name].context["signature"]
    closing_holds_together(texts, LAST_WORDS[name], squeeze(signature["title"]), squeeze(signature["name"]))


def test_the_closing_is_kept_together_in_the_docx(rendered):
    document = docx.Document(io.BytesIO(rendered["province"].content))
    (closing,) = [t for t in document.tables if "Nơi nhận:" in t.cell(0, 0).text]
    row = closing.rows[0]._tr
    assert row.trPr is not None and row.trPr.find(docx.oxml.ns.qn("w:cantSplit")) is not None
    assert all(p.paragraph_format.keep_with_next for cell in closing.rows[0].cells for p in cell.paragraphs)
    body = list(document.element.body)
    index = body.index(closing._tbl)
    before = [el for el in body[:index] if el.tag.endswith("}p") and "".join(el.itertext()).strip()]
    last = docx.text.paragraph.Paragraph(before[-1], document._body)
    assert "chỉ đạo./." in last.text and last.paragraph_format.keep_with_next


def test_unit_codes_never_wrap_in_the_reminder_annex(rendered, pdfs, poppler):
    pending = rendered["reminder"].context["pending"]
    codes = [row["code"] for row in pending]
    assert max(len(code) for code in codes) >= 12, "the sample has long codes"
    text = " ".join(pages(pdfs["reminder"], poppler))
    broken = [code for code in codes if code not in text]
    assert not broken, broken


def test_the_reminder_annex_names_the_assigned_editor_with_phone(campaign, lai_chau):
    from rasoat.reports import services
    from tests.conftest import make_user

    make_user("bt_muong_kim", "editor", "X.03637", full_name="Lò Thị Kim", phone="0912 111 222")
    make_user("bt_ubnd_mk", "editor", "X.03637.UB", full_name="Tẩn Văn Ủy", phone="0988 333 444")
    make_user("bt_muong_te", "editor", "X.03445", full_name="Pờ Văn Tè")
    context = services.build_context("reminder", campaign)
    rows = {row["code"]: row["contact"] for row in context["pending"]}
    assert rows["X.03637.DU"] == "Lò Thị Kim (0912 111 222)"
    assert rows["X.03637.UB"] == "Tẩn Văn Ủy (0988 333 444)"  # the unit's own editor before the commune's
    assert rows["X.03445.HD"] == "Pờ Văn Tè"
    assert rows["T.VPTU"] == ""


FILLERS = range(18, 40)
"""Filler paragraphs before the last one: over this range the closing block meets a page end at least
once, where LibreOffice would cut it without keep-with-next and cantSplit."""


@pytest.fixture(scope="module")
def swept_pdfs(tmp_path_factory, poppler) -> dict[int, list[str]]:
    """Documents built with the report builder's closing(), with more and more text before it."""
    import shutil
    import tempfile
    from pathlib import Path

    from docxtpl import DocxTemplate

    from rasoat.reports.docxbuild import Builder
    from tests.reports.conftest import SOFFICE, require_tool

    soffice = require_tool(SOFFICE if Path(SOFFICE).exists() else shutil.which("soffice"), "LibreOffice")
    folder = tmp_path_factory.mktemp("closing")
    sources = []
    for count in FILLERS:
        builder = Builder("x")
        for n in range(count):
            builder.p(f"Đoạn văn thứ {n + 1} của báo cáo, đủ dài để chiếm trọn một dòng của trang giấy A4.")
        builder.p("Trên đây là báo cáo kết quả rà soát của Sở Khoa học và Công nghệ, kính trình xem xét./.")
        builder.closing()
        template = folder / f"t{count}.docx"
        builder.save(template)
        document = DocxTemplate(template)
        document.render(
            {
                "copies": ["Ban Chỉ đạo tỉnh", "Lưu: VT, BCVT"],
                "signature": {"authority": "KT. GIÁM ĐỐC", "title": "PHÓ GIÁM ĐỐC", "name": "Nguyễn Văn Ký"},
            }
        )
        path = folder / f"d{count}.docx"
        document.save(path)
        sources.append(str(path))
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(folder),
                *sources,
            ],
            capture_output=True,
            timeout=300,
            check=False,
        )
    return {count: pages(folder / f"d{count}.pdf", poppler) for count in FILLERS}


def test_closing_block_never_splits_whatever_the_length_before_it(swept_pdfs):
    moved = 0
    for count, texts in swept_pdfs.items():
        assert texts, f"LibreOffice did not convert the document with {count} paragraphs"
        where = closing_holds_together(texts, "kính trình xem xét./.", "PHÓ GIÁM ĐỐC", "Nguyễn Văn Ký")
        moved += where > 0
    # The sweep did reach a page end (else it proves nothing).
    assert moved, "the closing block never reached the second page: widen FILLERS"


def test_reports_of_units_without_data_are_not_offered(clients, campaign):
    from rasoat.campaigns.models import Assignment, Status

    Assignment.objects.filter(campaign=campaign, unit__code="X.03637.UB").update(status=Status.IN_PROGRESS)
    page = clients["editor_muong_kim"].get("/dot/RS2026/bao-cao/").content.decode()
    rows = dict(re.findall(r'data-unit="([^"]+)">(.*?)</tr>', page, re.S))
    assert "report-unit-docx" in rows["X.03637.UB"] and "report-no-data" not in rows["X.03637.UB"]
    assert "report-unit-docx" not in rows["X.03637.DU"] and "Chưa nhập số liệu" in rows["X.03637.DU"]
    reviewer_page = clients["reviewer"].get("/dot/RS2026/bao-cao/").content.decode()
    assert re.search(r'<option value="X.03637">Xã Mường Kim</option>', reviewer_page)
    assert re.search(
        r'<option value="X.03445" disabled>Xã Mường Tè — chưa nhập số liệu</option>', reviewer_page
    )

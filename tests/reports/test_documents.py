"""Every report kind follows the presentation of Decree 30/2020/NĐ-CP, and LibreOffice turns it into a PDF
in which Times New Roman is replaced by Liberation Serif and every Vietnamese diacritic survives."""

import re
import subprocess
import unicodedata

import pytest
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tests.reports.conftest import KINDS

pytestmark = pytest.mark.django_db

MM = Mm(1)
TWIP = Mm(0.05)  # .docx stores lengths in twentieths of a point: 15 mm is kept as 14.99 mm
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PARTY_TITLE = "ĐẢNG CỘNG SẢN VIỆT NAM"
BASE_TITLE = "Kết quả rà soát, đánh giá thực trạng hạ tầng, nền tảng, phần mềm, trang thiết bị đầu cuối"

# kind -> (superior body, issuing body, number and symbol, place, signing title)
HEADINGS = {
    "unit": ("", "ỦY BAN NHÂN DÂN\nXÃ MƯỜNG KIM", "Số:      /BC-UBND", "Mường Kim", "CHỦ TỊCH"),
    "party_unit": ("ĐẢNG BỘ TỈNH LAI CHÂU", "ĐẢNG ỦY XÃ MƯỜNG KIM", "Số      -BC/ĐU", "Mường Kim", "BÍ THƯ"),
    "commune": ("", "ỦY BAN NHÂN DÂN\nXÃ MƯỜNG KIM", "Số:      /BC-UBND", "Mường Kim", "CHỦ TỊCH"),
    "province": (
        "UBND TỈNH LAI CHÂU",
        "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
        "Số:      /BC-SKHCN",
        "Lai Châu",
        "GIÁM ĐỐC",
    ),
    "reminder": (
        "UBND TỈNH LAI CHÂU",
        "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
        "Số:      /SKHCN-BCVT",
        "Lai Châu",
        "PHÓ GIÁM ĐỐC",
    ),
    "request": (
        "UBND TỈNH LAI CHÂU",
        "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
        "Số:      /SKHCN-BCVT",
        "Lai Châu",
        "PHÓ GIÁM ĐỐC",
    ),
}
TITLES = {
    "unit": BASE_TITLE,
    "party_unit": BASE_TITLE,
    "commune": f"{BASE_TITLE} của các cơ quan, đơn vị trên địa bàn xã Mường Kim",
    "province": f"{BASE_TITLE} của các cơ quan trong hệ thống chính trị tỉnh Lai Châu",
    "reminder": "V/v đôn đốc gửi báo cáo kết quả rà soát, đánh giá thực trạng hạ tầng, nền tảng, phần mềm, "
    "trang thiết bị đầu cuối",
    "request": "V/v rà soát, đánh giá thực trạng hạ tầng, nền tảng, phần mềm, trang thiết bị đầu cuối",
}
DISPATCHES = {"reminder", "request"}


def texts(cell) -> list[str]:
    return [p.text for p in cell.paragraphs if p.text.strip()]


def runs_with_text(paragraph):
    return [run for run in paragraph.runs if run.text.strip()]


def squeeze(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture(params=KINDS)
def item(request, rendered):
    return request.param, rendered[request.param]


def test_page_is_a4_portrait_with_the_decree_30_margins(item):
    _name, rendered = item
    for section in rendered.document.sections:
        assert abs(section.page_width - Mm(210)) < MM and abs(section.page_height - Mm(297)) < MM
        for margin, low, high in (
            (section.top_margin, 20, 25),
            (section.bottom_margin, 20, 25),
            (section.left_margin, 30, 35),
            (section.right_margin, 15, 20),
        ):
            assert Mm(low) - TWIP <= margin <= Mm(high) + TWIP


def test_every_text_is_times_new_roman_and_the_body_13_to_14_pt(item):
    _name, rendered = item
    document = rendered.document
    styles = document.styles
    assert styles["Normal"].font.name == "Times New Roman"
    assert Pt(13) <= styles["Body Text"].font.size <= Pt(14)
    # No other font anywhere: defaults, styles, runs (Latin, East Asian and complex scripts alike).
    fonts = list(styles.element.iter(qn("w:rFonts"))) + list(document.element.iter(qn("w:rFonts")))
    assert fonts
    for element in fonts:
        for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            assert element.get(qn(attribute)) in (None, "Times New Roman")
        assert not any(key.endswith("Theme") for key in element.attrib)
    body = [p for p in document.paragraphs if p.style.name == "Body Text" and p.text.strip()]
    assert len(body) >= 3
    for paragraph in body:
        for run in runs_with_text(paragraph):
            assert run.font.size is None or Pt(13) <= run.font.size <= Pt(14)


def test_the_heading_names_the_issuer_and_the_national_title_or_the_party_heading(item):
    name, rendered = item
    superior, issuer, number, _place, _signer = HEADINGS[name]
    heading = rendered.document.tables[0]
    left = texts(heading.cell(0, 0))
    assert left[: 2 if superior else 1] == ([superior, issuer] if superior else [issuer])
    issuer_paragraph = next(p for p in heading.cell(0, 0).paragraphs if p.text == issuer)
    assert all(run.bold for run in runs_with_text(issuer_paragraph))
    right = heading.cell(0, 1)
    if name == "party_unit":
        assert texts(right) == [PARTY_TITLE]
        assert left[-1] == "*"
        assert all(run.underline for run in runs_with_text(right.paragraphs[0]))
    else:
        assert texts(right) == [NATIONAL_TITLE, MOTTO]
        assert all(run.bold for p in right.paragraphs for run in runs_with_text(p))
        motto = next(p for p in right.paragraphs if p.text == MOTTO)
        assert all(run.underline for run in runs_with_text(motto))
    assert texts(heading.cell(1, 0))[0] == number


def test_place_and_date_are_in_italics(item):
    name, rendered = item
    place = HEADINGS[name][3]
    cell = rendered.document.tables[0].cell(1, 1)
    (line,) = [p for p in cell.paragraphs if p.text.strip()]
    assert re.fullmatch(rf"{place}, ngày +tháng +năm 2026", line.text)
    assert all(run.italic for run in runs_with_text(line))


def test_the_title_or_the_subject_line(item):
    name, rendered = item
    document = rendered.document
    if name in DISPATCHES:
        assert texts(document.tables[0].cell(1, 0))[1] == TITLES[name]
    else:
        paragraphs = [p.text for p in document.paragraphs]
        index = paragraphs.index("BÁO CÁO")
        assert paragraphs[index + 1] == TITLES[name]
    assert document.core_properties.title == TITLES[name]


def test_it_ends_with_the_recipients_and_the_signature_block(item):
    name, rendered = item
    closing = next(t for t in rendered.document.tables if t.cell(0, 0).paragraphs[0].text == "Nơi nhận:")
    first = closing.cell(0, 0).paragraphs[0]
    assert all(run.bold and run.italic for run in runs_with_text(first))
    recipients = texts(closing.cell(0, 0))[1:]
    assert recipients and all(line.startswith("- ") for line in recipients)
    assert recipients[-1].startswith("- Lưu: VT")
    assert HEADINGS[name][4] in texts(closing.cell(0, 1))


def test_no_template_tag_is_left(item):
    _name, rendered = item
    document = rendered.document
    parts = [document.element.xml] + [s.header.part.element.xml for s in document.sections]
    for xml in parts:
        for tag in ("{{", "}}", "{%", "%}"):
            assert tag not in xml


# --- PDF through LibreOffice ------------------------------------------------------------------------------


def installed_fonts() -> str:
    try:
        return subprocess.run(["fc-list"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return ""


def test_the_pdf_uses_times_new_roman_or_its_metric_twin_liberation_serif(item, pdfs, poppler):
    name, _rendered = item
    pdf = pdfs[name]
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF"), f"LibreOffice did not convert {name}"
    listing = subprocess.run(
        [poppler["pdffonts"], str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    fonts = [line.split()[0] for line in listing.splitlines()[2:] if line.strip()]
    assert fonts
    family = "TimesNewRoman" if "Times New Roman" in installed_fonts() else "LiberationSerif"
    # Every glyph comes from that family: a character it lacked would come from a fallback font.
    assert all(font.split("+")[-1].startswith(family) for font in fonts), fonts


def test_the_pdf_text_has_the_title_and_every_vietnamese_letter(item, pdfs, poppler):
    name, rendered = item
    pdf = pdfs[name]
    text = subprocess.run(
        [poppler["pdftotext"], "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = squeeze(text)
    assert TITLES[name] in flat
    document = rendered.document
    written = squeeze(
        " ".join(
            [p.text for p in document.paragraphs]
            + [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        )
    )
    letters = {ch for ch in written if ord(ch) > 127}
    assert letters, "the document has Vietnamese letters"
    assert letters <= set(flat), sorted(letters - set(flat))

"""Writing Word templates with python-docx, in the presentation of Decree 30/2020/NĐ-CP.

A4 portrait, Times New Roman, margins 20 mm top and bottom, 30 mm left, 15 mm right; the heading table
(issuer at left, national title and motto at right, or the Party heading for Party-block units); the
number and symbol; place and date in italics; "Nơi nhận" and the signature block; page numbers centred
at the top from the second page. `Builder` has these blocks and data tables whose rows docxtpl repeats
({%tr for %}); scripts/build_report_templates.py lays out the five report kinds with it.

Property elements are inserted in the order the schema fixes (Word refuses a file that breaks it), and
`Builder.save` writes fixed zip timestamps so that rebuilding a template gives the same bytes.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 12
FIXED_TIME = datetime.datetime(2026, 1, 1, 0, 0, 0)
TEXT_WIDTH_MM = 210 - 30 - 15

ALIGN = {"l": WD_ALIGN_PARAGRAPH.LEFT, "c": WD_ALIGN_PARAGRAPH.CENTER, "r": WD_ALIGN_PARAGRAPH.RIGHT}


@dataclass(frozen=True)
class Col:
    """A column of a data table: header, the cell's template expression, width and alignment."""

    header: str
    cell: str
    width_mm: float
    align: str = "l"
    total: str = ""
    # Codes (X.03637.UB, T.SKHCN.TTDMST) must never wrap: a smaller size that fits the column, no wrap.
    size_pt: float | None = None
    nowrap: bool = False


# --- low-level XML helpers -----------------------------------------------------------------------

# The schema fixes the order of property elements; Word refuses a file that breaks it.
PPR_ORDER = (  # noqa: SIM905 (a list of XML tags reads better as one string)
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd "
    "tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
    "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc "
    "textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
).split()
TBLPR_ORDER = (  # noqa: SIM905
    "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
    "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription"
).split()
RPR_ORDER = (  # noqa: SIM905
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof "
    "snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText "
    "vertAlign rtl cs em lang eastAsianLayout specVanish oMath"
).split()
TRPR_ORDER = (  # noqa: SIM905
    "cnfStyle divId gridBefore gridAfter wBefore wAfter cantSplit trHeight tblHeader tblCellSpacing jc hidden"
).split()


def _insert(parent, child, order: Sequence[str]) -> None:
    """Insert `child` into `parent` at its place in the schema's sequence `order`."""
    name = child.tag.split("}")[1]
    later = set(order[order.index(name) + 1 :])
    for index, sibling in enumerate(parent):
        if sibling.tag.split("}")[1] in later:
            parent.insert(index, child)
            return
    parent.append(child)


def _set_fonts(rpr, size_pt: float | None = None) -> None:
    """Times New Roman for every script (Latin, East Asian, complex) and no theme font override."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        _insert(rpr, fonts, RPR_ORDER)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    if size_pt is not None:
        for tag in ("w:sz", "w:szCs"):
            element = rpr.find(qn(tag))
            if element is None:
                element = OxmlElement(tag)
                _insert(rpr, element, RPR_ORDER)
            element.set(qn("w:val"), str(int(size_pt * 2)))


def _border(parent, tag: str, edges: Sequence[str], order: Sequence[str], value="single", size=6) -> None:
    """Add a borders element (`w:pBdr`, `w:tblBorders`) with the given edges."""
    borders = OxmlElement(tag)
    for edge in edges:
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), value)
        if value != "nil":
            element.set(qn("w:sz"), str(size))
            element.set(qn("w:space"), "1")
            element.set(qn("w:color"), "000000")
        borders.append(element)
    _insert(parent, borders, order)


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    for old in tbl_pr.findall(qn("w:tblBorders")):
        tbl_pr.remove(old)
    edges = ("top", "left", "bottom", "right", "insideH", "insideV")
    _border(tbl_pr, "w:tblBorders", edges, TBLPR_ORDER, value="nil")


def _cell_margins(table, left_mm: float = 1, right_mm: float = 1) -> None:
    margins = OxmlElement("w:tblCellMar")
    for edge, mm in (("left", left_mm), ("right", right_mm)):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), str(int(mm * 56.7)))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    _insert(table._tbl.tblPr, margins, TBLPR_ORDER)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    _insert(tr_pr, element, TRPR_ORDER)


def _cant_split(row) -> None:
    _insert(row._tr.get_or_add_trPr(), OxmlElement("w:cantSplit"), TRPR_ORDER)


TCPR_ORDER = (  # noqa: SIM905
    "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign hideMark"
).split()


def _no_wrap(cell) -> None:
    _insert(cell._tc.get_or_add_tcPr(), OxmlElement("w:noWrap"), TCPR_ORDER)


def _widths(table, widths_mm: Sequence[float]) -> None:
    table.autofit = False
    for index, width in enumerate(widths_mm):
        table.columns[index].width = Mm(width)
        for cell in table.columns[index].cells:
            cell.width = Mm(width)


def _page_field(paragraph) -> None:
    """A PAGE field (the page number), updated by Word and LibreOffice on display."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text.strip() == "PAGE":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            element = OxmlElement("w:t")
            element.text = text
            run._r.append(element)


# --- the document ----------------------------------------------------------------------------------


class Builder:
    """One template being written, with the building blocks every report kind shares."""

    def __init__(self, title_expr: str) -> None:
        self.doc = Document()
        self._styles()
        self._page()
        props = self.doc.core_properties
        props.title = title_expr
        props.author = "rasoat"
        props.last_modified_by = "rasoat"
        props.comments = (
            "Mẫu báo cáo của rasoat (docxtpl): có thể sửa câu chữ bằng Word, giữ nguyên các thẻ trong "
            "ngoặc nhọn."
        )
        props.created = props.modified = FIXED_TIME
        props.revision = 1
        # The default document has one empty paragraph; start from none.
        body = self.doc.element.body
        for paragraph in body.findall(qn("w:p")):
            body.remove(paragraph)

    # styles and page ---------------------------------------------------------------------------

    def _styles(self) -> None:
        styles = self.doc.styles
        defaults = styles.element.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _set_fonts(rpr, BODY_PT)
        lang = rpr.find(qn("w:lang"))
        lang.set(qn("w:val"), "vi-VN")
        ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
        spacing = ppr.find(qn("w:spacing"))
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), "240")

        normal = styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(BODY_PT)
        _set_fonts(normal.element.get_or_add_rPr(), BODY_PT)

        body = styles["Body Text"]
        body.base_style = normal
        _set_fonts(body.element.get_or_add_rPr(), BODY_PT)
        fmt = body.paragraph_format
        fmt.first_line_indent = Cm(1.27)
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(6)
        fmt.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
        fmt.line_spacing = 1.15

        for name in ("Heading 1", "Heading 2"):
            style = styles[name]
            style.base_style = body
            style.font.name = FONT
            style.font.size = Pt(BODY_PT)
            style.font.bold = True
            style.font.italic = False
            style.font.color.rgb = None
            _set_fonts(style.element.get_or_add_rPr(), BODY_PT)
            color = style.element.rPr.find(qn("w:color"))
            if color is not None:
                style.element.rPr.remove(color)
            fmt = style.paragraph_format
            fmt.first_line_indent = Cm(1.27)
            fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            fmt.space_before = Pt(6)
            fmt.space_after = Pt(6)
            fmt.keep_with_next = True

        for name, bold, align in (
            ("Table Text", False, WD_ALIGN_PARAGRAPH.LEFT),
            ("Table Heading", True, WD_ALIGN_PARAGRAPH.CENTER),
        ):
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = normal
            style.font.size = Pt(TABLE_PT)
            style.font.bold = bold
            _set_fonts(style.element.get_or_add_rPr(), TABLE_PT)
            style.paragraph_format.alignment = align
            style.paragraph_format.space_before = Pt(2)
            style.paragraph_format.space_after = Pt(2)

        heading_block = styles.add_style("Heading Block", WD_STYLE_TYPE.PARAGRAPH)
        heading_block.base_style = normal
        heading_block.font.size = Pt(13)
        _set_fonts(heading_block.element.get_or_add_rPr(), 13)
        heading_block.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

        # Every other style of the default document (Title, Quote, table styles…) names theme fonts
        # (Calibri, Cambria): a clerk applying one in Word would leave Times New Roman.
        for fonts in styles.element.iter(qn("w:rFonts")):
            for attr in list(fonts.attrib):
                del fonts.attrib[attr]
            for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                fonts.set(qn(attr), FONT)

    def _page(self) -> None:
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = section.bottom_margin = Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
        section.header_distance = section.footer_distance = Mm(10)
        # Decree 30: page numbers centred in the top margin, from the second page on.
        section.different_first_page_header_footer = True
        paragraph = section.header.paragraphs[0]
        paragraph.style = self.doc.styles["Normal"]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _page_field(paragraph)
        for run in paragraph.runs:
            run.font.size = Pt(13)

    # paragraphs -----------------------------------------------------------------------------------

    def p(self, text: str = "", *, style: str = "Body Text", container=None, **run_format):
        container = container if container is not None else self.doc
        paragraph = container.add_paragraph(style=style)
        if text:
            run = paragraph.add_run(text)
            for key, value in run_format.items():
                if key == "size":
                    run.font.size = Pt(value)
                else:
                    setattr(run.font, key, value)
        return paragraph

    def tag(self, text: str, container=None):
        """A paragraph holding only a {%p … %} tag: docxtpl removes it when rendering."""
        return self.p(text, style="Normal", container=container)

    def centred(self, text: str, container=None, *, size: float = BODY_PT, style="Heading Block", **fmt):
        paragraph = self.p(text, style=style, container=container, size=size, **fmt)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.first_line_indent = Mm(0)
        return paragraph

    def rule(self, container, width_mm: float, box_mm: float):
        """A short horizontal line, centred: an empty paragraph with a bottom border, indented."""
        paragraph = container.add_paragraph(style="Normal")
        side = max((box_mm - width_mm) / 2, 0)
        paragraph.paragraph_format.left_indent = Mm(side)
        paragraph.paragraph_format.right_indent = Mm(side)
        ppr = paragraph._p.get_or_add_pPr()
        _border(ppr, "w:pBdr", ("bottom",), PPR_ORDER, size=6)
        mark = OxmlElement("w:rPr")
        size = OxmlElement("w:sz")
        size.set(qn("w:val"), "4")
        mark.append(size)
        _insert(ppr, mark, PPR_ORDER)
        return paragraph

    def h1(self, text: str):
        return self.p(text, style="Heading 1")

    def h2(self, text: str):
        return self.p(text, style="Heading 2")

    def page_break(self) -> None:
        self.doc.add_paragraph(style="Normal").add_run().add_break(WD_BREAK.PAGE)

    # blocks --------------------------------------------------------------------------------------

    def heading_table(self) -> None:
        """Issuer | national title (or Party heading); number and subject | place and date."""
        left, right = 75, 92
        table = self.doc.add_table(rows=2, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _no_borders(table)
        _cell_margins(table, 0.5, 0.5)
        _widths(table, (left, right))
        issuer, title = table.cell(0, 0), table.cell(0, 1)
        number, date = table.cell(1, 0), table.cell(1, 1)
        for cell in (issuer, title, number, date):
            cell._tc.remove(cell.paragraphs[0]._p)

        self.tag("{%p if heading.superior %}", issuer)
        self.centred("{{ heading.superior }}", issuer, size=12)
        self.tag("{%p endif %}", issuer)
        self.centred("{{ heading.issuer }}", issuer, size=12, bold=True)
        self.tag("{%p if heading.party %}", issuer)
        self.centred("*", issuer, size=13)
        self.tag("{%p else %}", issuer)
        self.rule(issuer, 26, left - 1)
        self.tag("{%p endif %}", issuer)

        self.tag("{%p if heading.party %}", title)
        self.centred("ĐẢNG CỘNG SẢN VIỆT NAM", title, size=14, bold=True, underline=True)
        self.tag("{%p else %}", title)
        self.centred("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", title, size=12, bold=True)
        self.centred("Độc lập - Tự do - Hạnh phúc", title, size=13, bold=True, underline=True)
        self.tag("{%p endif %}", title)

        paragraph = self.centred("{{ heading.number }}", number, size=13)
        paragraph.paragraph_format.space_before = Pt(6)
        self.tag("{%p if heading.summary %}", number)
        self.centred("{{ heading.summary }}", number, size=12)
        self.tag("{%p endif %}", number)
        paragraph = self.centred("{{ heading.place_date }}", date, size=14, italic=True)
        paragraph.paragraph_format.space_before = Pt(6)

    def report_title(self) -> None:
        first = self.centred("BÁO CÁO", size=14, bold=True)
        first.paragraph_format.space_before = Pt(18)
        self.centred("{{ title }}", size=14, bold=True)
        self.rule(self.doc, 40, TEXT_WIDTH_MM)
        self.p("", style="Normal")

    def recipients(self, *, before_pt: float = 6) -> None:
        """ "Kính gửi: X." on one line, or "Kính gửi:" over a list of addressees."""
        self.tag("{%p if recipients|length == 1 %}")
        paragraph = self.centred("Kính gửi: {{ recipients[0] }}.", size=14, style="Normal")
        paragraph.paragraph_format.space_before = Pt(before_pt)
        paragraph.paragraph_format.space_after = Pt(6)
        self.tag("{%p elif recipients %}")
        paragraph = self.p("Kính gửi:", style="Normal")
        paragraph.paragraph_format.left_indent = Cm(3)
        paragraph.paragraph_format.space_before = Pt(before_pt)
        self.tag("{%p for r in recipients %}")
        paragraph = self.p("- {{ r }}{% if loop.last %}.{% else %};{% endif %}", style="Normal")
        paragraph.paragraph_format.left_indent = Cm(5.2)
        self.tag("{%p endfor %}")
        self.p("", style="Normal")
        self.tag("{%p endif %}")

    def table(
        self, columns: Sequence[Col], rows: str, *, empty: str = "Không có số liệu.", totals: bool = False
    ):
        """A data table: a header row, one row per item of `rows` ({%tr for %}), optionally a total row
        (the columns' `total` expressions). With no item, a sentence replaces the table."""
        width = sum(c.width_mm for c in columns)
        if width > TEXT_WIDTH_MM + 0.5:
            raise ValueError(f"table over {rows} is {width} mm wide; the text is {TEXT_WIDTH_MM} mm")
        self.tag(f"{{%p if {rows} %}}")
        table = self.doc.add_table(rows=4 + (1 if totals else 0), cols=len(columns))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _cell_margins(table, 0.8, 0.8)
        _widths(table, [c.width_mm for c in columns])
        header, start, data, end = table.rows[:4]
        _repeat_header(header)
        for index, column in enumerate(columns):
            header.cells[index].paragraphs[0].style = self.doc.styles["Table Heading"]
            header.cells[index].paragraphs[0].add_run(column.header)
            cell = data.cells[index].paragraphs[0]
            cell.style = self.doc.styles["Table Text"]
            cell.alignment = ALIGN[column.align]
            run = cell.add_run(column.cell)
            if column.size_pt:
                run.font.size = Pt(column.size_pt)
            if column.nowrap:
                _no_wrap(data.cells[index])
        _cant_split(data)
        start.cells[0].paragraphs[0].add_run(f"{{%tr for r in {rows} %}}")
        end.cells[0].paragraphs[0].add_run("{%tr endfor %}")
        if totals:
            row = table.rows[4]
            for index, column in enumerate(columns):
                cell = row.cells[index].paragraphs[0]
                cell.style = self.doc.styles["Table Heading"]
                cell.alignment = ALIGN["l" if index < 2 else column.align]
                cell.add_run(column.total)
        self.tag("{%p else %}")
        self.p(empty)
        self.tag("{%p endif %}")
        # Space after a table before the next paragraph.
        self.p("", style="Normal").paragraph_format.space_after = Pt(3)
        return table

    def _keep_last_paragraph_with_next(self) -> None:
        """The last paragraph of text so far (not a template tag) stays on the page of what follows."""
        for paragraph in reversed(self.doc.paragraphs):
            if paragraph.text.strip() and "{%" not in paragraph.text:
                paragraph.paragraph_format.keep_with_next = True
                paragraph.paragraph_format.keep_together = True
                return

    def closing(self) -> None:
        """ "Nơi nhận" at left, the signature block at right, kept whole and with the last paragraph.

        The row cannot split across pages (cantSplit), every paragraph in it keeps with the next (how Word
        and LibreOffice keep a table with what follows), and the paragraph before it keeps with the table:
        the closing block is never separated from the text it closes, nor cut in two, and there is
        always room to sign.
        """
        self._keep_last_paragraph_with_next()
        table = self.doc.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _no_borders(table)
        _cell_margins(table, 0.5, 0.5)
        _widths(table, (78, 90))
        copies, signature = table.cell(0, 0), table.cell(0, 1)
        for cell in (copies, signature):
            cell._tc.remove(cell.paragraphs[0]._p)
        first = self.p("Nơi nhận:", style="Normal", container=copies, size=12, bold=True, italic=True)
        first.paragraph_format.space_before = Pt(6)
        self.tag("{%p for c in copies %}", copies)
        self.p("- {{ c }}", style="Normal", container=copies, size=11)
        self.tag("{%p endfor %}", copies)

        self.tag("{%p if signature.authority %}", signature)
        paragraph = self.centred("{{ signature.authority }}", signature, size=14, style="Normal", bold=True)
        paragraph.paragraph_format.space_before = Pt(6)
        self.tag("{%p endif %}", signature)
        self.centred("{{ signature.title }}", signature, size=14, style="Normal", bold=True)
        blank = self.centred("", signature, size=14, style="Normal")
        blank.paragraph_format.space_before = Pt(60)
        self.centred("{{ signature.name }}", signature, size=14, style="Normal", bold=True)
        _cant_split(table.rows[0])
        for cell in (copies, signature):
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True
                paragraph.paragraph_format.keep_together = True
        # Word expects a paragraph, not a table, at the end of the body.
        self.p("", style="Normal")

    def opening(self, *, dispatch: bool = False) -> None:
        self.heading_table()
        if dispatch:
            self.recipients(before_pt=18)
        else:
            self.report_title()
            self.recipients()

    def save(self, path: Path) -> None:
        """Write the .docx with fixed zip timestamps, so that a rebuild is byte-identical."""
        buffer = io.BytesIO()
        self.doc.save(buffer)
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                info = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME.timetuple()[:6])
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                target.writestr(info, source.read(item.filename))

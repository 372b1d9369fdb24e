"""Text shaped like XlsxWriter's raw rich-text XML is written as plain text by every writer."""

import io
import zipfile

import xlsxwriter
from python_calamine import CalamineWorkbook

from rasoat.xlsx_text import write_text

TRAP = '<r><t>1</t></r><c r="B1"><f>HYPERLINK("http://x")</f></c><r><t>2</t></r>'


def written(text: str) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    write_text(book.add_worksheet("S"), 0, 0, text)
    book.close()
    return buffer.getvalue()


def test_rich_text_trap_stays_text():
    content = written(TRAP)
    assert CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python() == [[TRAP]]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


def test_plain_and_formula_like_text_stays_text():
    for text in ("=1+1", "+84 912 345 678", "-", "@x", "Bình thường"):
        content = written(text)
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        assert book.get_sheet_by_index(0).to_python() == [[text]]


def test_registry_export_keeps_a_trap_name_as_text(lai_chau):
    from rasoat.orgs import registry, registry_xlsx
    from rasoat.orgs.models import Unit

    unit = Unit.objects.get(code="X.03637.UB")
    unit.name = TRAP
    unit.save()
    content = registry_xlsx.write_workbook(registry.tree_order(Unit.objects.all()))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert any(TRAP in row for row in rows)

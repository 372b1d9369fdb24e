"""Text shaped like XlsxWriter's raw rich-text XML is written as plain text by every writer."""

import io
import zipfile

import pytest
from python_calamine import CalamineWorkbook

from rasoat.xlsx_text import new_workbook, write_comment, write_link, write_text

TRAP = '<r><t>1</t></r><c r="B1"><f>HYPERLINK("http://x")</f></c><r><t>2</t></r>'


def written(text: str) -> bytes:
    buffer = io.BytesIO()
    book = new_workbook(buffer)
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


ROUND_TRIP = [
    TRAP,
    "<r>_x0041_</r>",
    "_x0000_",
    "_x0041_",
    "nul\x00and bell\x07",
    " leading and trailing ",
    '=HYPERLINK("http://example.invalid")',
]


@pytest.mark.parametrize("constant_memory", [False, True], ids=["shared strings", "constant memory"])
def test_every_text_reads_back_as_written(constant_memory):
    buffer = io.BytesIO()
    book = new_workbook(buffer, constant_memory=constant_memory)
    sheet = book.add_worksheet("S")
    for row, text in enumerate(ROUND_TRIP):
        write_text(sheet, row, 0, text)
        write_link(sheet, row, 1, "internal:'S'!A1", text)
        write_comment(sheet, row, 0, text)
    book.close()
    rows = CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue())).get_sheet_by_index(0).to_python()
    assert [row[:2] for row in rows] == [[text, text] for text in ROUND_TRIP]
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))
    assert "<f>" not in xml
    # A literal escape is escaped again, so Excel shows it as typed.
    assert "_x005F_x0041_" in xml


def test_text_goes_only_into_workbooks_of_the_safe_writer():
    import xlsxwriter

    plain = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
    with pytest.raises(TypeError):
        write_text(plain.add_worksheet("S"), 0, 0, TRAP)

"""Files that cannot be read: each gets a clear Vietnamese message, no exception escapes, nothing changes.

Every case goes through `rasoat import` (which would store a readable file) on a unit that already
has data, then checks that the data, the snapshots, the uploads and the audit log are untouched.
"""

import io
import json
import os
import struct
import zipfile
from io import StringIO

import pytest
from django.core.management import call_command

from rasoat.audit.models import AuditEntry
from rasoat.campaigns.models import Snapshot
from rasoat.inventory.data import unit_data
from rasoat.spreadsheets import limits
from rasoat.workbooks.models import Upload
from rasoat.workbooks.reader import WorkbookRejected, read_unit_workbook
from tests.inventory.test_workflow import assignment_of, load
from tests.workbooks.conftest import (
    CLEAN_SAMPLE,
    SAMPLE_UNIT,
    meta_rows,
    ole_file,
    save_with_password,
    xlsx_bytes,
)


@pytest.fixture
def assignment(campaign):
    assignment = assignment_of(campaign, SAMPLE_UNIT)
    load(assignment)
    return assignment


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def state(assignment) -> tuple:
    return (
        unit_data(assignment),
        Snapshot.objects.count(),
        Upload.objects.count(),
        AuditEntry.objects.count(),
    )


def rejected(tmp_path, assignment, content: bytes, name: str = "phu-luc.xlsx") -> str:
    """Import `content` with `rasoat import`; returns its one message after checking nothing changed."""
    path = tmp_path / name
    path.write_bytes(content)
    before = state(assignment)
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import", "RS2026", SAMPLE_UNIT, str(path), stdout=out)
    assert exit_.value.code == 1
    output = json.loads(out.getvalue())
    assert output["saved"] is False
    [error] = output["errors"]
    assert set(error) == {"message"}
    assert state(assignment) == before
    # The reader itself raises WorkbookRejected (the command only prints it).
    with pytest.raises(WorkbookRejected) as direct:
        read_unit_workbook(content, name, assignment)
    assert direct.value.message == error["message"]
    assert name in error["message"]
    return error["message"]


def zip_of(members: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return output.getvalue()


def b05_sheet(rows: int) -> list[list]:
    return [["STT", "Loại thiết bị*", "Số lượng*"], *([n, "Máy in", 1] for n in range(1, rows + 1))]


# --- not a workbook -------------------------------------------------------------------------------


def test_a_text_file_renamed_xlsx(tmp_path, assignment):
    message = rejected(tmp_path, assignment, "Báo cáo thiết bị\n".encode() * 50)
    assert "không phải là bảng tính" in message


def test_another_office_document_renamed_xlsx(tmp_path, assignment):
    docx = zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    assert "không phải là bảng tính" in rejected(tmp_path, assignment, docx)
    doc = ole_file({"WordDocument": b"\x00" * 100})
    assert "không phải là bảng tính" in rejected(tmp_path, assignment, doc, "bao-cao.xls")


def test_a_web_page_saved_as_xls(tmp_path, assignment):
    message = rejected(
        tmp_path, assignment, b"<html><table><tr><td>1</td></tr></table></html>", "bao-cao.xls"
    )
    assert "HTML" in message and "Lưu thành" in message


def test_an_xlsb_workbook(tmp_path, assignment):
    xlsb = zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\x00" * 10})
    assert ".xlsb" in rejected(tmp_path, assignment, xlsb, "phu-luc.xlsb")


# --- damaged ----------------------------------------------------------------------------------------


def test_a_truncated_xlsx(tmp_path, assignment):
    content = CLEAN_SAMPLE.read_bytes()
    assert "bị hỏng hoặc không đầy đủ" in rejected(tmp_path, assignment, content[: len(content) // 2])


def test_a_truncated_xls(tmp_path, assignment):
    content = ole_file({"Workbook": b"\x09\x08" * 3000})
    assert "bị hỏng" in rejected(tmp_path, assignment, content[:2000], "phu-luc.xls")


def test_a_zip_whose_parts_are_corrupt(tmp_path, assignment):
    content = bytearray(xlsx_bytes({"Kết nối mạng": [["STT", "Loại kết nối*"]] * 200}))
    index = content.find(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml")
    content[index + 10 : index + 60] = b"\xff" * 50  # inside the deflated data of the sheet
    assert "bị hỏng" in rejected(tmp_path, assignment, bytes(content))


# --- empty ------------------------------------------------------------------------------------------


def test_an_empty_file(tmp_path, assignment):
    assert "rỗng" in rejected(tmp_path, assignment, b"")


def test_an_empty_workbook(tmp_path, assignment):
    assert "không có dữ liệu" in rejected(tmp_path, assignment, xlsx_bytes({"Sheet1": []}))


def test_appendix_sheets_that_are_all_empty(tmp_path, assignment):
    content = xlsx_bytes({"Thông tin chung": [], "Thiết bị đầu cuối": []})
    assert "đều trống" in rejected(tmp_path, assignment, content)


def test_only_the_instructions_sheet(tmp_path, assignment):
    content = xlsx_bytes({"Hướng dẫn": [["Hướng dẫn điền phụ lục"], ["Điền các biểu B01–B06."]]})
    assert 'chỉ có trang "Hướng dẫn"' in rejected(tmp_path, assignment, content)


def test_no_sheet_of_the_appendix(tmp_path, assignment):
    content = xlsx_bytes({"Sheet1": [["Loại thiết bị", "Số lượng"], ["Máy in", 2]]})
    message = rejected(tmp_path, assignment, content)
    assert "Không tìm thấy biểu nào" in message and '"Sheet1"' in message and "Thiết bị đầu cuối" in message


# --- limits -----------------------------------------------------------------------------------------


def test_a_file_past_the_size_limit(tmp_path, assignment, settings):
    settings.UPLOAD_MAX_BYTES = 4000
    message = rejected(tmp_path, assignment, CLEAN_SAMPLE.read_bytes())
    assert "vượt quá giới hạn" in message and "MB" in message


def test_a_zip_bomb(tmp_path, assignment):
    bomb = zip_of({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\0" * (50 * limits.MB)})
    assert len(bomb) < 200_000
    message = rejected(tmp_path, assignment, bomb)
    assert "bom nén" in message and "200 lần" in message


def test_a_zip_bomb_whose_headers_lie_about_its_size(tmp_path, assignment):
    content = bytearray(
        zip_of({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\0" * (30 * limits.MB)})
    )
    # Declare 100 kB instead of 30 MB in the local header and in the central directory.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = content.find(signature, content.find(signature) + 1)
        struct.pack_into("<I", content, start + offset, 100_000)
    assert "bom nén" in rejected(tmp_path, assignment, bytes(content))


def test_a_workbook_past_the_uncompressed_limit(tmp_path, assignment, settings):
    settings.WORKBOOK_MAX_UNCOMPRESSED_BYTES = 2 * limits.MB
    noise = os.urandom(3 * limits.MB // 2)
    content = zip_of(
        {"xl/workbook.xml": b"<workbook/>", "xl/media/image1.bin": noise, "xl/media/image2.bin": noise}
    )
    message = rejected(tmp_path, assignment, content)
    assert "khi giải nén" in message and "giới hạn 2 MB" in message


def test_sixty_thousand_rows(tmp_path, assignment):
    content = xlsx_bytes({"Thiết bị đầu cuối": b05_sheet(60_000)}, constant_memory=True)
    message = rejected(tmp_path, assignment, content)
    assert "vượt quá giới hạn 50.000 dòng" in message


def test_rows_past_the_limit_counted_after_reading(tmp_path, assignment, settings):
    settings.WORKBOOK_MAX_ROWS = 100
    content = xlsx_bytes({"Thiết bị đầu cuối": b05_sheet(130)})
    assert "vượt quá giới hạn 100 dòng" in rejected(tmp_path, assignment, content)


def test_a_used_range_past_the_cell_limit(tmp_path, assignment, settings):
    settings.WORKBOOK_MAX_CELLS = 10_000
    rows = b05_sheet(50)
    rows[10] = rows[10] + [None] * 400 + ["x"]
    assert "quá lớn" in rejected(tmp_path, assignment, xlsx_bytes({"Thiết bị đầu cuối": rows}))


# --- password-protected -----------------------------------------------------------------------------


def test_a_password_protected_xlsx(tmp_path, assignment):
    """Excel saves a protected .xlsx as an OLE2 file holding an encrypted OOXML package."""
    content = ole_file(
        {"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00", "EncryptedPackage": os.urandom(6000)}
    )
    assert "đặt mật khẩu" in rejected(tmp_path, assignment, content)


@pytest.mark.parametrize(("fmt", "filter_name"), [("xls", "MS Excel 97"), ("ods", "calc8")])
def test_a_password_protected_file_saved_by_libreoffice(tmp_path, assignment, libreoffice, fmt, filter_name):
    source = tmp_path / "nguon.xlsx"
    source.write_bytes(CLEAN_SAMPLE.read_bytes())
    protected = save_with_password(libreoffice, source, tmp_path / f"bao-mat.{fmt}", filter_name)
    assert "đặt mật khẩu" in rejected(tmp_path, assignment, protected.read_bytes(), f"phu-luc.{fmt}")


# --- _meta ------------------------------------------------------------------------------------------


def test_a_meta_of_another_unit(tmp_path, assignment):
    content = xlsx_bytes(
        [("Thiết bị đầu cuối", b05_sheet(2)), ("_meta", meta_rows("RS2026", "X.03637.UB"))], hidden=["_meta"]
    )
    message = rejected(tmp_path, assignment, content)
    assert '"X.03637.UB"' in message and SAMPLE_UNIT in message


def test_a_meta_of_another_campaign(tmp_path, assignment):
    content = xlsx_bytes([("Thiết bị đầu cuối", b05_sheet(2)), ("_meta", meta_rows("RS2025", SAMPLE_UNIT))])
    assert '"RS2025"' in rejected(tmp_path, assignment, content)

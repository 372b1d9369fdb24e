"""Checks an uploaded workbook must pass before any parsing work (PHU_LUC.md, "The workbook").

In order: the size on disk; the file type, told by its content and never by its name (a zip
holding a spreadsheet for .xlsx/.xlsm/.ods, an OLE2 compound file holding a workbook stream for
.xls); password protection (an OLE2 file carrying an encrypted OOXML package, an .ods whose
manifest says its parts are encrypted); for zips the total uncompressed size and the compression
ratio, counted by inflating each member in memory (never extracting), so a zip whose headers lie
about sizes is caught too; then (`extents`, before python-calamine opens anything) the extent of
every sheet; and once the sheets are read, the number of data rows.

Every refusal is a `WorkbookRejected` whose Vietnamese message names the limit. The limits come
from settings, with these defaults:

    UPLOAD_MAX_BYTES                  20 MB   size of the file on disk
    WORKBOOK_MAX_UNCOMPRESSED_BYTES   200 MB  sum of the zip members once inflated
    WORKBOOK_MAX_COMPRESSION_RATIO    200     inflated ÷ compressed size of one member (zip bombs)
    WORKBOOK_MAX_ROWS                 50000   data rows of all the appendix sheets together
    WORKBOOK_ROW_ALLOWANCE            50      rows of one sheet above its data (titles, notes, header)
    WORKBOOK_MAX_COLUMNS              200     columns of one sheet
    WORKBOOK_MAX_CELLS                3000000 cells of the sheets' grids together, each from A1
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from django.conf import settings

from rasoat.spreadsheets.errors import WorkbookRejected

MB = 1024 * 1024

XLSX = "xlsx"
XLS = "xls"
ODS = "ods"

ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

RATIO_MIN_MEMBER_BYTES = 1 * MB
"""Members smaller than this are not held to the ratio: a tiny part may compress very well."""
INFLATE_CHUNK = 256 * 1024


# --- settings ---------------------------------------------------------------------------------


def max_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_BYTES", 20 * MB))


def max_uncompressed_bytes() -> int:
    return int(getattr(settings, "WORKBOOK_MAX_UNCOMPRESSED_BYTES", 200 * MB))


def max_compression_ratio() -> int:
    return int(getattr(settings, "WORKBOOK_MAX_COMPRESSION_RATIO", 200))


def max_rows() -> int:
    return int(getattr(settings, "WORKBOOK_MAX_ROWS", 50_000))


def max_cells() -> int:
    return int(getattr(settings, "WORKBOOK_MAX_CELLS", 3_000_000))


def row_allowance() -> int:
    return int(getattr(settings, "WORKBOOK_ROW_ALLOWANCE", 50))


def max_sheet_rows() -> int:
    """Rows of one sheet: every data row of the upload plus the titles, notes and header above them."""
    return max_rows() + row_allowance()


def max_columns() -> int:
    return int(getattr(settings, "WORKBOOK_MAX_COLUMNS", 200))


# --- messages ---------------------------------------------------------------------------------


def thousands(number: int) -> str:
    """A whole number the Vietnamese way: 50.000."""
    return f"{number:,}".replace(",", ".")


def megabytes(size: int) -> str:
    """A size in MB for messages: one decimal, decimal comma, no ",0" (20; 20,5)."""
    text = f"{size / MB:.1f}"
    return (text[:-2] if text.endswith(".0") else text).replace(".", ",")


def not_a_workbook(filename: str) -> WorkbookRejected:
    return WorkbookRejected(
        f'Tệp "{filename}" không phải là bảng tính Excel hoặc OpenDocument nên không đọc được. '
        "Hệ thống chỉ nhận tệp .xlsx, .xlsm, .xls hoặc .ods; hãy mở tệp bằng Excel và lưu lại dưới "
        'dạng "Excel Workbook (*.xlsx)" rồi tải lên lại.'
    )


def damaged(filename: str) -> WorkbookRejected:
    return WorkbookRejected(
        f'Tệp "{filename}" bị hỏng hoặc không đầy đủ (có thể do tải xuống hay sao chép bị gián đoạn) '
        "nên không đọc được. Hãy mở tệp bằng Excel để kiểm tra, lưu lại rồi tải lên lần nữa."
    )


def password_protected(filename: str) -> WorkbookRejected:
    return WorkbookRejected(
        f'Tệp "{filename}" được đặt mật khẩu nên hệ thống không đọc được. Hãy mở tệp bằng Excel, '
        "gỡ mật khẩu (Tệp → Thông tin → Bảo vệ sổ làm việc → Mã hóa bằng mật khẩu, xóa mật khẩu rồi "
        "bấm OK), lưu lại rồi tải lên lần nữa."
    )


# --- checks -----------------------------------------------------------------------------------


def check_size(size: int, filename: str) -> None:
    """The size on disk, before the file is read at all."""
    if size <= 0:
        raise WorkbookRejected(f'Tệp "{filename}" rỗng (0 byte), không có dữ liệu để nhập.')
    limit = max_bytes()
    if size > limit:
        raise WorkbookRejected(
            f'Tệp "{filename}" có dung lượng {megabytes(size)} MB, vượt quá giới hạn {megabytes(limit)} MB. '
            "Hãy xóa các trang, hình ảnh không cần thiết hoặc chia thành nhiều tệp rồi tải lên lại."
        )


def check_file(data: bytes, filename: str) -> str:
    """The workbook format told by the content ("xlsx", "xls" or "ods"); WorkbookRejected otherwise.

    "xlsx" covers .xlsm too (macros are never run: only cell values are read).
    """
    if data.startswith(ZIP_SIGNATURES):
        return _check_zip(data, filename)
    if data.startswith(OLE_SIGNATURE):
        return _check_ole(data, filename)
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<html", b"<!doctype", b"<?xml", b"<table", b"<meta")):
        raise WorkbookRejected(
            f'Tệp "{filename}" là một trang web (HTML) hoặc tệp XML được đặt tên như bảng tính, không phải '
            "tệp Excel thật (một số phần mềm xuất tệp như vậy). Hãy mở tệp bằng Excel, chọn Lưu thành "
            '(Save As) dạng "Excel Workbook (*.xlsx)" rồi tải lên tệp mới.'
        )
    raise not_a_workbook(filename)


def check_rows(rows: int, filename: str, allowance: int = 0) -> None:
    """Data rows of the appendix sheets together. Checked twice: on the sheets' dimensions before
    their cells are converted (with an `allowance` for title and header rows), then on the data
    rows actually read."""
    limit = max_rows()
    if rows > limit + allowance:
        raise WorkbookRejected(
            f'Tệp "{filename}" có khoảng {thousands(rows)} dòng dữ liệu, vượt quá giới hạn '
            f"{thousands(limit)} dòng cho một lần tải lên. Hãy kiểm tra các dòng thừa ở cuối các biểu "
            "hoặc chia dữ liệu thành nhiều tệp."
        )


def check_cells(cells: int, filename: str) -> None:
    """Cells of the used ranges together: a stray value far to the right makes every row that wide."""
    limit = max_cells()
    if cells > limit:
        raise WorkbookRejected(
            f'Vùng dữ liệu của tệp "{filename}" quá lớn ({thousands(cells)} ô, giới hạn {thousands(limit)} '
            "ô). Thường là do có nội dung hoặc định dạng ở các cột, các dòng rất xa vùng dữ liệu; hãy xóa "
            "các cột, dòng thừa rồi tải lên lại."
        )


# --- zip packages (xlsx, xlsm, ods) -----------------------------------------------------------


def _check_zip(data: bytes, filename: str) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise damaged(filename) from None
    names = {info.filename.lower(): info for info in infos}
    if "xl/workbook.xml" in names:
        kind = XLSX
    elif "xl/workbook.bin" in names:
        raise WorkbookRejected(
            f'Tệp "{filename}" là bảng tính Excel nhị phân (.xlsb), định dạng hệ thống chưa đọc được. Hãy '
            'mở tệp bằng Excel, chọn Lưu thành (Save As) dạng "Excel Workbook (*.xlsx)" rồi tải lên tệp mới.'
        )
    elif "content.xml" in names and _is_ods(archive, names):
        kind = ODS
    else:
        raise not_a_workbook(filename)
    _check_inflated_sizes(data, infos, filename)
    if kind == ODS and _ods_is_encrypted(archive, names, filename):
        raise password_protected(filename)
    return kind


def _is_ods(archive: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo]) -> bool:
    info = names.get("mimetype")
    if info is None or info.file_size > 200:
        return False
    try:
        return archive.read(info).strip().startswith(ODS_MIMETYPE)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, zlib.error):
        return False


def _ods_is_encrypted(archive: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo], filename: str) -> bool:
    info = names.get("meta-inf/manifest.xml")
    if info is None:
        return False
    try:
        return b"encryption-data" in archive.read(info)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, zlib.error):
        raise damaged(filename) from None


def _check_inflated_sizes(data: bytes, infos: list[zipfile.ZipInfo], filename: str) -> None:
    """Total inflated size and per-member ratio, from the headers and then by actually inflating.

    The declared sizes are checked first (cheap, and enough for an honest file); each member is
    then inflated in memory and counted, stopping as soon as a limit is passed, because the
    headers of a crafted zip can understate the size that the spreadsheet library would inflate.
    """
    total_limit = max_uncompressed_bytes()
    ratio_limit = max_compression_ratio()
    declared = sum(info.file_size for info in infos)
    if declared > total_limit:
        raise _too_large_inflated(filename, declared, total_limit)
    for info in infos:
        if info.file_size >= RATIO_MIN_MEMBER_BYTES and info.file_size > ratio_limit * max(
            info.compress_size, 1
        ):
            raise _bomb(filename, ratio_limit)
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        budget = total_limit - total
        member_cap = max(RATIO_MIN_MEMBER_BYTES, ratio_limit * max(info.compress_size, 1))
        size = _inflated_size(data, info, min(budget, member_cap) + 1, filename)
        if size > member_cap:
            raise _bomb(filename, ratio_limit)
        total += size
        if total > total_limit:
            raise _too_large_inflated(filename, total, total_limit)


def _inflated_size(data: bytes, info: zipfile.ZipInfo, cap: int, filename: str) -> int:
    """How many bytes the member inflates to, counting at most `cap` (never stored anywhere)."""
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise damaged(filename)
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    start = offset + 30 + name_length + extra_length
    compressed = memoryview(data)[start : start + info.compress_size]
    if len(compressed) < info.compress_size:
        raise damaged(filename)
    if info.flag_bits & 0x1:
        # Zip-level encryption is not how spreadsheet programs protect a workbook.
        raise password_protected(filename)
    if info.compress_type == zipfile.ZIP_STORED:
        return len(compressed)
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise damaged(filename)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    size = 0
    try:
        for position in range(0, len(compressed), INFLATE_CHUNK):
            pending = bytes(compressed[position : position + INFLATE_CHUNK])
            while pending:
                size += len(inflater.decompress(pending, INFLATE_CHUNK))
                if size >= cap:
                    return size
                pending = inflater.unconsumed_tail
            if inflater.eof:
                break
        while not inflater.eof:
            chunk = inflater.decompress(b"", INFLATE_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size >= cap:
                return size
    except zlib.error:
        raise damaged(filename) from None
    return size


def _too_large_inflated(filename: str, size: int, limit: int) -> WorkbookRejected:
    return WorkbookRejected(
        f'Tệp "{filename}" khi giải nén có dung lượng trên {megabytes(size)} MB, vượt quá giới hạn '
        f"{megabytes(limit)} MB. Hãy xóa các trang, hình ảnh không cần thiết hoặc chia thành nhiều tệp."
    )


def _bomb(filename: str, ratio: int) -> WorkbookRejected:
    return WorkbookRejected(
        f'Tệp "{filename}" có một thành phần được nén hơn {thousands(ratio)} lần, một dấu hiệu của tệp '
        '"bom nén" (zip bomb) có thể làm treo hệ thống, nên hệ thống không đọc tệp này. Nếu đây là tệp '
        "bình thường, hãy mở bằng Excel, xóa các dòng, cột thừa rồi lưu lại."
    )


# --- OLE2 compound files (xls, encrypted OOXML) -----------------------------------------------

_FREE_OR_END = 0xFFFFFFFA  # sector ids at or above this are markers (end of chain, free, FAT...)


def _check_ole(data: bytes, filename: str) -> str:
    directory = ole_directory(data)
    if directory is None:
        raise damaged(filename)
    streams = {name.casefold(): where for name, where in directory.entries.items()}
    if {"encryptedpackage", "encryptioninfo"} & streams.keys():
        raise password_protected(filename)
    workbook = streams.get("workbook") or streams.get("book")
    if workbook is None:
        raise not_a_workbook(filename)
    if _xls_is_encrypted(directory.stream_start(*workbook)):
        raise password_protected(filename)
    return XLS


def _xls_is_encrypted(head: bytes) -> bool:
    """A FILEPASS record (0x002F) among the first records of the workbook globals: RC4 or XOR
    encryption, which Excel and LibreOffice use for a password-protected .xls."""
    position = 0
    for _record in range(64):
        if position + 4 > len(head):
            return False
        kind, length = struct.unpack_from("<HH", head, position)
        if kind == 0x002F:
            return True
        position += 4 + length
    return False


class OleDirectory:
    """The directory of an OLE2 compound file: stream name -> (first sector, size)."""

    def __init__(self, data: bytes, sector_size: int, fat: list[int], entries: dict[str, tuple[int, int]]):
        self.data = data
        self.sector_size = sector_size
        self.fat = fat
        self.entries = entries

    def sector(self, sid: int) -> bytes | None:
        start = (sid + 1) * self.sector_size
        chunk = self.data[start : start + self.sector_size]
        return chunk if len(chunk) == self.sector_size else None

    def stream_start(self, sid: int, size: int, limit: int = 4096) -> bytes:
        """The first `limit` bytes of a stream held in regular sectors (b"" for a mini-stream one)."""
        if size < 4096:
            return b""
        chunks, seen = [], set()
        while sid < _FREE_OR_END and sid not in seen and len(chunks) * self.sector_size < limit:
            seen.add(sid)
            chunk = self.sector(sid)
            if chunk is None:
                break
            chunks.append(chunk)
            sid = self.fat[sid] if sid < len(self.fat) else _FREE_OR_END
        return b"".join(chunks)[: min(size, limit)]


def ole_stream_names(data: bytes) -> set[str] | None:
    """The names in an OLE2 compound file's directory, or None when the structure is unreadable."""
    directory = ole_directory(data)
    return set(directory.entries) if directory else None


def ole_directory(data: bytes) -> OleDirectory | None:
    """The directory of an OLE2 compound file, or None when the structure is unreadable.

    A minimal reader of [MS-CFB]: the header, the FAT (through the DIFAT) and the directory
    chain; enough to tell an Excel 97 workbook ("Workbook"/"Book" stream) from an encrypted
    OOXML package ("EncryptionInfo" + "EncryptedPackage") without a third-party library.
    """
    if len(data) < 512:
        return None
    sector_shift = struct.unpack_from("<H", data, 30)[0]
    if sector_shift not in (9, 12):
        return None
    sector_size = 1 << sector_shift
    per_sector = sector_size // 4
    fat_sectors, first_directory = struct.unpack_from("<II", data, 44)
    first_difat, difat_sectors = struct.unpack_from("<II", data, 68)
    reader = OleDirectory(data, sector_size, [], {})

    difat = list(struct.unpack_from("<109I", data, 76))
    sid, seen = first_difat, 0
    while sid < _FREE_OR_END and seen < difat_sectors:
        chunk = reader.sector(sid)
        if chunk is None:
            return None
        entries = struct.unpack(f"<{per_sector}I", chunk)
        difat.extend(entries[:-1])
        sid, seen = entries[-1], seen + 1
    for fat_sid in [s for s in difat if s < _FREE_OR_END][:fat_sectors]:
        chunk = reader.sector(fat_sid)
        if chunk is None:
            return None
        reader.fat.extend(struct.unpack(f"<{per_sector}I", chunk))

    sid, visited = first_directory, set()
    while sid < _FREE_OR_END and sid not in visited:
        visited.add(sid)
        chunk = reader.sector(sid)
        if chunk is None:
            return None
        for start in range(0, sector_size, 128):
            entry = chunk[start : start + 128]
            length = struct.unpack_from("<H", entry, 64)[0]
            if entry[66] in (1, 2, 5) and 2 <= length <= 64:
                name = entry[: length - 2].decode("utf-16-le", "replace")
                first, size = struct.unpack_from("<IQ", entry, 116)
                reader.entries.setdefault(name, (first, size & 0xFFFFFFFF if sector_shift == 9 else size))
        sid = reader.fat[sid] if sid < len(reader.fat) else _FREE_OR_END
    return reader if reader.entries else None

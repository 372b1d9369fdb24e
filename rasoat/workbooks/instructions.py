"""The `Hướng dẫn` sheet of the appendix workbook: how to fill it, how to send it, every column.

Everything comes from the campaign's appendix version: the list of sheets, which kinds of columns
it has (dates, years, choices), the column guide, and — for a version other than 2026.1 — what is
new compared with 2026.1 (added sheets, columns and choices, relabelled headers), so a clerk who filled
last year's workbook sees at once what is asked this time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rasoat.appendix.declaration import Appendix, Column, ColumnType, Sheet, UnitInfo
from rasoat.appendix.normalize import describe_expected
from rasoat.appendix.spec import FIRST_YEAR
from rasoat.appendix.v2026_1 import APPENDIX as BASE
from rasoat.xlsx_text import write_text

INSTRUCTIONS_SHEET = "Hướng dẫn"
NEW_MARK = " (mới)"
"""Appended to a column's header in the column guide when 2026.1 does not have that column."""


def format_date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def text_lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column `width` characters wide (a generous estimate)."""
    return max(1, -(-len(text) * 11 // int(width * 10)))


# --- what is new compared with 2026.1 ------------------------------------------------------------


@dataclass(frozen=True)
class Novelties:
    """What a version has that 2026.1 has not: sheets, columns (by sheet), relabelled headers, and
    labels added to the choices of a column both have."""

    sheets: tuple[Sheet, ...]
    columns: tuple[tuple[Sheet, Column], ...]
    relabelled: tuple[tuple[Sheet, str, Column], ...]
    choices: tuple[tuple[Sheet, Column, tuple[str, ...]], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.sheets or self.columns or self.relabelled or self.choices)

    def is_new(self, sheet: Sheet, column: Column) -> bool:
        return any(s.code == sheet.code and c.key == column.key for s, c in self.columns) or any(
            s.code == sheet.code for s in self.sheets
        )


def novelties(appendix: Appendix) -> Novelties:
    """The sheets and columns of `appendix` that 2026.1 lacks (a column is new when 2026.1's sheet of
    the same code has no column of that key), the 2026.1 headers it relabelled and the labels it
    added to 2026.1's choice lists."""
    if appendix.version == BASE.version:
        return Novelties((), (), ())
    sheets, columns, relabelled, choices = [], [], [], []
    for sheet in appendix:
        if not BASE.has_sheet(sheet.code):
            sheets.append(sheet)
            continue
        base = BASE.sheet(sheet.code)
        for column in sheet.data_columns:
            if not base.has_column(column.key):
                columns.append((sheet, column))
                continue
            before = base.column(column.key)
            if before.header != column.header:
                relabelled.append((sheet, before.header, column))
            if column.type == ColumnType.CHOICE and before.type == ColumnType.CHOICE:
                added = tuple(label for label in column.choices if label not in before.choices)
                if added:
                    choices.append((sheet, column, added))
    return Novelties(tuple(sheets), tuple(columns), tuple(relabelled), tuple(choices))


# --- the text ------------------------------------------------------------------------------------


def _codes(sheets: Sequence[Sheet]) -> str:
    codes = [sheet.code for sheet in sheets]
    if codes == ["B02", "B03", "B04", "B05", "B06"]:
        return "B02 đến B06"
    return ", ".join(codes)


def _steps(appendix: Appendix, year: int) -> list[str]:
    forms = [sheet for sheet in appendix if not sheet.repeating]
    tables = list(appendix.repeating_sheets)
    listed = ", ".join(f"{sheet.code} {sheet.title}" for sheet in appendix)
    steps = [
        f"Tệp có {len(appendix.sheets)} biểu, mỗi biểu một trang: {listed}. Điền lần lượt từng trang; trang "
        "nào đơn vị không có gì để kê khai thì để trống.",
    ]
    if forms:
        identity = (
            f" Ở biểu {forms[0].code}, tên, mã, khối, cấp của đơn vị đã được điền sẵn. Ô Mã đơn vị (màu xám) "
            "không được sửa."
            if forms[0].has_column("unit_code")
            else ""
        )
        steps.append(f"Biểu {_codes(forms)}: điền vào cột C, bên phải từng nội dung.{identity}")
    if tables:
        steps.append(
            f"Biểu {_codes(tables)}: mỗi dòng kê khai một mục (một đường truyền, một loại thiết bị, một "
            "phần mềm, một đề xuất). Các thiết bị giống nhau (cùng loại, cùng model, cùng năm trang bị, cùng "
            "tình trạng) ghi chung một dòng và ghi tổng số ở cột Số lượng. Cột STT có thể để trống."
        )
    required = "Cột có dấu * ở tiêu đề là bắt buộc phải điền."
    conditional = [c for sheet in appendix for c in sheet.data_columns if c.required_if is not None]
    if appendix.has_sheet("B05") and any(c.required_if for c in appendix.sheet("B05").data_columns):
        required += (
            " Ở biểu B05, máy tính để bàn và máy tính xách tay phải điền thêm cấu hình: CPU, RAM, loại ổ "
            "cứng, hệ điều hành, bản quyền hệ điều hành, phần mềm phòng chống mã độc."
        )
    elif conditional:
        required += " Một số cột chỉ bắt buộc trong một số trường hợp, xem bảng cuối trang này."
    steps += [
        required,
        "Cột có danh sách chọn: bấm vào ô rồi bấm mũi tên ở góc ô để chọn. Chỉ dùng các giá trị trong "
        'danh sách; cột Có/Không chọn "Có" hoặc "Không".',
        'Cột số: chỉ nhập số, không kèm đơn vị hay chữ (ghi 8, không ghi "8 GB"). Số thập phân dùng dấu '
        "phẩy hoặc dấu chấm (0,5 hoặc 0.5). Không dùng dấu phân cách hàng nghìn (ghi 1000, không ghi 1.000).",
        f"Cột năm: ghi đủ 4 chữ số, từ {FIRST_YEAR} đến {year}.",
    ]
    if any(c.type == ColumnType.DATE for sheet in appendix for c in sheet.data_columns):
        steps.append(
            "Cột ngày: ghi ngày/tháng/năm, ví dụ 15/03/2026 (ô đã được định dạng ngày; cũng có thể ghi "
            "dạng văn bản 15/03/2026)."
        )
    steps += [
        "Giữ nguyên tên các trang và dòng tiêu đề cột. Không thêm, xóa hoặc đổi tên cột; không xóa trang. "
        'Dòng "Tổng cộng" (nếu có) và dòng trống được bỏ qua khi nhập.',
        "Khi chọn một ô, Excel hiện hướng dẫn ngắn cho cột đó; bảng cuối trang này giải thích từng cột.",
    ]
    return [f"{number}. {text}" for number, text in enumerate(steps, start=1)]


_SENDING = (
    'Đăng nhập hệ thống rasoat, mở trang nhập liệu của đơn vị, chọn "Tải lên tệp Excel" và chọn tệp này '
    "(định dạng .xlsx, .xlsm, .xls hoặc .ods). Hệ thống kiểm tra toàn bộ tệp và liệt kê các lỗi theo biểu, "
    'dòng, cột trước khi bạn xác nhận; có thể tải "tệp báo lỗi" với các ô sai được tô đỏ để sửa rồi tải '
    'lên lại. Sau khi nhập, kiểm tra lại dữ liệu và bấm "Gửi báo cáo"{deadline}.'
)
_COMMUNE = (
    'Tệp này dùng cho các đơn vị của xã. Ở các biểu ghi theo bảng, cột "{header}" cho biết dòng thuộc đơn '
    "vị nào: chọn mã trong danh sách. Ở các biểu ghi theo dòng (như B01), mỗi đơn vị điền vào cột có tên "
    "của đơn vị đó."
)


def _novelty_lines(appendix: Appendix, found: Novelties) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = [
        ("", ""),
        ("heading", f"Những điểm mới của phụ lục phiên bản {appendix.version} so với phiên bản 2026.1"),
    ]
    for sheet in found.sheets:
        kind = "ghi theo bảng, mỗi dòng một mục" if sheet.repeating else "ghi theo dòng, giá trị ở cột C"
        lines.append(("text", f"Biểu mới {sheet.code}. {sheet.title} ({kind})."))
    for sheet, column in found.columns:
        lines.append(("text", f'Cột mới ở biểu {sheet.code}: "{column.header}".'))
    for sheet, before, column in found.relabelled:
        lines.append(
            (
                "text",
                f'Biểu {sheet.code}: cột "{before}" nay ghi là "{column.header}" (tệp ghi tên cũ vẫn được '
                "nhận).",
            )
        )
    for sheet, column, labels in found.choices:
        listed = ", ".join(f'"{label}"' for label in labels)
        lines.append(("text", f'Biểu {sheet.code}, cột "{column.header}": thêm lựa chọn {listed}.'))
    return lines


def instruction_lines(
    appendix: Appendix,
    campaign,
    heading: str,
    commune_units: Sequence[UnitInfo] | None,
    year: int,
    unit_header: str,
) -> list[tuple[str, str]]:
    """The clerk's instructions as (style, text) lines, in plain Vietnamese. `campaign` may be None
    (the appendix editor's preview): the lines about the campaign then say it is a preview."""
    lines: list[tuple[str, str]] = [
        ("title", "HƯỚNG DẪN ĐIỀN PHỤ LỤC RÀ SOÁT HẠ TẦNG, NỀN TẢNG, PHẦN MỀM, THIẾT BỊ ĐẦU CUỐI"),
    ]
    if campaign is not None:
        contact = " — ".join(
            part
            for part in (
                campaign.contact_division,
                campaign.contact_person,
                f"điện thoại {campaign.contact_phone}" if campaign.contact_phone else "",
                f"thư điện tử {campaign.contact_email}" if campaign.contact_email else "",
            )
            if part
        )
        lines += [
            ("info", f"Đợt rà soát: {campaign.code} — {campaign.title}"),
            ("info", f"Căn cứ: {campaign.legal_basis}" if campaign.legal_basis else ""),
            ("info", f"Đơn vị: {heading}"),
            ("strong", f"Hạn gửi: {format_date(campaign.deadline)}"),
            ("info", f"Liên hệ khi cần hỗ trợ: {contact}" if contact else ""),
        ]
        deadline = f" trước ngày {format_date(campaign.deadline)}"
    else:
        title = f" — {appendix.title}" if appendix.title else ""
        lines += [
            ("info", f"Phụ lục phiên bản {appendix.version}{title}"),
            ("strong", "Mẫu xem trước: tệp này chưa gắn với đợt rà soát hay đơn vị nào, không dùng để nộp."),
        ]
        deadline = " trước hạn của đợt rà soát"
    lines += [
        ("", ""),
        ("heading", "Cách điền"),
        *[("text", step) for step in _steps(appendix, year)],
        ("", ""),
        ("heading", "Cách gửi"),
        ("text", _SENDING.format(deadline=deadline)),
    ]
    found = novelties(appendix)
    if found:
        lines += _novelty_lines(appendix, found)
    if commune_units:
        lines += [
            ("", ""),
            ("heading", "Tệp của cả xã"),
            ("text", _COMMUNE.format(header=unit_header)),
            *[("text", f"   {unit.code}: {unit.name}") for unit in commune_units],
        ]
    # An empty optional line (no legal basis, no contact) is dropped, not left as a gap.
    return [line for line in lines if line[1] or not line[0]]


def write_instructions(
    b, campaign, heading: str, commune_units: Sequence[UnitInfo] | None, unit_header: str
) -> None:
    """The `Hướng dẫn` sheet into the template builder `b` (its book, formats and context)."""
    ws = b.book.add_worksheet(INSTRUCTIONS_SHEET)
    widths = (24, 36, 9, 64)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    b.printable(ws, landscape=False)
    styles = {"title": b.title, "strong": b.bold, "heading": b.bold}
    row = 0
    year = b.context.reference_year
    for style, text in instruction_lines(b.appendix, campaign, heading, commune_units, year, unit_header):
        if text:
            if style == "text":
                # Merged cells do not grow with their text: give the row the lines it needs.
                ws.merge_range(row, 0, row, 3, text, b.wrap)
                ws.set_row(row, 15 * text_lines(text, sum(widths)))
            else:
                write_text(ws, row, 0, text, styles.get(style, b.plain))
        row += 1
    row += 1
    write_text(ws, row, 0, "Giải thích các cột", b.bold)
    row += 1
    for col, text in enumerate(("Biểu", "Cột", "Bắt buộc", "Cách nhập")):
        write_text(ws, row, col, text, b.header)
    found = novelties(b.appendix)
    for sheet in b.appendix:
        for column in sheet.data_columns:
            row += 1
            how = describe_expected(column, b.context)
            if column.read_only:
                how = "Điền sẵn, không sửa."
            elif column.prefilled:
                how = f"Điền sẵn theo danh mục đơn vị; {how}."
            else:
                how = f"{how[0].upper()}{how[1:]}."
            if column.help:
                how = f"{how} {column.help}"
            header = column.header + (NEW_MARK if found.is_new(sheet, column) else "")
            cells = (f"{sheet.code}. {sheet.title}", header, "Có" if column.required else "", how)
            for col, text in enumerate(cells):
                write_text(ws, row, col, text, b.wrap)
            ws.set_row(
                row, 15 * max(text_lines(text, width) for text, width in zip(cells, widths, strict=True))
            )
    ws.activate()

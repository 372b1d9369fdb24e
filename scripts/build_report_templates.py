"""Build the Word templates of the reports (rasoat/reports/docx/*.docx) with python-docx.

    .venv/bin/python scripts/build_report_templates.py [--out DIR]

The generated files are committed: a clerk may open one in Word, change the wording and save it, and
the application fills it with docxtpl ({{ … }} values, {%p … %} paragraph and {%tr … %} table-row
tags). Running this script again rebuilds them byte for byte, so `git diff` shows only real changes;
tests/reports checks that the committed files match this script. The presentation (Decree 30) is in
rasoat/reports/docxbuild.py; this file holds the wording and the tables of each kind.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rasoat.reports.docxbuild import Builder, Col  # noqa: E402

OUT = ROOT / "rasoat" / "reports" / "docx"


# --- shared tables ------------------------------------------------------------------------------------

N = Col("STT", "{{ loop.index }}", 11, "c")


def devices_table(b: Builder, rows: str, total: str, first: str = "Loại thiết bị") -> None:
    b.table(
        [
            N,
            Col(first, "{{ r.device_type }}", 62, total="Tổng cộng"),
            Col("Số lượng", "{{ r.quantity }}", 22, "r", f"{{{{ {total}.quantity }}}}"),
            Col("Hoạt động tốt", "{{ r.good }}", 24, "r", f"{{{{ {total}.good }}}}"),
            Col("Xuống cấp", "{{ r.worn }}", 22, "r", f"{{{{ {total}.worn }}}}"),
            Col("Hỏng", "{{ r.broken }}", 22, "r", f"{{{{ {total}.broken }}}}"),
        ],
        rows,
        totals=True,
    )


def computers_paragraphs(b: Builder) -> None:
    b.p(
        "Về máy tính (để bàn và xách tay): tổng số {{ computers.total }} chiếc, trong đó {{ computers.old "
        "}} chiếc đã sử dụng từ {{ computers.max_age }} năm trở lên; {{ computers.unsupported }} chiếc dùng "
        "hệ điều hành không còn được hỗ trợ; {{ computers.unlicensed }} chiếc có hệ điều hành không bản "
        "quyền; {{ computers.no_antivirus }} chiếc không có phần mềm phòng chống mã độc; {{ "
        "computers.low_ram }} chiếc có RAM dưới {{ computers.min_ram }} GB; {{ computers.broken }} chiếc "
        "hỏng."
    )
    b.table(
        [N, Col("Hệ điều hành", "{{ r.os }}", 90), Col("Số lượng máy tính", "{{ r.quantity }}", 40, "r")],
        "computers.by_os",
    )


def needs_table(b: Builder, rows: str = "needs.rows") -> None:
    b.table(
        [
            N,
            Col("Hình thức", "{{ r.kind }}", 24, total="Tổng cộng"),
            Col("Nội dung", "{{ r.item }}", 62),
            Col("Số lượng", "{{ r.quantity }}", 20, "r", "{{ needs.total_quantity }}"),
            Col("Đơn giá (triệu đồng)", "{{ r.unit_price }}", 23, "r"),
            Col("Thành tiền (triệu đồng)", "{{ r.cost }}", 25, "r", "{{ needs.total_cost }}"),
        ],
        rows,
        empty="Chưa có nhu cầu ước tính theo các tiêu chí đánh giá.",
        totals=True,
    )


def added_statistics_annex(b: Builder, heading: str) -> None:
    """The appendix version's added columns and sheets counted over the units (`context.annex`):
    a table per choice column, a line per other column. Nothing for a 2026.1 campaign."""
    b.tag("{%p if added.sheets %}")
    b.h2(heading)
    b.tag("{%p for s in added.sheets %}")
    b.p(
        "{{ s.number }}. {{ s.title }} (Biểu {{ s.code }}{% if s.added %}, biểu bổ sung{% endif %}): {{ "
        "s.records }} dòng của {{ s.units }} cơ quan, đơn vị.",
        bold=True,
    )
    b.tag("{%p for c in s.choices %}")
    b.p("{{ c.header }}{% if c.weighted %} (tính theo cột “{{ c.weight }}”){% endif %}:")
    b.table(
        [
            N,
            Col("Giá trị", "{{ r.label }}", 62, total="Tổng cộng"),
            Col("Số dòng", "{{ r.rows }}", 24, "r", "{{ c.total_rows }}"),
            Col("Số lượng", "{{ r.quantity }}", 30, "r", "{{ c.total_quantity }}"),
            Col("Tỷ lệ (%)", "{{ r.share }}", 24, "r"),
        ],
        "c.rows",
        totals=True,
    )
    b.tag("{%p endfor %}")
    b.table(
        [
            N,
            Col("Cột", "{{ r.header }}", 48),
            Col("Kiểu", "{{ r.type }}", 24),
            Col("Số dòng có giá trị", "{{ r.filled }}", 22, "r"),
            Col("Tổng", "{{ r.total }}", 20, "r"),
            Col("Nhỏ nhất", "{{ r.minimum }}", 20, "r"),
            Col("Lớn nhất", "{{ r.maximum }}", 20, "r"),
        ],
        "s.others",
        empty="",
    )
    b.tag("{%p endfor %}")
    b.tag("{%p endif %}")


def unit_values_annex(b: Builder) -> None:
    """A unit's values of the version's added columns and sheets (`context.annex.unit_values`)."""
    b.tag("{%p if added.sheets %}")
    b.page_break()
    b.centred("PHỤ LỤC", bold=True, style="Normal")
    b.centred("CÁC CỘT, BIỂU BỔ SUNG CỦA PHỤ LỤC PHIÊN BẢN {{ added.version }}", bold=True, style="Normal")
    b.p("", style="Normal")
    b.tag("{%p for s in added.sheets %}")
    b.h2("{{ loop.index }}. {{ s.title }} (Biểu {{ s.code }}{% if s.added %}, biểu bổ sung{% endif %})")
    b.tag("{%p if s.repeating %}")
    b.table(
        [
            Col("Dòng", "{{ r.n }}", 15, "c"),
            Col("Nội dung", "{{ r.item }}", 50),
            Col("Các cột bổ sung", "{{ r.added }}", 100),
        ],
        "s.rows",
        empty="Không có dòng nào.",
    )
    b.tag("{%p else %}")
    b.table([N, Col("Nội dung", "{{ r.header }}", 70), Col("Giá trị", "{{ r.value }}", 84)], "s.lines")
    b.tag("{%p endif %}")
    b.tag("{%p endfor %}")
    b.tag("{%p endif %}")


# --- the five kinds -------------------------------------------------------------------------------------


def unit_template() -> Builder:
    b = Builder("{{ doc_title }}")
    b.opening()
    b.p(
        "Thực hiện {{ basis }}, {{ unit.name }} báo cáo kết quả rà soát, đánh giá thực trạng hạ tầng, nền "
        "tảng, phần mềm, trang thiết bị đầu cuối của cơ quan, đơn vị (số liệu tính đến ngày {{ "
        "campaign.reference_date }}) như sau:"
    )
    b.h1("I. THỰC TRẠNG")
    b.h2("1. Thông tin chung")
    b.p(
        "Tổng số cán bộ, công chức, viên chức, người lao động: {{ g.staff_total }}; số người làm công nghệ "
        "thông tin: {{ g.it_staff_fulltime }} chuyên trách, {{ g.it_staff_parttime }} kiêm nhiệm."
    )
    b.p(
        "Mạng nội bộ (LAN): {{ g.has_lan }}{% if g.lan_points %} ({{ g.lan_points }} điểm kết nối){% endif "
        "%}; mạng không dây (Wi-Fi): {{ g.has_wifi }}; phòng hoặc tủ máy chủ riêng: {{ g.has_server_room "
        "}}; bộ phận tiếp nhận và trả kết quả (một cửa): {{ g.has_one_stop }}."
    )
    b.h2("2. Hạ tầng kết nối")
    b.p(
        "Cơ quan, đơn vị sử dụng {{ links.lines }} đường truyền; tổng băng thông Internet {{ links.internet "
        "}} Mbps; {% if links.tslcd %}đã{% else %}chưa{% endif %} kết nối mạng truyền số liệu chuyên dùng "
        "(TSLCD)."
    )
    b.table(
        [
            N,
            Col("Loại kết nối", "{{ r.link_type }}", 50),
            Col("Nhà cung cấp", "{{ r.provider }}", 24),
            Col("Băng thông (Mbps)", "{{ r.bandwidth }}", 22, "r"),
            Col("Số đường truyền", "{{ r.quantity }}", 22, "r"),
            Col("Mức độ đáp ứng", "{{ r.adequacy }}", 27),
        ],
        "links.rows",
    )
    b.h2("3. Thiết bị hạ tầng")
    b.p(
        "Tổng số {{ infra.total.quantity }} thiết bị hạ tầng, trong đó {{ infra.total.good }} hoạt động "
        "tốt, {{ infra.total.worn }} xuống cấp, {{ infra.total.broken }} hỏng."
    )
    devices_table(b, "infra.rows", "infra.total")
    b.h2("4. Nền tảng, phần mềm")
    b.p(
        "Cơ quan, đơn vị đang sử dụng {{ software.count }} nền tảng, hệ thống, phần mềm; trong đó {{ "
        "software.effective }} sử dụng thường xuyên, hiệu quả, {{ software.partial }} có sử dụng nhưng chưa "
        "hiệu quả, {{ software.unused }} không sử dụng."
    )
    b.table(
        [
            N,
            Col("Tên nền tảng, hệ thống, phần mềm", "{{ r.name }}", 50),
            Col("Nhóm chức năng", "{{ r.category }}", 38),
            Col("Cấp độ an toàn", "{{ r.security_level }}", 25),
            Col("Mức độ sử dụng", "{{ r.usage }}", 32),
        ],
        "software.rows",
    )
    b.h2("5. Thiết bị đầu cuối")
    b.p("Tổng số {{ devices.total.quantity }} thiết bị đầu cuối, trong đó {{ computers.total }} máy tính.")
    devices_table(b, "devices.rows", "devices.total")
    computers_paragraphs(b)

    b.h1("II. ĐÁNH GIÁ")
    b.h2("1. Kết quả đánh giá theo tiêu chí (thang điểm 100)")
    b.table(
        [
            Col("Kết nối", "{{ r.connectivity }}", 30, "c"),
            Col("Thiết bị hạ tầng", "{{ r.infrastructure }}", 32, "c"),
            Col("Nền tảng, phần mềm", "{{ r.software }}", 34, "c"),
            Col("Thiết bị đầu cuối", "{{ r.devices }}", 34, "c"),
            Col("Tổng hợp", "{{ r.overall }}", 30, "c"),
        ],
        "scores",
        empty="Điểm đánh giá (thang điểm 100) được tính khi cơ quan, đơn vị có số liệu.",
    )
    b.h2("2. Tồn tại, hạn chế")
    b.tag("{%p for f in findings.summary %}")
    b.p("- {{ f.message }}: {{ f.quantity }} (mức độ {{ f.severity|lower }}).")
    b.tag("{%p endfor %}")
    b.table(
        [
            N,
            Col("Nội dung", "{{ r.message }}", 70),
            Col("Mức độ", "{{ r.severity }}", 22, "c"),
            Col("Biểu", "{{ r.sheet }}", 14, "c"),
            Col("Dòng", "{{ r.row }}", 14, "c"),
            Col("Số lượng", "{{ r.quantity }}", 20, "r"),
        ],
        "findings.rows",
        empty="Không phát hiện tồn tại, hạn chế theo các tiêu chí đánh giá.",
    )
    b.h2("3. Cơ quan, đơn vị tự đánh giá")
    b.p("Đánh giá chung về thực trạng: {{ g.overall_assessment }}")
    b.p("Khó khăn, vướng mắc: {{ g.difficulties }}")

    b.h1("III. ĐỀ XUẤT, KIẾN NGHỊ")
    b.h2("1. Đề xuất của cơ quan, đơn vị")
    b.p("{{ g.proposals }}")
    proposals_table(b, with_unit=False)
    b.h2("2. Ước tính nhu cầu đầu tư")
    b.p(
        "Theo các tiêu chí đánh giá và đơn giá tham khảo, nhu cầu thay thế, nâng cấp, bổ sung ước tính {{ "
        "needs.total_cost }} triệu đồng (cơ quan, đơn vị đề xuất {{ proposals.total_budget }} triệu đồng):"
    )
    needs_table(b)
    b.p(
        "Trên đây là báo cáo kết quả rà soát, đánh giá thực trạng hạ tầng, nền tảng, phần mềm, trang thiết "
        "bị đầu cuối của {{ unit.name }}./."
    )
    b.closing()
    unit_values_annex(b)
    return b


def proposals_table(b: Builder, *, with_unit: bool) -> None:
    # Column widths (mm) without and with the unit column; each set fills the 165 mm text width.
    unit = [Col("Cơ quan, đơn vị", "{{ r.unit }}", 28)] if with_unit else []
    item, area, kind, quantity, budget = (36, 24, 18, 14, 20) if with_unit else (57, 26, 20, 15, 22)
    b.table(
        [
            N,
            *unit,
            Col("Nội dung đề xuất", "{{ r.item }}", item, total="Tổng cộng"),
            Col("Lĩnh vực", "{{ r.area }}", area),
            Col("Hình thức", "{{ r.kind }}", kind),
            Col("Số lượng", "{{ r.quantity }}", quantity, "r"),
            Col("Kinh phí (triệu đồng)", "{{ r.budget }}", budget, "r", "{{ proposals.total_budget }}"),
            Col("Năm", "{{ r.year }}", 14, "c"),
        ],
        "proposals.rows",
        empty="Cơ quan, đơn vị không có đề xuất.",
        totals=True,
    )


def commune_template() -> Builder:
    b = Builder("{{ doc_title }}")
    b.opening()
    b.p(
        "Thực hiện {{ basis }}, {{ issuer_name }} tổng hợp kết quả rà soát, đánh giá thực trạng hạ tầng, "
        "nền tảng, phần mềm, trang thiết bị đầu cuối của {{ units|length }} cơ quan, đơn vị trên địa bàn {{ "
        "commune.name }} (số liệu tính đến ngày {{ campaign.reference_date }}) như sau:"
    )
    b.h1("I. THỰC TRẠNG")
    b.h2("1. Tình hình thực hiện và thông tin chung")
    b.table(
        [
            N,
            Col("Cơ quan, đơn vị", "{{ r.name }}", 44),
            Col("Tình trạng báo cáo", "{{ r.status }}", 22),
            Col("Số CB, CC, VC, NLĐ", "{{ r.staff_total }}", 18, "r"),
            Col("Người làm CNTT", "{{ r.it_staff }}", 16, "r"),
            Col("Máy tính", "{{ r.computers }}", 15, "r"),
            Col("Internet (Mbps)", "{{ r.internet }}", 19, "r"),
            Col("TSLCD", "{{ r.tslcd }}", 18, "c"),
        ],
        "units",
    )
    b.h2("2. Hạ tầng kết nối")
    b.p(
        "Các cơ quan, đơn vị sử dụng {{ links.lines }} đường truyền, tổng băng thông Internet {{ "
        "links.internet }} Mbps (đường truyền dùng chung giữa các cơ quan, đơn vị có thể được kê khai ở "
        "nhiều đơn vị)."
    )
    b.table(
        [
            N,
            Col("Cơ quan, đơn vị", "{{ r.unit }}", 38),
            Col("Loại kết nối", "{{ r.link_type }}", 38),
            Col("Nhà cung cấp", "{{ r.provider }}", 18),
            Col("Băng thông (Mbps)", "{{ r.bandwidth }}", 18, "r"),
            Col("Số đường truyền", "{{ r.quantity }}", 16, "r"),
            Col("Mức độ đáp ứng", "{{ r.adequacy }}", 20),
        ],
        "links.rows",
    )
    b.h2("3. Thiết bị hạ tầng")
    devices_table(b, "infra.rows", "infra.total")
    b.h2("4. Nền tảng, phần mềm")
    b.p(
        "Các cơ quan, đơn vị sử dụng {{ software.count }} nền tảng, hệ thống, phần mềm; trong đó {{ "
        "software.effective }} sử dụng thường xuyên, hiệu quả, {{ software.unused }} không sử dụng."
    )
    b.table(
        [
            N,
            Col("Cơ quan, đơn vị", "{{ r.unit }}", 36),
            Col("Tên nền tảng, hệ thống, phần mềm", "{{ r.name }}", 44),
            Col("Nhóm chức năng", "{{ r.category }}", 32),
            Col("Mức độ sử dụng", "{{ r.usage }}", 32),
        ],
        "software.rows",
    )
    b.h2("5. Thiết bị đầu cuối")
    b.p("Tổng số {{ devices.total.quantity }} thiết bị đầu cuối, trong đó {{ computers.total }} máy tính.")
    devices_table(b, "devices.rows", "devices.total")
    computers_paragraphs(b)

    b.h1("II. ĐÁNH GIÁ")
    b.h2("1. Kết quả đánh giá theo tiêu chí (thang điểm 100)")
    b.table(
        [
            N,
            Col("Cơ quan, đơn vị", "{{ r.name }}", 49),
            Col("Kết nối", "{{ r.connectivity }}", 21, "c"),
            Col("Thiết bị hạ tầng", "{{ r.infrastructure }}", 21, "c"),
            Col("Nền tảng, phần mềm", "{{ r.software }}", 21, "c"),
            Col("Thiết bị đầu cuối", "{{ r.devices }}", 21, "c"),
            Col("Tổng hợp", "{{ r.overall }}", 21, "c"),
        ],
        "scores",
        empty="Chưa có kết quả đánh giá.",
    )
    b.h2("2. Tồn tại, hạn chế")
    findings_summary_table(b)
    b.h2("3. Ý kiến của các cơ quan, đơn vị")
    b.tag("{%p for u in unit_texts %}")
    b.p("{{ u.name }}:", bold=True)
    b.p("Đánh giá chung: {{ u.overall_assessment }}")
    b.p("Khó khăn, vướng mắc: {{ u.difficulties }}")
    b.tag("{%p endfor %}")

    b.h1("III. ĐỀ XUẤT, KIẾN NGHỊ")
    b.h2("1. Đề xuất của các cơ quan, đơn vị")
    proposals_table(b, with_unit=True)
    b.h2("2. Ước tính nhu cầu đầu tư")
    b.p(
        "Theo các tiêu chí đánh giá và đơn giá tham khảo, nhu cầu thay thế, nâng cấp, bổ sung ước tính {{ "
        "needs.total_cost }} triệu đồng (các cơ quan, đơn vị đề xuất {{ proposals.total_budget }} triệu "
        "đồng):"
    )
    needs_table(b)
    b.p(
        "Trên đây là báo cáo kết quả rà soát, đánh giá thực trạng hạ tầng, nền tảng, phần mềm, trang thiết "
        "bị đầu cuối của các cơ quan, đơn vị trên địa bàn {{ commune.name }}./."
    )
    b.closing()
    b.tag("{%p if added.sheets %}")
    b.page_break()
    b.centred("PHỤ LỤC", bold=True, style="Normal")
    b.p("", style="Normal")
    b.tag("{%p endif %}")
    added_statistics_annex(b, "Các cột, biểu bổ sung của Phụ lục phiên bản {{ added.version }}")
    return b


def findings_summary_table(b: Builder, rows: str = "findings.summary") -> None:
    b.table(
        [
            N,
            Col("Nội dung", "{{ r.message }}", 78),
            Col("Mức độ", "{{ r.severity }}", 24, "c"),
            Col("Số đơn vị", "{{ r.units }}", 20, "r"),
            Col("Số lượng", "{{ r.quantity }}", 22, "r"),
        ],
        rows,
        empty="Không phát hiện tồn tại, hạn chế theo các tiêu chí đánh giá.",
    )


STATE_COLUMNS = [
    Col(
        "Đã gửi / được giao",
        "{{ r.received }}/{{ r.assigned }}",
        18,
        "c",
        "{{ t.received }}/{{ t.assigned }}",
    ),
    Col("Máy tính", "{{ r.computers }}", 15, "r", "{{ t.computers }}"),
    Col("Máy tính HĐH hết hỗ trợ", "{{ r.unsupported }}", 19, "r", "{{ t.unsupported }}"),
    Col("Thiết bị đầu cuối hỏng", "{{ r.broken }}", 18, "r", "{{ t.broken }}"),
    Col("Thiết bị hạ tầng", "{{ r.infra }}", 16, "r", "{{ t.infra }}"),
    Col("Phần mềm đang dùng", "{{ r.software }}", 17, "r", "{{ t.software }}"),
    Col("Điểm TB", "{{ r.score }}", 16, "c", "{{ t.score }}"),
]


def state_table(b: Builder, rows: str, total: str, first: str) -> None:
    columns = [N, Col(first, "{{ r.label }}", 35, total="Tổng cộng"), *STATE_COLUMNS]
    columns = [
        Col(c.header, c.cell, c.width_mm, c.align, c.total.replace("t.", f"{total}.")) for c in columns
    ]
    b.table(columns, rows, totals=True)


def proposals_by_area_table(b: Builder) -> None:
    b.table(
        [
            N,
            Col("Lĩnh vực", "{{ r.area }}", 50, total="Tổng cộng"),
            Col("Hình thức", "{{ r.kind }}", 30),
            Col("Số đề xuất", "{{ r.count }}", 22, "r", "{{ proposals.total_count }}"),
            Col("Số lượng", "{{ r.quantity }}", 22, "r", "{{ proposals.total_quantity }}"),
            Col("Kinh phí (triệu đồng)", "{{ r.budget }}", 28, "r", "{{ proposals.total_budget }}"),
        ],
        "proposals.rows",
        empty="Các cơ quan, đơn vị chưa có đề xuất.",
        totals=True,
    )


def indicators_section(b: Builder) -> None:
    """The target indicators (campaigns on appendix 2026.2 only): each ratio and its gap to the target."""
    b.tag("{%p if indicators %}")
    b.h2("3. Mức độ đạt các chỉ tiêu")
    b.p(
        "Các chỉ tiêu tính trên số liệu của các cơ quan, đơn vị đã gửi báo cáo; cơ quan, đơn vị không có số "
        "liệu để tính một chỉ tiêu (mẫu số bằng 0 hoặc để trống) không được tính vào chỉ tiêu đó."
    )
    b.table(
        [
            N,
            Col("Chỉ tiêu", "{{ r.code }} – {{ r.title }}", 58),
            Col("Đạt / tổng số", "{{ r.numerator }}/{{ r.denominator }}", 24, "c"),
            Col("Tỷ lệ (%)", "{{ r.ratio }}", 17, "c"),
            Col("Mục tiêu (%)", "{{ r.target }}", 17, "c"),
            Col("Còn thiếu (điểm %)", "{{ r.gap }}", 19, "c"),
            Col("Đơn vị không tính", "{{ r.left_out }}", 19, "r"),
        ],
        "indicators",
    )
    b.tag("{%p endif %}")


def province_template() -> Builder:
    b = Builder("{{ doc_title }}")
    b.opening()
    b.p(
        "Thực hiện {{ basis }}, {{ department }} tổ chức rà soát, đánh giá thực trạng hạ tầng, nền tảng, "
        "phần mềm, trang thiết bị đầu cuối của các cơ quan trong hệ thống chính trị {{ province }} (số liệu "
        "tính đến ngày {{ campaign.reference_date }}). {{ department }} báo cáo kết quả như sau:"
    )
    b.h1("I. TIẾN ĐỘ THỰC HIỆN")
    b.p(
        "Tổng số cơ quan, đơn vị được giao rà soát: {{ progress.assigned }}; đã gửi báo cáo: {{ "
        "progress.received }} ({{ progress.percent }}%), trong đó {{ progress.accepted }} đã được duyệt; "
        "gửi đúng hạn {{ progress.on_time }}, quá hạn {{ progress.late }}; chưa gửi: {{ progress.pending "
        "}}. Hạn gửi báo cáo: {{ campaign.deadline }}."
    )
    b.table(
        [
            N,
            Col("Tình trạng", "{{ r.label }}", 80, total="Tổng cộng"),
            Col("Số cơ quan, đơn vị", "{{ r.count }}", 40, "r", "{{ progress.assigned }}"),
        ],
        "progress.by_status",
        totals=True,
    )
    b.h1("II. THỰC TRẠNG")
    b.p(
        "Số liệu dưới đây tổng hợp từ {{ progress.received }} cơ quan, đơn vị đã gửi báo cáo. Toàn tỉnh có "
        "{{ computers.total }} máy tính, trong đó {{ computers.unsupported }} máy dùng hệ điều hành không "
        "còn được hỗ trợ, {{ computers.old }} máy đã sử dụng từ {{ computers.max_age }} năm trở lên, {{ "
        "computers.no_antivirus }} máy không có phần mềm phòng chống mã độc; tổng băng thông Internet {{ "
        "internet }} Mbps; {{ without_tslcd }} cơ quan, đơn vị thuộc diện phải kết nối nhưng chưa kết nối "
        "mạng truyền số liệu chuyên dùng."
    )
    b.h2("1. Theo khối và cấp")
    state_table(b, "by_group.rows", "by_group.total", "Cấp, khối")
    b.h2("2. Theo xã, phường")
    state_table(b, "by_commune.rows", "by_commune.total", "Xã, phường")
    b.h1("III. ĐÁNH GIÁ CHUNG")
    b.h2("1. Kết quả đánh giá theo tiêu chí (thang điểm 100)")
    b.table(
        [
            N,
            Col("Cấp, khối", "{{ r.label }}", 46),
            Col("Kết nối", "{{ r.connectivity }}", 21, "c"),
            Col("Thiết bị hạ tầng", "{{ r.infrastructure }}", 21, "c"),
            Col("Nền tảng, phần mềm", "{{ r.software }}", 22, "c"),
            Col("Thiết bị đầu cuối", "{{ r.devices }}", 22, "c"),
            Col("Tổng hợp", "{{ r.overall }}", 21, "c"),
        ],
        "scores",
        empty="Chưa có kết quả đánh giá.",
    )
    b.h2("2. Những tồn tại, hạn chế chủ yếu")
    b.tag("{%p for f in findings.top %}")
    b.p("- {{ f.message }}: {{ f.units }} cơ quan, đơn vị ({{ f.quantity }} trường hợp).")
    b.tag("{%p endfor %}")
    findings_summary_table(b)
    indicators_section(b)
    b.h1("IV. NHU CẦU ĐẦU TƯ")
    b.h2("1. Ước tính theo các tiêu chí đánh giá")
    b.p(
        "Theo các tiêu chí đánh giá và đơn giá tham khảo, nhu cầu thay thế, nâng cấp, bổ sung của các cơ "
        "quan, đơn vị đã gửi báo cáo ước tính {{ needs.total_cost }} triệu đồng:"
    )
    needs_table(b)
    b.h2("2. Đề xuất của các cơ quan, đơn vị")
    b.p(
        "Các cơ quan, đơn vị đề xuất {{ proposals.total_count }} nội dung, kinh phí dự kiến {{ "
        "proposals.total_budget }} triệu đồng:"
    )
    proposals_by_area_table(b)
    b.h1("V. ĐỀ XUẤT, KIẾN NGHỊ")
    for text in (
        "Đề nghị Ban Chỉ đạo tỉnh chỉ đạo các cơ quan, đơn vị chưa gửi báo cáo khẩn trương hoàn thành; chỉ "
        "đạo thay thế, nâng cấp máy tính dùng hệ điều hành không còn được hỗ trợ, trang bị phần mềm phòng "
        "chống mã độc và hoàn thành kết nối mạng truyền số liệu chuyên dùng.",
        "Đề nghị bố trí kinh phí thực hiện theo nhu cầu ước tính tại mục IV, ưu tiên bộ phận tiếp nhận và "
        "trả kết quả (một cửa) và các xã, phường có nhiều tồn tại.",
    ):
        b.p(text)
    b.p("{{ department }} kính báo cáo Ban Chỉ đạo tỉnh xem xét, chỉ đạo./.")
    b.closing()

    b.page_break()
    b.centred("PHỤ LỤC", bold=True, style="Normal")
    b.centred("SỐ LIỆU TỔNG HỢP THEO BIỂU", bold=True, style="Normal")
    b.centred(
        "(Kèm theo Báo cáo số      /BC-{{ symbol }} ngày      của {{ department }})",
        italic=True,
        style="Normal",
    )
    b.p("", style="Normal")
    b.h2("Phụ lục 1. {{ annex.B02 }} (Biểu B02)")
    b.table(
        [
            N,
            Col("Loại kết nối", "{{ r.link_type }}", 58, total="Tổng cộng"),
            Col("Số cơ quan, đơn vị", "{{ r.units }}", 24, "r", "{{ links.total.units }}"),
            Col("Số đường truyền", "{{ r.lines }}", 24, "r", "{{ links.total.lines }}"),
            Col("Băng thông (Mbps)", "{{ r.mbps }}", 24, "r", "{{ links.total.mbps }}"),
            Col("Chưa đáp ứng", "{{ r.inadequate }}", 24, "r", "{{ links.total.inadequate }}"),
        ],
        "links.rows",
        totals=True,
    )
    b.h2("Phụ lục 2. {{ annex.B03 }} (Biểu B03)")
    devices_table(b, "infra.rows", "infra.total")
    b.h2("Phụ lục 3. {{ annex.B04 }} (Biểu B04)")
    b.table(
        [
            N,
            Col("Nhóm chức năng", "{{ r.category }}", 52, total="Tổng cộng"),
            Col("Số hệ thống", "{{ r.count }}", 18, "r", "{{ software.total.count }}"),
            Col("Thường xuyên, hiệu quả", "{{ r.effective }}", 20, "r", "{{ software.total.effective }}"),
            Col("Chưa hiệu quả", "{{ r.partial }}", 18, "r", "{{ software.total.partial }}"),
            Col("Không sử dụng", "{{ r.unused }}", 18, "r", "{{ software.total.unused }}"),
            Col("Kinh phí duy trì (triệu đồng/năm)", "{{ r.cost }}", 28, "r", "{{ software.total.cost }}"),
        ],
        "software.rows",
        totals=True,
    )
    b.h2("Phụ lục 4. {{ annex.B05 }} (Biểu B05)")
    devices_table(b, "devices.rows", "devices.total")
    b.h2("Phụ lục 5. {{ annex.B06 }} (Biểu B06)")
    proposals_by_area_table(b)
    added_statistics_annex(b, "Phụ lục 6. Các cột, biểu bổ sung của Phụ lục phiên bản {{ added.version }}")
    return b


def reminder_template() -> Builder:
    b = Builder("{{ doc_title }}")
    b.opening(dispatch=True)
    b.p(
        "Thực hiện {{ basis }}, {{ department }} đã đề nghị các cơ quan, đơn vị rà soát, đánh giá thực "
        "trạng hạ tầng, nền tảng, phần mềm, trang thiết bị đầu cuối và gửi báo cáo kèm phụ lục trước ngày "
        "{{ campaign.deadline }}."
    )
    b.p(
        "Đến ngày {{ today }}, còn {{ pending|length }}/{{ assigned }} cơ quan, đơn vị chưa gửi báo cáo "
        "(danh sách kèm theo). {% if overdue %}Thời hạn gửi báo cáo đã quá {{ days_past }} ngày.{% else "
        "%}Thời hạn gửi báo cáo còn {{ days_left }} ngày.{% endif %}"
    )
    b.p(
        "Để kịp thời tổng hợp, báo cáo Ban Chỉ đạo tỉnh, {{ department }} đề nghị các cơ quan, đơn vị khẩn "
        "trương hoàn thành việc kê khai, rà soát số liệu và gửi báo cáo trên Hệ thống rà soát {% if overdue "
        "%}chậm nhất sau 03 ngày làm việc kể từ ngày nhận được văn bản này{% else %}trước ngày {{ "
        "campaign.deadline }}{% endif %}."
    )
    b.p("Thông tin chi tiết xin liên hệ: {{ contact }}.")
    b.p("{{ department }} đề nghị các cơ quan, đơn vị quan tâm, phối hợp thực hiện./.")
    b.closing()
    b.page_break()
    b.centred("DANH SÁCH CƠ QUAN, ĐƠN VỊ CHƯA GỬI BÁO CÁO", bold=True, style="Normal")
    b.centred(
        "(Kèm theo Công văn số      /{{ symbol }} ngày      của {{ department }})",
        italic=True,
        style="Normal",
    )
    b.p("", style="Normal")
    b.table(
        [
            N,
            Col("Cơ quan, đơn vị", "{{ r.name }}", 44),
            Col("Mã", "{{ r.code }}", 34, size_pt=10, nowrap=True),
            Col("Xã, phường", "{{ r.commune }}", 22),
            Col("Tình trạng", "{{ r.status }}", 18),
            Col("Người đầu mối, điện thoại", "{{ r.contact }}", 36),
        ],
        "pending",
        empty="Tất cả các cơ quan, đơn vị đã gửi báo cáo.",
    )
    return b


def request_template() -> Builder:
    b = Builder("{{ doc_title }}")
    b.opening(dispatch=True)
    b.tag("{%p if campaign.legal_basis %}")
    b.p("Căn cứ {{ campaign.legal_basis }};")
    b.tag("{%p endif %}")
    b.p(
        "Để có cơ sở đánh giá tổng thể thực trạng hạ tầng, nền tảng, phần mềm, trang thiết bị đầu cuối phục "
        "vụ hoạt động của các cơ quan trong hệ thống chính trị {{ province }}, tham mưu Ban Chỉ đạo tỉnh về "
        "phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số, {{ department }} đề nghị các cơ "
        "quan, đơn vị thực hiện các nội dung sau:"
    )
    b.h2("1. Phạm vi, đối tượng")
    b.p(
        "Các cơ quan, đơn vị thuộc khối Đảng, khối Hội đồng nhân dân, khối Ủy ban nhân dân, khối Mặt trận "
        "Tổ quốc và các tổ chức chính trị - xã hội ở cấp tỉnh và cấp xã, các đơn vị trực thuộc và bộ phận "
        "tiếp nhận và trả kết quả (một cửa): tổng số {{ scope.assigned }} cơ quan, đơn vị ({{ "
        "scope.province }} cấp tỉnh; {{ scope.commune }} cấp xã thuộc {{ scope.communes }} xã, phường)."
    )
    b.p(
        "Ủy ban nhân dân các xã, phường chủ trì, hướng dẫn và tổng hợp số liệu của 04 khối cấp xã (Đảng ủy, "
        "Hội đồng nhân dân, Ủy ban nhân dân, Ủy ban Mặt trận Tổ quốc Việt Nam) và Trung tâm Phục vụ hành "
        "chính công xã, phường."
    )
    b.h2("2. Nội dung rà soát")
    b.p(
        "Rà soát, kê khai đầy đủ, chính xác theo Phụ lục kèm theo (phiên bản {{ campaign.appendix_version "
        "}}; số liệu tính đến ngày {{ campaign.reference_date }}), gồm {{ sheets|length }} biểu:"
    )
    b.tag("{%p for s in sheets %}")
    b.p("- Biểu {{ s.code }}: {{ s.title }}{% if loop.last %}.{% else %};{% endif %}")
    b.tag("{%p endfor %}")
    b.p(
        "Trên cơ sở số liệu rà soát, cơ quan, đơn vị tự đánh giá thực trạng, nêu khó khăn, vướng mắc và đề "
        "xuất, kiến nghị (Biểu B01, B06)."
    )
    b.h2("3. Hình thức và thời hạn")
    b.p(
        "Cơ quan, đơn vị nhập số liệu trực tiếp trên Hệ thống rà soát hoặc tải mẫu phụ lục (tệp Excel) từ "
        "Hệ thống, điền số liệu và tải lên; gửi báo cáo trên Hệ thống trước ngày {{ campaign.deadline }}."
    )
    b.h2("4. Đầu mối liên hệ")
    b.p("{{ contact }}.")
    b.p("{{ department }} đề nghị các cơ quan, đơn vị quan tâm, phối hợp thực hiện./.")
    b.closing()
    return b


TEMPLATES = {
    "unit": unit_template,
    "commune": commune_template,
    "province": province_template,
    "reminder": reminder_template,
    "request": request_template,
}


def build_all(out: Path = OUT) -> list[Path]:
    """Write every template into `out`; returns the paths written."""
    paths = []
    for kind, build in TEMPLATES.items():
        path = out / f"{kind}.docx"
        build().save(path)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write into (default: %(default)s)")
    args = parser.parse_args()
    for path in build_all(args.out):
        print(path)


if __name__ == "__main__":
    main()

"""Appendix version "2026.1": the six sheets of PHU_LUC.md and their cross-field rules.

Headers and choice labels are the exact Vietnamese text of PHU_LUC.md; tests/appendix compares
them with a copy of the contract. A later version is a new module beside this one, so a campaign
pinned to "2026.1" keeps reading its data the way it was entered.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from .normalize import format_number, match_key
from .spec import ERROR, WARNING, YES, Appendix, Column, Context, Issue, Sheet
from .spec import ColumnType as T

VERSION = "2026.1"

# --- choice lists -------------------------------------------------------------------------------

BLOCKS = ("Khối Đảng", "Khối HĐND", "Khối UBND", "Khối MTTQ và các tổ chức CT-XH")
LEVELS = ("Cấp tỉnh", "Cấp xã")

LINK_TYPES = (
    "Internet cáp quang (FTTH)",
    "Internet kênh thuê riêng (Leased line)",
    "Mạng truyền số liệu chuyên dùng (TSLCD)",
    "Internet di động (3G/4G/5G)",
    "Khác",
)
PROVIDERS = ("VNPT", "Viettel", "FPT", "MobiFone", "CMC", "Khác")
ADEQUACY = ("Đáp ứng", "Chưa đáp ứng")

INFRA_DEVICE_TYPES = (
    "Máy chủ",
    "Thiết bị lưu trữ (NAS/SAN)",
    "Thiết bị chuyển mạch (Switch)",
    "Thiết bị định tuyến (Router)",
    "Tường lửa (Firewall)",
    "Thiết bị phát Wi-Fi",
    "Bộ lưu điện (UPS)",
    "Thiết bị hội nghị truyền hình",
    "Camera giám sát",
    "Khác",
)
CONDITIONS = ("Hoạt động tốt", "Hoạt động nhưng xuống cấp", "Hỏng, không sử dụng được")

SCOPES = (
    "Dùng chung toàn quốc",
    "Dùng chung của tỉnh",
    "Chuyên ngành do Bộ, ngành triển khai",
    "Do đơn vị tự triển khai",
)
CATEGORIES = (
    "Quản lý văn bản và điều hành",
    "Giải quyết thủ tục hành chính, dịch vụ công",
    "Thư điện tử công vụ",
    "Hội nghị truyền hình trực tuyến",
    "Chữ ký số",
    "Kế toán, tài chính, tài sản",
    "Quản lý cán bộ, nhân sự",
    "Cơ sở dữ liệu chuyên ngành",
    "Cổng/Trang thông tin điện tử",
    "Báo cáo, thống kê",
    "An toàn thông tin, phòng chống mã độc",
    "Phần mềm văn phòng",
    "Khác",
)
ACQUISITIONS = ("Thuê dịch vụ", "Đầu tư mua sắm", "Được cấp, chuyển giao", "Miễn phí, mã nguồn mở")
DATA_SHARING = ("Có", "Không", "Không áp dụng")
SECURITY_LEVELS = ("Chưa xác định", "Cấp độ 1", "Cấp độ 2", "Cấp độ 3", "Cấp độ 4", "Cấp độ 5")
USAGES = ("Thường xuyên, hiệu quả", "Có sử dụng nhưng chưa hiệu quả", "Không sử dụng")
NOT_USED = "Không sử dụng"

DESKTOP = "Máy tính để bàn"
LAPTOP = "Máy tính xách tay"
TABLET = "Máy tính bảng"
END_DEVICE_TYPES = (
    DESKTOP,
    LAPTOP,
    TABLET,
    "Máy in",
    "Máy quét (scan)",
    "Máy photocopy",
    "Máy đa chức năng (in, scan, photo)",
    "Máy chiếu",
    "Màn hình tương tác, tivi",
    "Thiết bị ký số (USB Token, SIM PKI)",
    "Kiosk tra cứu, lấy số thứ tự",
    "Thiết bị đánh giá mức độ hài lòng",
    "Webcam, thiết bị họp trực tuyến",
    "Khác",
)
COMPUTERS = frozenset({DESKTOP, LAPTOP})
"""Device types that must describe their configuration (CPU, RAM, disk, OS, licence, antivirus)."""
COMPUTERS_AND_TABLETS = COMPUTERS | {TABLET}
DISK_TYPES = ("SSD", "HDD", "SSD và HDD")
OPERATING_SYSTEMS = (
    "Windows 11",
    "Windows 10",
    "Windows 8/8.1",
    "Windows 7 hoặc cũ hơn",
    "Linux",
    "macOS",
    "Android/iOS",
    "Khác",
)
ANTIVIRUS = ("Có bản quyền", "Miễn phí", "Không có")
CONFIGURATION_KEYS = ("cpu", "ram_gb", "disk_type", "disk_gb", "os", "os_licensed")
"""The CPU/RAM/disk/OS columns: filled for a device that is neither computer nor tablet ⚠."""

NEED_AREAS = (
    "Hạ tầng kết nối",
    "Thiết bị hạ tầng",
    "Nền tảng, phần mềm",
    "Thiết bị đầu cuối",
    "Đào tạo, nhân lực",
    "Khác",
)
NEED_KINDS = ("Thay thế", "Bổ sung mới", "Nâng cấp")

_FOR_COMPUTERS = ("device_type", COMPUTERS)
_COMPUTER_HELP = "Bắt buộc với máy tính để bàn và máy tính xách tay."


def _stt() -> Column:
    return Column("row_no", "STT", T.INT, row_number=True)


# --- rules ----------------------------------------------------------------------------------------


def _error(column: str, message: str, value: Any) -> Issue:
    return Issue(ERROR, column, message, value)


def _warning(column: str, message: str, value: Any) -> Issue:
    return Issue(WARNING, column, message, value)


def b01_matches_registry(values: dict[str, Any], context: Context) -> Iterator[Issue]:
    """The prefilled lines must describe the unit being validated: its code (error), name, block
    and level (warnings: the registry is what reports use, and a renamed unit is not an error)."""
    unit = context.unit
    if unit is None:
        return
    code = values.get("unit_code")
    if code is not None and code.casefold() != unit.code.casefold():
        yield _error(
            "unit_code",
            f'Mã đơn vị "{code}" không khớp với đơn vị đang rà soát. Cần đúng mã "{unit.code}".',
            code,
        )
    for key, registry_value, what in (
        ("unit_name", unit.name, "Tên cơ quan, đơn vị"),
        ("block", unit.block, "Khối"),
        ("level", unit.level, "Cấp"),
    ):
        value = values.get(key)
        if value is not None and registry_value and match_key(value) != match_key(registry_value):
            yield _warning(
                key,
                f'{what} "{value}" khác với danh mục đơn vị ("{registry_value}"). Hệ thống dùng giá trị '
                "trong danh mục đơn vị; nếu danh mục sai, hãy báo cho cán bộ tổng hợp.",
                value,
            )


def b01_it_staff_within_total(values: dict[str, Any], context: Context) -> Iterator[Issue]:
    """IT staff (full-time and part-time, each) cannot exceed the unit's total staff."""
    total = values.get("staff_total")
    if total is None:
        return
    for key, what in (("it_staff_fulltime", "chuyên trách"), ("it_staff_parttime", "kiêm nhiệm")):
        value = values.get(key)
        if value is not None and value > total:
            yield _error(
                key,
                f"Số người làm CNTT {what} ({value}) lớn hơn tổng số cán bộ, công chức, viên chức, "
                f"người lao động ({total}). Cần nhập số không quá {total}.",
                value,
            )


def b01_lan_points(values: dict[str, Any], context: Context) -> Iterator[Issue]:
    """A LAN with no connection point is probably a missing count."""
    if values.get("has_lan") == YES and values.get("lan_points") == 0:
        yield _warning(
            "lan_points",
            "Đơn vị có mạng nội bộ (LAN) nhưng số điểm kết nối mạng LAN là 0. Hãy kiểm tra lại số điểm "
            'kết nối, hoặc chọn "Không" ở dòng "Có mạng nội bộ (LAN)".',
            0,
        )


def b04_cost_of_unused(values: dict[str, Any], context: Context) -> Iterator[Issue]:
    """Paying every year for software nobody uses is worth a second look."""
    cost = values.get("annual_cost_mvnd")
    if cost is not None and cost > 0 and values.get("usage") == NOT_USED:
        yield _warning(
            "annual_cost_mvnd",
            f"Phần mềm không sử dụng nhưng có kinh phí duy trì hằng năm {format_number(cost)} triệu đồng. "
            "Hãy kiểm tra lại mức độ sử dụng hoặc kinh phí.",
            cost,
        )


def b05_configuration_of_non_computer(values: dict[str, Any], context: Context) -> Iterator[Issue]:
    """CPU/RAM/disk/OS filled for a printer or a projector is probably a row shifted by one column."""
    device = values.get("device_type")
    if device is None or device in COMPUTERS_AND_TABLETS:
        return
    filled = [key for key in CONFIGURATION_KEYS if values.get(key) is not None]
    if filled:
        headers = ", ".join(f'"{END_DEVICES.column(key).header}"' for key in filled)
        yield _warning(
            "device_type",
            f'Thiết bị loại "{device}" không phải máy tính hay máy tính bảng nhưng có thông tin cấu hình '
            f"({headers}). Có thể dòng bị lệch cột; hãy kiểm tra lại.",
            device,
        )


# --- sheets ---------------------------------------------------------------------------------------

GENERAL = Sheet(
    code="B01",
    title="Thông tin chung",
    repeating=False,
    columns=(
        Column("unit_name", "Tên cơ quan, đơn vị", T.TEXT, required=True, prefilled=True, number=1),
        Column("unit_code", "Mã đơn vị", T.TEXT, required=True, prefilled=True, read_only=True, number=2),
        Column("block", "Khối", T.CHOICE, required=True, choices=BLOCKS, prefilled=True, number=3),
        Column("level", "Cấp", T.CHOICE, required=True, choices=LEVELS, prefilled=True, number=4),
        Column("address", "Địa chỉ trụ sở", T.TEXT, number=5),
        Column("contact_name", "Họ và tên người đầu mối", T.TEXT, required=True, number=6),
        Column("contact_title", "Chức vụ", T.TEXT, number=7),
        Column("contact_phone", "Số điện thoại", T.PHONE, required=True, number=8),
        Column("contact_email", "Thư điện tử", T.EMAIL, number=9),
        Column(
            "staff_total",
            "Tổng số cán bộ, công chức, viên chức, người lao động",
            T.INT,
            required=True,
            min=0,
            max=100000,
            number=10,
        ),
        Column("it_staff_fulltime", "Số người làm CNTT chuyên trách", T.INT, min=0, number=11),
        Column("it_staff_parttime", "Số người làm CNTT kiêm nhiệm", T.INT, min=0, number=12),
        Column("has_one_stop", "Có bộ phận tiếp nhận và trả kết quả (một cửa)", T.YESNO, number=13),
        Column("has_lan", "Có mạng nội bộ (LAN)", T.YESNO, required=True, number=14),
        Column("lan_points", "Số điểm kết nối mạng LAN", T.INT, min=0, number=15),
        Column("has_wifi", "Có mạng không dây (Wi-Fi)", T.YESNO, number=16),
        Column("has_server_room", "Có phòng hoặc tủ máy chủ riêng", T.YESNO, number=17),
        Column("overall_assessment", "Đánh giá chung về thực trạng", T.LONGTEXT, number=18),
        Column("difficulties", "Khó khăn, vướng mắc", T.LONGTEXT, number=19),
        Column("proposals", "Đề xuất, kiến nghị", T.LONGTEXT, number=20),
    ),
    rules=(b01_matches_registry, b01_it_staff_within_total, b01_lan_points),
)

NETWORK_LINKS = Sheet(
    code="B02",
    title="Kết nối mạng",
    repeating=True,
    columns=(
        _stt(),
        Column("link_type", "Loại kết nối", T.CHOICE, required=True, choices=LINK_TYPES),
        Column("provider", "Nhà cung cấp", T.CHOICE, choices=PROVIDERS),
        Column(
            "bandwidth_mbps",
            "Băng thông (Mbps)",
            T.DEC,
            required=True,
            min=Decimal(0),
            min_exclusive=True,
            max=Decimal(100000),
            warn_above=Decimal(10000),
        ),
        Column("quantity", "Số đường truyền", T.INT, required=True, min=1, max=100),
        Column("year_started", "Năm bắt đầu sử dụng", T.YEAR),
        Column("purpose", "Mục đích sử dụng", T.TEXT),
        Column("adequacy", "Mức độ đáp ứng", T.CHOICE, required=True, choices=ADEQUACY),
        Column(
            "shared",
            "Dùng chung với cơ quan, đơn vị khác",
            T.YESNO,
            help='Chọn "Có" khi nhiều cơ quan, đơn vị (ví dụ các khối của một xã) dùng chung đường truyền '
            "này; số liệu tổng hợp tách riêng đường truyền dùng chung để không bị tính trùng.",
        ),
        Column("note", "Ghi chú", T.TEXT),
    ),
)

INFRA_DEVICES = Sheet(
    code="B03",
    title="Thiết bị hạ tầng",
    repeating=True,
    columns=(
        _stt(),
        Column("device_type", "Loại thiết bị", T.CHOICE, required=True, choices=INFRA_DEVICE_TYPES),
        Column("model", "Tên, model", T.TEXT),
        Column("manufacturer", "Hãng sản xuất", T.TEXT),
        Column("quantity", "Số lượng", T.INT, required=True, min=1, max=10000),
        Column("year_in_use", "Năm đưa vào sử dụng", T.YEAR, required=True),
        Column("condition", "Tình trạng", T.CHOICE, required=True, choices=CONDITIONS),
        Column("location", "Vị trí lắp đặt", T.TEXT),
        Column("note", "Ghi chú", T.TEXT),
    ),
)

PLATFORMS = Sheet(
    code="B04",
    title="Nền tảng, phần mềm",
    repeating=True,
    columns=(
        _stt(),
        Column("name", "Tên nền tảng, hệ thống, phần mềm", T.TEXT, required=True),
        Column("scope", "Phạm vi triển khai", T.CHOICE, required=True, choices=SCOPES),
        Column("category", "Nhóm chức năng", T.CHOICE, required=True, choices=CATEGORIES),
        Column("vendor", "Đơn vị cung cấp", T.TEXT),
        Column("acquisition", "Hình thức", T.CHOICE, choices=ACQUISITIONS),
        Column("year_in_use", "Năm đưa vào sử dụng", T.YEAR),
        Column("user_accounts", "Số tài khoản người dùng", T.INT, min=0),
        Column("data_sharing", "Kết nối, chia sẻ dữ liệu (LGSP/NDXP)", T.CHOICE, choices=DATA_SHARING),
        Column("security_level", "Cấp độ an toàn hệ thống thông tin", T.CHOICE, choices=SECURITY_LEVELS),
        Column("usage", "Mức độ sử dụng", T.CHOICE, required=True, choices=USAGES),
        Column("annual_cost_mvnd", "Kinh phí duy trì hằng năm (triệu đồng)", T.DEC, min=Decimal(0)),
        Column("issues", "Khó khăn, vướng mắc", T.TEXT),
    ),
    rules=(b04_cost_of_unused,),
)

END_DEVICES = Sheet(
    code="B05",
    title="Thiết bị đầu cuối",
    repeating=True,
    help="Các thiết bị giống nhau có thể ghi chung một dòng với số lượng.",
    columns=(
        _stt(),
        Column("device_type", "Loại thiết bị", T.CHOICE, required=True, choices=END_DEVICE_TYPES),
        Column("model", "Hãng, model", T.TEXT),
        Column("quantity", "Số lượng", T.INT, required=True, min=1, max=10000),
        Column("year_acquired", "Năm trang bị", T.YEAR, required=True),
        Column("cpu", "Bộ vi xử lý (CPU)", T.TEXT, required_if=_FOR_COMPUTERS, help=_COMPUTER_HELP),
        Column(
            "ram_gb",
            "RAM (GB)",
            T.DEC,
            min=Decimal("0.5"),
            max=Decimal(1024),
            required_if=_FOR_COMPUTERS,
            help=_COMPUTER_HELP,
        ),
        Column(
            "disk_type",
            "Loại ổ cứng",
            T.CHOICE,
            choices=DISK_TYPES,
            required_if=_FOR_COMPUTERS,
            help=_COMPUTER_HELP,
        ),
        Column("disk_gb", "Dung lượng ổ cứng (GB)", T.INT, min=8, max=100000),
        Column(
            "os",
            "Hệ điều hành",
            T.CHOICE,
            choices=OPERATING_SYSTEMS,
            required_if=_FOR_COMPUTERS,
            help=_COMPUTER_HELP,
        ),
        Column(
            "os_licensed",
            "Hệ điều hành có bản quyền",
            T.YESNO,
            required_if=_FOR_COMPUTERS,
            help=_COMPUTER_HELP,
        ),
        Column(
            "antivirus",
            "Phần mềm phòng chống mã độc",
            T.CHOICE,
            choices=ANTIVIRUS,
            required_if=_FOR_COMPUTERS,
            help=_COMPUTER_HELP,
        ),
        Column("at_one_stop", "Sử dụng tại bộ phận một cửa", T.YESNO),
        Column("condition", "Tình trạng", T.CHOICE, required=True, choices=CONDITIONS),
        Column("note", "Ghi chú", T.TEXT),
    ),
    rules=(b05_configuration_of_non_computer,),
)

NEEDS = Sheet(
    code="B06",
    title="Đề xuất nhu cầu",
    repeating=True,
    columns=(
        _stt(),
        Column("item", "Nội dung đề xuất", T.TEXT, required=True),
        Column("area", "Lĩnh vực", T.CHOICE, required=True, choices=NEED_AREAS),
        Column("kind", "Hình thức", T.CHOICE, required=True, choices=NEED_KINDS),
        Column("quantity", "Số lượng", T.INT, min=1),
        Column("budget_mvnd", "Dự kiến kinh phí (triệu đồng)", T.DEC, min=Decimal(0)),
        Column("target_year", "Năm dự kiến thực hiện", T.INT, year_offsets=(0, 5)),
        Column("reason", "Lý do, sự cần thiết", T.TEXT),
    ),
)

APPENDIX = Appendix(
    version=VERSION,
    sheets=(GENERAL, NETWORK_LINKS, INFRA_DEVICES, PLATFORMS, END_DEVICES, NEEDS),
)

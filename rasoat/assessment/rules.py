"""The assessment rules of ASSESSMENT.md as plain functions.

Each rule reads one unit's data in the `rasoat dump` shape (choices as their Vietnamese labels,
numbers as numbers, empty as None), the unit's registry facts, the campaign's thresholds and its
reference date, and yields `Found` items. No database: the same functions serve one unit after a web
save and a whole campaign read sheet by sheet. `RULES` lists them in the order of ASSESSMENT.md.

Conventions:
- Age = reference year − the year in the row (`Năm trang bị`, `Năm đưa vào sử dụng`).
- A row-level finding carries the row's quantity (1 for B04, which has none) and its 1-based position
  in the sheet; a unit-level finding has no row and the quantity of what is missing (1 when the
  finding is about the unit as a whole), and names the sheet where the missing thing would be
  entered (N-TSLCD, N-BW: B02; S-NO-DOC: B04; P-ONESTOP: B05; N-LAN, P-RATIO, Q-STAFF: B01).
- An empty cell never triggers a finding, except where the rule is about something missing
  (S-SEC: a self-deployed system with no security level is "not determined"; Q-STAFF: no IT staff
  written down is no IT staff).
- `area` names the score a finding lowers (see scores.py); "" for findings outside the four scores:
  D-AGE-OTHER, D-BROKEN and D-WORN on end devices other than computers, P-ONESTOP and Q-STAFF.

Who must join the special-purpose network (N-TSLCD): ASSESSMENT.md says "all provincial agencies;
commune Party committee, People's Committee and one-stop point". In the registry that is a unit of
level "tinh" and kind "agency"; a unit of level "xa" and kind "agency" in block "dang" or "ubnd";
and every unit of kind "one_stop" (provincial or commune). Subordinate units, commune People's
Councils and Fatherland Fronts are not required to.

Who has a one-stop desk (P-ONESTOP): a unit of kind "one_stop" (all its B05 devices count) or a unit
whose B01 says `Có bộ phận tiếp nhận và trả kết quả (một cửa)` = Có (only devices with
`Sử dụng tại bộ phận một cửa` = Có count). A multi-function device counts as a scanner and as a
printer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any, NamedTuple

from rasoat.appendix.normalize import format_number
from rasoat.appendix.spec import NO, YES
from rasoat.appendix.v2026_1 import COMPUTERS, CONDITIONS, LINK_TYPES, NOT_USED

# --- labels of the appendix the rules read (PHU_LUC.md, through the declaration) --------------------

GOOD, WORN, BROKEN = CONDITIONS
TSLCD = LINK_TYPES[2]
NOT_ADEQUATE = "Chưa đáp ứng"
SELF_DEPLOYED = "Do đơn vị tự triển khai"
UNDETERMINED = "Chưa xác định"
NO_ANTIVIRUS = "Không có"
HDD = "HDD"
DOCUMENT_MANAGEMENT = "Quản lý văn bản và điều hành"
PROCEDURES = "Giải quyết thủ tục hành chính, dịch vụ công"
OFFICIAL_EMAIL = "Thư điện tử công vụ"
EFFECTIVE = "Thường xuyên, hiệu quả"
PRINTER = "Máy in"
SCANNER = "Máy quét (scan)"
COPIER = "Máy photocopy"
MULTIFUNCTION = "Máy đa chức năng (in, scan, photo)"
PROJECTOR = "Máy chiếu"
KIOSK = "Kiosk tra cứu, lấy số thứ tự"
QUEUE_MACHINE = "Máy lấy số tự động"
QUEUE_KIOSKS = frozenset({KIOSK, QUEUE_MACHINE})
"""What meets P-ONESTOP's queue-kiosk item: 2026.2 adds `Máy lấy số tự động` to B05's device types
(ASSESSMENT.md). 2026.1 has no such label, so counting it changes nothing for 2026.1 campaigns."""
RATING_DEVICE = "Thiết bị đánh giá mức độ hài lòng"
OTHER_AGED_TYPES = frozenset({PRINTER, SCANNER, COPIER, MULTIFUNCTION, PROJECTOR})
"""D-AGE-OTHER: printers, scanners, copiers, multi-function devices and projectors."""

# --- severities and the scores a finding lowers ----------------------------------------------------

LOW, MEDIUM, HIGH = "low", "medium", "high"
CONNECTIVITY, DEVICES, INFRASTRUCTURE, SOFTWARE, NO_AREA = (
    "connectivity",
    "devices",
    "infrastructure",
    "software",
    "",
)
AREAS = (CONNECTIVITY, DEVICES, INFRASTRUCTURE, SOFTWARE)

# --- defaults (the model's defaults come from here, so there is one place to read them) ------------

DEFAULT_WINDOWS_END: dict[str, date] = {
    "Windows 7 hoặc cũ hơn": date(2020, 1, 14),
    "Windows 8/8.1": date(2023, 1, 10),
    "Windows 10": date(2025, 10, 14),
}
"""End of vendor support; a computer whose OS support ended on or before the reference date is out of
support. An OS label without an entry (Windows 11, Linux, ...) counts as supported."""

DEFAULT_PRICES: dict[str, Decimal] = {
    "desktop": Decimal(18),
    "laptop": Decimal(22),
    "printer": Decimal(6),
    "scanner": Decimal(15),
    "multifunction": Decimal(25),
    "kiosk": Decimal(60),
    "rating_device": Decimal(8),
    "ram_upgrade": Decimal("1.5"),
    "os_licence": Decimal(4),
}
"""Unit prices in million VND (ASSESSMENT.md, "Investment needs")."""

DEFAULT_WEIGHTS: dict[str, Decimal] = dict.fromkeys(AREAS, Decimal(1))


@dataclass(frozen=True)
class Config:
    """The thresholds, Windows table, prices and weights of one campaign (defaults of ASSESSMENT.md)."""

    computer_max_age: int = 5
    other_max_age: int = 8
    min_ram_gb: Decimal = Decimal(8)
    min_bandwidth_province_mbps: Decimal = Decimal(100)
    min_bandwidth_commune_mbps: Decimal = Decimal(50)
    staff_ratio: Decimal = Decimal("0.8")
    one_stop_computers: int = 2
    one_stop_scanners: int = 1
    one_stop_printers: int = 1
    one_stop_kiosks: int = 1
    one_stop_rating_devices: int = 1
    windows_end: Mapping[str, date] = field(default_factory=lambda: dict(DEFAULT_WINDOWS_END))
    prices: Mapping[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_PRICES))
    weights: Mapping[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))


@dataclass(frozen=True)
class UnitFacts:
    """What the registry says about the unit (codes of orgs.Level, Block and Kind)."""

    code: str
    level: str = ""
    block: str = ""
    kind: str = ""


@dataclass(frozen=True)
class Subject:
    """One unit to assess: its data (dump shape), registry facts, configuration and reference date."""

    data: Mapping[str, Any]
    unit: UnitFacts
    config: Config = field(default_factory=Config)
    reference_date: date = date(2026, 5, 20)

    @property
    def reference_year(self) -> int:
        return self.reference_date.year

    @property
    def general(self) -> Mapping[str, Any]:
        return self.data.get("B01") or {}

    def rows(self, sheet: str) -> list[Mapping[str, Any]]:
        return self.data.get(sheet) or []

    @cached_property
    def computer_rows(self) -> list[tuple[int, Mapping[str, Any]]]:
        """(1-based row, row) of the B05 desktops and laptops; eight rules read them, so once."""
        return [
            (i, row) for i, row in enumerate(self.rows("B05"), start=1) if row.get("device_type") in COMPUTERS
        ]


class Found(NamedTuple):
    """A finding before it is stored: rule code, severity, score area, message, where, how many.

    A named tuple rather than a dataclass: a national campaign makes about two million of them.
    """

    rule: str
    severity: str
    area: str
    message: str
    sheet: str = ""
    row: int | None = None
    quantity: int = 1


# --- small helpers --------------------------------------------------------------------------------


def dec(value: Any) -> Decimal:
    """Any stored number (int, float from JSON, Decimal from the database) as a Decimal; None is 0."""
    if value is None:
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def quantity(row: Mapping[str, Any]) -> int:
    """A row's quantity; a draft row without one counts once."""
    return int(row.get("quantity") or 1)


def age(subject: Subject, year: Any) -> int | None:
    return None if year is None else subject.reference_year - int(year)


def is_computer(row: Mapping[str, Any]) -> bool:
    return row.get("device_type") in COMPUTERS


def computers(subject: Subject) -> list[tuple[int, Mapping[str, Any]]]:
    """(1-based row, row) of the B05 rows that are desktops or laptops."""
    return subject.computer_rows


def os_unsupported(subject: Subject, os_label: Any) -> bool:
    """Vendor support of the OS ended on or before the reference date (no entry: supported)."""
    end = subject.config.windows_end.get(os_label) if os_label else None
    return end is not None and end <= subject.reference_date


def must_join_tslcd(unit: UnitFacts) -> bool:
    """Provincial agencies, commune Party committees and People's Committees, one-stop points."""
    if unit.kind == "one_stop":
        return True
    if unit.kind != "agency":
        return False
    return unit.level == "tinh" or (unit.level == "xa" and unit.block in ("dang", "ubnd"))


def has_one_stop_desk(subject: Subject) -> bool:
    return subject.unit.kind == "one_stop" or subject.general.get("has_one_stop") == YES


def one_stop_devices(subject: Subject) -> list[Mapping[str, Any]]:
    """The B05 rows of the one-stop desk: all of a one-stop point's, else those marked as used there."""
    rows = subject.rows("B05")
    if subject.unit.kind == "one_stop":
        return list(rows)
    return [row for row in rows if row.get("at_one_stop") == YES]


def one_stop_counts(rows: Iterable[Mapping[str, Any]], *, working_only: bool) -> dict[str, int]:
    """Computers, scanners, printers, kiosks and rating devices; a multi-function device is both a
    scanner and a printer."""
    counts = dict.fromkeys(("computers", "scanners", "printers", "kiosks", "rating_devices"), 0)
    for row in rows:
        if working_only and row.get("condition") == BROKEN:
            continue
        kind, n = row.get("device_type"), quantity(row)
        if kind in COMPUTERS:
            counts["computers"] += n
        if kind in (SCANNER, MULTIFUNCTION):
            counts["scanners"] += n
        if kind in (PRINTER, MULTIFUNCTION):
            counts["printers"] += n
        if kind in QUEUE_KIOSKS:
            counts["kiosks"] += n
        if kind == RATING_DEVICE:
            counts["rating_devices"] += n
    return counts


ONE_STOP_ITEMS = (
    ("computers", "one_stop_computers", "máy tính"),
    ("scanners", "one_stop_scanners", "máy quét hoặc máy đa chức năng"),
    ("printers", "one_stop_printers", "máy in hoặc máy đa chức năng"),
    ("kiosks", "one_stop_kiosks", "kiosk lấy số thứ tự"),
    ("rating_devices", "one_stop_rating_devices", "thiết bị đánh giá mức độ hài lòng"),
)
"""(count key, Config field of the minimum, Vietnamese name) of the one-stop minimum set."""


def one_stop_gaps(subject: Subject, counts: Mapping[str, int]) -> list[tuple[str, int, str]]:
    """(count key, how many are missing, name) for each item below the minimum."""
    gaps = []
    for key, minimum_field, name in ONE_STOP_ITEMS:
        missing = getattr(subject.config, minimum_field) - counts[key]
        if missing > 0:
            gaps.append((key, missing, name))
    return gaps


def required_computers(subject: Subject) -> int | None:
    """Computers the staff ratio asks for (rounded up), or None when the staff is not known."""
    staff = subject.general.get("staff_total")
    if staff is None:
        return None
    return math.ceil(dec(staff) * subject.config.staff_ratio)


def internet_bandwidth(subject: Subject) -> Decimal:
    """Total Internet bandwidth: the sum of bandwidth × number of lines of every non-TSLCD row."""
    return sum(
        (
            dec(row.get("bandwidth_mbps")) * quantity(row)
            for row in subject.rows("B02")
            if row.get("link_type") != TSLCD
        ),
        Decimal(0),
    )


def bandwidth_threshold(subject: Subject) -> Decimal:
    if subject.unit.level == "xa":
        return subject.config.min_bandwidth_commune_mbps
    return subject.config.min_bandwidth_province_mbps


def software_in_use(subject: Subject, category: str) -> bool:
    """A B04 row of this category whose usage is not `Không sử dụng`."""
    return any(
        row.get("category") == category and row.get("usage") != NOT_USED for row in subject.rows("B04")
    )


def _row_finding(rule: str, severity: str, area: str, message: str, sheet: str, index: int, row) -> Found:
    return Found(rule, severity, area, message, sheet, index, quantity(row))


# --- the rules --------------------------------------------------------------------------------------


def d_age(subject: Subject) -> Iterator[Found]:
    """D-AGE: a computer at or past its service life."""
    limit = subject.config.computer_max_age
    message = f"Hết thời gian sử dụng ({limit} năm)"
    for index, row in computers(subject):
        years = age(subject, row.get("year_acquired"))
        if years is not None and years >= limit:
            yield _row_finding("D-AGE", MEDIUM, DEVICES, message, "B05", index, row)


def d_age_other(subject: Subject) -> Iterator[Found]:
    """D-AGE-OTHER: a printer, scanner, copier, multi-function device or projector that is old."""
    limit = subject.config.other_max_age
    message = "Thiết bị đã cũ"
    for index, row in enumerate(subject.rows("B05"), start=1):
        years = age(subject, row.get("year_acquired"))
        if row.get("device_type") in OTHER_AGED_TYPES and years is not None and years >= limit:
            yield _row_finding("D-AGE-OTHER", LOW, NO_AREA, message, "B05", index, row)


def d_os(subject: Subject) -> Iterator[Found]:
    """D-OS: a computer whose OS is out of vendor support at the reference date."""
    for index, row in computers(subject):
        if os_unsupported(subject, row.get("os")):
            yield _row_finding("D-OS", HIGH, DEVICES, "Hệ điều hành không còn được hỗ trợ", "B05", index, row)


def d_os_lic(subject: Subject) -> Iterator[Found]:
    """D-OS-LIC: a computer whose OS is not licensed."""
    for index, row in computers(subject):
        if row.get("os_licensed") == NO:
            yield _row_finding(
                "D-OS-LIC", MEDIUM, DEVICES, "Hệ điều hành không có bản quyền", "B05", index, row
            )


def d_av(subject: Subject) -> Iterator[Found]:
    """D-AV: a computer without anti-malware software."""
    for index, row in computers(subject):
        if row.get("antivirus") == NO_ANTIVIRUS:
            yield _row_finding(
                "D-AV", HIGH, DEVICES, "Không có phần mềm phòng chống mã độc", "B05", index, row
            )


def d_ram(subject: Subject) -> Iterator[Found]:
    """D-RAM: a computer with less RAM than the threshold."""
    limit = subject.config.min_ram_gb
    message = f"Cấu hình thấp (RAM dưới {format_number(limit)} GB)"
    for index, row in computers(subject):
        ram = row.get("ram_gb")
        if ram is not None and dec(ram) < limit:
            yield _row_finding("D-RAM", MEDIUM, DEVICES, message, "B05", index, row)


def d_hdd(subject: Subject) -> Iterator[Found]:
    """D-HDD: a computer with only a hard disk drive."""
    for index, row in computers(subject):
        if row.get("disk_type") == HDD:
            yield _row_finding("D-HDD", LOW, DEVICES, "Chỉ có ổ cứng HDD", "B05", index, row)


def _condition_findings(subject: Subject, rule: str, severity: str, condition: str, message: str):
    for index, row in enumerate(subject.rows("B03"), start=1):
        if row.get("condition") == condition:
            yield _row_finding(rule, severity, INFRASTRUCTURE, message, "B03", index, row)
    for index, row in enumerate(subject.rows("B05"), start=1):
        if row.get("condition") == condition:
            area = DEVICES if is_computer(row) else NO_AREA
            yield _row_finding(rule, severity, area, message, "B05", index, row)


def d_broken(subject: Subject) -> Iterator[Found]:
    """D-BROKEN: an infrastructure or end-user device that is broken."""
    yield from _condition_findings(subject, "D-BROKEN", HIGH, BROKEN, "Thiết bị hỏng")


def d_worn(subject: Subject) -> Iterator[Found]:
    """D-WORN: an infrastructure or end-user device that works but is worn."""
    yield from _condition_findings(subject, "D-WORN", MEDIUM, WORN, "Thiết bị xuống cấp")


def n_tslcd(subject: Subject) -> Iterator[Found]:
    """N-TSLCD: a unit that must join the special-purpose network has no TSLCD line."""
    if must_join_tslcd(subject.unit) and not any(r.get("link_type") == TSLCD for r in subject.rows("B02")):
        yield Found("N-TSLCD", HIGH, CONNECTIVITY, "Chưa kết nối mạng TSLCD", "B02")


def n_bw(subject: Subject) -> Iterator[Found]:
    """N-BW: total Internet bandwidth below the level's threshold."""
    total, limit = internet_bandwidth(subject), bandwidth_threshold(subject)
    if total < limit:
        yield Found(
            "N-BW",
            MEDIUM,
            CONNECTIVITY,
            f"Băng thông Internet thấp ({format_number(total)} Mbps, dưới {format_number(limit)} Mbps)",
            "B02",
        )


def n_inadeq(subject: Subject) -> Iterator[Found]:
    """N-INADEQ: a line the unit says does not meet its needs."""
    for index, row in enumerate(subject.rows("B02"), start=1):
        if row.get("adequacy") == NOT_ADEQUATE:
            yield _row_finding(
                "N-INADEQ", MEDIUM, CONNECTIVITY, "Đường truyền chưa đáp ứng", "B02", index, row
            )


def n_lan(subject: Subject) -> Iterator[Found]:
    """N-LAN: the unit has no local network."""
    if subject.general.get("has_lan") == NO:
        yield Found("N-LAN", HIGH, CONNECTIVITY, "Chưa có mạng LAN", "B01")


def s_sec(subject: Subject) -> Iterator[Found]:
    """S-SEC: a system the unit deployed itself whose security level is not determined."""
    for index, row in enumerate(subject.rows("B04"), start=1):
        if row.get("scope") == SELF_DEPLOYED and row.get("security_level") in (None, UNDETERMINED):
            yield Found("S-SEC", MEDIUM, SOFTWARE, "Chưa xác định cấp độ an toàn", "B04", index, 1)


def s_idle_cost(subject: Subject) -> Iterator[Found]:
    """S-IDLE-COST: a yearly maintenance cost paid for software that is not used."""
    for index, row in enumerate(subject.rows("B04"), start=1):
        if row.get("usage") == NOT_USED and dec(row.get("annual_cost_mvnd")) > 0:
            yield Found(
                "S-IDLE-COST",
                MEDIUM,
                SOFTWARE,
                "Trả phí duy trì cho phần mềm không sử dụng",
                "B04",
                index,
                1,
            )


def s_no_doc(subject: Subject) -> Iterator[Found]:
    """S-NO-DOC: no document management system in use."""
    if not software_in_use(subject, DOCUMENT_MANAGEMENT):
        yield Found("S-NO-DOC", HIGH, SOFTWARE, "Chưa sử dụng hệ thống quản lý văn bản", "B04")


def p_ratio(subject: Subject) -> Iterator[Found]:
    """P-RATIO: fewer working computers than staff × ratio; the quantity is how many are missing."""
    required = subject.general.get("staff_total")
    if required is None:
        return
    needed = dec(required) * subject.config.staff_ratio
    working = sum(quantity(row) for _i, row in computers(subject) if row.get("condition") != BROKEN)
    if working < needed:
        missing = math.ceil(needed - working)
        yield Found(
            "P-RATIO",
            MEDIUM,
            DEVICES,
            f"Thiếu máy tính so với số cán bộ ({working} máy tính đang hoạt động, cần {math.ceil(needed)})",
            "B01",
            None,
            missing,
        )


def p_onestop(subject: Subject) -> Iterator[Found]:
    """P-ONESTOP: the one-stop desk lacks part of the minimum set of working devices."""
    if not has_one_stop_desk(subject):
        return
    gaps = one_stop_gaps(subject, one_stop_counts(one_stop_devices(subject), working_only=True))
    if gaps:
        detail = ", ".join(f"{missing} {name}" for _key, missing, name in gaps)
        yield Found(
            "P-ONESTOP",
            HIGH,
            NO_AREA,
            f"Bộ phận một cửa thiếu thiết bị tối thiểu: thiếu {detail}",
            "B05",
            None,
            sum(missing for _key, missing, _name in gaps),
        )


def q_staff(subject: Subject) -> Iterator[Found]:
    """Q-STAFF: nobody works on IT, full- or part-time."""
    general = subject.general
    if not (general.get("it_staff_fulltime") or 0) and not (general.get("it_staff_parttime") or 0):
        yield Found("Q-STAFF", LOW, NO_AREA, "Chưa có người làm CNTT", "B01")


Rule = Callable[[Subject], Iterable[Found]]

RULES: list[Rule] = [
    d_age,
    d_age_other,
    d_os,
    d_os_lic,
    d_av,
    d_ram,
    d_hdd,
    d_broken,
    d_worn,
    n_tslcd,
    n_bw,
    n_inadeq,
    n_lan,
    s_sec,
    s_idle_cost,
    s_no_doc,
    p_ratio,
    p_onestop,
    q_staff,
]

RULE_CODES = (
    "D-AGE",
    "D-AGE-OTHER",
    "D-OS",
    "D-OS-LIC",
    "D-AV",
    "D-RAM",
    "D-HDD",
    "D-BROKEN",
    "D-WORN",
    "N-TSLCD",
    "N-BW",
    "N-INADEQ",
    "N-LAN",
    "S-SEC",
    "S-IDLE-COST",
    "S-NO-DOC",
    "P-RATIO",
    "P-ONESTOP",
    "Q-STAFF",
)
"""Every rule code of ASSESSMENT.md, in its order."""


def has_data(data: Mapping[str, Any]) -> bool:
    """Any table row or any B01 value: a unit that has not started has neither."""
    for value in data.values():
        if isinstance(value, list) and value:
            return True
        if isinstance(value, Mapping) and any(v is not None for v in value.values()):
            return True
    return False


def evaluate(subject: Subject) -> list[Found]:
    """Every finding of the unit, rule by rule in the order of ASSESSMENT.md."""
    return [found for rule in RULES for found in rule(subject)]

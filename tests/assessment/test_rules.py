"""Every rule of ASSESSMENT.md: data that triggers it and data that does not (pure functions, no database)."""

from datetime import date
from decimal import Decimal

import pytest

from rasoat.assessment import rules
from rasoat.assessment.rules import Config, UnitFacts
from tests.assessment.helpers import (
    COMMUNE_COUNCIL,
    ONE_STOP_POINT,
    PROVINCIAL_AGENCY,
    computer,
    device,
    link,
    subject,
    system,
)

WORN, BROKEN = "Hoạt động nhưng xuống cấp", "Hỏng, không sử dụng được"
SWITCH = "Thiết bị chuyển mạch (Switch)"
OWN, UNSET, DOC = "Do đơn vị tự triển khai", "Chưa xác định", rules.DOCUMENT_MANAGEMENT


def infra(condition: str, quantity: int = 3) -> list[dict]:
    return [{"device_type": SWITCH, "quantity": quantity, "year_in_use": 2020, "condition": condition}]


def one_stop_set(**changes) -> list[dict]:
    """The minimum set of a one-stop desk: 2 computers, a scanner, a printer, a kiosk, a rating device."""
    devices = {
        "computers": computer(quantity=2),
        "scanner": device("Máy quét (scan)"),
        "printer": device("Máy in"),
        "kiosk": device("Kiosk tra cứu, lấy số thứ tự"),
        "rating": device("Thiết bị đánh giá mức độ hài lòng"),
    }
    for key, value in changes.items():
        devices[key] = value
    return [d for d in devices.values() if d is not None]


def test_the_baseline_has_no_finding():
    assert rules.evaluate(subject()) == []


def test_every_rule_of_assessment_md_is_registered():
    assert len(rules.RULES) == len(rules.RULE_CODES) == 19


# (rule, data that triggers it, data that does not) — each pair differs in the one value the rule reads.
CASES = [
    # Age = reference year (2026) − year: exactly 5 is past the service life, 4 is not.
    ("D-AGE", {"B05": [computer(year_acquired=2021)]}, {"B05": [computer(year_acquired=2022)]}),
    ("D-AGE", {"B05": [computer(device_type="Máy tính xách tay", year_acquired=2015)]}, {"B05": []}),
    (
        "D-AGE-OTHER",
        {"B05": [computer(), device("Máy in", year_acquired=2018)]},
        {"B05": [computer(), device("Máy in", year_acquired=2019)]},
    ),
    (
        "D-AGE-OTHER",
        {"B05": [computer(), device("Máy chiếu", year_acquired=2010)]},
        {"B05": [computer(), device("Máy tính bảng", year_acquired=2010)]},
    ),
    ("D-OS-LIC", {"B05": [computer(os_licensed="Không")]}, {"B05": [computer(os_licensed="Có")]}),
    ("D-AV", {"B05": [computer(antivirus="Không có")]}, {"B05": [computer(antivirus="Miễn phí")]}),
    ("D-RAM", {"B05": [computer(ram_gb=7.5)]}, {"B05": [computer(ram_gb=8)]}),
    ("D-HDD", {"B05": [computer(disk_type="HDD")]}, {"B05": [computer(disk_type="SSD và HDD")]}),
    ("D-BROKEN", {"B05": [computer(condition=BROKEN)]}, {"B05": [computer(condition=WORN)]}),
    ("D-BROKEN", {"B03": infra(BROKEN)}, {"B03": infra(WORN)}),
    ("D-WORN", {"B05": [computer(condition=WORN)]}, {"B05": [computer(condition="Hoạt động tốt")]}),
    ("D-WORN", {"B03": infra(WORN)}, {"B03": infra("Hoạt động tốt")}),
    ("N-TSLCD", {"B02": [link(bandwidth=200)]}, {"B02": [link(rules.TSLCD, 10), link(bandwidth=200)]}),
    (
        "N-BW",
        {"B02": [link(rules.TSLCD, 500), link(bandwidth=99)]},
        {"B02": [link(rules.TSLCD), link(bandwidth=100)]},
    ),
    (
        "N-BW",
        {"B02": [link(rules.TSLCD), link(bandwidth=49, quantity=2)]},
        {"B02": [link(rules.TSLCD), link(bandwidth=50, quantity=2)]},
    ),
    (
        "N-INADEQ",
        {"B02": [link(rules.TSLCD), link(adequacy="Chưa đáp ứng")]},
        {"B02": [link(rules.TSLCD), link()]},
    ),
    ("N-LAN", {"B01": {"has_lan": "Không"}}, {"B01": {"has_lan": "Có"}}),
    (
        "S-SEC",
        {"B04": [system(DOC, scope=OWN, security_level=UNSET)]},
        {"B04": [system(DOC, scope=OWN, security_level="Cấp độ 2")]},
    ),
    (
        "S-SEC",
        {"B04": [system(DOC, scope=OWN, security_level=None)]},
        {"B04": [system(DOC, scope="Dùng chung của tỉnh", security_level=UNSET)]},
    ),
    (
        "S-IDLE-COST",
        {"B04": [system(DOC), system("Khác", usage="Không sử dụng", annual_cost_mvnd=0.5)]},
        {"B04": [system(DOC), system("Khác", usage="Không sử dụng", annual_cost_mvnd=0)]},
    ),
    (
        "S-IDLE-COST",
        {"B04": [system(DOC), system("Khác", usage="Không sử dụng")]},
        {"B04": [system(DOC), system("Khác", usage="Có sử dụng nhưng chưa hiệu quả")]},
    ),
    (
        "S-NO-DOC",
        {"B04": [system(DOC, usage="Không sử dụng", annual_cost_mvnd=0)]},
        {"B04": [system(DOC, usage="Có sử dụng nhưng chưa hiệu quả")]},
    ),
    ("S-NO-DOC", {"B04": []}, {"B04": [system(DOC)]}),
    # Staff 10 × 0.8 = 8 working computers (a broken one does not count).
    (
        "P-RATIO",
        {"B01": {"staff_total": 10}, "B05": [computer(quantity=7), computer(condition=BROKEN)]},
        {"B01": {"staff_total": 10}, "B05": [computer(quantity=8)]},
    ),
    (
        "Q-STAFF",
        {"B01": {"it_staff_fulltime": 0, "it_staff_parttime": None}},
        {"B01": {"it_staff_fulltime": 0, "it_staff_parttime": 1}},
    ),
    (
        "Q-STAFF",
        {"B01": {"it_staff_fulltime": None, "it_staff_parttime": None}},
        {"B01": {"it_staff_fulltime": 2, "it_staff_parttime": None}},
    ),
]


@pytest.mark.parametrize(("rule", "triggering", "quiet"), CASES, ids=[c[0] for c in CASES])
def test_rule_triggers_on_its_condition_only(rule, triggering, quiet):
    assert rule in rules.RULE_CODES
    assert rule in {f.rule for f in rules.evaluate(subject(**triggering))}
    assert rule not in {f.rule for f in rules.evaluate(subject(**quiet))}


@pytest.mark.parametrize(
    ("reference", "os_label", "triggered"),
    [
        (date(2025, 10, 13), "Windows 10", False),
        (date(2025, 10, 14), "Windows 10", True),
        (date(2025, 10, 15), "Windows 10", True),
        (date(2023, 1, 9), "Windows 8/8.1", False),
        (date(2023, 1, 10), "Windows 8/8.1", True),
        (date(2020, 1, 13), "Windows 7 hoặc cũ hơn", False),
        (date(2020, 1, 14), "Windows 7 hoặc cũ hơn", True),
        (date(2040, 1, 1), "Windows 11", False),
        (date(2040, 1, 1), "Linux", False),
    ],
)
def test_d_os_depends_on_the_reference_date(reference, os_label, triggered):
    s = subject(reference=reference, B05=[computer(os=os_label, year_acquired=reference.year)])
    assert ("D-OS" in [f.rule for f in rules.evaluate(s)]) is triggered


def test_d_os_follows_the_windows_table_of_the_configuration():
    config = Config(windows_end={"Windows 11": date(2026, 1, 1)})
    s = subject(config=config, B05=[computer(os="Windows 11"), computer(os="Windows 10")])
    assert [(f.rule, f.row) for f in rules.evaluate(s)] == [("D-OS", 1)]


def test_a_row_finding_carries_the_row_position_and_quantity():
    s = subject(B05=[computer(), computer(antivirus="Không có", quantity=7)])
    (finding,) = rules.evaluate(s)
    assert (finding.rule, finding.sheet, finding.row, finding.quantity) == ("D-AV", "B05", 2, 7)
    assert (finding.severity, finding.area) == ("high", "devices")
    assert finding.message == "Không có phần mềm phòng chống mã độc"


def test_messages_and_severities_are_those_of_assessment_md():
    s = subject(
        B01={"has_lan": "Không", "staff_total": 10, "it_staff_fulltime": 0},
        B02=[link(bandwidth=10, adequacy="Chưa đáp ứng")],
        B03=infra(WORN),
        B04=[system("Khác", scope=OWN, security_level=UNSET, usage="Không sử dụng")],
        B05=[
            computer(
                year_acquired=2015,
                os="Windows 7 hoặc cũ hơn",
                os_licensed="Không",
                antivirus="Không có",
                ram_gb=4,
                disk_type="HDD",
                condition=BROKEN,
            ),
            device("Máy photocopy", year_acquired=2010, condition=WORN),
        ],
    )
    got = {f.rule: (f.severity, f.message) for f in rules.evaluate(s)}
    assert got["D-AGE"] == ("medium", "Hết thời gian sử dụng (5 năm)")
    assert got["D-AGE-OTHER"] == ("low", "Thiết bị đã cũ")
    assert got["D-OS"] == ("high", "Hệ điều hành không còn được hỗ trợ")
    assert got["D-OS-LIC"] == ("medium", "Hệ điều hành không có bản quyền")
    assert got["D-AV"] == ("high", "Không có phần mềm phòng chống mã độc")
    assert got["D-RAM"] == ("medium", "Cấu hình thấp (RAM dưới 8 GB)")
    assert got["D-HDD"] == ("low", "Chỉ có ổ cứng HDD")
    assert got["D-BROKEN"] == ("high", "Thiết bị hỏng")
    assert got["D-WORN"] == ("medium", "Thiết bị xuống cấp")
    assert got["N-TSLCD"] == ("high", "Chưa kết nối mạng TSLCD")
    assert got["N-BW"][0] == "medium" and got["N-BW"][1].startswith("Băng thông Internet thấp")
    assert got["N-INADEQ"] == ("medium", "Đường truyền chưa đáp ứng")
    assert got["N-LAN"] == ("high", "Chưa có mạng LAN")
    assert got["S-SEC"] == ("medium", "Chưa xác định cấp độ an toàn")
    assert got["S-IDLE-COST"] == ("medium", "Trả phí duy trì cho phần mềm không sử dụng")
    assert got["S-NO-DOC"] == ("high", "Chưa sử dụng hệ thống quản lý văn bản")
    assert got["P-RATIO"][0] == "medium" and got["P-RATIO"][1].startswith("Thiếu máy tính so với số cán bộ")
    assert got["Q-STAFF"] == ("low", "Chưa có người làm CNTT")


def test_thresholds_come_from_the_configuration():
    config = Config(computer_max_age=6, min_ram_gb=Decimal(4), min_bandwidth_province_mbps=Decimal(300))
    s = subject(config=config, B05=[computer(year_acquired=2021, ram_gb=4, quantity=2)])
    assert rules.evaluate(subject(B05=[computer(year_acquired=2021, ram_gb=4, quantity=2)])) != []
    assert [f.rule for f in rules.evaluate(s)] == ["N-BW"]
    assert rules.evaluate(subject(config=config, B05=[computer(year_acquired=2020)]))[0].message == (
        "Hết thời gian sử dụng (6 năm)"
    )


def test_bandwidth_sums_lines_times_quantity_and_leaves_out_tslcd():
    s = subject(B02=[link(rules.TSLCD, 1000), link(bandwidth=30, quantity=2), link("Khác", 39.5)])
    assert rules.internet_bandwidth(s) == Decimal("99.5")
    (finding,) = [f for f in rules.evaluate(s) if f.rule == "N-BW"]
    assert finding.message == "Băng thông Internet thấp (99,5 Mbps, dưới 100 Mbps)"
    assert (finding.row, finding.sheet) == (None, "B02")


def test_commune_level_has_its_own_bandwidth_threshold():
    def flagged(unit, mbps) -> bool:
        return "N-BW" in [f.rule for f in rules.evaluate(subject(unit=unit, B02=[link(bandwidth=mbps)]))]

    assert flagged(PROVINCIAL_AGENCY, 60)
    assert flagged(COMMUNE_COUNCIL, 49) and not flagged(COMMUNE_COUNCIL, 50)


@pytest.mark.parametrize(
    ("unit", "must"),
    [
        (PROVINCIAL_AGENCY, True),
        (UnitFacts("T.VPTU", "tinh", "dang", "agency"), True),
        (UnitFacts("T.TTPVHCC", "tinh", "ubnd", "one_stop"), True),
        (UnitFacts("T.SKHCN.TTDMST", "tinh", "ubnd", "subunit"), False),
        (UnitFacts("X.03637.DU", "xa", "dang", "agency"), True),
        (UnitFacts("X.03637.UB", "xa", "ubnd", "agency"), True),
        (ONE_STOP_POINT, True),
        (COMMUNE_COUNCIL, False),
        (UnitFacts("X.03637.MT", "xa", "mttq", "agency"), False),
    ],
)
def test_n_tslcd_applies_to_the_units_that_must_join(unit, must):
    s = subject(unit=unit, B02=[link(bandwidth=500)])
    assert ("N-TSLCD" in [f.rule for f in rules.evaluate(s)]) is must


def test_p_ratio_counts_working_computers_and_says_how_many_are_missing():
    s = subject(B01={"staff_total": 46}, B05=[computer(quantity=20), computer(quantity=3, condition=BROKEN)])
    (finding,) = [f for f in rules.evaluate(s) if f.rule == "P-RATIO"]
    # 46 × 0.8 = 36.8: 17 more working computers are needed.
    assert (finding.quantity, finding.row, finding.sheet) == (17, None, "B01")
    assert "20 máy tính đang hoạt động, cần 37" in finding.message


def test_p_onestop_full_set_at_a_one_stop_point_is_quiet():
    assert "P-ONESTOP" not in [
        f.rule for f in rules.evaluate(subject(unit=ONE_STOP_POINT, B05=one_stop_set()))
    ]


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({"kiosk": None}, 1),
        ({"rating": None}, 1),
        ({"computers": computer(quantity=1)}, 1),
        ({"computers": computer(quantity=2, condition=BROKEN)}, 2),
        ({"scanner": None}, 1),
        ({"scanner": None, "printer": device("Máy đa chức năng (in, scan, photo)")}, 0),
        ({"scanner": None, "printer": None}, 2),
    ],
)
def test_p_onestop_counts_what_a_one_stop_point_lacks(changes, missing):
    findings = [
        f
        for f in rules.evaluate(subject(unit=ONE_STOP_POINT, B05=one_stop_set(**changes)))
        if f.rule == "P-ONESTOP"
    ]
    assert sum(f.quantity for f in findings) == missing
    if missing:
        assert findings[0].severity == "high"
        assert findings[0].message.startswith("Bộ phận một cửa thiếu thiết bị tối thiểu")


def test_p_onestop_at_a_unit_with_a_desk_counts_only_the_devices_used_there():
    devices = [dict(d, at_one_stop="Có") for d in one_stop_set(kiosk=None)] + [
        device("Kiosk tra cứu, lấy số thứ tự", at_one_stop="Không")
    ]
    with_desk = subject(B01={"has_one_stop": "Có", "staff_total": 1}, B05=devices)
    without_desk = subject(B01={"has_one_stop": "Không", "staff_total": 1}, B05=devices)
    assert [f.quantity for f in rules.evaluate(with_desk) if f.rule == "P-ONESTOP"] == [1]
    assert "P-ONESTOP" not in [f.rule for f in rules.evaluate(without_desk)]


def test_empty_cells_do_not_trigger_row_rules():
    blank = dict.fromkeys(computer()) | {"device_type": "Máy tính để bàn"}
    assert [f.rule for f in rules.evaluate(subject(B01={"staff_total": 1}, B05=[blank]))] == []


def test_a_unit_without_data_has_no_data():
    assert not rules.has_data({"B01": {}, "B02": [], "B03": [], "B04": [], "B05": []})
    assert not rules.has_data({"B01": {"unit_code": None, "has_lan": None}, "B02": []})
    assert rules.has_data({"B01": {}, "B05": [computer()]})
    assert rules.has_data({"B01": {"unit_code": "X"}})

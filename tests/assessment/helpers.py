"""Building units to assess: a baseline with no finding at all, changed one thing at a time."""

import copy
from datetime import date
from typing import Any

from rasoat.assessment import rules
from rasoat.assessment.rules import Config, Subject, UnitFacts

REFERENCE = date(2026, 5, 20)

PROVINCIAL_AGENCY = UnitFacts("T.SNV", "tinh", "ubnd", "agency")
COMMUNE_COUNCIL = UnitFacts("X.03637.HD", "xa", "hdnd", "agency")
ONE_STOP_POINT = UnitFacts("X.03637.TT", "xa", "ubnd", "one_stop")


def computer(**values) -> dict[str, Any]:
    """A young, licensed, protected, well-configured working desktop."""
    return {
        "device_type": "Máy tính để bàn",
        "quantity": 1,
        "year_acquired": 2024,
        "ram_gb": 16,
        "disk_type": "SSD",
        "os": "Windows 11",
        "os_licensed": "Có",
        "antivirus": "Có bản quyền",
        "at_one_stop": "Không",
        "condition": "Hoạt động tốt",
        **values,
    }


def device(device_type: str, **values) -> dict[str, Any]:
    """A working end-user device that is not a computer (no configuration)."""
    return {
        "device_type": device_type,
        "quantity": 1,
        "year_acquired": 2024,
        "ram_gb": None,
        "disk_type": None,
        "os": None,
        "os_licensed": None,
        "antivirus": None,
        "at_one_stop": "Không",
        "condition": "Hoạt động tốt",
        **values,
    }


def link(link_type: str = "Internet cáp quang (FTTH)", bandwidth=100, **values) -> dict[str, Any]:
    return {
        "link_type": link_type,
        "bandwidth_mbps": bandwidth,
        "quantity": 1,
        "adequacy": "Đáp ứng",
        **values,
    }


def system(category: str, **values) -> dict[str, Any]:
    return {
        "scope": "Dùng chung của tỉnh",
        "category": category,
        "security_level": "Cấp độ 2",
        "usage": "Thường xuyên, hiệu quả",
        "annual_cost_mvnd": 10,
        **values,
    }


BASELINE: dict[str, Any] = {
    "B01": {
        "unit_code": "T.SNV",
        "has_lan": "Có",
        "staff_total": 2,
        "it_staff_fulltime": 1,
        "it_staff_parttime": 0,
        "has_one_stop": "Không",
    },
    "B02": [link(rules.TSLCD, 20), link()],
    "B03": [
        {
            "device_type": "Thiết bị chuyển mạch (Switch)",
            "quantity": 2,
            "year_in_use": 2020,
            "condition": "Hoạt động tốt",
        }
    ],
    "B04": [system(rules.DOCUMENT_MANAGEMENT), system(rules.OFFICIAL_EMAIL)],
    "B05": [computer(quantity=2)],
}
"""A provincial agency with nothing to report: every rule is silent on it."""


def subject(
    unit: UnitFacts = PROVINCIAL_AGENCY,
    config: Config | None = None,
    reference: date = REFERENCE,
    **sheets,
) -> Subject:
    """The baseline with some sheets replaced (B01 is merged: give only the lines that change)."""
    data = copy.deepcopy(BASELINE)
    for code, value in sheets.items():
        if code == "B01":
            data["B01"].update(value)
        else:
            data[code] = value
    return Subject(data, unit, config or Config(), reference)


def codes(s: Subject) -> list[str]:
    return [found.rule for found in rules.evaluate(s)]


def found(s: Subject, rule: str) -> list[rules.Found]:
    return [f for f in rules.evaluate(s) if f.rule == rule]

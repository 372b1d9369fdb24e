"""The four scores and the overall score (scores.py), on data whose value is worked out by hand."""

from decimal import Decimal

import pytest

from rasoat.assessment import rules, scores
from rasoat.assessment.rules import Config
from tests.assessment.helpers import COMMUNE_COUNCIL, ONE_STOP_POINT, computer, link, subject, system

BROKEN, WORN = "Hỏng, không sử dụng được", "Hoạt động nhưng xuống cấp"


def compute(s) -> scores.Scores:
    return scores.compute(s, rules.evaluate(s))


def test_the_baseline_scores_100_everywhere():
    result = compute(subject())
    assert result.as_dict() == dict.fromkeys(
        ("connectivity", "devices", "infrastructure", "software", "overall"), Decimal(100)
    )


@pytest.mark.parametrize(
    ("sheets", "unit", "expected"),
    [
        # Half the bandwidth threshold: the bandwidth component earns 12.5 of 25.
        ({"B02": [link(rules.TSLCD), link(bandwidth=50)]}, None, "87.5"),
        ({"B01": {"has_lan": "Không"}}, None, "75.0"),
        # One of two lines (by number of lines) does not meet the needs.
        ({"B02": [link(rules.TSLCD), link(bandwidth=200, adequacy="Chưa đáp ứng")]}, None, "87.5"),
        # No line at all: LAN 25 of 75 (no adequacy component without lines).
        ({"B02": []}, None, "33.3"),
        # A commune People's Council need not join TSLCD: 3 components, 75 points.
        ({"B02": [link(bandwidth=50)], "B01": {"has_lan": "Không"}}, COMMUNE_COUNCIL, "66.7"),
    ],
)
def test_connectivity(sheets, unit, expected):
    s = subject(unit=unit, **sheets) if unit else subject(**sheets)
    assert compute(s).connectivity == Decimal(expected)


def test_devices_is_the_share_of_computers_without_finding_weighted_by_quantity():
    s = subject(
        B05=[computer(quantity=2), computer(disk_type="HDD"), computer(os_licensed="Không", disk_type="HDD")]
    )
    result = compute(s)
    assert result.devices == Decimal("50.0")  # 2 of 4
    assert [c.as_json() for c in result.components["devices"]] == [
        {"key": "good_computers", "earned": 2.0, "max": 4.0}
    ]


def test_devices_counts_computers_missing_to_reach_the_staff_ratio():
    s = subject(B01={"staff_total": 10}, B05=[computer(quantity=3), computer(condition=WORN)])
    # 10 × 0.8 = 8 computers expected; 3 are good.
    assert compute(s).devices == Decimal("37.5")


def test_a_score_with_nothing_to_assess_is_none_and_left_out_of_the_overall():
    s = subject(B01={"staff_total": 0}, B03=[], B05=[])
    result = compute(s)
    assert result.devices is None and result.infrastructure is None
    assert result.overall == Decimal(100)


def test_infrastructure_is_the_share_of_devices_working_and_not_worn():
    b03 = [
        {"device_type": "Máy chủ", "quantity": 2, "year_in_use": 2020, "condition": "Hoạt động tốt"},
        {"device_type": "Bộ lưu điện (UPS)", "quantity": 1, "year_in_use": 2020, "condition": WORN},
        {"device_type": "Camera giám sát", "quantity": 5, "year_in_use": 2020, "condition": BROKEN},
    ]
    assert compute(subject(B03=b03)).infrastructure == Decimal("25.0")


@pytest.mark.parametrize(
    ("sheets", "unit", "expected"),
    [
        # Document management not used: 0 of 30 (S-NO-DOC); e-mail 20, effective use 15 × 1/2.
        (
            {"B04": [system(rules.DOCUMENT_MANAGEMENT, usage="Không sử dụng"), system(rules.OFFICIAL_EMAIL)]},
            None,
            "42.3",
        ),
        # A one-stop point must also use an administrative-procedures system (20 points).
        ({}, ONE_STOP_POINT, "76.5"),
        # Two self-deployed systems, one with a security level: 7.5 of 15.
        (
            {
                "B04": [
                    system(rules.DOCUMENT_MANAGEMENT, scope="Do đơn vị tự triển khai"),
                    system(
                        rules.OFFICIAL_EMAIL, scope="Do đơn vị tự triển khai", security_level="Chưa xác định"
                    ),
                ]
            },
            None,
            "90.6",
        ),
    ],
)
def test_software(sheets, unit, expected):
    s = subject(unit=unit, **sheets) if unit else subject(**sheets)
    assert compute(s).software == Decimal(expected)


def test_overall_is_the_weighted_mean():
    sheets = {"B01": {"has_lan": "Không"}, "B04": []}
    equal = compute(subject(**sheets))
    # connectivity 75, devices 100, infrastructure 100, software (e-mail and doc absent) 0.
    assert (equal.connectivity, equal.software) == (Decimal("75.0"), Decimal("0.0"))
    assert equal.overall == Decimal("68.8")
    weights = {
        "connectivity": Decimal(2),
        "devices": Decimal(1),
        "infrastructure": Decimal(1),
        "software": Decimal(0),
    }
    weighted = compute(subject(config=Config(weights=weights), **sheets))
    assert weighted.overall == Decimal("87.5")  # (2 × 75 + 100 + 100) / 4


def test_every_component_is_lowered_only_through_a_listed_finding():
    """The findings of a score's area account for its loss (components without a rule aside)."""
    s = subject(
        B02=[link(bandwidth=40, adequacy="Chưa đáp ứng")],
        B05=[computer(antivirus="Không có"), computer()],
    )
    findings = rules.evaluate(s)
    result = scores.compute(s, findings)
    lowered = {f.area for f in findings if f.area}
    assert lowered == {"connectivity", "devices"}
    assert result.infrastructure == result.software == Decimal(100)
    assert result.connectivity < 100 and result.devices == Decimal("50.0")

"""The investment-needs estimate (needs.py): quantities, unit prices and costs from the price list."""

from decimal import Decimal

from rasoat.assessment import needs, rules
from rasoat.assessment.rules import Config
from tests.assessment.helpers import ONE_STOP_POINT, computer, device, subject
from tests.assessment.test_rules import one_stop_set

BROKEN = "Hỏng, không sử dụng được"
LAPTOP = "Máy tính xách tay"
OS_UPGRADE = "Nâng cấp hệ điều hành được hỗ trợ (có bản quyền)"
RAM_UPGRADE = "Nâng cấp RAM (lên tối thiểu 8 GB)"


def lines(s) -> dict[tuple[str, str, str], tuple[int, Decimal | None, Decimal | None]]:
    return {(n.kind, n.item, n.rule): (n.quantity, n.unit_price_mvnd, n.cost_mvnd) for n in needs.estimate(s)}


def total(s) -> Decimal:
    return sum((n.cost_mvnd for n in needs.estimate(s) if n.cost_mvnd is not None), Decimal(0))


MIXED_B05 = [
    computer(condition=BROKEN),  # replace a desktop (D-BROKEN)
    computer(device_type=LAPTOP, year_acquired=2020, quantity=2),  # past age: replace 2 laptops (D-AGE)
    computer(os="Windows 10", quantity=3),  # young, 16 GB, Windows 10 out of support: OS upgrade
    computer(ram_gb=4),  # young, Windows 11, 4 GB: RAM upgrade
    computer(os="Windows 10", ram_gb=4),  # both upgrades
    computer(year_acquired=2015, os="Windows 7 hoặc cũ hơn", ram_gb=2),  # replaced, so no upgrade
    device("Máy in", condition=BROKEN, quantity=2),  # replace 2 printers
    device("Máy chiếu", condition=BROKEN),  # replace, but no price in the list
]


def test_replacements_and_upgrades_with_their_costs():
    s = subject(B01={"staff_total": 11}, B05=MIXED_B05)
    assert lines(s) == {
        ("replace", "Máy tính để bàn", "D-BROKEN"): (1, Decimal(18), Decimal(18)),
        ("replace", LAPTOP, "D-AGE"): (2, Decimal(22), Decimal(44)),
        ("upgrade", OS_UPGRADE, "D-OS"): (4, Decimal(4), Decimal(16)),
        ("upgrade", RAM_UPGRADE, "D-RAM"): (2, Decimal("1.5"), Decimal("3.0")),
        ("replace", "Máy tính để bàn", "D-AGE"): (1, Decimal(18), Decimal(18)),
        ("replace", "Máy in", "D-BROKEN"): (2, Decimal(6), Decimal(12)),
        ("replace", "Máy chiếu", "D-BROKEN"): (1, None, None),
    }
    # 9 computers for 11 × 0.8 = 8.8 → 9 expected: nothing to add.
    assert total(s) == Decimal(111)


def test_computers_are_added_to_reach_the_staff_ratio_counting_replaced_ones():
    s = subject(B01={"staff_total": 15}, B05=MIXED_B05)
    # 15 × 0.8 = 12 computers; 9 present (the broken and old ones are replaced): add 3 desktops.
    assert lines(s)[("add", "Máy tính để bàn", "P-RATIO")] == (3, Decimal(18), Decimal(54))


def test_broken_infrastructure_devices_are_replaced_without_a_price():
    b03 = [
        {
            "device_type": "Thiết bị định tuyến (Router)",
            "quantity": 2,
            "year_in_use": 2018,
            "condition": BROKEN,
        }
    ]
    assert lines(subject(B03=b03)) == {
        ("replace", "Thiết bị định tuyến (Router)", "D-BROKEN"): (2, None, None)
    }


def test_one_stop_minimum_set_gaps_are_added():
    s = subject(unit=ONE_STOP_POINT, B05=one_stop_set(kiosk=None, rating=None, scanner=None))
    assert lines(s) == {
        ("add", "Máy quét (scan)", "P-ONESTOP"): (1, Decimal(15), Decimal(15)),
        ("add", "Kiosk tra cứu, lấy số thứ tự", "P-ONESTOP"): (1, Decimal(60), Decimal(60)),
        ("add", "Thiết bị đánh giá mức độ hài lòng", "P-ONESTOP"): (1, Decimal(8), Decimal(8)),
    }


def test_broken_one_stop_computers_are_replaced_not_added_twice():
    s = subject(
        unit=ONE_STOP_POINT,
        B01={"staff_total": 4},
        B05=one_stop_set(computers=computer(quantity=1, condition=BROKEN)),
    )
    # One desktop replaced, one added for the desk; the staff ratio (4 × 0.8 → 4) adds the other 2.
    assert lines(s) == {
        ("replace", "Máy tính để bàn", "D-BROKEN"): (1, Decimal(18), Decimal(18)),
        ("add", "Máy tính để bàn", "P-ONESTOP"): (1, Decimal(18), Decimal(18)),
        ("add", "Máy tính để bàn", "P-RATIO"): (2, Decimal(18), Decimal(36)),
    }


def test_the_price_list_sets_the_costs():
    prices = {**rules.DEFAULT_PRICES, "desktop": Decimal("20.5"), "printer": Decimal(7)}
    s = subject(B01={"staff_total": 11}, B05=MIXED_B05, config=Config(prices=prices))
    got = lines(s)
    assert got[("replace", "Máy tính để bàn", "D-BROKEN")][2] == Decimal("20.5")
    assert got[("replace", "Máy in", "D-BROKEN")][2] == Decimal(14)
    assert total(s) == Decimal(111) + Decimal("2.5") * 2 + 2


def test_nothing_is_needed_for_the_baseline():
    assert needs.estimate(subject()) == []

"""The investment-needs estimate of a unit (ước tính nhu cầu), from its data and the price list.

Needs are counted "after replacement": a device that is replaced counts as present when the gaps
are measured. Per computer row (desktops and laptops), at most one of:
- replace (D-BROKEN when broken, else D-AGE when at or past its service life), with the same type;
- otherwise the upgrades it needs: RAM below the threshold → a RAM upgrade (D-RAM); an OS out of
  support → an OS upgrade with a licence (D-OS). ASSESSMENT.md gives the OS upgrade to computers
  "with ≥ 8 GB RAM"; a computer that gets a RAM upgrade reaches that, so it gets both.
Other rows:
- replace every broken end-user device (B05) and infrastructure device (B03) (D-BROKEN); the price
  list has prices for printers, scanners, multi-function devices, kiosks and rating devices only,
  so the others have a quantity but no unit price and no cost (left out of the totals).
- add what the one-stop desk lacks of its minimum set (P-ONESTOP): computers as desktops, scanners,
  printers, kiosks, rating devices — counting the desk's devices including broken ones, which are
  replaced above;
- add desktops to reach staff × ratio computers (P-RATIO): ceil(staff × ratio) − every computer
  (broken ones are replaced) − the computers added for the one-stop desk.
Items are the Vietnamese names of what is bought; lines with the same kind, item and rule are summed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from rasoat.appendix.normalize import format_number
from rasoat.appendix.v2026_1 import DESKTOP, LAPTOP
from rasoat.assessment import rules
from rasoat.assessment.rules import BROKEN, Subject

REPLACE, UPGRADE, ADD = "replace", "upgrade", "add"

PRICE_OF_TYPE = {
    DESKTOP: "desktop",
    LAPTOP: "laptop",
    rules.PRINTER: "printer",
    rules.SCANNER: "scanner",
    rules.MULTIFUNCTION: "multifunction",
    rules.KIOSK: "kiosk",
    rules.QUEUE_MACHINE: "kiosk",  # 2026.2's queue machine is priced as the kiosk it stands for
    rules.RATING_DEVICE: "rating_device",
}
"""Device type label → price list key."""

ONE_STOP_ITEM = {
    "computers": (DESKTOP, "desktop"),
    "scanners": (rules.SCANNER, "scanner"),
    "printers": (rules.PRINTER, "printer"),
    "kiosks": (rules.KIOSK, "kiosk"),
    "rating_devices": (rules.RATING_DEVICE, "rating_device"),
}
OS_UPGRADE = "Nâng cấp hệ điều hành được hỗ trợ (có bản quyền)"


def ram_upgrade_item(subject: Subject) -> str:
    return f"Nâng cấp RAM (lên tối thiểu {format_number(subject.config.min_ram_gb)} GB)"


@dataclass
class NeedItem:
    """One line of the estimate: kind (replace/upgrade/add), item, quantity, unit price and cost."""

    kind: str
    item: str
    quantity: int
    unit_price_mvnd: Decimal | None
    rule: str

    @property
    def cost_mvnd(self) -> Decimal | None:
        return None if self.unit_price_mvnd is None else self.unit_price_mvnd * self.quantity


class _Lines:
    """Lines summed by (kind, item, rule), in the order first seen."""

    def __init__(self, prices: Mapping[str, Decimal]):
        self.prices = prices
        self.lines: dict[tuple[str, str, str], NeedItem] = {}

    def add(self, kind: str, item: str, quantity: int, price_key: str | None, rule: str) -> None:
        if quantity <= 0:
            return
        key = (kind, item, rule)
        if key in self.lines:
            self.lines[key].quantity += quantity
        else:
            price = self.prices.get(price_key) if price_key else None
            self.lines[key] = NeedItem(kind, item, quantity, price, rule)


def estimate(subject: Subject) -> list[NeedItem]:
    """The needs of a unit with data (see the module docstring)."""
    config = subject.config
    lines = _Lines(config.prices)
    computer_count = 0
    for row in subject.rows("B05"):
        kind, n = row.get("device_type"), rules.quantity(row)
        broken = row.get("condition") == BROKEN
        if not rules.is_computer(row):
            if broken:
                lines.add(REPLACE, kind or "Thiết bị đầu cuối", n, PRICE_OF_TYPE.get(kind), "D-BROKEN")
            continue
        computer_count += n
        years = rules.age(subject, row.get("year_acquired"))
        if broken or (years is not None and years >= config.computer_max_age):
            lines.add(REPLACE, kind, n, PRICE_OF_TYPE[kind], "D-BROKEN" if broken else "D-AGE")
            continue
        ram = row.get("ram_gb")
        if ram is not None and rules.dec(ram) < config.min_ram_gb:
            lines.add(UPGRADE, ram_upgrade_item(subject), n, "ram_upgrade", "D-RAM")
        if rules.os_unsupported(subject, row.get("os")):
            lines.add(UPGRADE, OS_UPGRADE, n, "os_licence", "D-OS")
    for row in subject.rows("B03"):
        if row.get("condition") == BROKEN:
            item = row.get("device_type") or "Thiết bị hạ tầng"
            lines.add(REPLACE, item, rules.quantity(row), None, "D-BROKEN")

    added_computers = 0
    if rules.has_one_stop_desk(subject):
        counts = rules.one_stop_counts(rules.one_stop_devices(subject), working_only=False)
        for key, missing, _name in rules.one_stop_gaps(subject, counts):
            item, price_key = ONE_STOP_ITEM[key]
            lines.add(ADD, item, missing, price_key, "P-ONESTOP")
            if key == "computers":
                added_computers = missing
    required = rules.required_computers(subject)
    if required is not None:
        lines.add(ADD, DESKTOP, required - computer_count - added_computers, "desktop", "P-RATIO")
    return list(lines.lines.values())

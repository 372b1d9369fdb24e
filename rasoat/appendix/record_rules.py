"""Cross-field rules for appendix versions defined as data.

A definition workbook states per-column rules (required, min, max, warn above, required if); a rule
that compares two columns ("≤ staff_total") needs code. Each rule here names the sheet and the keys
it reads, and a version built from a definition gets every rule whose sheet it has and whose keys
that sheet declares — so a copy of 2026.1 keeps 2026.1's rules, 2026.2 adds its own, and a version
that hides or drops a column a rule reads simply does not get that rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .normalize import format_number
from .spec import ERROR, WARNING, Context, Issue, Rule
from .v2026_1 import (
    b01_it_staff_within_total,
    b01_lan_points,
    b01_matches_registry,
    b04_cost_of_unused,
    b05_configuration_of_non_computer,
)

BROKEN = "Hỏng, không sử dụng được"
KEEP = "Giữ nguyên"
STAFF_SHARES = (
    ("staff_with_computer", "được trang bị máy tính riêng"),
    ("staff_with_signature", "có chữ ký số cá nhân"),
    ("staff_digital_trained", "đã được đào tạo, bồi dưỡng kỹ năng số"),
)


@dataclass(frozen=True)
class RecordRule:
    """A rule of one sheet that applies when the sheet has all of `needs` (and any of `any_of`)."""

    sheet: str
    needs: frozenset[str]
    check: Rule
    any_of: frozenset[str] = frozenset()

    def applies_to(self, code: str, keys: set[str]) -> bool:
        return code == self.sheet and self.needs <= keys and (not self.any_of or bool(self.any_of & keys))


def b01_staff_shares_within_total(values: dict[str, Any], context: Context) -> Iterator[Issue]:
    """2026.2: staff with a computer, a signature or training cannot outnumber the staff."""
    total = values.get("staff_total")
    if total is None:
        return
    for key, what in STAFF_SHARES:
        value = values.get(key)
        if value is not None and value > total:
            yield Issue(
                ERROR,
                key,
                f"Số cán bộ, công chức, viên chức {what} ({value}) lớn hơn tổng số cán bộ, công chức, "
                f"viên chức, người lao động ({total}). Cần nhập số không quá {total}.",
                value,
            )


def b01_email_accounts_plausible(values: dict[str, Any], context: Context) -> Iterator[Issue]:
    """2026.2: more than two official mailboxes per person is probably a typing slip."""
    total, accounts = values.get("staff_total"), values.get("official_email_accounts")
    if total is not None and accounts is not None and accounts > total * 2:
        yield Issue(
            WARNING,
            "official_email_accounts",
            f"Số tài khoản thư điện tử công vụ ({format_number(accounts)}) lớn hơn hai lần tổng số cán bộ, "
            f"công chức, viên chức, người lao động ({format_number(total)}). Hãy kiểm tra lại số liệu.",
            accounts,
        )


def keep_broken_device(values: dict[str, Any], context: Context) -> Iterator[Issue]:
    """2026.2: keeping a broken device as it is is probably a wrong choice of action."""
    if values.get("proposed_action") == KEEP and values.get("condition") == BROKEN:
        yield Issue(
            WARNING,
            "proposed_action",
            f'Thiết bị có tình trạng "{BROKEN}" nhưng đề xuất xử lý là "{KEEP}". Hãy kiểm tra lại '
            "tình trạng hoặc đề xuất xử lý.",
            KEEP,
        )


def _rule(sheet: str, needs: set[str], check: Rule, any_of: set[str] = frozenset()) -> RecordRule:
    return RecordRule(sheet, frozenset(needs), check, frozenset(any_of))


RECORD_RULES: tuple[RecordRule, ...] = (
    _rule("B01", {"unit_code"}, b01_matches_registry),
    _rule("B01", {"staff_total"}, b01_it_staff_within_total, {"it_staff_fulltime", "it_staff_parttime"}),
    _rule("B01", {"has_lan", "lan_points"}, b01_lan_points),
    _rule("B01", {"staff_total"}, b01_staff_shares_within_total, {key for key, _ in STAFF_SHARES}),
    _rule("B01", {"staff_total", "official_email_accounts"}, b01_email_accounts_plausible),
    _rule("B04", {"annual_cost_mvnd", "usage"}, b04_cost_of_unused),
    _rule(
        "B05",
        {"device_type", "cpu", "ram_gb", "disk_type", "disk_gb", "os", "os_licensed"},
        b05_configuration_of_non_computer,
    ),
    _rule("B03", {"proposed_action", "condition"}, keep_broken_device),
    _rule("B05", {"proposed_action", "condition"}, keep_broken_device),
)


def rules_for(code: str, keys: set[str]) -> tuple[Rule, ...]:
    """The rules a sheet with this code and these column keys gets."""
    return tuple(rule.check for rule in RECORD_RULES if rule.applies_to(code, keys))

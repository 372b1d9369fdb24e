"""Which unit a row (or a B01 column) belongs to: the unit being imported, or one of a commune's units.

A unit workbook routes everything to its unit; a "Mã đơn vị" column, when a file has one (a
filtered consolidated export, say), must then name that unit. A commune workbook routes each
row by its "Mã đơn vị" to one of the commune's units assigned in the campaign; any other code
is an error naming it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rasoat.appendix.declaration import Context
from rasoat.appendix.normalize import clean_text


@dataclass
class Target:
    """A unit the workbook may hold data for, with the context its values are validated in."""

    code: str
    name: str
    context: Context
    data: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    has_general_column: bool = False
    has_own_values: bool = False
    """Something beyond the prefilled B01 lines (name, code, block, level) or a table row: the
    commune workbook imports only the units the user actually filled in."""


class Routing:
    """Finds the target of a code cell; `default` is the unit of a unit workbook (None for a commune)."""

    def __init__(self, targets: list[Target], default: Target | None, commune_code: str | None = None):
        self.targets = targets
        self.default = default
        self.commune_code = commune_code
        self._by_key = {target.code.casefold(): target for target in targets}

    @property
    def is_commune(self) -> bool:
        return self.default is None

    def codes_text(self) -> str:
        return ", ".join(f'"{target.code}"' for target in self.targets)

    def route(self, raw: Any) -> tuple[Target | None, str | None]:
        """(target, None) or (None, a Vietnamese message saying what is wrong with the code)."""
        code = clean_text(raw)
        if code is None:
            if self.default is not None:
                return self.default, None
            return None, (
                'Chưa nhập "Mã đơn vị": trong tệp của xã, mỗi dòng cần ghi mã của đơn vị có dữ liệu đó '
                f"(một trong các mã {self.codes_text()})."
            )
        target = self._by_key.get(code.casefold())
        if target is not None:
            return target, None
        if self.default is not None:
            return None, (
                f'Dòng này ghi "Mã đơn vị" là "{code}", không phải đơn vị đang nhập '
                f'("{self.default.code}" — {self.default.name}). Hãy xóa dòng này hoặc tải lên ở trang '
                "của đơn vị có mã đó."
            )
        return None, (
            f'Mã đơn vị "{code}" không thuộc danh sách đơn vị của xã trong đợt rà soát này. '
            f"Cần ghi một trong các mã {self.codes_text()}."
        )

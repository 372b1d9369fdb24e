"""Build the definition workbook of appendix 2026.2 (rasoat/appendix/versions/2026.2.xlsx).

    .venv/bin/python scripts/build_appendix_2026_2.py [--out FILE]

2026.2 is made the way a department makes its own version: start from the definition of 2026.1
(`definition_of`, the same copy the web editor starts from), apply the additions of PHU_LUC.md
("Version 2026.2") and write the definition workbook (`workbook.write_definition`). The committed
workbook is what `rasoat init` loads; running this script again rebuilds it, so `git diff` shows
only real changes. `definition()` is importable (tests build the version from it).
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rasoat.appendix.definition import definition_of  # noqa: E402
from rasoat.appendix.v2026_1 import APPENDIX as APPENDIX_2026_1  # noqa: E402
from rasoat.appendix.workbook import write_definition  # noqa: E402

CODE = "2026.2"
TITLE = "Phụ lục 2026.2 — bổ sung các chỉ tiêu năm 2026"
OUT = ROOT / "rasoat" / "appendix" / "versions" / f"{CODE}.xlsx"

# --- the additions of PHU_LUC.md, "Version 2026.2" -------------------------------------------------

SOURCES = ("Đơn vị tự mua sắm", "Tỉnh cấp", "Chương trình, dự án", "Tài trợ", "Thuê dịch vụ", "Khác")
DEVICE_ACTIONS = ("Giữ nguyên", "Nâng cấp", "Thay thế", "Thanh lý")
HOSTING = (
    "Trung tâm dữ liệu của tỉnh",
    "Hạ tầng của Bộ, ngành",
    "Thuê dịch vụ đám mây",
    "Tại đơn vị",
    "Khác",
)
LOGIN_METHODS = ("Tài khoản riêng của hệ thống", "Đăng nhập một lần (SSO) của tỉnh", "VNeID", "Khác")
SYSTEM_ACTIONS = ("Giữ nguyên", "Nâng cấp", "Thay thế", "Hợp nhất vào nền tảng dùng chung", "Dừng sử dụng")
NEW_DEVICE_TYPES = ("Máy lấy số tự động", "Màn hình hiển thị")
"""Added to B05's device types, before `Khác`."""


def _column(sheet: str, key: str, header: str, kind: str, choices: str = "", **rules: Any) -> dict[str, Any]:
    """A column row of the definition: optional, and whole numbers at least 0 (PHU_LUC.md)."""
    return {
        "sheet": sheet,
        "key": key,
        "header": header,
        "type": kind,
        "required": False,
        "choices": choices,
        "min": 0 if kind == "int" else None,
        "max": None,
        "warn_above": None,
        "required_if": "",
        "hidden": False,
        "help": "",
        "old_headers": [],
        **rules,
    }


def b01_after_12() -> list[dict[str, Any]]:
    """Lines 12a–12d; "≤ staff_total" and "⚠ > staff_total × 2" are record rules (record_rules.py)."""
    return [
        _column(
            "B01",
            "staff_with_computer",
            "Số cán bộ, công chức, viên chức được trang bị máy tính riêng để làm việc",
            "int",
        ),
        _column(
            "B01",
            "staff_with_signature",
            "Số cán bộ, công chức, viên chức có chữ ký số cá nhân (chứng thư số chuyên dùng)",
            "int",
        ),
        _column(
            "B01",
            "staff_digital_trained",
            "Số cán bộ, công chức, viên chức đã được đào tạo, bồi dưỡng kỹ năng số",
            "int",
        ),
        _column("B01", "official_email_accounts", "Số tài khoản thư điện tử công vụ đang sử dụng", "int"),
    ]


def b01_after_17() -> list[dict[str, Any]]:
    """Lines 17a–17c."""
    return [
        _column("B01", "has_video_point", "Có điểm cầu họp trực tuyến", "yesno"),
        _column("B01", "has_backup_power", "Có nguồn điện dự phòng (máy phát điện)", "yesno"),
        _column("B01", "has_public_wifi", "Có Wi-Fi miễn phí cho người dân tại bộ phận một cửa", "yesno"),
    ]


def device_columns(sheet: str) -> list[dict[str, Any]]:
    """B03 and B05, before `Ghi chú`: both sheets share the two lists."""
    return [
        _column(sheet, "source", "Nguồn trang bị", "choice", "source"),
        _column(sheet, "proposed_action", "Đề xuất xử lý", "choice", "proposed_action"),
    ]


def b04_columns() -> list[dict[str, Any]]:
    """B04, before `Khó khăn, vướng mắc`."""
    return [
        _column("B04", "hosting", "Nơi triển khai", "choice", "hosting"),
        _column("B04", "login_method", "Phương thức đăng nhập", "choice", "login_method"),
        _column("B04", "has_backup", "Có sao lưu dữ liệu định kỳ", "yesno"),
        _column("B04", "has_personal_data", "Có xử lý dữ liệu cá nhân", "yesno"),
        _column("B04", "soc_monitored", "Được giám sát an ninh mạng tập trung (SOC)", "yesno"),
        _column("B04", "system_action", "Đề xuất của đơn vị đối với hệ thống", "choice", "system_action"),
    ]


def _insert(columns: list[dict], sheet: str, *, after: str | None = None, before: str | None = None, rows):
    """Insert `rows` into `columns` next to the column `after`/`before` of `sheet`."""
    anchor = next(
        i for i, row in enumerate(columns) if row["sheet"] == sheet and row["key"] == (after or before)
    )
    at = anchor + 1 if after else anchor
    columns[at:at] = rows


def _list_of(definition: dict, sheet: str, key: str) -> str:
    return next(r["choices"] for r in definition["columns"] if r["sheet"] == sheet and r["key"] == key)


def definition() -> dict[str, list[dict[str, Any]]]:
    """The definition of 2026.2: 2026.1's with PHU_LUC.md's additions, nothing removed."""
    result = copy.deepcopy(definition_of(APPENDIX_2026_1))
    columns = result["columns"]
    # B01 line 12 is it_staff_parttime and line 17 has_server_room (PHU_LUC.md numbering).
    _insert(columns, "B01", after="it_staff_parttime", rows=b01_after_12())
    _insert(columns, "B01", after="has_server_room", rows=b01_after_17())
    for sheet in ("B03", "B05"):
        _insert(columns, sheet, before="note", rows=device_columns(sheet))
    _insert(columns, "B04", before="issues", rows=b04_columns())

    choices = result["choices"]
    # B05's device types get two more labels; B03 must not, so B05's list has to be its own.
    b05_types, b03_types = _list_of(result, "B05", "device_type"), _list_of(result, "B03", "device_type")
    if b05_types == b03_types:
        raise SystemExit("B05's device types share their list with B03; they need a list of their own")
    other = next(i for i, row in enumerate(choices) if row["list"] == b05_types and row["label"] == "Khác")
    choices[other:other] = [{"list": b05_types, "label": label} for label in NEW_DEVICE_TYPES]
    for name, labels in (
        ("source", SOURCES),
        ("proposed_action", DEVICE_ACTIONS),
        ("hosting", HOSTING),
        ("login_method", LOGIN_METHODS),
        ("system_action", SYSTEM_ACTIONS),
    ):
        if any(row["list"] == name for row in choices):
            raise SystemExit(f"2026.1 already has a choice list named {name!r}")
        choices.extend({"list": name, "label": label} for label in labels)
    # Lists in the order their first column comes, as `definition_of` writes any version's.
    first_use: dict[str, int] = {}
    for index, row in enumerate(columns):
        first_use.setdefault(row["choices"], index)
    choices.sort(key=lambda row: first_use.get(row["list"], len(columns)))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"where to write it (default {OUT})")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_definition(definition(), args.out, code=CODE, title=TITLE)
    print(args.out)


if __name__ == "__main__":
    main()

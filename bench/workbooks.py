"""Workbook figures (issue 4): importing a unit's workbook and exporting the province's.

Generated deterministically (seeded random): a typical unit workbook (~300 rows across the sheets),
a large one (10,000 rows of B05) and a province campaign (220 units, ~25,000 rows in total). The
workbooks are written in the layout of PHU_LUC.md ("The workbook"): title row, marked headers,
STT, B01 as label/value lines. Every ratio is measured side by side in the same run:

- import (read + validate + save, through `reader.read_unit_workbook` and `importer.apply_import`,
  in a transaction rolled back after each run) ÷ `pandas.read_excel(path, sheet_name=None)` with its
  default engine (openpyxl) — target ≤ 0.5; ÷ a bare python-calamine read of every sheet — ≤ 4;
- the province export (`workbooks.export.write_consolidated`, rows read from the database)
  ÷ `DataFrame.to_excel` of the same rows, the frames built beforehand — target ≤ 0.5;
  ÷ bare XlsxWriter constant_memory writing of the same cells, one typed call per cell — ≤ 1.5;
- peak RSS of the large import (target < 250 MB) and of the province export, each measured in a
  fresh interpreter (`python -c`), so the figures hold nothing of this process; the RSS of an
  interpreter that only starts Django is printed beside them.

The registry, the campaign and the province's data are committed to the scratch database (the
child processes must see them) and deleted at the end, so later benchmarks find it empty.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from bench.common import paired, report, report_paired, timed

SEED = 2026
PROVINCE_ROWS = {"B02": (1, 4), "B03": (2, 12), "B04": (5, 20), "B05": (40, 140), "B06": (1, 8)}
TYPICAL_ROWS = {"B02": 3, "B03": 12, "B04": 25, "B05": 240, "B06": 20}
LARGE_ROWS = {"B02": 2, "B03": 5, "B04": 8, "B05": 10_000, "B06": 3}
IMPORT_UNIT = "X.03637.UB"
MB = 1024  # peak RSS is read in KiB

COMPUTERS = ("Máy tính để bàn", "Máy tính xách tay")
OTHER_DEVICES = (
    "Máy in",
    "Máy quét (scan)",
    "Máy chiếu",
    "Thiết bị ký số (USB Token, SIM PKI)",
    "Máy photocopy",
)
CONDITIONS = ("Hoạt động tốt", "Hoạt động nhưng xuống cấp", "Hỏng, không sử dụng được")


# --- data -------------------------------------------------------------------------------------------


def _row(code: str, rng: random.Random, index: int) -> dict:
    """One valid row of a repeating sheet, varied the way clerks' data varies."""
    note = rng.choice([None, None, None, "-", f"Ghi chú {index}"])
    if code == "B02":
        return {
            "link_type": rng.choice(["Internet cáp quang (FTTH)", "Mạng truyền số liệu chuyên dùng (TSLCD)",
                                     "Internet di động (3G/4G/5G)"]),
            "provider": rng.choice(["VNPT", "Viettel", "FPT"]),
            "bandwidth_mbps": Decimal(rng.choice(["20", "50", "100", "150.5", "300"])),
            "quantity": rng.randint(1, 3),
            "year_started": rng.randint(2012, 2026),
            "purpose": "Truy cập Internet",
            "adequacy": rng.choice(["Đáp ứng", "Chưa đáp ứng"]),
            "shared": rng.choice(["Có", "Không", "Không"]),
            "note": note,
        }  # fmt: skip
    if code == "B03":
        return {
            "device_type": rng.choice(["Thiết bị chuyển mạch (Switch)", "Bộ lưu điện (UPS)",
                                       "Camera giám sát", "Thiết bị phát Wi-Fi", "Máy chủ"]),
            "model": f"Model {rng.randint(100, 9999)}",
            "manufacturer": rng.choice(["Cisco", "APC", "Hikvision", "Dell", None]),
            "quantity": rng.randint(1, 6),
            "year_in_use": rng.randint(2010, 2026),
            "condition": rng.choice(CONDITIONS),
            "location": "Phòng máy chủ",
            "note": note,
        }  # fmt: skip
    if code == "B04":
        return {
            "name": f"Phần mềm {index:03d}",
            "scope": rng.choice(["Dùng chung của tỉnh", "Dùng chung toàn quốc", "Do đơn vị tự triển khai"]),
            "category": rng.choice(["Quản lý văn bản và điều hành", "Chữ ký số",
                                    "Kế toán, tài chính, tài sản"]),
            "vendor": rng.choice(["VNPT", "Viettel", "MISA", None]),
            "acquisition": rng.choice(["Thuê dịch vụ", "Đầu tư mua sắm", "Được cấp, chuyển giao"]),
            "year_in_use": rng.randint(2015, 2026),
            "user_accounts": rng.randint(1, 80),
            "data_sharing": rng.choice(["Có", "Không", "Không áp dụng"]),
            "security_level": rng.choice(["Chưa xác định", "Cấp độ 2", "Cấp độ 3"]),
            "usage": rng.choice(["Thường xuyên, hiệu quả", "Có sử dụng nhưng chưa hiệu quả"]),
            "annual_cost_mvnd": Decimal(rng.randint(0, 500)) / 10,
            "issues": None,
        }  # fmt: skip
    if code == "B05":
        computer = rng.random() < 0.6
        return {
            "device_type": rng.choice(COMPUTERS if computer else OTHER_DEVICES),
            "model": f"{rng.choice(['Dell', 'HP', 'Lenovo', 'Canon'])} {rng.randint(100, 9999)}",
            "quantity": rng.randint(1, 5),
            "year_acquired": rng.randint(2010, 2026),
            "cpu": f"Core i{rng.choice([3, 5, 7])}-{rng.randint(4000, 13000)}" if computer else None,
            "ram_gb": Decimal(rng.choice([4, 8, 16])) if computer else None,
            "disk_type": rng.choice(["SSD", "HDD"]) if computer else None,
            "disk_gb": rng.choice([256, 500, 1000]) if computer else None,
            "os": rng.choice(["Windows 10", "Windows 11"]) if computer else None,
            "os_licensed": rng.choice(["Có", "Không"]) if computer else None,
            "antivirus": rng.choice(["Có bản quyền", "Miễn phí"]) if computer else None,
            "at_one_stop": rng.choice(["Có", "Không"]),
            "condition": rng.choice(CONDITIONS),
            "note": note,
        }
    return {
        "item": f"Đề xuất {index}",
        "area": rng.choice(["Thiết bị đầu cuối", "Hạ tầng kết nối", "Đào tạo, nhân lực"]),
        "kind": rng.choice(["Thay thế", "Bổ sung mới", "Nâng cấp"]),
        "quantity": rng.randint(1, 10),
        "budget_mvnd": Decimal(rng.randint(10, 900)),
        "target_year": rng.randint(2026, 2031),
        "reason": "Thiết bị đã cũ",
    }


def _general(unit, rng: random.Random) -> dict:
    return {
        "unit_name": unit.name,
        "unit_code": unit.code,
        "block": unit.get_block_display(),
        "level": unit.get_level_display(),
        "address": f"Trụ sở {unit.name}",
        "contact_name": "Lò Văn Thắng",
        "contact_title": "Công chức",
        "contact_phone": f"09{rng.randint(10_000_000, 99_999_999)}",
        "contact_email": "dau.moi@laichau.gov.vn",
        "staff_total": rng.randint(10, 120),
        "it_staff_fulltime": 0,
        "it_staff_parttime": 1,
        "has_one_stop": "Không",
        "has_lan": "Có",
        "lan_points": rng.randint(5, 60),
        "has_wifi": "Có",
        "has_server_room": "Không",
        "overall_assessment": "Hạ tầng cơ bản đáp ứng yêu cầu.",
        "difficulties": None,
        "proposals": None,
    }


def unit_data(unit, counts: dict[str, int], rng: random.Random) -> dict:
    """A unit's data in the `rasoat dump` shape."""
    data = {"B01": _general(unit, rng)}
    for code, count in counts.items():
        data[code] = [_row(code, rng, index + 1) for index in range(count)]
    return data


def write_unit_workbook(path: Path, appendix, data: dict) -> int:
    """Write a unit's data as a clerk's workbook of PHU_LUC.md's layout; returns the rows written."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    rows = 0
    for sheet in appendix:
        worksheet = workbook.add_worksheet(sheet.title)
        worksheet.write_string(0, 0, f"{sheet.code}. {sheet.title.upper()} — {data['B01']['unit_name']}")
        if not sheet.repeating:
            for number, column in enumerate(sheet.columns, start=1):
                worksheet.write_number(number + 1, 0, number)
                worksheet.write_string(number + 1, 1, column.marked_header)
                _write(worksheet, number + 1, 2, data["B01"].get(column.key))
            continue
        for col, column in enumerate(sheet.columns):
            worksheet.write_string(1, col, column.marked_header)
        for index, record in enumerate(data[sheet.code], start=1):
            worksheet.write_number(index + 1, 0, index)
            for col, column in enumerate(sheet.data_columns, start=1):
                _write(worksheet, index + 1, col, record.get(column.key))
        rows += len(data[sheet.code])
    workbook.close()
    return rows


def _write(worksheet, row: int, col: int, value) -> None:
    if value is None:
        return
    if isinstance(value, str):
        worksheet.write_string(row, col, value)
    else:
        worksheet.write_number(row, col, float(value))


# --- the scratch database -----------------------------------------------------------------------


def _assert_scratch_database() -> None:
    """This module commits data: refuse anything but the scratch database bench.common set up."""
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    scratch = os.environ.get("RASOAT_VAR_DIR", "\0")
    if not (name.startswith(scratch) or Path(name).name.startswith("test_")):
        raise SystemExit(f"bench/workbooks.py refuses to write to {name!r}: not a scratch database")


def load_province(rng: random.Random):
    """Commit the registry, RS2026 and data for its 220 units; returns (campaign, rows stored)."""
    from django.db import transaction
    from django.utils import timezone

    from rasoat.campaigns.models import Assignment, Campaign, Status
    from rasoat.campaigns.services import ensure_first_campaign
    from rasoat.inventory.models import ROW_MODELS, GeneralInfo
    from rasoat.orgs.registry import load_seed_registry

    with transaction.atomic():
        load_seed_registry()
        ensure_first_campaign()
        campaign = Campaign.objects.get(code="RS2026")
        records: dict[str, list] = {code: [] for code in ROW_MODELS}
        general = []
        assignments = list(campaign.assignments.select_related("unit"))
        statuses = [Status.IN_PROGRESS, Status.SUBMITTED, Status.ACCEPTED, Status.RETURNED]
        for assignment in assignments:
            counts = {code: rng.randint(*bounds) for code, bounds in PROVINCE_ROWS.items()}
            data = unit_data(assignment.unit, counts, rng)
            general.append(GeneralInfo(assignment=assignment, **data["B01"]))
            for code, model in ROW_MODELS.items():
                records[code] += [
                    model(assignment=assignment, position=position, **row)
                    for position, row in enumerate(data[code], start=1)
                ]
            assignment.status = (
                rng.choice(statuses) if assignment.unit.code != IMPORT_UNIT else Status.IN_PROGRESS
            )
            if assignment.status != Status.IN_PROGRESS:
                day = datetime.datetime(2026, 5, rng.randint(10, 22), rng.randint(7, 17), rng.randint(0, 59))
                assignment.submitted_at = timezone.make_aware(day)
        Assignment.objects.bulk_update(assignments, ["status", "submitted_at"])
        GeneralInfo.objects.bulk_create(general)
        for code, model in ROW_MODELS.items():
            model.objects.bulk_create(records[code], batch_size=2000)
    return campaign, sum(len(rows) for rows in records.values())


def clear_database() -> None:
    """Delete what load_province committed (and anything the imports left), leaving the scratch DB empty."""
    from django.db import transaction

    from rasoat.audit.models import AuditEntry
    from rasoat.campaigns.models import Assignment, Campaign
    from rasoat.orgs.models import Unit
    from rasoat.workbooks.models import Upload

    with transaction.atomic():
        Assignment.objects.all().delete()
        Upload.objects.all().delete()
        Campaign.objects.all().delete()
        AuditEntry.objects.all().delete()
        Unit.objects.update(parent=None, commune=None)
        Unit.objects.all().delete()


# --- the operations measured --------------------------------------------------------------------


def import_workbook(path: Path, assignment) -> int:
    """Read, validate and save a unit's workbook as the upload does; returns the rows stored."""
    from rasoat.workbooks.reader import read_unit_workbook

    result = read_unit_workbook(str(path), path.name, assignment)
    if result.errors:
        raise SystemExit(f"{path.name}: {len(result.errors)} errors, first: {result.errors[0]}")
    try:
        from rasoat.workbooks.importer import apply_import
    except ImportError:  # the importer has not landed yet: store as it will, through replace_unit_data
        from rasoat.inventory.services import replace_unit_data

        replace_unit_data(assignment, result.units[0].data, action="workbook.imported")
    else:
        apply_import(result, {assignment.unit.code: assignment}, None, None, None)
    return sum(result.rows.values())


def read_only(path: Path, assignment) -> None:
    from rasoat.workbooks.reader import read_unit_workbook

    read_unit_workbook(str(path), path.name, assignment)


def without_receivers(fn, *args):
    """Call `fn` with inventory's data_changed signal disconnected from its receivers."""
    from rasoat.inventory.signals import data_changed

    saved = data_changed.receivers
    data_changed.receivers = []
    data_changed.sender_receivers_cache.clear()
    try:
        return fn(*args)
    finally:
        data_changed.receivers = saved
        data_changed.sender_receivers_cache.clear()


def rolled_back(fn):
    """Run `fn` in a transaction that is rolled back, so every run starts from the same data."""
    from django.db import transaction

    def run():
        with transaction.atomic():
            fn()
            transaction.set_rollback(True)

    return run


def reimport(path: Path, assignment):
    """A contender timing an import over the unit's own rows (stored first, untimed, then rolled back)."""
    from django.db import transaction

    def run() -> float:
        with transaction.atomic():
            import_workbook(path, assignment)
            start = time.perf_counter()
            import_workbook(path, assignment)
            elapsed = time.perf_counter() - start
            transaction.set_rollback(True)
        return elapsed

    return run


def calamine_read(path: Path) -> None:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()


def pandas_read(path: Path) -> None:
    import pandas

    pandas.read_excel(path, sheet_name=None)


def materialise(sheets) -> list[tuple[str, list[list], bool]]:
    """Every cell of the export as plain values (Decimal → float), per sheet: (name, rows, has header)."""
    result = []
    for sheet in sheets:
        rows = [[float(v) if isinstance(v, Decimal) else v for v in cells] for cells in sheet.rows]
        if sheet.header is None:
            rows = [list(cells) for _style, cells in rows]
        else:
            rows.insert(0, list(sheet.header))
        result.append((sheet.name, rows, sheet.header is not None))
    return result


def bare_xlsxwriter(path: Path, sheets) -> None:
    """The floor: the same cells, constant memory, one typed call per cell, no formats."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    for name, rows, _header in sheets:
        worksheet = workbook.add_worksheet(name)
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    worksheet.write_string(r, c, value)
                elif isinstance(value, datetime.datetime):
                    worksheet.write_datetime(r, c, value)
                else:
                    worksheet.write_number(r, c, value)
    workbook.close()


def pandas_frames(sheets):
    import pandas

    frames = []
    for name, rows, header in sheets:
        if header:
            frame = pandas.DataFrame(rows[1:], columns=rows[0])
        else:
            width = max(len(cells) for cells in rows)
            frame = pandas.DataFrame([list(cells) + [None] * (width - len(cells)) for cells in rows])
        frames.append((name, frame, header))
    return frames


def pandas_write(path: Path, frames) -> None:
    import pandas

    with pandas.ExcelWriter(path) as writer:
        for name, frame, header in frames:
            frame.to_excel(writer, sheet_name=name, index=False, header=header)


# --- peak memory in a fresh interpreter ---------------------------------------------------------

_CHILD = """
import os, sys, json
sys.path.insert(0, os.getcwd())
from bench.workbooks import child_main, own_peak_rss_kib
child_main(sys.argv[1:])
print(json.dumps({"peak_kib": own_peak_rss_kib()}))
"""


def own_peak_rss_kib() -> int:
    """This process's peak resident set size, in KiB.

    Linux's VmHWM belongs to the process's own address space. getrusage's ru_maxrss would not do:
    Linux carries the parent's peak over fork and exec into it, so every child would report at
    least what this (much larger) benchmark process held when it started the child.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_main(argv: list[str]) -> None:
    """Entry point of a measuring child: start Django on the parent's database, do one thing."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rasoat.settings")
    import django

    django.setup()
    from django.db import connection

    if os.environ.get("RASOAT_BENCH_DB_NAME"):
        connection.settings_dict["NAME"] = os.environ["RASOAT_BENCH_DB_NAME"]
    what = argv[0]
    if what == "django":
        connection.ensure_connection()
        return
    from rasoat.campaigns.models import Assignment, Campaign

    campaign = Campaign.objects.get(code="RS2026")
    if what == "import":
        assignment = Assignment.objects.select_related("campaign", "unit").get(
            campaign=campaign, unit__code=IMPORT_UNIT
        )
        rolled_back(lambda: import_workbook(Path(argv[1]), assignment))()
    elif what == "export":
        from rasoat.workbooks.export import write_consolidated

        write_consolidated(campaign, campaign.assignments.all(), argv[1])


def peak_rss_mb(*args: str) -> float:
    from django.db import connection

    connection.close()  # no open transaction or lock while the child works
    env = dict(os.environ, RASOAT_BENCH_DB_NAME=str(connection.settings_dict["NAME"]))
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"child {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])["peak_kib"] / MB


def database_version() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}"
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        return f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 100}"
    return connection.vendor


# --- main -----------------------------------------------------------------------------------------


def main() -> None:
    from django.db import connection

    from rasoat.appendix.declaration import get_appendix
    from rasoat.campaigns.models import Assignment
    from rasoat.workbooks.export import consolidated_sheets, write_consolidated

    _assert_scratch_database()
    rng = random.Random(SEED)
    workdir = tempfile.TemporaryDirectory(prefix="rasoat-bench-workbooks-")
    folder = Path(workdir.name)
    try:
        start = time.perf_counter()
        campaign, stored = load_province(rng)
        appendix = get_appendix(campaign.appendix_version)
        assignment = Assignment.objects.select_related("campaign", "unit").get(
            campaign=campaign, unit__code=IMPORT_UNIT
        )
        typical, large = folder / "typical.xlsx", folder / "large.xlsx"
        typical_rows = write_unit_workbook(typical, appendix, unit_data(assignment.unit, TYPICAL_ROWS, rng))
        large_rows = write_unit_workbook(large, appendix, unit_data(assignment.unit, LARGE_ROWS, rng))
        print(
            f"{database_version()} · province: {campaign.assignments.count()} units, {stored} rows · typical "
            f"workbook {typical_rows} rows · large workbook {large_rows} rows "
            f"({large.stat().st_size // 1024} KiB) · set-up {time.perf_counter() - start:.1f} s"
        )

        # Peak memory first, while this process holds no transaction (SQLite allows one writer).
        django_rss = peak_rss_mb("django")
        import_rss = peak_rss_mb("import", str(large))
        export_rss = peak_rss_mb("export", str(folder / "child-export.xlsx"))

        for label, path, rows in (("typical", typical, typical_rows), ("large", large, large_rows)):
            importing = timed(rolled_back(lambda p=path: import_workbook(p, assignment)))
            targets = (0.5, 4) if label == "large" else (None, None)
            measured = paired(importing, timed(lambda p=path: pandas_read(p)), 3)
            report_paired(f"import {label} ({rows} rows) ÷ pandas.read_excel", measured, targets[0])
            measured = paired(importing, timed(lambda p=path: calamine_read(p)), 5)
            report_paired(f"import {label} ({rows} rows) ÷ calamine read", measured, targets[1])
            if label == "large":
                # Where the time goes (no target): reading and validating, and the save without the
                # receivers of inventory's data_changed signal (the assessment recomputed on save).
                reading = timed(lambda p=path: read_only(p, assignment))
                report_paired("  of which read + validate ÷ import", paired(reading, importing, 3))
                bare_save = timed(
                    rolled_back(lambda p=path: without_receivers(import_workbook, p, assignment))
                )
                report_paired(
                    "  import without data_changed receivers ÷ import", paired(bare_save, importing, 3)
                )
                # Re-importing over the unit's own rows: the snapshot before replacing, the deletes.
                report_paired(
                    f"re-import over {rows} rows ÷ first import",
                    paired(reimport(path, assignment), importing, 3),
                    1.1,
                )

        province = campaign.assignments.all()
        exporting = timed(lambda: write_consolidated(campaign, province, str(folder / "export.xlsx")))
        cells = materialise(consolidated_sheets(campaign, province))
        frames = pandas_frames(cells)
        count = sum(len(rows) for _name, rows, _header in cells)
        measured = paired(exporting, timed(lambda: pandas_write(folder / "pandas.xlsx", frames)), 3)
        report_paired(f"province export ({count} rows) ÷ DataFrame.to_excel", measured, 0.5)
        measured = paired(exporting, timed(lambda: bare_xlsxwriter(folder / "bare.xlsx", cells)), 3)
        report_paired(f"province export ({count} rows) ÷ bare XlsxWriter", measured, 1.5)
        report("peak RSS, large import ÷ 250 MB budget", import_rss, 250, 1.0, unit="MB")
        report("peak RSS, province export ÷ Django alone", export_rss, django_rss, unit="MB")
    finally:
        connection.close()
        clear_database()
        workdir.cleanup()

"""The consolidated workbook of a campaign: every unit's data in one file, with totals and progress.

Exporters are small: each function below yields a header and the rows of one sheet, and one writer
(`write_xlsx`) turns those sheets into an XLSX file with XlsxWriter in constant memory (each row is
streamed to disk as it is written). The web download and `rasoat export` call the same code.

Which data: the **stored data of each assignment as it is now** (the inventory tables, the same rows
the entry pages show), whatever the status. For a unit that has submitted (Đã gửi) or been accepted
(Đã duyệt) these are exactly the submitted values, because its data is locked from the submit until
it is returned. For a unit still entering (Đang nhập) or returned (Trả lại) they are its current
draft, which is what a reviewer following progress wants to see; the `Tình trạng` sheet gives each
unit's status so the two cases can be told apart. Submission snapshots stay in the unit's history.

The sheets, in order:
- `Tổng hợp`: the progress and totals of the scope: units assigned, submitted (Đã gửi or Đã duyệt)
  and accepted, with device and link totals, by level × block and by commune; devices of B03 and
  B05 by type and condition (sums of "Số lượng"); links of B02 by type (sums of "Số đường truyền"),
  lines shared with other units ("Dùng chung" = Có) counted in their own column so that a line
  used by the five units of a commune is not read as five lines of capacity.
- `Tình trạng`: one row per unit: status, time of the last submission (local time) and whether it
  came before the end of the deadline day.
- The six sheets of the appendix under their PHU_LUC.md titles. Every row starts with the unit's
  code, name, block, level and commune (from the registry), then the PHU_LUC.md headers. B01 has one
  row per assigned unit (empty when the unit entered nothing) and leaves out its four prefilled
  lines (name, code, block, level), which the registry columns already give; B02–B06 have every
  row, numbered (STT) within its unit.

The workbook is a document for the Steering Committee: its sheet names, headers and labels are the
fixed Vietnamese of the appendix and the registry, whatever the language of the person exporting.
Everything is computed with a fixed number of queries: aggregates in SQL, rows streamed with
`values_list(...).iterator()`, never one query or one model instance per unit or per row.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, NamedTuple

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone, translation

from rasoat.appendix.declaration import Appendix, Column, ColumnType, get_appendix
from rasoat.appendix.spec import YES
from rasoat.campaigns.models import Assignment, Campaign, Status
from rasoat.inventory import storage
from rasoat.inventory.models import ROW_MODELS
from rasoat.orgs.models import Block, Level, Unit
from rasoat.orgs.text import fold
from rasoat.workbooks.reading.matching import sheet_name
from rasoat.workbooks.xlsx import CONTENT_TYPE, DATETIME_FORMAT, new_workbook, write_cells, write_row

__all__ = [
    "CONTENT_TYPE",
    "STATUS_SHEET",
    "SUMMARY_SHEET",
    "SheetExport",
    "consolidated_sheets",
    "export_filename",
    "scope_label",
    "scope_roots",
    "scoped_assignments",
    "write_consolidated",
    "write_xlsx",
]

SUMMARY_SHEET = "Tổng hợp"
SUMMARY_TOP_ROWS = 3  # title, campaign, scope: repeated on every printed page of the summary
STATUS_SHEET = "Tình trạng"
UNIT_HEADERS = ("Mã đơn vị", "Tên cơ quan, đơn vị", "Khối", "Cấp", "Xã, phường")
UNIT_WIDTHS = (14, 42, 24, 9, 24)
STATUS_HEADERS = ("Tình trạng", "Thời điểm gửi", "Đúng hạn/Quá hạn")
ON_TIME, LATE = "Đúng hạn", "Quá hạn"
NOT_RECORDED = "(Chưa ghi)"

# The order of units everywhere in the workbook: the registry's order, as on the campaign board.
UNIT_ORDER = ("unit__position", "unit__code")
ROW_ORDER = ("assignment__unit__position", "assignment__unit__code", "position", "pk")
SUBMITTED_STATES = (Status.SUBMITTED, Status.ACCEPTED)
CHUNK_SIZE = 2000

_LEVEL_ORDER = {value: index for index, value in enumerate(Level.values)}
_BLOCK_ORDER = {value: index for index, value in enumerate(Block.values)}


# --- the writer ---------------------------------------------------------------------------------


@dataclass
class SheetExport:
    """One sheet to write: its name, column widths and rows, in order.

    A table sheet has a `header`: it is written as a frozen, filterable first row and every item of
    `rows` is a row of cells. A report sheet (`header` None) yields `(style, cells)` lines, the
    style being one of "title", "note", "heading", "header", "row", "total" or "blank".
    """

    name: str
    widths: Sequence[float]
    rows: Iterable[Any]
    header: Sequence[str] | None = None
    # Top rows printed again on every page: a table's header row; the summary's title and scope lines.
    repeat_rows: int = 1


def write_xlsx(sheets: Iterable[SheetExport], target: str | IO[bytes]) -> dict[str, int]:
    """Write the sheets with XlsxWriter in constant memory to a path or a binary file object.

    Text cells are always strings (never formulas), numbers numbers, datetimes dates shown as
    dd/mm/yyyy hh:mm. Returns the number of data rows (or report lines) written per sheet.
    """
    workbook = new_workbook(target, constant_memory=True)
    formats = {
        "header": workbook.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1}
        ),
        "title": workbook.add_format({"bold": True, "font_size": 13}),
        "heading": workbook.add_format({"bold": True, "font_color": "#1F4E79"}),
        "note": workbook.add_format({"italic": True, "font_color": "#595959"}),
        "total": workbook.add_format({"bold": True, "top": 1}),
        "datetime": workbook.add_format({"num_format": DATETIME_FORMAT}),
    }
    counts: dict[str, int] = {}
    for sheet in sheets:
        worksheet = workbook.add_worksheet(sheet.name)
        for col, width in enumerate(sheet.widths):
            worksheet.set_column(col, col, width)
        _print_setup(worksheet, sheet)
        if sheet.header is None:
            counts[sheet.name] = _write_report(worksheet, sheet.rows, formats)
        else:
            counts[sheet.name] = _write_table(worksheet, sheet.header, sheet.rows, formats)
    workbook.close()
    return counts


def _print_setup(worksheet, sheet: SheetExport) -> None:
    """A4 landscape, as wide as one page (as many pages long as needed), the top rows on every page."""
    worksheet.set_landscape()
    worksheet.set_paper(9)  # A4
    worksheet.fit_to_pages(1, 0)
    worksheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    worksheet.center_horizontally()
    worksheet.set_footer("&C&P / &N")
    if sheet.repeat_rows:
        worksheet.repeat_rows(0, sheet.repeat_rows - 1)


def _write_table(worksheet, header: Sequence[str], rows: Iterable[Sequence[Any]], formats) -> int:
    # In constant-memory mode a row's height must be set before the row is written.
    worksheet.set_row(0, 48)
    write_cells(worksheet, 0, header, formats["header"])
    worksheet.freeze_panes(1, 0)
    datetime_format = formats["datetime"]
    row = 0
    for row, cells in enumerate(rows, start=1):  # noqa: B007 - `row` is the last row after the loop
        write_row(worksheet, row, cells, datetime_format)
    worksheet.autofilter(0, 0, max(row, 1), len(header) - 1)
    return row


def _write_report(worksheet, lines: Iterable[tuple[str, Sequence[Any]]], formats) -> int:
    row = -1
    for row, (style, cells) in enumerate(lines):  # noqa: B007
        if style == "header":
            worksheet.set_row(row, 32)
        write_cells(worksheet, row, cells, formats.get(style), formats["datetime"])
    return row + 1


# --- which assignments --------------------------------------------------------------------------


def scoped_assignments(
    assignments: QuerySet[Assignment],
    *,
    scope: Unit | None = None,
    level: str = "",
    block: str = "",
    commune: Unit | None = None,
) -> QuerySet[Assignment]:
    """Narrow assignments (already limited to what the caller may export) to a subtree and filters."""
    if scope is not None:
        assignments = assignments.filter(unit__path__startswith=scope.path)
    if level:
        assignments = assignments.filter(unit__level=level)
    if block:
        assignments = assignments.filter(unit__block=block)
    if commune is not None:
        assignments = assignments.filter(unit__commune=commune)
    return assignments


def scope_label(
    scope: Unit | None = None,
    level: str = "",
    block: str = "",
    commune: Unit | None = None,
    *,
    everything: str = "Tất cả đơn vị được giao",
) -> str:
    """What the export covers, in words, for the title of the `Tổng hợp` sheet; `everything` names
    the whole scope when no subtree is chosen."""
    parts = [scope.name if scope is not None else everything]
    if level:
        parts.append(Level(level).label)
    if block:
        parts.append(Block(block).label)
    if commune is not None:
        parts.append(commune.name)
    return " · ".join(parts)


def scope_roots(user) -> list[Unit]:
    """The units at the top of what `user` may export (their memberships' units, without those nested in
    another): what an export "of everything in my scope" covers, by name — never the person."""
    if user.is_superuser:
        return list(Unit.objects.filter(parent__isnull=True).order_by("position", "code"))
    paths = user.scope_paths("export:run")
    tops = [path for path in paths if not any(path != other and path.startswith(other) for other in paths)]
    return list(Unit.objects.filter(path__in=tops).order_by("position", "code"))


def export_filename(campaign: Campaign, *names: str) -> str:
    """`tong-hop-RS2026-xa-muong-te.xlsx`: the campaign and the scope's names, folded to plain ASCII."""
    words = [fold(name) for name in names if name]
    slug = re.sub(r"[^a-z0-9]+", "-", " ".join(words)).strip("-")[:80].rstrip("-")
    stem = "-".join(
        part for part in ("tong-hop", re.sub(r"[^A-Za-z0-9._-]+", "_", campaign.code), slug) if part
    )
    return f"{stem}.xlsx"


# --- the consolidated workbook -----------------------------------------------------------------


class UnitLine(NamedTuple):
    """An assigned unit as the workbook shows it: registry columns first, then its status."""

    assignment_id: int
    cells: tuple  # code, name, block label, level label, commune name
    level: str
    block: str
    commune_id: int | None
    status: str
    submitted_at: datetime.datetime | None


def write_consolidated(
    campaign: Campaign, assignments: QuerySet[Assignment], target: str | IO[bytes], *, label: str = ""
) -> dict[str, int]:
    """Write the consolidated workbook of `assignments` (already scoped by the caller) to `target`.

    Returns the number of rows written per sheet.
    """
    return write_xlsx(consolidated_sheets(campaign, assignments, label=label), target)


def consolidated_sheets(
    campaign: Campaign, assignments: QuerySet[Assignment], *, label: str = ""
) -> list[SheetExport]:
    """The sheets of the consolidated workbook. Only the list of units is read here; each sheet's
    rows are queried when the writer reaches them, so a million rows never sit in memory."""
    appendix = get_appendix(campaign.appendix_version)
    assignments = assignments.filter(campaign=campaign)
    units = _load_units(assignments)
    ids = assignments.order_by().values("pk")
    sheets = [
        SheetExport(
            SUMMARY_SHEET,
            (40, 26, 14, 14, 14, 14, 14, 14, 14),
            _summary_lines(campaign, appendix, assignments, ids, units, label),
            repeat_rows=SUMMARY_TOP_ROWS,
        ),
        SheetExport(
            STATUS_SHEET,
            (*UNIT_WIDTHS, 16, 17, 16),
            _status_rows(campaign, units),
            (*UNIT_HEADERS, *STATUS_HEADERS),
        ),
    ]
    by_id = {unit.assignment_id: unit.cells for unit in units}
    taken = {SUMMARY_SHEET.casefold(), STATUS_SHEET.casefold()}
    for sheet in appendix:
        if sheet.repeating:
            columns = sheet.data_columns
            picker = storage.Picker(sheet, columns)
            query = (
                storage.records(sheet, assignment__in=ids)
                .order_by(*ROW_ORDER)
                .values_list("assignment_id", *picker.paths)
                .iterator(chunk_size=CHUNK_SIZE)
            )
            rows = _numbered_rows(by_id, _picked(picker, query))
            header = (*UNIT_HEADERS, "STT", *(c.header for c in columns))
            widths = (*UNIT_WIDTHS, 6, *(_width(c) for c in columns))
        else:
            columns = tuple(c for c in sheet.data_columns if not c.prefilled)
            rows = _form_rows(sheet, columns, assignments, ids, by_id)
            header = (*UNIT_HEADERS, *(c.header for c in columns))
            widths = (*UNIT_WIDTHS, *(_width(c) for c in columns))
        sheets.append(SheetExport(_sheet_name(sheet, taken), widths, rows, header))
    return sheets


def _cells(picker: storage.Picker, values: tuple) -> tuple:
    """Cells as the workbook shows them: dates as day/month/year text (what the reader takes back)."""
    return tuple(
        f"{value:%d/%m/%Y}" if isinstance(value, datetime.date) else value for value in picker.cells(values)
    )


def _picked(picker: storage.Picker, query: Iterable[tuple]) -> Iterator[tuple]:
    """(assignment id, cells) of each row; a function, so each sheet's generator keeps its own picker."""
    for row in query:
        yield (row[0], *_cells(picker, row[1:]))


def _form_rows(sheet, columns, assignments, ids, by_id) -> Iterator[tuple]:
    """One row per unit of a label/value sheet, empty when nothing is stored."""
    picker = storage.Picker(sheet, columns, prefix="" if storage.is_custom(sheet.code) else "general_info__")
    if not storage.is_custom(sheet.code):
        # B01 from the assignment side (LEFT JOIN): one row per unit in a single streamed query.
        query = (
            assignments.order_by(*UNIT_ORDER).values_list("pk", *picker.paths).iterator(chunk_size=CHUNK_SIZE)
        )
        return (by_id[row[0]] + _cells(picker, row[1:]) for row in query)
    stored = {
        row[0]: _cells(picker, row[1:])
        for row in storage.records(sheet, assignment__in=ids).values_list("assignment_id", *picker.paths)
    }
    empty = (None,) * len(columns)
    pks = assignments.order_by(*UNIT_ORDER).values_list("pk", flat=True)
    return (by_id[pk] + stored.get(pk, empty) for pk in pks)


def _load_units(assignments: QuerySet[Assignment]) -> list[UnitLine]:
    blocks, levels = dict(Block.choices), dict(Level.choices)
    rows = assignments.order_by(*UNIT_ORDER).values_list(
        "pk",
        "unit__code",
        "unit__name",
        "unit__block",
        "unit__level",
        "unit__commune_id",
        "unit__commune__name",
        "status",
        "submitted_at",
    )
    return [
        UnitLine(
            pk,
            (code, name, blocks.get(block, block), levels.get(level, level), commune_name or ""),
            level,
            block,
            commune_id,
            status,
            submitted_at,
        )
        for pk, code, name, block, level, commune_id, commune_name, status, submitted_at in rows
    ]


def _numbered_rows(by_id: dict[int, tuple], query: Iterable[tuple]) -> Iterator[tuple]:
    """Registry cells + STT (1, 2, ... within each unit, whatever gaps `position` has) + values."""
    previous, number, cells = None, 0, ()
    for row in query:
        if row[0] != previous:
            previous, number, cells = row[0], 0, by_id[row[0]]
        number += 1
        yield cells + (number,) + row[1:]


def _sheet_name(sheet, taken: set[str]) -> str:
    """The sheet's title as the template names it (`matching.sheet_name`: what Excel allows), with the
    sheet code in front when another sheet already took that name (two long titles alike)."""
    name = sheet_name(sheet.title)
    if name.casefold() in taken:
        name = sheet_name(f"{sheet.code}. {sheet.title}")
    taken.add(name.casefold())
    return name


def _width(column: Column) -> float:
    """A width that fits typical values; headers wrap within it."""
    if column.type == ColumnType.DATE:
        return 12
    if column.type == ColumnType.LONGTEXT:
        return 50
    if column.type == ColumnType.CHOICE:
        return min(max(len(choice) for choice in column.choices) + 2, 36)
    if column.type == ColumnType.YESNO or column.is_numeric:
        return max(10, min(len(column.header) * 0.6, 18))
    return 26


def _status_rows(campaign: Campaign, units: list[UnitLine]) -> Iterator[tuple]:
    with translation.override("vi"):
        labels = {value: str(label) for value, label in Status.choices}
    for unit in units:
        when, timing = None, None
        if unit.submitted_at is not None:
            local = timezone.localtime(unit.submitted_at)
            # Excel has no time zones: the local time, as the board shows it.
            when = local.replace(tzinfo=None, second=0, microsecond=0)
            timing = LATE if local.date() > campaign.deadline else ON_TIME
        yield unit.cells + (labels.get(unit.status, unit.status), when, timing)


# --- the Tổng hợp sheet -------------------------------------------------------------------------

_PROGRESS_HEADERS = (
    "Số đơn vị được giao",
    "Đã gửi (kể cả đã duyệt)",
    "Đã duyệt",
    "Thiết bị hạ tầng (B03, số lượng)",
    "Thiết bị đầu cuối (B05, số lượng)",
    "Đường truyền riêng (B02)",
    "Đường truyền dùng chung (B02)",
)


class _Totals:
    """Per-assignment sums of quantities (one SQL aggregate per sheet), rolled up by group."""

    def __init__(self, ids):
        self.by_assignment: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for model_code, slot in (("B03", 0), ("B05", 1)):
            query = (
                ROW_MODELS[model_code]
                .objects.filter(assignment__in=ids)
                .order_by()
                .values("assignment_id")
                .annotate(quantity=Sum("quantity"))
            )
            for row in query:
                self.by_assignment[row["assignment_id"]][slot] = row["quantity"] or 0
        links = (
            ROW_MODELS["B02"]
            .objects.filter(assignment__in=ids)
            .order_by()
            .values("assignment_id")
            .annotate(
                own=Sum("quantity", filter=~Q(shared=YES)), shared=Sum("quantity", filter=Q(shared=YES))
            )
        )
        for row in links:
            self.by_assignment[row["assignment_id"]][2:] = [row["own"] or 0, row["shared"] or 0]

    def rolled_up(self, units: list[UnitLine], key) -> dict[Any, list[int]]:
        sums: dict[Any, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for unit in units:
            values = self.by_assignment.get(unit.assignment_id)
            if values:
                group = sums[key(unit)]
                for index, value in enumerate(values):
                    group[index] += value
        return sums


def _unit_counts(assignments: QuerySet[Assignment], *group: str):
    return (
        assignments.order_by()
        .values(*group)
        .annotate(
            assigned=Count("pk"),
            submitted=Count("pk", filter=Q(status__in=SUBMITTED_STATES)),
            accepted=Count("pk", filter=Q(status=Status.ACCEPTED)),
        )
    )


def _summary_lines(
    campaign: Campaign,
    appendix: Appendix,
    assignments: QuerySet[Assignment],
    ids,
    units: list[UnitLine],
    label: str,
) -> Iterator[tuple[str, Sequence[Any]]]:
    now = timezone.localtime()
    yield "title", (f"TỔNG HỢP KẾT QUẢ RÀ SOÁT — ĐỢT {campaign.code}",)
    yield "note", (campaign.title,)
    yield "note", (f"Phạm vi: {label or scope_label()}",)
    yield (
        "note",
        (
            f"Hạn gửi: {campaign.deadline:%d/%m/%Y}. Số liệu lấy lúc {now:%d/%m/%Y %H:%M}: bản đang lưu của "
            "từng đơn vị (đơn vị đã gửi hoặc đã duyệt: đúng bản đã gửi; đơn vị đang nhập: bản nháp).",
        ),
    )
    totals = _Totals(ids)

    # 1. Progress by level × block.
    yield "blank", ()
    yield "heading", ("1. Tiến độ và số lượng theo cấp và khối",)
    yield "header", ("Cấp", "Khối", *_PROGRESS_HEADERS)
    quantities = totals.rolled_up(units, lambda unit: (unit.level, unit.block))
    rows = sorted(
        _unit_counts(assignments, "unit__level", "unit__block"),
        key=lambda r: (_LEVEL_ORDER.get(r["unit__level"], 99), _BLOCK_ORDER.get(r["unit__block"], 99)),
    )
    levels, blocks = dict(Level.choices), dict(Block.choices)
    sum_row = [0] * 7
    for row in rows:
        key = (row["unit__level"], row["unit__block"])
        figures = [row["assigned"], row["submitted"], row["accepted"], *quantities.get(key, (0, 0, 0, 0))]
        sum_row = [a + b for a, b in zip(sum_row, figures, strict=True)]
        yield "row", (levels.get(key[0], NOT_RECORDED), blocks.get(key[1], NOT_RECORDED), *figures)
    yield "total", ("Tổng cộng", "", *sum_row)

    # 2. Progress by commune (commune-level units only; province agencies belong to no commune).
    yield "blank", ()
    yield "heading", ("2. Tiến độ và số lượng theo xã, phường",)
    yield "header", ("Xã, phường", "Mã xã", *_PROGRESS_HEADERS)
    quantities = totals.rolled_up(units, lambda unit: unit.commune_id)
    rows = _unit_counts(
        assignments.filter(unit__commune__isnull=False),
        "unit__commune_id",
        "unit__commune__code",
        "unit__commune__name",
    ).order_by("unit__commune__position", "unit__commune__code")
    sum_row = [0] * 7
    for row in rows:
        counts = [row["assigned"], row["submitted"], row["accepted"]]
        figures = [*counts, *quantities.get(row["unit__commune_id"], (0, 0, 0, 0))]
        sum_row = [a + b for a, b in zip(sum_row, figures, strict=True)]
        yield "row", (row["unit__commune__name"], row["unit__commune__code"], *figures)
    yield "total", ("Tổng cộng", "", *sum_row)

    # 3–4. Devices by type and condition.
    for number, code, title in (
        (3, "B03", "Thiết bị hạ tầng (B03)"),
        (4, "B05", "Thiết bị đầu cuối (B05)"),
    ):
        yield "blank", ()
        yield from _device_table(number, title, appendix.sheet(code), ids, ROW_MODELS[code])

    # 5. Links by type, shared lines apart.
    yield "blank", ()
    yield from _link_table(appendix, ids)


def _ordered_keys(declared: Sequence[str], found: Iterable[str | None]) -> list[str | None]:
    """The declared labels in their order, then any other stored value, then None (not recorded)."""
    found = set(found)
    extra = sorted(value for value in found if value is not None and value not in declared)
    return [*declared, *extra, *([None] if None in found else [])]


def _device_table(number: int, title: str, sheet, ids, model) -> Iterator[tuple[str, Sequence[Any]]]:
    query = (
        model.objects.filter(assignment__in=ids)
        .order_by()
        .values_list("device_type", "condition")
        .annotate(quantity=Sum("quantity"))
    )
    quantities = {(kind, condition): quantity or 0 for kind, condition, quantity in query}
    kinds = _ordered_keys(sheet.column("device_type").choices, (k for k, _c in quantities))
    conditions = [*_ordered_keys(sheet.column("condition").choices, (c for _k, c in quantities))]
    if None not in conditions:
        conditions.append(None)  # the column is always there, so layouts of two exports match
    yield "heading", (f"{number}. {title} theo loại và tình trạng (tổng số lượng)",)
    yield "header", ("Loại thiết bị", *(c or "Chưa ghi tình trạng" for c in conditions), "Tổng cộng")
    column_sums = [0] * (len(conditions) + 1)
    for kind in kinds:
        figures = [quantities.get((kind, condition), 0) for condition in conditions]
        figures.append(sum(figures))
        column_sums = [a + b for a, b in zip(column_sums, figures, strict=True)]
        yield "row", (kind or "(Chưa ghi loại thiết bị)", *figures)
    yield "total", ("Tổng cộng", *column_sums)


def _link_table(appendix: Appendix, ids) -> Iterator[tuple[str, Sequence[Any]]]:
    query = (
        ROW_MODELS["B02"]
        .objects.filter(assignment__in=ids)
        .order_by()
        .values_list("link_type")
        .annotate(own=Sum("quantity", filter=~Q(shared=YES)), shared=Sum("quantity", filter=Q(shared=YES)))
    )
    figures = {kind: (own or 0, shared or 0) for kind, own, shared in query}
    yield "heading", ("5. Kết nối mạng (B02) theo loại (tổng số đường truyền)",)
    yield "header", ("Loại kết nối", "Đường truyền riêng", "Đường truyền dùng chung")
    own_sum = shared_sum = 0
    for kind in _ordered_keys(appendix.sheet("B02").column("link_type").choices, figures):
        own, shared = figures.get(kind, (0, 0))
        own_sum, shared_sum = own_sum + own, shared_sum + shared
        yield "row", (kind or "(Chưa ghi loại kết nối)", own, shared)
    yield "total", ("Tổng cộng", own_sum, shared_sum)
    yield (
        "note",
        (
            "Đường truyền dùng chung (cột “Dùng chung với cơ quan, đơn vị khác” = Có) được nhiều đơn vị cùng "
            "khai báo; không cộng vào số đường truyền riêng để tránh tính trùng năng lực kết nối.",
        ),
    )

"""Reading a whole workbook: limits, sheets, `_meta`, every sheet's cells, then one result per unit."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import date
from typing import Any

from python_calamine import CalamineWorkbook, PasswordError, SheetVisibleEnum

from rasoat.appendix.declaration import Appendix, Context, Sheet
from rasoat.spreadsheets import limits
from rasoat.spreadsheets.gate import check_workbook
from rasoat.workbooks.reading.cleaning import SheetCleaner
from rasoat.workbooks.reading.matching import INSTRUCTIONS_TITLE, META_SHEET, SheetNames, meta_values
from rasoat.workbooks.reading.results import (
    ERROR,
    WARNING,
    CellIssue,
    UnitImport,
    WorkbookImport,
    WorkbookRejected,
)
from rasoat.workbooks.reading.routing import Routing
from rasoat.workbooks.reading.sheets import Collector, SheetSummary, read_general, read_table


@dataclass
class Scope:
    """What the workbook is read for: the campaign, its appendix, and the unit(s) it may hold."""

    campaign_code: str
    appendix: Appendix
    reference_date: date
    routing: Routing
    code: str
    """The unit (or the commune, for a commune workbook) the file is uploaded for."""
    name: str
    commune_code: str | None = None
    """For a unit workbook: the unit's commune, to recognise a commune workbook uploaded by mistake."""


# --- the file ------------------------------------------------------------------------------------


def load_source(source: Any, filename: str) -> bytes:
    """The file's bytes, after checking its size on disk (before reading it)."""
    if isinstance(source, bytes | bytearray | memoryview):
        limits.check_size(len(source), filename)
        return bytes(source)
    if isinstance(source, str | os.PathLike):
        try:
            limits.check_size(os.path.getsize(source), filename)
            with open(source, "rb") as handle:
                return handle.read()
        except OSError:
            raise WorkbookRejected(f'Không mở được tệp "{filename}".') from None
    size = getattr(source, "size", None)
    if size is None:
        position = source.tell()
        source.seek(0, io.SEEK_END)
        size = source.tell() - position
        source.seek(position)
    else:
        source.seek(0)
    limits.check_size(size, filename)
    # Never more than the limit, whatever the object claims its size is.
    data = source.read(limits.max_bytes() + 1)
    limits.check_size(len(data), filename)
    return data


def _calamine(call, filename: str):
    """Run a python-calamine call; any failure of the library means a damaged or protected file."""
    try:
        return call()
    except PasswordError:
        raise limits.password_protected(filename) from None
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException:  # noqa: BLE001 - includes pyo3's PanicException, which is not an Exception
        raise limits.damaged(filename) from None


def open_workbook(source: Any, filename: str) -> CalamineWorkbook:
    """Check the limits that need no parsing (the extent of every sheet included), then open the
    workbook."""
    data = load_source(source, filename)
    check_workbook(data, filename)
    return _calamine(lambda: CalamineWorkbook.from_filelike(io.BytesIO(data)), filename)


# --- reading -------------------------------------------------------------------------------------


def read_workbook(source: Any, filename: str, scope: Scope) -> WorkbookImport:
    """Read a unit or commune workbook for `scope`; WorkbookRejected when the file cannot be read."""
    workbook = open_workbook(source, filename)
    try:
        return _read(workbook, filename, scope)
    finally:
        workbook.close()


def _read(workbook: CalamineWorkbook, filename: str, scope: Scope) -> WorkbookImport:
    appendix = scope.appendix
    names = SheetNames(appendix, list(workbook.sheet_names))
    collector = Collector()
    if not names.by_code:
        _reject_without_sheets(workbook, names, filename, appendix)
    if names.meta is not None:
        meta_rows = _calamine(lambda: workbook.get_sheet_by_name(names.meta).to_python(nrows=100), filename)
        _check_meta(meta_values(meta_rows), filename, scope, collector)

    loaded = {
        code: _calamine(lambda name=name: workbook.get_sheet_by_name(name), filename)
        for code, name in names.by_code.items()
    }
    heights = sum(sheet.height for sheet in loaded.values())
    limits.check_rows(heights, filename, allowance=limits.row_allowance() * len(loaded))
    limits.check_cells(sum(_used_cells(sheet) for sheet in loaded.values()), filename)
    if heights == 0:
        found = ", ".join(f'"{name}"' for name in names.by_code.values())
        raise WorkbookRejected(
            f'Tệp "{filename}" không có dữ liệu: các biểu {found} đều trống. Hãy điền dữ liệu vào các biểu '
            "rồi tải lên lại."
        )

    _sheet_warnings(workbook, names, collector)
    summaries: list[SheetSummary] = []
    context = Context.for_date(scope.reference_date)
    general = next((sheet for sheet in appendix if not sheet.repeating), None)
    for sheet in appendix:
        name = names.by_code.get(sheet.code)
        if name is None:
            summaries.append(SheetSummary(sheet, None))
            _missing_sheet(sheet, collector, general)
            continue
        rows = _calamine(lambda code=sheet.code: loaded.pop(code).to_python(skip_empty_area=False), filename)
        cleaner = SheetCleaner(sheet, context)
        if sheet.repeating:
            hidden = appendix.hidden.get(sheet.code, ())
            summaries.append(read_table(rows, sheet, name, scope.routing, cleaner, collector, hidden))
        else:
            summaries.append(read_general(rows, sheet, name, scope.routing, cleaner, collector))
        del rows
    limits.check_rows(sum(s.rows for s in summaries if s.sheet.repeating), filename)
    return _result(scope, summaries, collector)


def _used_cells(sheet) -> int:
    end = sheet.end
    return 0 if end is None else (end[0] + 1) * (end[1] + 1)


def _reject_without_sheets(workbook: CalamineWorkbook, names: SheetNames, filename: str, appendix: Appendix):
    titles = ", ".join(f'"{sheet.title}"' for sheet in appendix)
    if names.instructions and not names.others:
        raise WorkbookRejected(
            f'Tệp "{filename}" chỉ có trang "{INSTRUCTIONS_TITLE}", không có biểu nào để nhập. Hãy điền '
            f"dữ liệu vào các biểu {titles} (tải mẫu Excel của đơn vị nếu cần) rồi tải lên lại."
        )
    visible = [meta.name for meta in workbook.sheets_metadata if meta.name != names.meta]
    empty = all(
        _calamine(lambda name=name: workbook.get_sheet_by_name(name).height, filename) == 0
        for name in visible
    )
    if not visible or empty:
        raise WorkbookRejected(
            f'Tệp "{filename}" không có dữ liệu (không có trang nào hoặc các trang đều trống). Hãy tải mẫu '
            "Excel của đơn vị, điền dữ liệu rồi tải lên lại."
        )
    found = ", ".join(f'"{name}"' for name in visible)
    raise WorkbookRejected(
        f'Không tìm thấy biểu nào của phụ lục trong tệp "{filename}" (các trang trong tệp: {found}). Tên các '
        f'trang cần là tên biểu: {titles}; có thể thêm mã biểu phía trước, ví dụ "B05. Thiết bị đầu cuối".'
    )


def _issue(
    kind: str,
    title: str,
    code: str | None,
    message: str,
    *,
    value: Any = None,
    file_sheet: str | None = None,
    unit_code: str | None = None,
) -> CellIssue:
    """An issue about a whole sheet, the file or a unit (no row, no column)."""
    return CellIssue(kind, title, code, None, None, value, message, file_sheet, None, unit_code)


def _check_meta(meta: dict[str, str], filename: str, scope: Scope, collector: Collector) -> None:
    """A `_meta` naming another campaign or unit rejects the file; another appendix version is a warning."""
    campaign = meta.get("campaign")
    if campaign is not None and campaign.casefold() != scope.campaign_code.casefold():
        raise WorkbookRejected(
            f'Tệp "{filename}" được tạo cho đợt rà soát "{campaign}", không phải đợt "{scope.campaign_code}" '
            "đang nhập. Hãy tải mẫu Excel của đợt này, chép dữ liệu sang rồi tải lên."
        )
    unit = meta.get("unit")
    if unit is not None and unit.casefold() != scope.code.casefold():
        routing = scope.routing
        if routing.is_commune and unit.casefold() in {t.code.casefold() for t in routing.targets}:
            message = (
                f'Tệp "{filename}" là tệp của riêng đơn vị "{unit}", không phải tệp của cả {scope.name}. '
                "Hãy tải tệp này lên ở trang của đơn vị đó."
            )
        elif scope.commune_code is not None and unit.casefold() == scope.commune_code.casefold():
            message = (
                f'Tệp "{filename}" là tệp của cả xã (mã "{unit}"), không phải của riêng {scope.name}. '
                "Hãy tải tệp này lên ở trang của xã."
            )
        else:
            message = (
                f'Tệp "{filename}" được tạo cho đơn vị có mã "{unit}", không phải {scope.name} (mã '
                f'"{scope.code}") đang nhập. Hãy kiểm tra lại tệp, hoặc tải mẫu Excel của đơn vị này.'
            )
        raise WorkbookRejected(message)
    version = meta.get("appendix_version")
    if version is not None and version != scope.appendix.version:
        message = (
            f"Tệp được tạo theo phụ lục phiên bản {version}, đợt rà soát này dùng phiên bản "
            f"{scope.appendix.version}. Hệ thống vẫn đọc theo tên biểu và tên cột; hãy kiểm tra kỹ kết quả."
        )
        collector.add(_issue(WARNING, META_SHEET, None, message, value=version, file_sheet=META_SHEET))


def _sheet_warnings(workbook: CalamineWorkbook, names: SheetNames, collector: Collector) -> None:
    for sheet, name in names.duplicates:
        message = (
            f'Có hai trang cùng là biểu "{sheet.title}": "{names.by_code[sheet.code]}" và "{name}". '
            "Hãy gộp dữ liệu vào một trang và xóa trang còn lại."
        )
        collector.add(_issue(ERROR, sheet.title, sheet.code, message, file_sheet=name))
    visible = {m.name for m in workbook.sheets_metadata if m.visible == SheetVisibleEnum.Visible}
    for name in names.others:
        if name in visible:
            message = (
                f'Trang "{name}" không phải biểu nào của phụ lục nên không được đọc. Nếu đây là một biểu, '
                'hãy đặt lại tên trang đúng tên biểu (ví dụ "Thiết bị đầu cuối").'
            )
            collector.add(_issue(WARNING, name, None, message, file_sheet=name))


def _missing_sheet(sheet: Sheet, collector: Collector, general: Sheet | None) -> None:
    # Only B01 is required (it names the unit); a label/value sheet a version added is like a table:
    # left empty when the file lacks it.
    if sheet is general:
        message = (
            f'Không tìm thấy biểu "{sheet.title}" ({sheet.code}) trong tệp. Biểu này bắt buộc; hãy thêm '
            f'trang "{sheet.title}" (có thể dùng mẫu Excel của đơn vị).'
        )
        collector.add(_issue(ERROR, sheet.title, sheet.code, message))
        return
    message = (
        f'Không có biểu "{sheet.title}" ({sheet.code}) trong tệp: khi nhập, biểu này của đơn vị sẽ để '
        "trống. Nếu đơn vị có dữ liệu của biểu này, hãy thêm trang đó vào tệp."
    )
    collector.add(_issue(WARNING, sheet.title, sheet.code, message))


def _result(scope: Scope, summaries: list[SheetSummary], collector: Collector) -> WorkbookImport:
    appendix = scope.appendix
    routing = scope.routing
    general = next(sheet for sheet in appendix if not sheet.repeating)
    has_general = any(s.sheet is general and s.file_sheet for s in summaries)
    units: list[UnitImport] = []
    skipped = {t.code for t in routing.targets if routing.is_commune and not t.has_own_values}
    if skipped:
        # B01 was checked before knowing whether a unit has anything of its own; a unit left alone
        # reports nothing but the warning below.
        collector.errors = [i for i in collector.errors if i.unit_code not in skipped]
        collector.warnings = [i for i in collector.warnings if i.unit_code not in skipped]
    for target in routing.targets:
        if target.code in skipped:
            if target.has_general_column:
                message = (
                    f'Tệp không có dữ liệu của đơn vị "{target.code}" ({target.name}) ngoài tên và mã; dữ '
                    "liệu hiện có của đơn vị này được giữ nguyên, không nhập."
                )
                collector.add(_issue(WARNING, general.title, general.code, message, unit_code=target.code))
            continue
        if routing.is_commune and has_general and not target.has_general_column:
            message = (
                f'Biểu "{general.title}" không có cột của đơn vị "{target.code}" ({target.name}) dù tệp có '
                'dữ liệu của đơn vị này ở các biểu khác. Hãy thêm cột của đơn vị (ghi mã ở dòng "Mã đơn vị") '
                "và điền thông tin chung."
            )
            collector.add(
                _issue(ERROR, general.title, general.code, message, value=target.code, unit_code=target.code)
            )
        data: dict[str, Any] = {}
        for sheet in appendix:
            if sheet.repeating:
                data[sheet.code] = target.data.get(sheet.code, [])
            else:
                data[sheet.code] = target.data.get(sheet.code) or dict.fromkeys(sheet.keys)
        units.append(
            UnitImport(
                unit_code=target.code,
                data=data,
                errors=[i for i in collector.errors if i.unit_code == target.code],
                warnings=[i for i in collector.warnings if i.unit_code == target.code],
                rows={sheet.code: target.rows.get(sheet.code, 0) for sheet in appendix.repeating_sheets},
            )
        )
    if not units and not collector.errors:
        message = f"Tệp không có dữ liệu của đơn vị nào trong số {routing.codes_text()}."
        collector.add(_issue(ERROR, general.title, general.code, message))
    repeating = [s for s in summaries if s.sheet.repeating and s.file_sheet]
    return WorkbookImport(
        units=units,
        errors=collector.errors,
        warnings=collector.warnings,
        ignored={s.sheet.title: {"blank": s.blank, "total": s.total} for s in repeating},
        unknown_columns=[
            {"sheet": s.sheet.title, "column": column} for s in summaries for column in s.unknown_columns
        ],
        sheets=[s.as_dict() for s in summaries],
        rows={
            sheet.code: sum(unit.rows.get(sheet.code, 0) for unit in units)
            for sheet in appendix.repeating_sheets
        },
        commune=routing.is_commune,
    )

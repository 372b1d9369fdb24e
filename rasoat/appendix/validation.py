"""Validation of appendix data against its declaration: one record, or all the sheets of a unit.

Every value goes through `normalize.normalize_value` (type, range, length, choice), then the
record's required columns (plain and conditional) and the declared warning thresholds, then the
sheet's cross-field rules. The web forms, the Excel import, the JSON load command and the API all
call this module, so a rule is enforced the same way wherever the data comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .normalize import format_number, is_empty, normalize_value
from .spec import ERROR, WARNING, Appendix, Context, Issue, Sheet, UnitInfo


@dataclass
class RecordResult:
    """A record's normalised values (every data column; None when empty or invalid) and its issues."""

    values: dict[str, Any]
    issues: list[Issue]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.is_warning]


@dataclass
class UnitResult:
    """A unit's normalised data in the shape it was given (blank rows dropped) and all its issues.

    Issue rows are 1-based positions in the list as given, blank rows included, so they point at
    what the user sent.
    """

    data: dict[str, Any]
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.is_warning]

    @property
    def rows(self) -> dict[str, int]:
        """Number of non-blank rows per repeating sheet."""
        return {code: len(rows) for code, rows in self.data.items() if isinstance(rows, list)}


def is_blank_record(sheet: Sheet, record: dict[str, Any]) -> bool:
    """True when every data cell is empty: such a row is ignored whatever its STT (PHU_LUC.md)."""
    return all(is_empty(record.get(column.key)) for column in sheet.data_columns)


def clean_record(sheet: Sheet, record: dict[str, Any] | None, context: Context) -> RecordResult:
    """Normalise and validate one record of `sheet` (B01's single record or one table row).

    Issues carry the column key and the value as given; the caller adds sheet and row.
    """
    record = record or {}
    issues: list[Issue] = []
    values: dict[str, Any] = {}
    invalid: set[str] = set()

    for key in record:
        if not sheet.has_column(key):
            issues.append(Issue(ERROR, key, f'Cột "{key}" không có trong biểu "{sheet.title}".', record[key]))

    for column in sheet.data_columns:
        raw = record.get(column.key)
        value, error = normalize_value(column, raw, context)
        values[column.key] = value
        if error:
            invalid.add(column.key)
            issues.append(Issue(ERROR, column.key, error, raw))

    for column in sheet.data_columns:
        value = values[column.key]
        if value is None and column.key not in invalid:
            if column.required:
                issues.append(
                    Issue(ERROR, column.key, f'Chưa nhập "{column.header}"; đây là cột bắt buộc.', None)
                )
            elif column.required_if is not None:
                other, labels = column.required_if
                if values.get(other) in labels:
                    issues.append(
                        Issue(
                            ERROR,
                            column.key,
                            f'Chưa nhập "{column.header}"; cột này bắt buộc với '
                            f'"{sheet.column(other).header}" là "{values[other]}".',
                            None,
                        )
                    )
        if value is not None and column.warn_above is not None and value > column.warn_above:
            issues.append(
                Issue(
                    WARNING,
                    column.key,
                    f'"{column.header}" là {format_number(value)}, lớn hơn '
                    f"{format_number(column.warn_above)} — mức hiếm gặp. "
                    "Hãy kiểm tra lại số liệu và đơn vị tính.",
                    record.get(column.key),
                )
            )

    for rule in sheet.rules:
        issues.extend(rule(values, context))

    issues.sort(key=lambda issue: sheet.position(issue.column))
    return RecordResult(values, issues)


def validate_record(sheet: Sheet, record: dict[str, Any] | None, context: Context) -> list[Issue]:
    """The issues of one record of `sheet`: errors and warnings, in column order."""
    return clean_record(sheet, record, context).issues


def clean_unit_data(
    appendix: Appendix, data: dict[str, Any], unit_info: UnitInfo, reference_date: date
) -> UnitResult:
    """Normalise and validate all the sheets of one unit.

    `data` has the shape of `rasoat dump`: {"B01": {...}, "B02": [{...}, ...], ...}; a missing
    sheet is an empty one (a missing B01 therefore lacks its required lines). Every issue carries
    the sheet code and, for tables, the 1-based row position.
    """
    context = Context.for_date(reference_date, unit_info)
    result = UnitResult(data={})
    if not isinstance(data, dict):
        result.issues.append(Issue(ERROR, None, "Dữ liệu phải gồm các biểu B01 đến B06.", None))
        return result

    for code in data:
        if not appendix.has_sheet(code):
            result.issues.append(
                Issue(
                    ERROR,
                    None,
                    f'Biểu "{code}" không có trong phụ lục phiên bản {appendix.version}.',
                    None,
                    sheet=code,
                )
            )

    for sheet in appendix:
        given = data.get(sheet.code)
        if not sheet.repeating:
            if given is not None and not isinstance(given, dict):
                result.issues.append(_shape_error(sheet, None, "một bản ghi (các dòng thông tin)", given))
                given = None
            record = clean_record(sheet, given, context)
            result.data[sheet.code] = record.values
            result.issues.extend(_placed(record.issues, sheet.code, None))
            continue
        rows: list[dict[str, Any]] = []
        result.data[sheet.code] = rows
        if given is None:
            continue
        if not isinstance(given, list):
            result.issues.append(_shape_error(sheet, None, "một danh sách các dòng", given))
            continue
        for position, row in enumerate(given, start=1):
            if not isinstance(row, dict):
                result.issues.append(_shape_error(sheet, position, "một dòng (các cột và giá trị)", row))
                continue
            if is_blank_record(sheet, row):
                continue
            record = clean_record(sheet, row, context)
            rows.append(record.values)
            result.issues.extend(_placed(record.issues, sheet.code, position))
    return result


def validate_unit_data(
    appendix: Appendix, data: dict[str, Any], unit_info: UnitInfo, reference_date: date
) -> list[Issue]:
    """All the issues of one unit's data, each with sheet code, row (None for B01), column and value."""
    return clean_unit_data(appendix, data, unit_info, reference_date).issues


def _placed(issues: list[Issue], code: str, row: int | None) -> list[Issue]:
    return [
        Issue(issue.kind, issue.column, issue.message, issue.value, sheet=code, row=row) for issue in issues
    ]


def _shape_error(sheet: Sheet, row: int | None, expected: str, value: Any) -> Issue:
    where = f'Dòng {row} của biểu "{sheet.title}"' if row else f'Biểu "{sheet.title}"'
    return Issue(
        ERROR, None, f"{where} không đúng cấu trúc: cần {expected}.", value, sheet=sheet.code, row=row
    )

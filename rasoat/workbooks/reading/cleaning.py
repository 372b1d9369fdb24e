"""`clean_record` for thousands of rows: the same normalisation and rules, each distinct cell read once.

A workbook repeats itself: the same device type, condition, "Có", year or model appears on
hundreds of rows. `appendix.normalize.normalize_value` is a pure function of (column, value,
reference year), so its result is kept per column and value; the record-level steps that
follow (required columns, conditional requirements, warning thresholds, the sheet's cross-field
rules, the column order of issues) are those of `appendix.validation.clean_record`, step for
step. tests/workbooks/test_reader.py checks that both give identical results on the sample
workbooks and on rows made to break every rule, so the web form, the JSON load and the Excel
import keep enforcing one set of rules.
"""

from __future__ import annotations

from typing import Any

from rasoat.appendix.declaration import Column, Context, Issue, Sheet
from rasoat.appendix.normalize import format_number, normalize_value
from rasoat.appendix.spec import ERROR, WARNING
from rasoat.appendix.validation import RecordResult

EMPTY: tuple[Any, str | None] = (None, None)


class SheetCleaner:
    """Normalises and validates the records of one sheet, remembering every distinct cell's result."""

    def __init__(self, sheet: Sheet, context: Context):
        self.sheet = sheet
        self.context = context
        self.columns = sheet.data_columns
        self._memo: dict[str, dict[Any, tuple[Any, str | None]]] = {c.key: {} for c in self.columns}
        self._memos = tuple(self._memo[c.key] for c in self.columns)
        self._keys = tuple(c.key for c in self.columns)
        self._known = frozenset(c.key for c in sheet.columns)
        self._checked = tuple(
            c for c in self.columns if c.required or c.required_if is not None or c.warn_above is not None
        )

    def normalize(self, column: Column, raw: Any) -> tuple[Any, str | None]:
        """`normalize_value(column, raw, context)`, computed once per distinct (type, value)."""
        if raw is None or raw == "":
            return EMPTY
        memo = self._memo[column.key]
        # The type is part of the key: 1, 1.0 and True are equal in Python but not as cells.
        key = (raw.__class__, raw)
        try:
            return memo[key]
        except KeyError:
            result = memo[key] = normalize_value(column, raw, self.context)
            return result
        except TypeError:  # an unhashable value: nothing a spreadsheet library returns, but be safe
            return normalize_value(column, raw, self.context)

    def normalize_record(self, record: dict[str, Any]) -> list[tuple[Any, str | None]]:
        """The normalised (value, error) of every data column, in declaration order."""
        normalize = self.normalize
        return [normalize(column, record.get(column.key)) for column in self.columns]

    def normalize_cells(self, cells: list[Any]) -> list[tuple[Any, str | None]]:
        """`normalize_record` for the raw cells of every data column in declaration order (None for a
        column the file lacks): the loop every table row goes through, kept free of method calls."""
        result = []
        append = result.append
        context = self.context
        for column, memo, raw in zip(self.columns, self._memos, cells, strict=True):
            if raw is None or raw == "":
                append(EMPTY)
                continue
            key = (raw.__class__, raw)
            try:
                append(memo[key])
            except KeyError:
                memo[key] = normalized = normalize_value(column, raw, context)
                append(normalized)
            except TypeError:  # pragma: no cover - unhashable: nothing a spreadsheet library returns
                append(normalize_value(column, raw, context))
        return result

    @staticmethod
    def is_blank(normalized: list[tuple[Any, str | None]]) -> bool:
        """Every data cell empty (`validation.is_blank_record`); only an empty cell gives (None, None)."""
        return all(item is EMPTY or item == EMPTY for item in normalized)

    def clean(
        self,
        record: dict[str, Any],
        context: Context | None = None,
        normalized: list[tuple[Any, str | None]] | None = None,
    ) -> RecordResult:
        """`validation.clean_record(sheet, record, context)` with memoised normalisation.

        `context` may differ from the cleaner's in its unit (the cross-field rules of B01 compare
        with the registry), never in its reference year. `normalized` reuses `normalize_record`.
        """
        context = context or self.context
        sheet = self.sheet
        if normalized is None:
            normalized = self.normalize_record(record)
        issues: list[Issue] = []
        invalid: set[str] = set()

        if not self._known.issuperset(record):
            for key in record:
                if not sheet.has_column(key):
                    issues.append(
                        Issue(ERROR, key, f'Cột "{key}" không có trong biểu "{sheet.title}".', record[key])
                    )

        values = dict(zip(self._keys, [value for value, _error in normalized], strict=True))
        for key, (_value, error) in zip(self._keys, normalized, strict=True):
            if error:
                invalid.add(key)
                issues.append(Issue(ERROR, key, error, record.get(key)))

        # Only the columns with a requirement or a threshold; in declaration order, as clean_record.
        for column in self._checked:
            key = column.key
            value = values[key]
            if value is None and key not in invalid:
                if column.required:
                    issues.append(
                        Issue(ERROR, key, f'Chưa nhập "{column.header}"; đây là cột bắt buộc.', None)
                    )
                elif column.required_if is not None:
                    other, labels = column.required_if
                    if values.get(other) in labels:
                        issues.append(
                            Issue(
                                ERROR,
                                key,
                                f'Chưa nhập "{column.header}"; cột này bắt buộc với '
                                f'"{sheet.column(other).header}" là "{values[other]}".',
                                None,
                            )
                        )
            if value is not None and column.warn_above is not None and value > column.warn_above:
                issues.append(
                    Issue(
                        WARNING,
                        key,
                        f'"{column.header}" là {format_number(value)}, lớn hơn '
                        f"{format_number(column.warn_above)} — mức hiếm gặp. "
                        "Hãy kiểm tra lại số liệu và đơn vị tính.",
                        record.get(key),
                    )
                )

        for rule in sheet.rules:
            issues.extend(rule(values, context))

        if len(issues) > 1:
            issues.sort(key=lambda issue: sheet.position(issue.column))
        return RecordResult(values, issues)

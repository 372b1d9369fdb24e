"""Counting the values of any column of any appendix version in SQL, wherever storage keeps it.

2026.1's columns are typed database columns; the columns a version adds live in each record's
`extra` (a JSON document, `jsonb` on PostgreSQL) and the sheets it adds in `CustomRow` (see
`storage`, which decides). Here each column becomes one SQL expression — the field itself, or
`extra ->> key` (cast to a number for numeric columns) — so rows are counted per label, weighted by
the sheet's quantity, with one grouped query over any number of rows: never a Python loop over rows.
`summaries.columns` keeps those counts per unit with the data (the dashboard's "Thống kê theo cột"
and the reports' annexes read them); the same expressions filter the rows of one label for the
drill-down, so the rows always add up to the number shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, F, IntegerField, Max, Min, Q, QuerySet, Sum, TextField
from django.db.models.expressions import Expression
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce

from rasoat.appendix.spec import Appendix, Column, ColumnType, Sheet
from rasoat.inventory import storage

QUANTITY = "quantity"
"""The key of the column that weighs a row (how many devices, lines, items it stands for)."""
SEPARATOR = "."


def value_of(sheet: Sheet, column: Column) -> Expression:
    """The column's value as SQL: the typed field, or the text of `extra`'s key."""
    if storage.is_typed(sheet.code, column):
        return F(column.key)
    # The cast to text makes a comparison with a label a text comparison (a bare key transform
    # would compare JSON with JSON); on PostgreSQL `(extra ->> key)` is text already, a no-op.
    return Cast(KeyTextTransform(column.key, "extra"), TextField())


def number_of(sheet: Sheet, column: Column) -> Expression:
    """A numeric column's value as an SQL number (whole numbers and years as integers)."""
    if storage.is_typed(sheet.code, column):
        return F(column.key)
    if column.type == ColumnType.DEC:
        field = DecimalField(max_digits=column.max_digits, decimal_places=column.decimal_places)
    else:
        field = IntegerField()
    return Cast(KeyTextTransform(column.key, "extra"), field)


def weight_of(sheet: Sheet) -> Column | None:
    """The sheet's quantity column when it has one that holds a number, else None (rows count 1)."""
    if sheet.repeating and sheet.has_column(QUANTITY) and sheet.column(QUANTITY).is_numeric:
        return sheet.column(QUANTITY)
    return None


def records_of(sheet: Sheet, assignments: QuerySet) -> QuerySet:
    """The stored records of `sheet` belonging to `assignments` (a subquery, not a list of ids)."""
    queryset = storage.model_for(sheet.code).objects.filter(
        assignment__in=assignments.order_by().values("pk")
    )
    if storage.is_custom(sheet.code):
        queryset = queryset.filter(sheet=sheet.code)
    return queryset.order_by()


@dataclass(frozen=True)
class Countable:
    """A choice or yes/no column of one sheet, which rows can be counted by."""

    sheet: Sheet
    column: Column

    @property
    def ref(self) -> str:
        """How a URL names it: "B05.os"."""
        return f"{self.sheet.code}{SEPARATOR}{self.column.key}"

    @property
    def weight(self) -> Column | None:
        return weight_of(self.sheet)

    @property
    def typed(self) -> bool:
        return storage.is_typed(self.sheet.code, self.column)

    def value(self) -> Expression:
        return value_of(self.sheet, self.column)

    def quantity(self) -> Expression | None:
        weight = self.weight
        return number_of(self.sheet, weight) if weight is not None else None

    def label_q(self, label: str | None) -> Q:
        """The records holding `label` (None: the empty cells), on the annotation `counted_value`."""
        return Q(counted_value__isnull=True) if label is None else Q(counted_value=label)

    def records(self, assignments: QuerySet) -> QuerySet:
        """The sheet's records of `assignments`, each with its value as `counted_value`."""
        return records_of(self.sheet, assignments).annotate(counted_value=self.value())

    def rows_with(self, assignments: QuerySet, label: str | None) -> QuerySet:
        return self.records(assignments).filter(self.label_q(label))


def countable_columns(appendix: Appendix) -> list[Countable]:
    """Every choice and yes/no column of the version, sheet by sheet in declaration order."""
    return [
        Countable(sheet, column) for sheet in appendix for column in sheet.data_columns if column.has_choices
    ]


def find(appendix: Appendix, ref: str | None) -> Countable | None:
    """The countable column named `ref` ("B05.os") in the version, or None when there is none."""
    code, _dot, key = (ref or "").partition(SEPARATOR)
    if not appendix.has_sheet(code) or not appendix.sheet(code).has_column(key):
        return None
    column = appendix.sheet(code).column(key)
    return Countable(appendix.sheet(code), column) if column.has_choices else None


@dataclass
class LabelCount:
    """One label of a column: its records and the sum of their quantities (None: not weighted)."""

    label: str | None
    rows: int
    quantity: int | Decimal | None


def direct_counts(countable: Countable, assignments: QuerySet) -> list[LabelCount]:
    """Records per stored value of the column over `assignments`, in one grouped query over the
    rows (any order). The dashboard and reports read the same counts kept per unit
    (`summaries.columns.counts`); this is what those must equal."""
    totals = {"rows": Count("pk")}
    quantity = countable.quantity()
    if quantity is not None:
        totals["weighted"] = Coalesce(Sum(quantity), 0, output_field=quantity_field(countable))
    grouped = countable.records(assignments).values("counted_value").annotate(**totals)
    return [
        LabelCount(row["counted_value"], row["rows"], row.get("weighted") if quantity is not None else None)
        for row in grouped
    ]


def quantity_field(countable: Countable):
    weight = countable.weight
    if weight is not None and weight.type == ColumnType.DEC:
        return DecimalField(max_digits=weight.max_digits, decimal_places=weight.decimal_places)
    return IntegerField()


def direct_totals(countable: Countable, rows: QuerySet) -> dict:
    """{"rows", "quantity"} of some records of the column's sheet (quantity None when not weighted),
    counted over the rows."""
    quantity = countable.quantity()
    if quantity is None:
        return {"rows": rows.order_by().count(), "quantity": None}
    result = rows.order_by().aggregate(
        n=Count("pk"), q=Coalesce(Sum(quantity), 0, output_field=quantity_field(countable))
    )
    return {"rows": result["n"], "quantity": result["q"]}


def ordered(countable: Countable, found: list[LabelCount]) -> list[LabelCount]:
    """The declared labels in the version's order (those with no record included, at 0), then any
    other stored value (text of an earlier version), then the empty cells when there are some."""
    by_label = {item.label: item for item in found}
    zero = 0 if countable.weight is not None else None
    result = [by_label.get(label) or LabelCount(label, 0, zero) for label in countable.column.choices]
    known = set(countable.column.choices)
    result += sorted(
        (item for item in found if item.label is not None and item.label not in known), key=lambda i: i.label
    )
    if None in by_label:
        result.append(by_label[None])
    return result


def numeric_summary(sheet: Sheet, column: Column, assignments: QuerySet) -> dict:
    """{"filled", "total", "minimum", "maximum"} of a numeric column over `assignments`, in SQL."""
    value = number_of(sheet, column)
    result = records_of(sheet, assignments).aggregate(
        filled=Count(value), total=Sum(value), minimum=Min(value), maximum=Max(value)
    )
    return result


def filled_count(sheet: Sheet, column: Column, assignments: QuerySet) -> int:
    """How many records hold a value in the column (any type), in SQL."""
    return records_of(sheet, assignments).aggregate(n=Count(value_of(sheet, column)))["n"]


def added_columns(sheet: Sheet) -> list[Column]:
    """The sheet's columns that the fixed tables of 2026.1 do not hold: every column of an added
    sheet, and the columns of the six sheets that storage keeps in `extra`."""
    return [column for column in sheet.data_columns if not storage.is_typed(sheet.code, column)]

"""Inserting many sheet rows at once, for imports and carry-forward.

`bulk_create` spends most of its time building a model instance and preparing every field of every
row; a workbook of 10,000 device rows made that the slowest part of an import. The values here are
already normalised by the appendix declaration, so one prepared INSERT run with executemany is enough
on SQLite, and PostgreSQL takes them through COPY (0.23x the time of executemany for 10,000 rows).
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.utils import timezone

from rasoat.appendix.spec import Sheet
from rasoat.inventory import storage

CHUNK = 5000


def insert_rows(
    sheet: Sheet,
    assignment_id: int,
    rows: Iterable[dict[str, Any]],
    *,
    carried_forward: bool = False,
) -> int:
    """Insert `rows` (dicts of declared keys) of `sheet` for one assignment, positions 1…n; returns the count.

    Columns stored as database columns are written as such, the others as the row's `extra` (see
    `storage`), and rows of an added sheet go to `CustomRow` with the sheet's code.
    """
    model = storage.model_for(sheet.code)
    keys = storage.typed_keys(sheet)
    ops = connection.ops
    fields = [model._meta.get_field(key) for key in keys]
    decimals = {i for i, field in enumerate(fields) if isinstance(field, models.DecimalField)}
    extra_field = model._meta.get_field("extra")
    custom = storage.is_custom(sheet.code)
    columns = ["assignment_id", "position", "version", "carried_forward", "updated_at", "extra"]
    columns += ["sheet"] if custom else []
    columns += [field.column for field in fields]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        ops.quote_name(model._meta.db_table),
        ", ".join(ops.quote_name(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    now = ops.adapt_datetimefield_value(timezone.now())
    head = [sheet.code] if custom else []
    # The columns kept in `extra`, found once per sheet rather than per row: a 2026.1 sheet has none,
    # and every row then shares one prepared empty document (10,000 rows of B05 in the benchmark).
    untyped = [c for c in sheet.data_columns if not storage.is_typed(sheet.code, c)]
    empty = extra_field.get_db_prep_value({}, connection)
    table = ops.quote_name(model._meta.db_table)
    column_list = ", ".join(ops.quote_name(c) for c in columns)

    def prepared():
        for position, row in enumerate(rows, start=1):
            values = [row.get(key) for key in keys]
            for i in decimals:
                # Carried-forward snapshots hold floats; store what a form save would store.
                if isinstance(values[i], float):
                    values[i] = Decimal(str(values[i]))
            document = {
                column.key: storage.to_json(column, row[column.key])
                for column in untyped
                if row.get(column.key) is not None
            }
            extra = extra_field.get_db_prep_value(document, connection) if document else empty
            yield [assignment_id, position, 1, carried_forward, now, extra, *head, *values]

    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for values in prepared():
                    copy.write_row(values)
                    count += 1
            return count
        batch: list[list[Any]] = []
        for values in prepared():
            batch.append(values)
            if len(batch) >= CHUNK:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count

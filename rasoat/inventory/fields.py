"""Django model fields derived from the appendix declaration.

A column of the appendix becomes a column of its sheet's table here, so adding a column to the
declaration is one edit there plus a migration. Choice values are stored as their Vietnamese labels:
the labels are the contract (PHU_LUC.md), exports need no lookup, and a later appendix version with
other choices never rewrites what an old campaign stored.
"""

from django.db import models

from rasoat.appendix.declaration import STORAGE_VERSION, Column, ColumnType, Sheet, get_appendix

STORAGE_APPENDIX = get_appendix(STORAGE_VERSION)
"""The version whose columns the tables hold; other versions keep what they add in `extra` (storage)."""

CHOICE_MAX_LENGTH = 100


def field_for(column: Column) -> models.Field:
    """The model field that stores one column; empty cells are NULL so that `dump` can say null."""
    common = {"verbose_name": column.header, "null": True, "blank": True}
    if column.help:
        common["help_text"] = column.help
    if column.type in (ColumnType.INT, ColumnType.YEAR):
        return models.IntegerField(**common)
    if column.type == ColumnType.DEC:
        return models.DecimalField(max_digits=15, decimal_places=3, **common)
    if column.type == ColumnType.LONGTEXT:
        return models.TextField(**common)
    if column.has_choices:
        return models.CharField(max_length=CHOICE_MAX_LENGTH, **common)
    return models.CharField(max_length=column.max_length or 500, **common)


def add_sheet_fields(model: type[models.Model], sheet: Sheet) -> None:
    """Add one field per data column of `sheet` to `model` (called right after the class body)."""
    for column in sheet.data_columns:
        model.add_to_class(column.key, field_for(column))

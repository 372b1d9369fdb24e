"""Unit pickers: every <select> of units lists them grouped and ordered, and can be searched.

Province agencies come first, by block (Đảng, HĐND, UBND, MTTQ), each followed by its subordinate
units; then each commune (by name) with its units. The list is rendered with <optgroup>s; the
`data-unit-search` attribute makes site.js put a search box above it that filters the options
without accents ("muong kim" finds "Mường Kim"). Choices are still validated against the field's
queryset, so the grouping never widens what may be picked.
"""

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from rasoat.orgs.models import Block, Kind, Level, Unit
from rasoat.orgs.registry import tree_order

SEARCH_PLACEHOLDER = _("Type to search units (name or code, accents optional)")


def unit_label(unit: Unit, indent: int = 0) -> str:
    return f"{'— ' * indent}{unit.name} ({unit.code})"


def grouped_units(units) -> list[tuple[str, list[Unit]]]:
    """[(group label, units in tree order)]: province agencies by block, then communes by name."""
    ordered = tree_order(units)
    province: dict[str, list[Unit]] = {}
    communes: dict[int, tuple[str, list[Unit]]] = {}
    for unit in ordered:
        if unit.level == Level.COMMUNE or unit.kind == Kind.COMMUNE or unit.commune_id:
            commune_id = unit.pk if unit.kind == Kind.COMMUNE else unit.commune_id
            name = unit.name if unit.kind == Kind.COMMUNE else (unit.commune.name if unit.commune_id else "")
            label, members = communes.setdefault(commune_id or 0, (name, []))
            if unit.kind == Kind.COMMUNE:
                communes[commune_id] = (unit.name, members)
            members.append(unit)
        else:
            province.setdefault(unit.block, []).append(unit)
    groups: list[tuple[str, list[Unit]]] = []
    if province.get(""):
        groups.append((str(Level.PROVINCE.label), province[""]))
    for block, label in Block.choices:
        if province.get(block):
            groups.append((f"{Level.PROVINCE.label} · {label}", province[block]))
    for name, members in sorted(communes.values(), key=lambda pair: pair[0]):
        groups.append((name or str(Level.COMMUNE.label), members))
    return groups


class GroupedUnitIterator(ModelChoiceIterator):
    """Choices as <optgroup>s of `grouped_units`, each unit indented under its group's top unit."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        queryset = self.queryset.select_related("commune")
        for label, members in grouped_units(queryset):
            top = min(unit.depth for unit in members)
            yield (label, [self.choice_for(unit, unit.depth - top) for unit in members])

    def choice_for(self, unit: Unit, indent: int):
        return (self.field.prepare_value(unit), unit_label(unit, indent))


def searchable(widget: forms.Widget) -> None:
    """Mark a <select> for site.js's search box."""
    widget.attrs["data-unit-search"] = str(SEARCH_PLACEHOLDER)


class UnitPickerField(forms.ModelChoiceField):
    """One unit, from a grouped, searchable list."""

    iterator = GroupedUnitIterator

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        searchable(self.widget)


class UnitsPickerField(forms.ModelMultipleChoiceField):
    """Several units, from a grouped, searchable list."""

    iterator = GroupedUnitIterator

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        searchable(self.widget)

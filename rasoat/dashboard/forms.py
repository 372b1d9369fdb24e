"""The dashboard's filters (GET): level, block, commune and former district.

The commune and former-district options come only from the user's scope, so the form never lists
a place the user may not see; a value outside those options is dropped (the figures stay scoped
anyway, because they are computed over the scoped assignments).
"""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from rasoat.orgs.models import Block, Kind, Level, Unit
from rasoat.orgs.pickers import searchable

FILTER_NAMES = ("level", "block", "commune", "former_district")


def filter_options(user) -> tuple[list[Unit], list[str]]:
    """The communes and the former districts the user may filter by (two queries)."""
    visible = Unit.objects.visible_to(user, "dashboard:view")
    communes = list(visible.filter(kind=Kind.COMMUNE).order_by("name").only("pk", "name"))
    districts = list(
        visible.exclude(former_district="")
        .order_by("former_district")
        .values_list("former_district", flat=True)
        .distinct()
    )
    return communes, districts


class DashboardFilterForm(forms.Form):
    """Filters shared by the dashboard and its drill-down pages. Unknown values are ignored."""

    level = forms.ChoiceField(label=_("Level"), required=False)
    block = forms.ChoiceField(label=_("Block"), required=False)
    commune = forms.ChoiceField(label=_("Commune or ward"), required=False)
    former_district = forms.ChoiceField(label=_("Former district"), required=False)

    def __init__(self, communes: list[Unit], districts: list[str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["level"].choices = every + list(Level.choices)
        self.fields["block"].choices = every + list(Block.choices)
        self.fields["commune"].choices = every + [(str(unit.pk), unit.name) for unit in communes]
        self.fields["former_district"].choices = every + [(name, name) for name in districts]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"
        searchable(self.fields["commune"].widget)

    def filters(self) -> dict[str, str]:
        """The valid, non-empty filters; an invalid value (e.g. another commune) is dropped alone."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: self.cleaned_data[name] for name in FILTER_NAMES if self.cleaned_data.get(name)}


def apply_filters(assignments: QuerySet, filters: dict[str, str]) -> QuerySet:
    """Narrow scoped assignments by the (already validated) filters."""
    if "level" in filters:
        assignments = assignments.filter(unit__level=filters["level"])
    if "block" in filters:
        assignments = assignments.filter(unit__block=filters["block"])
    if "commune" in filters:
        assignments = assignments.filter(unit__commune_id=int(filters["commune"]))
    if "former_district" in filters:
        assignments = assignments.filter(unit__former_district=filters["former_district"])
    return assignments

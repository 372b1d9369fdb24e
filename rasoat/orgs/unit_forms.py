"""Forms of the unit registry pages: filtering the list, creating, editing and moving units."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from rasoat.orgs import registry
from rasoat.orgs.models import Block, Kind, Level, Unit
from rasoat.orgs.pickers import UnitPickerField, searchable
from rasoat.upload_limits import UploadLimitMixin


def _style(form: forms.Form) -> None:
    """Bootstrap classes on every widget, as includes/form_fields.html expects."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class UnitChoiceField(UnitPickerField):
    """A unit picked from the grouped, searchable list (orgs.pickers)."""


class UnitFilterForm(forms.Form):
    """The filters of the unit list; every field is optional and an invalid one is ignored."""

    ACTIVE_CHOICES = [("", _("All")), ("1", _("Active")), ("0", _("Inactive"))]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    level = forms.ChoiceField(
        label=_("level"), required=False, choices=[("", _("All levels")), *Level.choices]
    )
    block = forms.ChoiceField(
        label=_("block"), required=False, choices=[("", _("All blocks")), *Block.choices]
    )
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=[("", _("All kinds")), *Kind.choices])
    commune = forms.ModelChoiceField(
        label=_("commune"), required=False, queryset=Unit.objects.none(), empty_label=_("All communes")
    )
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args, communes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes if communes is not None else Unit.objects.none()
        self.fields["q"].widget.attrs["placeholder"] = _("Name or code")
        searchable(self.fields["commune"].widget)
        for field in self.fields.values():
            field.label = capfirst(field.label)
        _style(self)

    def filters(self) -> dict:
        """The valid, non-empty filters (an out-of-scope commune id is simply not applied)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {key: value for key, value in data.items() if value not in ("", None)}


class UnitForm(forms.ModelForm):
    """Edit a unit's own fields. The parent is changed only by moving (UnitMoveForm)."""

    class Meta:
        model = Unit
        fields = ["code", "name", "kind", "level", "block", "reports", "commune", "former_district"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        communes = Unit.objects.visible_to(user, "unit:manage").filter(kind=Kind.COMMUNE)
        if self.instance.commune_id:
            # Keep the current commune selectable even if it lies outside the editor's scope.
            communes = communes | Unit.objects.filter(pk=self.instance.commune_id)
        self.fields["commune"] = UnitChoiceField(
            queryset=communes,
            required=False,
            label=capfirst(Unit._meta.get_field("commune").verbose_name),
            help_text=_("Left empty: the commune above the unit, or the commune node itself."),
        )
        for field in self.fields.values():
            field.label = capfirst(field.label)
        _style(self)

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if any(ch.isspace() for ch in code):
            raise forms.ValidationError(_("A code cannot contain spaces."))
        others = Unit.objects.filter(code__iexact=code)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                _("Another unit already has the code “%(code)s”."), params={"code": code}, code="unique"
            )
        return code

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind is None:
            return data
        for key, message in registry.unit_rule_errors(
            kind, data.get("level", ""), data.get("block", ""), data.get("reports", False)
        ):
            self.add_error(key, capfirst(message))
        commune = data.get("commune")
        if (
            self.instance.pk
            and self.instance.kind == Kind.COMMUNE
            and kind != Kind.COMMUNE
            and self.instance.commune_units.exclude(pk=self.instance.pk).exists()
        ):
            self.add_error(
                "kind", _("Units still belong to this commune; move them to another commune first.")
            )
        if (
            commune is not None
            and self.instance.pk
            and commune.pk == self.instance.pk
            and kind != Kind.COMMUNE
        ):
            self.add_error("commune", _("Only a commune node can belong to itself."))
        return data


class UnitCreateForm(UnitForm):
    """A new unit, placed under a parent the user may manage."""

    class Meta(UnitForm.Meta):
        fields = ["parent", *UnitForm.Meta.fields]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["parent"] = UnitChoiceField(
            queryset=Unit.objects.visible_to(user, "unit:manage"),
            label=capfirst(Unit._meta.get_field("parent").verbose_name),
        )
        _style(self)


class UnitMoveForm(forms.Form):
    """A new parent for a unit: a unit the user may manage, outside the unit's own subtree."""

    parent = UnitChoiceField(queryset=Unit.objects.none(), label=_("New parent unit"))

    def __init__(self, *args, unit: Unit, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["parent"].queryset = Unit.objects.visible_to(user, "unit:manage").exclude(
            path__startswith=unit.path
        )
        self.fields["parent"].initial = unit.parent_id
        _style(self)

    def clean_parent(self) -> Unit:
        parent = self.cleaned_data["parent"]
        # The queryset already leaves the subtree out; checked again because it is the rule.
        if parent.is_within(self.unit):
            raise forms.ValidationError(_("A unit cannot be moved under itself or one of its own units."))
        return parent


class RegistryUploadForm(UploadLimitMixin, forms.Form):
    """The registry workbook to import."""

    file = forms.FileField(
        label=_("Registry workbook"),
        help_text=_(
            "An Excel workbook (.xlsx, .xls) or OpenDocument spreadsheet (.ods) with the registry columns."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

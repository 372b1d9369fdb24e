"""Forms of the campaigns app: the campaign itself, assigning units and the board's filters."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rasoat.appendix import versions
from rasoat.campaigns import services
from rasoat.campaigns.models import Campaign, Status
from rasoat.orgs.models import Block, Level, Unit
from rasoat.orgs.pickers import UnitsPickerField, searchable

DATE_FIELDS = ("opened_on", "deadline", "reference_date")


def _style(form: forms.Form) -> None:
    """Bootstrap classes on every widget, so templates can render fields generically."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class CampaignForm(forms.ModelForm):
    """Create or edit a campaign. Dates are typed as dd/mm/yyyy (ISO is accepted too)."""

    class Meta:
        model = Campaign
        fields = [
            "code",
            "title",
            "legal_basis",
            "opened_on",
            "deadline",
            "reference_date",
            "appendix_version",
            "previous",
            "contact_division",
            "contact_person",
            "contact_phone",
            "contact_email",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A text field rather than type="date": the format is the same on every phone and browser,
        # and it is the format the department's dispatches use.
        for name in DATE_FIELDS:
            field = self.fields[name]
            field.widget = forms.DateInput(
                format="%d/%m/%Y", attrs={"placeholder": _("dd/mm/yyyy"), "autocomplete": "off"}
            )
            field.error_messages["invalid"] = _("Enter the date as dd/mm/yyyy, for example 20/05/2026.")
        self.fields["code"].help_text = _(
            "Letters without accents, digits, - and _; it appears in addresses."
        )
        self.fields["code"].widget.attrs["autocapitalize"] = "characters"
        self.fields["contact_phone"].widget.attrs["inputmode"] = "tel"
        previous = Campaign.objects.order_by("-deadline", "-pk")
        if self.instance.pk:
            previous = previous.exclude(pk=self.instance.pk)
        self.fields["previous"].queryset = previous
        # A list of the versions that exist rather than free text: a campaign names a version its
        # units can fill in. New campaigns start on the default version (2026.2 once shipped).
        self.fields["appendix_version"] = forms.ChoiceField(
            label=_("Appendix version"),
            choices=versions.version_choices(),
            help_text=_("The appendix the units fill in. Versions are made on the page “Appendix”."),
        )
        if not self.instance.pk:
            self.initial["appendix_version"] = versions.default_version()
        _style(self)

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        services.validate_code(code, exclude_pk=self.instance.pk)
        return code

    def clean_appendix_version(self) -> str:
        code = self.cleaned_data["appendix_version"]
        if self.instance.pk and code != self.instance.appendix_version and services.has_data(self.instance):
            raise ValidationError(
                _("Units already hold data in this campaign: its appendix version can no longer change.")
            )
        return code

    def clean(self) -> dict:
        data = super().clean()
        try:
            services.validate_dates(data.get("opened_on"), data.get("deadline"))
        except ValidationError as error:
            self.add_error(None, error)
        try:
            services.validate_previous(self.instance, data.get("previous"))
        except ValidationError as error:
            self.add_error(None, error)
        return data


class CampaignCreateForm(CampaignForm):
    """A new campaign; by default every active reporting unit is assigned to it."""

    assign_all = forms.BooleanField(
        label=_("Assign all active reporting units"),
        required=False,
        initial=True,
        help_text=_("Untick to start with no units and add them afterwards."),
    )


class AddUnitsForm(forms.Form):
    """Units to add to a campaign: active reporting units it does not include yet."""

    units = UnitsPickerField(
        label=_("Units to add"),
        queryset=Unit.objects.none(),
        help_text=_("Hold Ctrl (or ⌘) to select several units."),
        error_messages={
            "required": _("Select at least one unit to add."),
            "invalid_choice": _(
                "One of the selected units cannot be added: it is already in the campaign, "
                "or it is not an active reporting unit."
            ),
            "invalid_pk_value": _("One of the selected units does not exist."),
        },
    )

    def __init__(self, campaign: Campaign, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = services.assignable_units(campaign).order_by(
            "level", "position", "code"
        )
        self.fields["units"].widget.attrs["size"] = 12
        _style(self)


class RemoveUnitsForm(forms.Form):
    """Units to remove from a campaign, chosen among those it includes."""

    units = forms.ModelMultipleChoiceField(
        queryset=Unit.objects.none(),
        error_messages={
            "required": _("Select at least one unit to remove."),
            "invalid_choice": _("One of the selected units is not in this campaign."),
            "invalid_pk_value": _("One of the selected units is not in this campaign."),
        },
    )

    def __init__(self, campaign: Campaign, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.filter(assignments__campaign=campaign)


class BoardFilterForm(forms.Form):
    """The board's filters (GET). An unknown value is ignored rather than failing the page."""

    level = forms.ChoiceField(label=_("Level"), required=False)
    block = forms.ChoiceField(label=_("Block"), required=False)
    commune = forms.ChoiceField(label=_("Commune or ward"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, communes, *args, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        self.fields["level"].choices = every + list(Level.choices)
        self.fields["block"].choices = every + list(Block.choices)
        self.fields["commune"].choices = every + [(str(unit.pk), unit.name) for unit in communes]
        self.fields["status"].choices = every + list(Status.choices)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"
        searchable(self.fields["commune"].widget)

    def filters(self) -> dict[str, str]:
        """The valid, non-empty filters (invalid ones are dropped)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

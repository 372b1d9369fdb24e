"""The settings form of a campaign's assessment and its Windows end-of-support table."""

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from rasoat.assessment.indicators import INDICATORS
from rasoat.assessment.models import AssessmentConfig, WindowsSupport

TARGETS = (_("Targets of the indicators (%)"), tuple(i.target_field for i in INDICATORS))
"""Shown only for campaigns whose appendix has the indicators (2026.2)."""

GROUPS = (
    (
        _("Thresholds"),
        (
            "computer_max_age",
            "other_max_age",
            "min_ram_gb",
            "min_bandwidth_province_mbps",
            "min_bandwidth_commune_mbps",
            "staff_ratio",
        ),
    ),
    (
        _("Minimum set of a one-stop desk"),
        (
            "one_stop_computers",
            "one_stop_scanners",
            "one_stop_printers",
            "one_stop_kiosks",
            "one_stop_rating_devices",
        ),
    ),
    (
        _("Weights of the scores in the overall score"),
        ("weight_connectivity", "weight_devices", "weight_infrastructure", "weight_software"),
    ),
    (
        _("Price list (million VND)"),
        (
            "price_desktop",
            "price_laptop",
            "price_printer",
            "price_scanner",
            "price_multifunction",
            "price_kiosk",
            "price_rating_device",
            "price_ram_upgrade",
            "price_os_licence",
        ),
    ),
)


class ConfigForm(forms.ModelForm):
    """Every threshold, weight and price; decimals are typed the Vietnamese way (0,8) or with a dot."""

    class Meta:
        model = AssessmentConfig
        fields = [name for _title, names in (*GROUPS, TARGETS) for name in names]

    def __init__(self, *args, with_targets: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.with_targets = with_targets
        if not with_targets:
            # A campaign without indicators keeps the targets it has (defaults) untouched.
            for name in TARGETS[1]:
                del self.fields[name]
        for field in self.fields.values():
            if isinstance(field, forms.DecimalField):
                # A text box shows "0,8"; the number input of browsers would refuse the comma.
                field.localize = True
                field.widget = forms.TextInput(attrs={"inputmode": "decimal"})
                field.widget.is_localized = True
            field.widget.attrs["class"] = "form-control"

    def groups(self):
        """(title, bound fields) per section of the page."""
        groups = (*GROUPS, TARGETS) if self.with_targets else GROUPS
        return [(title, [self[name] for name in names]) for title, names in groups]


class WindowsForm(forms.ModelForm):
    class Meta:
        model = WindowsSupport
        fields = ["os", "end_of_support"]
        widgets = {
            "end_of_support": forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["os"].widget.attrs["class"] = "form-select"
        self.fields["end_of_support"].widget.attrs["class"] = "form-control"


WindowsFormSet = inlineformset_factory(
    AssessmentConfig, WindowsSupport, form=WindowsForm, extra=1, can_delete=True, max_num=20
)

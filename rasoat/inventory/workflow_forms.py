"""Forms of the review workflow: submit (with the warnings acknowledged), a reason, comparing snapshots."""

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from rasoat.campaigns.models import Snapshot

REASON_MAX_LENGTH = 2000


def _style(form: forms.Form) -> None:
    """Bootstrap classes on every widget, so the generic field template can render them."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class SubmitForm(forms.Form):
    """Submitting a unit's data; the checkbox is required only when its data has warnings."""

    acknowledge = forms.BooleanField(label=_("I have checked the warnings"), required=False)

    def __init__(self, *args, has_warnings: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["acknowledge"]
        field.required = has_warnings
        field.error_messages["required"] = _(
            "Tick this box to confirm that you have checked every warning before submitting."
        )


class ReasonForm(forms.Form):
    """The reason given when returning or reopening a submission; the unit reads it."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason; the unit needs it to correct its data.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


def snapshot_label(snapshot: Snapshot, number: int | None = None) -> str:
    """The label of a snapshot in the pickers and on the diff page: "#n · dd/mm/yyyy HH:MM · kind · who".

    `number` counts the assignment's snapshots from the oldest, so that two taken in the same
    minute are still told apart.
    """
    when = formats.date_format(timezone.localtime(snapshot.created_at), "SHORT_DATETIME_FORMAT")
    parts = [f"#{number}"] if number is not None else []
    parts += [when, snapshot.get_kind_display()]
    if snapshot.actor_id:
        parts.append(str(snapshot.actor))
    return " · ".join(parts)


class CompareForm(forms.Form):
    """Two snapshots of one assignment to compare (A the older state, B the newer).

    Built from a list already loaded by the view (newest first), so rendering it costs no query; a
    snapshot of another assignment is not among the choices and is therefore refused. `labels` maps
    each snapshot id to its label.
    """

    a = forms.TypedChoiceField(label=_("From snapshot"), coerce=int)
    b = forms.TypedChoiceField(label=_("To snapshot"), coerce=int)

    def __init__(self, snapshots: list[Snapshot], *args, **kwargs):
        super().__init__(*args, **kwargs)
        count = len(snapshots)
        self.labels = {s.pk: snapshot_label(s, count - index) for index, s in enumerate(snapshots)}
        choices = list(self.labels.items())
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices
        _style(self)

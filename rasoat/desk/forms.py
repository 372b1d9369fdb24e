"""Forms of the desk: the deadline extension and the board's search, sorting and selection."""

from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from rasoat.inventory.workflow_forms import REASON_MAX_LENGTH


class ExtensionForm(forms.Form):
    """A later deadline for one unit, with the reason the unit and the log will read."""

    deadline = forms.DateField(
        label=_("New deadline"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Give the new deadline."),
            "invalid": _("Write the new deadline as dd/mm/yyyy."),
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        error_messages={"required": _("Give the reason for the extension.")},
    )


SORTS = {
    "code": ("unit__code",),
    "name": ("unit__name_folded", "unit__code"),
    "status": ("status", "unit__position", "unit__code"),
    "submitted": ("submitted_at", "unit__code"),
    "errors": ("check_count__errors", "unit__code"),
    "warnings": ("check_count__warnings", "unit__code"),
    "score": ("score__overall", "unit__code"),
}
"""The board's sort keys → order_by fields; "-key" sorts descending; others keep the registry order."""


class BoardSearchForm(forms.Form):
    """The board's search box (unit name without accents, or code) and sort key (GET)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-sm",
                "type": "search",
                "placeholder": _("Unit name or code"),
            }
        ),
    )

    def search(self) -> str:
        return self.cleaned_data.get("q", "").strip() if self.is_valid() else ""


def sort_fields(raw: str | None) -> tuple[str, list]:
    """The valid sort key given (or "" for the registry order) and its order_by expressions.

    Units without a value (never checked, not assessed) come last either way, on SQLite as on
    PostgreSQL (whose default puts NULLs first when descending).
    """
    raw = (raw or "").strip()
    key = raw.removeprefix("-")
    if key not in SORTS:
        return "", ["unit__position", "unit__code"]
    first, *rest = SORTS[key]
    if raw.startswith("-"):
        return raw, [F(first).desc(nulls_last=True), *rest]
    return raw, [F(first).asc(nulls_last=True), *rest]

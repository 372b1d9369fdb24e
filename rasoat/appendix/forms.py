"""Forms of the appendix editor. They only parse what was typed: every rule about a definition is
checked by `checks`/`contract` when the edited definition is saved, and the faults come back onto
these forms' fields (their names are the definition workbook's English column names)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rasoat.upload_limits import UploadLimitMixin

from .spec import ColumnType

TYPE_LABELS = {
    ColumnType.TEXT: _("Short text"),
    ColumnType.LONGTEXT: _("Long text (several lines)"),
    ColumnType.INT: _("Whole number"),
    ColumnType.DEC: _("Decimal number"),
    ColumnType.YEAR: _("Year"),
    ColumnType.DATE: _("Date (dd/mm/yyyy)"),
    ColumnType.CHOICE: _("Choice from a list"),
    ColumnType.YESNO: _("Yes / No"),
    ColumnType.EMAIL: _("Email address"),
    ColumnType.PHONE: _("Phone number"),
}
KIND_LABELS = (("table", _("Table: one row per item")), ("form", _("Form: one value per line")))


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def labels_from_text(text: str) -> list[str]:
    """One label per line, blank lines skipped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class CopyForm(forms.Form):
    code = forms.CharField(
        label=_("Code of the new version"),
        max_length=20,
        help_text=_("For example LC-2027: letters without accents, digits, dots, dashes."),
    )
    title = forms.CharField(label=_("Title of the new version"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class DefinitionUploadForm(UploadLimitMixin, forms.Form):
    file = forms.FileField(label=_("Definition workbook (.xlsx)"))
    code = forms.CharField(
        label=_("Version code"),
        max_length=20,
        help_text=_("A new code creates a version; the code of a version without data replaces it."),
    )
    title = forms.CharField(
        label=_("Title"), max_length=300, required=False, help_text=_("Empty: the title written in the file.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".xlsx"
        _style(self)


class SheetForm(forms.Form):
    """A sheet's title and help; on a new sheet also its code, kind and first column."""

    code = forms.CharField(
        label=_("Sheet code"), max_length=20, help_text=_("For example B07: letters without accents, digits.")
    )
    title = forms.CharField(label=_("Sheet title"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind of sheet"), choices=KIND_LABELS)
    help = forms.CharField(
        label=_("Help shown to the units"), required=False, widget=forms.Textarea({"rows": 2})
    )
    first_key = forms.CharField(
        label=_("Key of the first column"),
        max_length=60,
        help_text=_("English, lower case, e.g. course_name. A sheet needs at least one column."),
    )
    first_header = forms.CharField(label=_("Header of the first column"), max_length=300)
    first_type = forms.ChoiceField(label=_("Type of the first column"), choices=list(TYPE_LABELS.items()))

    def __init__(self, *args, new: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not new:
            for name in ("code", "kind", "first_key", "first_header", "first_type"):
                del self.fields[name]
        _style(self)


class ColumnForm(forms.Form):
    """A column: its key only when it is new (a key names stored data and never changes)."""

    key = forms.CharField(
        label=_("Key"),
        max_length=60,
        help_text=_("English, lower case, digits and _ (e.g. funding_source); the data is stored under it."),
    )
    header = forms.CharField(label=_("Header"), max_length=300)
    type = forms.ChoiceField(label=_("Type"), choices=list(TYPE_LABELS.items()))
    required = forms.BooleanField(label=_("Required"), required=False)
    choices = forms.ChoiceField(
        label=_("Choice list"), required=False, help_text=_("Only for the type “Choice from a list”.")
    )
    new_labels = forms.CharField(
        label=_("Or a new choice list: one label per line"),
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )
    min = forms.CharField(label=_("Minimum"), required=False, max_length=30)
    max = forms.CharField(label=_("Maximum"), required=False, max_length=30)
    warn_above = forms.CharField(
        label=_("Warn above"),
        required=False,
        max_length=30,
        help_text=_("A larger value is accepted with a warning."),
    )
    required_if = forms.CharField(
        label=_("Required when"),
        required=False,
        max_length=500,
        help_text=_("key=label1|label2: required when that column holds one of these labels."),
    )
    hidden = forms.BooleanField(label=_("Hidden (neither asked nor exported)"), required=False)
    help = forms.CharField(label=_("Help"), required=False, widget=forms.Textarea({"rows": 2}))

    NUMBERS = ("min", "max", "warn_above")

    def __init__(self, *args, lists: list[str] = (), new: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choices"].choices = [("", "—"), *((name, name) for name in lists)]
        if not new:
            del self.fields["key"]
        for name in self.NUMBERS:
            self.fields[name].widget.attrs["inputmode"] = "decimal"
        _style(self)

    def changes(self) -> dict:
        """The column's fields as a definition row holds them (call after `is_valid`)."""
        data = self.cleaned_data
        row = {
            name: data.get(name)
            for name in ("header", "type", "required", "choices", "required_if", "hidden", "help")
        }
        for name in self.NUMBERS:
            row[name] = (data.get(name) or "").strip() or None
        if row["type"] != ColumnType.CHOICE:
            # The list select keeps its value when the type is changed away from a choice: drop it
            # rather than refuse the column for a field the page says is only for choices.
            row["choices"] = ""
        if "key" in data:
            row["key"] = (data.get("key") or "").strip()
        return row

    def labels(self) -> list[str]:
        return labels_from_text(self.cleaned_data.get("new_labels", ""))


class ChoiceForm(forms.Form):
    list_name = forms.CharField(
        label=_("Choice list"),
        max_length=60,
        help_text=_("An existing list, or a new name (English, lower case) to start a list."),
    )
    label = forms.CharField(label=_("New label"), max_length=100)
    before = forms.CharField(
        label=_("Insert before the label"), required=False, max_length=100, help_text=_("Empty: at the end.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

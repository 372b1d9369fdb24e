"""Web forms of data entry, generated from the appendix declaration.

A form only collects what the user typed: every field is optional text, because reading and
checking values is the job of `appendix.validation` (through `services.save_record`), the same path
as the Excel import. The issues it reports are then put back on the fields (`add_issues`).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rasoat.appendix.declaration import Column, ColumnType, Issue, Sheet
from rasoat.appendix.normalize import FIRST_DATE, LAST_DATE, format_number, normalize_value


class TelInput(forms.TextInput):
    input_type = "tel"


class DateInput(forms.TextInput):
    """`<input type="date">`, its value ISO (yyyy-mm-dd) as the browser's date picker wants it.

    A stored date is ISO already (`inventory.data.plain`); what the user typed in dd/mm/yyyy (a
    browser without a picker) is shown back as ISO when it is a real date, so the picker opens on it.
    """

    input_type = "date"

    def format_value(self, value):
        if isinstance(value, date):
            return value.isoformat()
        text = super().format_value(value)
        if text:
            day, error = normalize_value(_DATE_COLUMN, text)
            if error is None and day is not None:
                return day.isoformat()
        return text


_DATE_COLUMN = Column("date", "date", ColumnType.DATE)


def display_value(value: Any) -> str:
    """A stored value as the user sees and types it: numbers with a decimal comma, empty as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return format_number(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def widget_for(column: Column) -> forms.Widget:
    """The input that suits the column's type (text inputs for numbers, so "0,5" can be typed)."""
    kind = column.type
    if column.has_choices:
        return forms.Select(
            choices=[("", "—"), *((label, label) for label in column.choices)],
            attrs={"class": "form-select"},
        )
    if kind == ColumnType.LONGTEXT:
        return forms.Textarea(attrs={"class": "form-control", "rows": 3, "maxlength": column.max_length})
    attrs: dict[str, Any] = {"class": "form-control", "autocomplete": "off"}
    if kind in (ColumnType.INT, ColumnType.YEAR):
        return forms.TextInput(attrs={**attrs, "inputmode": "numeric"})
    if kind == ColumnType.DEC:
        return forms.TextInput(attrs={**attrs, "inputmode": "decimal"})
    if kind == ColumnType.DATE:
        # The browser's date picker (phones included) sends yyyy-mm-dd, which the normalisation reads;
        # a browser without one shows a text box, where dd/mm/yyyy is read too (the placeholder says so).
        limits = {"min": FIRST_DATE.isoformat(), "max": LAST_DATE.isoformat()}
        return DateInput(attrs={**attrs, "placeholder": "dd/mm/yyyy", **limits})
    if kind == ColumnType.PHONE:
        return TelInput(attrs={**attrs, "autocomplete": "tel"})
    if kind == ColumnType.EMAIL:
        return forms.EmailInput(attrs={**attrs, "autocomplete": "email", "maxlength": column.max_length})
    if column.max_length:
        attrs["maxlength"] = column.max_length
    return forms.TextInput(attrs=attrs)


class RecordForm(forms.Form):
    """One record of a sheet: B01, or one row of B02–B06.

    `version` is the optimistic-lock version the form was built from. `read_only` disables every
    input (viewers, reviewers, locked reports). Columns marked read-only in the declaration (the unit
    code) are shown but their input is ignored by the views.
    """

    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, sheet: Sheet, *args, read_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        self.warnings: list[Issue] = []
        self.current: dict[str, str] = {}
        for column in sheet.data_columns:
            widget = widget_for(column)
            if read_only:
                widget.attrs["disabled"] = True
            elif column.read_only:
                widget.attrs["readonly"] = True
                widget.attrs["class"] += " bg-body-secondary"
            self.fields[column.key] = forms.CharField(
                label=column.marked_header,
                required=False,
                strip=False,
                widget=widget,
                help_text=column.help,
            )

    def clean(self):
        cleaned = super().clean()
        text = (cleaned.get("version") or "").strip()
        if not text:
            cleaned["version"] = None
        elif text.isascii() and text.isdigit() and len(text) < 10:
            cleaned["version"] = int(text)
        else:
            # Only a tampered or corrupted page gets here; saving without a version would defeat
            # the optimistic lock, so nothing is saved.
            raise forms.ValidationError(_("The form is out of date. Reload the page and try again."))
        return cleaned

    def raw(self) -> dict[str, str]:
        """What the user typed, per column key (call after `is_valid`)."""
        return {key: self.cleaned_data.get(key) or "" for key in self.sheet.keys}

    def add_issues(self, issues: list[Issue]) -> None:
        """Errors go on their field (or the form when they name no column); warnings are kept apart."""
        for issue in issues:
            if issue.is_warning:
                self.warnings.append(issue)
            elif issue.column in self.fields and issue.column != "version":
                self.add_error(issue.column, issue.message)
            else:
                self.add_error(None, issue.message)
        self.mark_invalid()

    @property
    def warning_items(self) -> list[tuple[str, str]]:
        """The warnings as (column header, message), for the box shown apart from the errors."""
        sheet = self.sheet
        return [
            (sheet.column(w.column).header if sheet.has_column(w.column or "") else "", w.message)
            for w in self.warnings
        ]

    def mark_invalid(self) -> None:
        for key in self.errors:
            if key in self.fields:
                widget = self.fields[key].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"

    def show_current(self, stored: dict[str, Any], typed: dict[str, Any]) -> None:
        """After a conflict: next to each field whose stored value differs from what was typed, say
        what is stored now (`current`, and in the help text for the shared form layout)."""
        for key in self.sheet.keys:
            now, mine = display_value(stored.get(key)), display_value(typed.get(key))
            if now == mine:
                continue
            self.current[key] = now
            field = self.fields[key]
            note = format_html(
                '<span class="text-danger fw-semibold" data-testid="current-{}">{} {}</span>',
                key,
                CURRENT_VALUE_LABEL,
                now or EMPTY_LABEL,
            )
            field.help_text = format_html("{}<br>{}", field.help_text, note) if field.help_text else note
            # A bound field copies its help text when first used (validation already did).
            self[key].help_text = field.help_text

    def cells(self) -> list[dict[str, Any]]:
        """Per column: the bound field, its errors and the current stored value after a conflict."""
        return [
            {
                "key": column.key,
                "column": column,
                "field": self[column.key],
                "errors": self.errors.get(column.key, []),
                "current": self.current.get(column.key),
            }
            for column in self.sheet.data_columns
        ]


CURRENT_VALUE_LABEL = gettext_lazy("Saved meanwhile:")
EMPTY_LABEL = gettext_lazy("(empty)")


def initial_for(sheet: Sheet, values: dict[str, Any] | None, version: int) -> dict[str, Any]:
    """Initial form data from stored values (as the user would type them) and the record's version."""
    initial = {key: display_value((values or {}).get(key)) for key in sheet.keys}
    initial["version"] = version
    return initial


@dataclass
class Notice:
    """A message shown inside a form or a row: `level` is a Bootstrap alert colour; a conflict gets
    the data-testid "conflict"."""

    text: str
    level: str = "danger"
    conflict: bool = False


@dataclass
class Editing:
    """The table row being edited (pk None: a new row), its form, where it posts and what to say."""

    form: RecordForm
    pk: int | None = None
    notice: Notice | None = None
    action: str = ""

    @property
    def dom_id(self) -> str:
        return f"row-{self.pk}" if self.pk else "new-" + str(self.form.auto_id).split("-")[0]

"""Forms of a user's own sign-in settings: codes, password confirmation, password change."""

import re

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from rasoat.orgs.models import User


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app, or (at sign-in) a recovery code."""

    code = forms.CharField(
        label=_("Verification code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg",
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
        error_messages={"required": _("Enter the code.")},
    )

    def __init__(self, *args, recovery_allowed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if recovery_allowed:
            self.fields["code"].help_text = _(
                "The 6-digit code shown by the authenticator app, or one of your recovery codes."
            )
        else:
            self.fields["code"].help_text = _("The 6-digit code shown by the authenticator app.")
            self.fields["code"].widget.attrs["inputmode"] = "numeric"


class PasswordConfirmForm(forms.Form):
    """The current password, asked again before turning the second factor off."""

    password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is incorrect."))
        return password


class NewPasswordForm(PasswordChangeForm):
    """Django's password change, refusing to keep the same password (it may have been handed over)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("new_password1")
        if password and not self.has_error("new_password2") and self.user.check_password(password):
            self.add_error("new_password1", _("The new password must differ from the current one."))
        return cleaned


class ProfileForm(forms.ModelForm):
    """One's own name, e-mail and phone (e-mail is where notifications go)."""

    class Meta:
        model = User
        fields = ["full_name", "email", "phone"]
        help_texts = {
            "email": _("Notifications and reminders are sent to this address."),
            "phone": _("Shown to the department so that it can call you about your reports."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
        self.fields["full_name"].widget.attrs.update({"autocomplete": "name"})

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not re.fullmatch(r"\+?[0-9 .()-]{8,20}", phone):
            raise forms.ValidationError(_("Enter a phone number of digits, e.g. 0213 3876 543."))
        return phone

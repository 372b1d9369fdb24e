"""Forms of a user's own sign-in settings: codes, password confirmation, password change."""

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _


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

from django import forms
from django.utils.translation import gettext_lazy as _

from rasoat.api.tokens import MAX_DAYS


class TokenForm(forms.Form):
    """A new token: its name, whether it may write, and for how many days it is valid."""

    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “IOC dashboard”.")
    )
    can_write = forms.BooleanField(
        label=_("Allow changes (read-write)"),
        required=False,
        help_text=_("Without it the token can only read; with it, it can change what your roles allow."),
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        required=False,
        min_value=1,
        max_value=MAX_DAYS,
        help_text=_("Leave empty for a token that does not expire."),
    )

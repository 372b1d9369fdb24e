"""Login with throttling of repeated failures, per account and per address."""

import datetime

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from rasoat.orgs.models import LoginFailure


def client_address(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def is_throttled(username: str, address: str | None) -> bool:
    """Too many recent failures for this account or from this address."""
    since = timezone.now() - datetime.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    recent = LoginFailure.objects.filter(at__gte=since)
    if username and recent.filter(username=username.lower()).count() >= settings.LOGIN_MAX_FAILURES:
        return True
    return bool(address) and recent.filter(address=address).count() >= settings.LOGIN_MAX_FAILURES_PER_ADDRESS


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing to check passwords once an account or address is throttled."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The username or password is incorrect."),
        "inactive": _("This account has been locked."),
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        address = client_address(self.request) if self.request else None
        if is_throttled(username, address):
            minutes = settings.LOGIN_LOCK_MINUTES
            raise forms.ValidationError(
                ngettext(
                    "Too many failed logins. Try again in %(minutes)d minute.",
                    "Too many failed logins. Try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            LoginFailure.objects.create(username=username.lower(), address=address)
            raise
        LoginFailure.objects.filter(username=username.lower()).delete()
        return cleaned

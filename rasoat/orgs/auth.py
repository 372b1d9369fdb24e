"""Login with throttling of repeated failures, per account and per address."""

import datetime

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from rasoat.orgs.models import LoginFailure, User


def client_address(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def is_throttled(username: str, address: str | None) -> bool:
    """Too many recent failures for this account or from this address."""
    since = timezone.now() - datetime.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    recent = LoginFailure.objects.filter(at__gte=since)
    if username and recent.filter(username=username.lower()).count() >= settings.LOGIN_MAX_FAILURES:
        return True
    return bool(address) and recent.filter(address=address).count() >= settings.LOGIN_MAX_FAILURES_PER_ADDRESS


def _is_locked_account(username: str, password: str | None) -> bool:
    """An account an administrator deactivated, tried with its right password.

    Django's backend refuses inactive accounts as if the password were wrong; telling the
    owner (who just proved they know the password) that the account is locked saves them
    from retrying until the throttle stops them, and tells nobody else anything.
    """
    if not username or not password:
        return False
    user = User.objects.filter(username=username, is_active=False).first()
    return user is not None and user.check_password(password)


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
        except forms.ValidationError as error:
            LoginFailure.objects.create(username=username.lower(), address=address)
            if error.code == "invalid_login" and _is_locked_account(
                username, self.cleaned_data.get("password")
            ):
                raise forms.ValidationError(self.error_messages["inactive"], code="inactive") from None
            raise
        LoginFailure.objects.filter(username=username.lower()).delete()
        return cleaned

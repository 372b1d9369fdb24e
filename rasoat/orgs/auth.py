"""The password step of signing in, guarded by django-axes and the per-address wait (lockout.py)."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.utils.translation import gettext_lazy as _

from rasoat.client_ip import client_address as client_address  # re-exported for older imports
from rasoat.orgs import lockout
from rasoat.orgs.models import User


def _is_locked_account(username: str, password: str | None) -> bool:
    """An account an administrator deactivated, tried with its right password.

    Django's backend refuses inactive accounts as if the password were wrong; telling the
    owner (who just proved they know the password) that the account is locked saves them
    from retrying until the lockout stops them, and tells nobody else anything.
    """
    if not username or not password:
        return False
    user = User.objects.filter(username=username, is_active=False).first()
    return user is not None and user.check_password(password)


class SignInForm(AuthenticationForm):
    """Django's login form; axes refuses a locked (user name, address) pair, and a busy address waits.

    `retry_after` is set (in seconds) when the attempt was refused without checking the password.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The username or password is incorrect."),
        "inactive": _("This account has been locked."),
    }

    retry_after: int | None = None

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        address = client_address(self.request) if self.request else None
        wait = lockout.address_wait(address)
        if wait:
            self.retry_after = wait
            raise forms.ValidationError(lockout.address_wait_message(wait), code="address_wait")
        try:
            return super().clean()
        except forms.ValidationError as error:
            if getattr(self.request, "axes_locked_out", False):
                minutes = lockout.lock_minutes_left(username, address)
                self.retry_after = minutes * 60
                raise forms.ValidationError(lockout.locked_message(minutes), code="throttled") from None
            if error.code == "invalid_login" and _is_locked_account(
                username, self.cleaned_data.get("password")
            ):
                raise forms.ValidationError(self.error_messages["inactive"], code="inactive") from None
            raise


class SignInView(LoginView):
    """The password step. What comes next (code, enrolment, new password) is the gate's business."""

    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.retry_after:
            # 429 with Retry-After tells scripts and proxies what the page tells people.
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after)
        return response

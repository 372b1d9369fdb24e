"""A user's own sign-in: the code step, enrolling an authenticator app, recovery codes, password change.

Every page here is about `request.user` only; nothing takes a user id from the request.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from rasoat.audit.services import log
from rasoat.client_ip import client_address
from rasoat.orgs import gate, services, two_factor
from rasoat.orgs.account_forms import CodeForm, NewPasswordForm, PasswordConfirmForm, ProfileForm
from rasoat.orgs.passwords import forget_admin_password_file


def _next_url(request) -> str:
    """Where to go once done: a `next` on this site, else the home page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _wait_message(seconds: int) -> str:
    return ngettext(
        "Too many wrong codes. Wait %(seconds)d second and try again.",
        "Too many wrong codes. Wait %(seconds)d seconds and try again.",
        seconds,
    ) % {"seconds": seconds}


@never_cache
@login_required
def otp_verify(request):
    """The second step of signing in: a code from the app, or a recovery code (used once)."""
    if gate.pending_step(request) != gate.VERIFY:
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None, recovery_allowed=True)
    status = 200
    if request.method == "POST" and form.is_valid():
        device, wait = two_factor.verify_code(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            gate.second_factor_done(request)
            if isinstance(device, StaticDevice):
                left = two_factor.recovery_codes_left(request.user)
                log(request.user, "user.otp_recovery_used", request.user, address=client_address(request))
                messages.warning(
                    request,
                    ngettext(
                        "You signed in with a recovery code; %(count)d code is left. "
                        "Generate new codes on your security page.",
                        "You signed in with a recovery code; %(count)d codes are left. "
                        "Generate new codes on your security page.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(_next_url(request))
        if wait:
            form.add_error("code", _wait_message(wait))
            status = 429
        else:
            form.add_error("code", _("The code is not valid."))
    return render(request, "orgs/otp_verify.html", {"form": form, "next": _next_url(request)}, status=status)


@never_cache
@login_required
def otp_enrol(request):
    """Enrol an authenticator app: scan the QR code (or type the secret), then confirm with a code."""
    if two_factor.has_second_factor(request.user):
        messages.info(request, _("Two-step sign-in is already set up."))
        return redirect("account_security")
    if request.method == "POST":
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("-pk").first()
        if device is None:
            return redirect("otp_enrol")
    else:
        device = two_factor.pending_app_device(request.user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        code = two_factor.normalize_code(form.cleaned_data["code"])
        wait = two_factor.throttle_wait(device)
        if not wait and two_factor.is_app_code(code) and device.verify_token(code):
            codes = two_factor.confirm_enrolment(request.user, device, address=client_address(request))
            otp_login(request, device)
            gate.second_factor_done(request)
            return _show_recovery_codes(request, codes, enrolled=True)
        if wait:
            form.add_error("code", _wait_message(wait))
            status = 429
        else:
            form.add_error(
                "code", _("The code is not valid. Check the phone's clock and type the current code.")
            )
    return render(
        request,
        "orgs/otp_enrol.html",
        {
            "form": form,
            "secret": two_factor.secret_of(device),
            "required": two_factor.second_factor_required(request.user),
            "next": _next_url(request),
        },
        status=status,
    )


@never_cache
@login_required
def otp_qr(request):
    """The QR code of the app being enrolled, as SVG; never stored by a cache."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("-pk").first()
    if device is None:
        raise Http404
    return HttpResponse(two_factor.qr_svg(device), content_type="image/svg+xml")


def _show_recovery_codes(request, codes: list[str], *, enrolled: bool):
    """The codes, shown this once (the views that call this are never cached)."""
    return render(
        request,
        "orgs/otp_recovery_codes.html",
        {
            "codes": [f"{code[:4]}-{code[4:]}" for code in codes],
            "enrolled": enrolled,
            "next": _next_url(request),
        },
    )


@never_cache
@login_required
def account_security(request):
    """The user's sign-in settings: the second factor, recovery codes, the password."""
    user = request.user
    return render(
        request,
        "orgs/account_security.html",
        {
            "enrolled": two_factor.has_second_factor(user),
            "required": two_factor.second_factor_required(user),
            "codes_left": two_factor.recovery_codes_left(user),
            "form": PasswordConfirmForm(user=user),
        },
    )


@never_cache
@login_required
@require_POST
def otp_recovery_codes(request):
    """New recovery codes (the old ones stop working), for a session verified with the app."""
    if not two_factor.has_second_factor(request.user) or not request.user.is_verified():
        messages.error(request, _("Set up two-step sign-in first."))
        return redirect("account_security")
    codes = two_factor.regenerate_recovery_codes(request.user, address=client_address(request))
    return _show_recovery_codes(request, codes, enrolled=False)


@login_required
@require_POST
def otp_disable(request):
    """Turn the second factor off, for a user who is not required to have one; asks for the password."""
    user = request.user
    if two_factor.second_factor_required(user):
        raise PermissionDenied
    if not two_factor.has_any_device(user):
        return redirect("account_security")
    form = PasswordConfirmForm(request.POST, user=user)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["password"]))
        return redirect("account_security")
    two_factor.remove_second_factor(
        user,
        actor=user,
        action="user.otp_disabled",
        address=client_address(request),
        keep_session=request.session.session_key,
    )
    gate.reevaluate(request)
    messages.success(request, _("Two-step sign-in is turned off."))
    return redirect("account_security")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; also ends the obligation to change a password an administrator set."""

    form_class = NewPasswordForm
    success_url = reverse_lazy("password_change_done")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forced"] = self.request.user.must_change_password
        return context

    @transaction.atomic
    def form_valid(self, form):
        form.user.must_change_password = False  # saved with the new password
        response = super().form_valid(form)
        log(form.user, "user.password_changed", form.user, address=client_address(self.request))
        forget_admin_password_file(form.user)
        gate.password_changed(self.request)
        return response


@login_required
def account_profile(request):
    """The signed-in user edits their own name, e-mail and phone."""
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            services.update_own_profile(
                user,
                address=client_address(request),
                **{name: form.cleaned_data[name] for name in form.Meta.fields},
            )
        messages.success(request, _("Your details were saved."))
        return redirect("user_detail", pk=user.pk)
    return render(request, "orgs/profile_form.html", {"form": form})

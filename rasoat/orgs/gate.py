"""What a signed-in user must still do before anything else: give a code, change the password, enrol.

At sign-in (Django's `user_logged_in`) the steps left are worked out once and kept in the session:
a code when the user has a second factor; a new password when an administrator set the current
one; enrolment when a second factor is required and missing. Until they are done, every URL but
the step's own page, logging out and the language switch redirects to that step's page — the
list of what is allowed is short and explicit, so anything new is closed by default. Keeping the
steps in the session costs nothing per request for the many users with nothing left to do.
"""

from urllib.parse import urlencode

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from rasoat.orgs import two_factor
from rasoat.orgs.models import User

SESSION_KEY = "rasoat_signin"

VERIFY, CHANGE_PASSWORD, ENROL = "verify", "password", "enrol"
# Second-factor states kept in the session.
_NONE, _DONE = "none", "done"

_ALWAYS = {"logout", "set_language"}
ALLOWED = {
    VERIFY: _ALWAYS | {"otp_verify"},
    CHANGE_PASSWORD: _ALWAYS | {"password_change"},
    ENROL: _ALWAYS | {"otp_enrol", "otp_qr"},
}
PAGE = {VERIFY: "otp_verify", CHANGE_PASSWORD: "password_change", ENROL: "otp_enrol"}


def evaluate(user: User) -> dict:
    """The steps `user` has left right after the password step."""
    if two_factor.has_any_device(user):
        second = VERIFY
    elif two_factor.second_factor_required(user):
        second = ENROL
    else:
        second = _NONE
    return {"second_factor": second, "password": bool(user.must_change_password)}


@receiver(user_logged_in)
def _remember_steps(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = evaluate(user)


def _save(request, state: dict) -> None:
    request.session[SESSION_KEY] = state
    request.session.modified = True


def second_factor_done(request) -> None:
    """Called once the user gave a valid code or finished enrolling."""
    state = dict(request.session.get(SESSION_KEY) or evaluate(request.user))
    state["second_factor"] = _DONE
    _save(request, state)


def password_changed(request) -> None:
    state = dict(request.session.get(SESSION_KEY) or evaluate(request.user))
    state["password"] = False
    _save(request, state)


def reevaluate(request) -> None:
    """After the user's own devices changed (reset by themselves, or a password set by an admin)."""
    _save(request, evaluate(request.user))


def pending_step(request) -> str | None:
    """The first step the signed-in user has left, or None."""
    user = request.user
    state = request.session.get(SESSION_KEY)
    if state is None:
        # A session opened before this check existed: work it out now, once.
        state = evaluate(user)
        _save(request, state)
    second = state.get("second_factor")
    if second in (VERIFY, ENROL) and user.is_verified():
        second_factor_done(request)
        second = _DONE
    elif second == _DONE and not user.is_verified():
        # The device that verified this session is gone (reset by an administrator).
        state = evaluate(user)
        _save(request, state)
        second = state["second_factor"]
    if second == VERIFY:
        return VERIFY
    if state.get("password"):
        return CHANGE_PASSWORD
    if second == ENROL:
        return ENROL
    return None


class SignInGateMiddleware:
    """Sends a signed-in user with a step left to that step's page (after django-otp's middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.signin_pending = None
        if request.user.is_authenticated:
            step = pending_step(request)
            request.signin_pending = step
            if step and _url_name(request) not in ALLOWED[step]:
                target = reverse(PAGE[step])
                if request.method == "GET":
                    target += "?" + urlencode({"next": request.get_full_path()})
                return redirect(target)
        return self.get_response(request)


def _url_name(request) -> str | None:
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None

"""Two-factor sign-in with django-otp: an authenticator app (TOTP) plus single-use recovery codes.

Who must use it is decided here (`second_factor_required`): administrators and reviewers — any
membership with either role, or a superuser — or everyone when settings.OTP_REQUIRED_FOR is "all".
Others may enrol if they wish. A user with a confirmed device signs in in two steps (password, then
a code from the app or a recovery code); a user who must have one and has none enrols right after
the password step. The QR code is drawn here with segno, as SVG; no external service sees the secret.
"""

import datetime
import io
import math
from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from rasoat.audit.services import log
from rasoat.orgs.models import User
from rasoat.orgs.roles import PRIVILEGED_ROLES
from rasoat.orgs.sessions import end_sessions

RECOVERY_CODE_COUNT = 10
MAX_CODE_WAIT = datetime.timedelta(minutes=15)
APP_DEVICE_NAME = "app"
RECOVERY_DEVICE_NAME = "recovery"


def is_privileged(user: User) -> bool:
    """Superusers and holders of an administrator or reviewer role anywhere."""
    return user.is_superuser or user.memberships.filter(role__in=PRIVILEGED_ROLES).exists()


def second_factor_required(user: User) -> bool:
    """Whether `user` may not work without a second factor (settings.OTP_REQUIRED_FOR)."""
    return settings.OTP_REQUIRED_FOR == "all" or is_privileged(user)


def has_second_factor(user: User) -> bool:
    """A confirmed authenticator app; recovery codes alone do not count as enrolled."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def has_any_device(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def pending_app_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator device being enrolled, created on first need."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def secret_of(device: TOTPDevice) -> str:
    """The secret as the apps ask for it when typed by hand: base32, in groups of four."""
    text = b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> bytes:
    """The otpauth:// link of `device` as an SVG QR code (drawn here, never by an outside service)."""
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(
        buffer, kind="svg", scale=5, border=2, xmldecl=False, title=_("QR code for the authenticator app")
    )
    return buffer.getvalue()


def normalize_code(code: str) -> str:
    """Codes are typed with spaces or dashes ("123 456", "abcd-efgh") and in any case."""
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def is_app_code(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


def throttle_wait(device) -> int:
    """Seconds before `device` accepts another try (django-otp doubles it after each wrong code); 0 if now.

    django-otp lets the wait grow without bound, so someone who learnt a password could keep its
    owner out for days by typing wrong codes; past MAX_CODE_WAIT since the last wrong code the
    device accepts tries again (the doubling then starts over).
    """
    last = device.throttling_failure_timestamp
    if last is not None and timezone.now() - last >= MAX_CODE_WAIT:
        device.throttle_reset()
    allowed, details = device.verify_is_allowed()
    if allowed:
        return 0
    until = (details or {}).get("locked_until")
    if until is None:
        return 1
    return max(1, math.ceil((until - timezone.now()).total_seconds()))


def verify_code(user: User, code: str) -> tuple[object | None, int]:
    """Check a code from the app or a recovery code; returns (device that accepted it, seconds to wait).

    Each device throttles its own failures (django-otp doubles the wait after each one), so the
    code is tried only on the device it can belong to: six digits go to the app, anything else is a
    recovery code. A recovery code is deleted when used.
    """
    code = normalize_code(code)
    if not code:
        return None, 0
    model = TOTPDevice if is_app_code(code) else StaticDevice
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            wait = throttle_wait(device)
            if wait:
                return None, wait
            if device.verify_token(code):
                return device, 0
    return None, 0


def _new_recovery_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def confirm_enrolment(user: User, device: TOTPDevice, *, address: str | None = None) -> list[str]:
    """Make the verified pending `device` the user's authenticator and return new recovery codes.

    Any other authenticator device of the user is removed: one app per person keeps the reset
    and the page simple. The codes are returned once, to be shown once.
    """
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _new_recovery_codes(user)
    log(user, "user.otp_enrolled", user, address=address)
    return codes


@transaction.atomic
def regenerate_recovery_codes(user: User, *, address: str | None = None) -> list[str]:
    """Replace the user's recovery codes (the old ones stop working); returns the new ones."""
    codes = _new_recovery_codes(user)
    log(user, "user.otp_recovery_regenerated", user, address=address)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def remove_second_factor(
    user: User,
    *,
    actor: User | None,
    action: str = "user.otp_reset",
    address: str | None = None,
    keep_session: str | None = None,
) -> None:
    """Delete the user's app and recovery codes; audited as `action`.

    An administrator does this when a user lost their phone ("user.otp_reset"), a user who is not
    required to have a second factor when turning it off ("user.otp_disabled"). The user's other
    sessions end, so a session opened with a lost device cannot go on, and their next sign-in asks
    them to enrol again if they must have a second factor.
    """
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    log(actor, action, user, address=address)
    end_sessions(user, keep=keep_session)

"""Second-factor helpers for tests: real django-otp devices and the codes an authenticator app shows.

Sessions made with `client.force_login` skip the password step; `verify_session` completes the code
step the way the code page does (django_otp.login with the user's real device), so tests keep
running with two-step sign-in enforced.
"""

import time

from django.http import HttpRequest
from django.test import Client
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from rasoat.orgs import two_factor


def give_app_device(user) -> TOTPDevice:
    """The user's confirmed authenticator device, created when missing."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name=two_factor.APP_DEVICE_NAME, confirmed=True)


def code_from_key(key: bytes, *, at: float | None = None) -> str:
    """The 6-digit code an app holding `key` shows at time `at` (now by default)."""
    totp = TOTP(key)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def next_code(device: TOTPDevice) -> str:
    """A code the device accepts now: django-otp takes each time step once, so after a code of the
    current step was used, the next step's (within the tolerance of one step) is typed instead."""
    device.refresh_from_db()
    while True:
        now = time.time()
        step = int((now - device.t0) // device.step)
        wanted = max(step, device.last_t + 1)
        if wanted <= step + device.tolerance:
            return code_from_key(device.bin_key, at=device.t0 + wanted * device.step + 1)
        time.sleep(1)  # both usable steps are spent: wait for the clock, as a person would


def verify_session(client: Client, user) -> None:
    """Complete the second step for a client logged in with force_login, when the user needs it."""
    if not (two_factor.has_any_device(user) or two_factor.second_factor_required(user)):
        return
    device = give_app_device(user)
    request = HttpRequest()
    request.session = client.session
    request.user = user
    otp_login(request, device)
    request.session.save()

"""Failed sign-ins: django-axes locks a (user name, address) pair; an address failing many names waits.

django-axes records each failure (AccessAttempt, one row per user name, address and browser) and,
with AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]], refuses a pair once it has
LOGIN_MAX_FAILURES failures within LOGIN_LOCK_MINUTES. Neither a user name alone nor an address
alone is ever locked, so nobody can lock another person out from their own address.

Axes has no notion of slowing an address down, so `address_wait` adds one on top of its records:
once an address has LOGIN_ADDRESS_FREE_FAILURES failures in the window (across any names), each
further attempt from it must wait 1, 2, 4 ... seconds after the previous failure, at most
LOGIN_ADDRESS_MAX_DELAY_SECONDS. An attempt that comes too early is answered at once with the
number of seconds left, without checking the password and without being counted, so it neither
keeps a server worker busy nor prolongs the wait; once the few seconds have passed, anyone at that
address (the right user included) can sign in. docs/sign-in.md explains the choice.
"""

import datetime
import math
from dataclasses import dataclass

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rasoat.audit.services import log
from rasoat.orgs.models import User

# Enough for any real situation; the page lists the most recent ones first.
LIST_LIMIT = 200


def failure_limit(request=None, credentials=None) -> int:
    """AXES_FAILURE_LIMIT: read at each attempt, so that LOGIN_MAX_FAILURES can change at run time."""
    return settings.LOGIN_MAX_FAILURES


def cool_off(request=None) -> datetime.timedelta:
    """AXES_COOLOFF_TIME: how long failures count and a locked pair stays locked."""
    return datetime.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)


def normalize_username(username: str | None) -> str | None:
    """User names compare case-insensitively (services refuse "An" beside "an"), so failures do too."""
    if username is None:
        return None
    return username.strip().lower()[:255]


def attempted_username(request, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the typed user name, normalised; axes calls it with or without credentials."""
    if credentials and credentials.get("username") is not None:
        return normalize_username(credentials["username"])
    data = getattr(request, "POST", None) or {}
    return normalize_username(data.get("username"))


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: keep the login page, which already says the pair is locked and until when."""
    if original_response is not None:
        return original_response
    return HttpResponse(_("Too many failed logins. Try again later."), status=429)


def _window_start(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - cool_off()


def lock_minutes_left(username: str, address: str | None, now: datetime.datetime | None = None) -> int:
    """Whole minutes (at least 1) until the pair's lock ends, counted from its last recorded failure."""
    now = now or timezone.now()
    last = AccessAttempt.objects.filter(
        username=normalize_username(username), ip_address=address, attempt_time__gte=_window_start(now)
    ).aggregate(last=Max("attempt_time"))["last"]
    if last is None:
        return 1
    return max(1, math.ceil((last + cool_off() - now).total_seconds() / 60))


def address_delay(failures: int) -> int:
    """Seconds an address must wait after its latest failure, given its failures in the window."""
    excess = failures - settings.LOGIN_ADDRESS_FREE_FAILURES
    if excess < 0:
        return 0
    return min(settings.LOGIN_ADDRESS_MAX_DELAY_SECONDS, 2 ** min(excess, 20))


def address_wait(address: str | None, now: datetime.datetime | None = None) -> int:
    """Whole seconds the address must still wait before its next attempt is checked; 0 when it may go on."""
    if not address:
        return 0
    now = now or timezone.now()
    seen = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=_window_start(now)).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    delay = address_delay(seen["failures"] or 0)
    if not delay or seen["last"] is None:
        return 0
    left = (seen["last"] + datetime.timedelta(seconds=delay) - now).total_seconds()
    return max(0, math.ceil(left))


def locked_message(minutes: int) -> str:
    return ngettext(
        "Too many failed logins. Try again in %(minutes)d minute.",
        "Too many failed logins. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def address_wait_message(seconds: int) -> str:
    return ngettext(
        "Too many failed logins from your network. Wait %(seconds)d second and try again.",
        "Too many failed logins from your network. Wait %(seconds)d seconds and try again.",
        seconds,
    ) % {"seconds": seconds}


@dataclass(frozen=True)
class Lockout:
    """A locked (user name, address) pair, or an address being slowed down (username None)."""

    username: str | None
    address: str | None
    failures: int
    last_failure: datetime.datetime
    until: datetime.datetime


def current_lockouts(now: datetime.datetime | None = None) -> list[Lockout]:
    """The pairs locked now, most recent first."""
    now = now or timezone.now()
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=_window_start(now))
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.LOGIN_MAX_FAILURES)
        .order_by("-last")[:LIST_LIMIT]
    )
    return [
        Lockout(row["username"], row["ip_address"], row["failures"], row["last"], row["last"] + cool_off())
        for row in rows
    ]


def slowed_addresses(now: datetime.datetime | None = None) -> list[Lockout]:
    """The addresses with enough failures in the window to wait between attempts, most recent first."""
    now = now or timezone.now()
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=_window_start(now), ip_address__isnull=False)
        .values("ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.LOGIN_ADDRESS_FREE_FAILURES)
        .order_by("-last")[:LIST_LIMIT]
    )
    return [
        Lockout(None, row["ip_address"], row["failures"], row["last"], row["last"] + cool_off())
        for row in rows
    ]


@transaction.atomic
def lift_lockout(username: str, address: str | None, *, actor: User, actor_address: str | None = None) -> int:
    """Forget the failures of one (user name, address) pair; audited. Returns the failures forgotten."""
    username = normalize_username(username)
    attempts = AccessAttempt.objects.filter(username=username, ip_address=address)
    failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
    if not failures:
        return 0
    attempts.delete()
    log(
        actor,
        "login.lockout_lifted",
        User.objects.filter(username__iexact=username).first(),
        {"username": [username, None], "address": [address, None], "failures": [failures, 0]},
        address=actor_address,
    )
    return failures


@transaction.atomic
def lift_address(address: str, *, actor: User, actor_address: str | None = None) -> int:
    """Forget every failure from one address (its wait and its locked pairs); audited."""
    attempts = AccessAttempt.objects.filter(ip_address=address)
    failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
    if not failures:
        return 0
    attempts.delete()
    log(
        actor,
        "login.address_lifted",
        None,
        {"address": [address, None], "failures": [failures, 0]},
        address=actor_address,
    )
    return failures


def purge_login_records(now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete expired failure counters and sign-in records older than LOGIN_RECORDS_RETENTION_DAYS.

    Counters (AccessAttempt) stop counting after the lock window and are deleted then; the history
    of successful sign-ins (AccessLog) and of failures (AccessFailureLog) is kept for the retention
    period, which covers the 12 months an inspection may ask for.
    """
    now = now or timezone.now()
    kept_since = now - datetime.timedelta(days=settings.LOGIN_RECORDS_RETENTION_DAYS)
    return {
        "attempts": AccessAttempt.objects.filter(attempt_time__lt=_window_start(now)).delete()[0],
        "failures": AccessFailureLog.objects.filter(attempt_time__lt=kept_since).delete()[0],
        "logins": AccessLog.objects.filter(attempt_time__lt=kept_since).delete()[0],
    }

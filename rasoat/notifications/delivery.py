"""Sending the outbox: `deliver_outbox()` and the hook that queues it as a job after a commit.

Mail is written to the outbox (OutgoingMail) in the transaction of the action that caused it and
sent afterwards, so an unreachable or slow mail server never blocks or undoes the action. A row
that fails stays pending with its error and is tried again later, waiting longer each time
(1, 2, 4 … minutes, at most 6 hours) until MAX_ATTEMPTS; every failure is logged.
"""

import contextlib
import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rasoat.notifications.email_url import parse_email_url
from rasoat.notifications.models import OutgoingMail

logger = logging.getLogger("rasoat.notifications")

MAX_ATTEMPTS = 12
MAX_BACKOFF = datetime.timedelta(hours=6)
# A row being sent is leased for this long; a process that died while sending it frees it then.
LEASE = datetime.timedelta(minutes=10)
BATCH = 200


def mail_enabled() -> bool:
    """Whether an SMTP server is configured (EMAIL_URL); without one no mail is queued or sent."""
    return bool((settings.EMAIL_URL or "").strip())


def backoff(attempts: int) -> datetime.timedelta:
    """How long to wait after the `attempts`-th failure."""
    return min(datetime.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _claim(now: datetime.datetime) -> list[OutgoingMail]:
    """Take the due rows for this run; a conditional update makes two runs never send one row twice."""
    due = (
        OutgoingMail.objects.filter(next_attempt_at__lte=now)
        .filter(Q(status=OutgoingMail.State.PENDING) | Q(status=OutgoingMail.State.SENDING))
        .order_by("next_attempt_at", "pk")[:BATCH]
    )
    claimed = []
    for row in due:
        taken = OutgoingMail.objects.filter(
            pk=row.pk, status=row.status, next_attempt_at=row.next_attempt_at
        ).update(status=OutgoingMail.State.SENDING, next_attempt_at=now + LEASE)
        if taken:
            claimed.append(row)
    return claimed


def deliver_outbox() -> dict[str, int]:
    """Send every due row of the outbox; returns {"sent": n, "failed": n}.

    Does nothing (and leaves the rows alone) when EMAIL_URL is unset.
    """
    server = parse_email_url(settings.EMAIL_URL)
    counts = {"sent": 0, "failed": 0}
    if server is None:
        return counts
    rows = _claim(timezone.now())
    if not rows:
        return counts
    # The SMTP backend is named explicitly: EMAIL_BACKEND stays Django's default, and EMAIL_URL is the
    # one place that says where mail goes.
    connection = get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        timeout=settings.EMAIL_TIMEOUT,
        **server.backend_kwargs(),
    )
    try:
        for row in rows:
            _send_one(row, connection, counts)
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 — closing a broken connection must not hide the results
            logger.debug("closing the SMTP connection failed", exc_info=True)
    return counts


def _send_one(row: OutgoingMail, connection, counts: dict[str, int]) -> None:
    message = EmailMessage(
        row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.to], connection=connection
    )
    now = timezone.now()
    try:
        message.send()
    except Exception as error:  # any SMTP, socket or TLS error: keep the row and try later
        attempts = row.attempts + 1
        gave_up = attempts >= MAX_ATTEMPTS
        OutgoingMail.objects.filter(pk=row.pk).update(
            status=OutgoingMail.State.FAILED if gave_up else OutgoingMail.State.PENDING,
            attempts=attempts,
            next_attempt_at=now + backoff(attempts),
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
        counts["failed"] += 1
        logger.warning(
            "e-mail %s to %s failed (attempt %d%s): %s",
            row.pk,
            row.to,
            attempts,
            ", giving up" if gave_up else "",
            error,
        )
        # A connection that broke mid-way is reopened by the next send.
        with contextlib.suppress(Exception):
            connection.close()
        return
    OutgoingMail.objects.filter(pk=row.pk).update(
        status=OutgoingMail.State.SENT, attempts=row.attempts + 1, sent_at=now, last_error=""
    )
    counts["sent"] += 1
    logger.info("e-mail %s sent to %s", row.pk, row.to)


def next_attempt_due() -> datetime.datetime | None:
    """When the earliest pending row may be tried again (None when nothing waits)."""
    return (
        OutgoingMail.objects.filter(status=OutgoingMail.State.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )


def schedule_delivery() -> None:
    """Queue the sending of the outbox as a background job once the current transaction commits.

    The job (rasoat.jobs.tasks.deliver_mail) runs in a worker, so the action never waits for the mail
    server; when rows stay pending it queues itself again for their next attempt.
    """
    if not mail_enabled():
        return
    from rasoat.jobs.tasks import deliver_mail

    transaction.on_commit(deliver_mail.enqueue)

"""Telling people what happened: in-app notifications and e-mails, written with the action.

`notify()` is the one way to reach users: it writes a Notification per recipient and, when e-mail
is configured and the recipient has an address, an outbox row — both in the caller's transaction,
so a rolled-back action notifies nobody — and asks for delivery after the commit. Messages are
always in Vietnamese (the users' language, whatever the actor's browser says).
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rasoat.campaigns.models import Assignment
from rasoat.notifications.delivery import mail_enabled, schedule_delivery
from rasoat.notifications.models import Notification, OutgoingMail
from rasoat.orgs.models import Membership, User
from rasoat.orgs.roles import Role

WORKFLOW_KINDS = ("submitted", "returned", "accepted", "reopened")


def absolute(path: str) -> str:
    """The full address of a page of the site, for e-mails (RASOAT_BASE_URL)."""
    return settings.RASOAT_BASE_URL.rstrip("/") + path


def holders(assignment: Assignment, role: str) -> list[User]:
    """Active users holding `role` on the assignment's unit or one above it (its editors, reviewers)."""
    unit = assignment.unit
    ids = [*unit.ancestor_ids, unit.pk]
    user_ids = Membership.objects.filter(role=role, unit_id__in=ids, unit__active=True).values("user_id")
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


def notify(users: Iterable[User], kind: str, text: str, path: str, subject: str, body: str) -> int:
    """Notify each user in the interface and by e-mail (when configured); returns how many were told.

    `text` is the one-line notice, `path` the page it links to, `body` the e-mail text (the link is
    appended). Call inside the transaction of the action.
    """
    users = list({user.pk: user for user in users}.values())
    if not users:
        return 0
    Notification.objects.bulk_create(
        Notification(user=user, kind=kind, text=text, link=path) for user in users
    )
    User.objects.filter(pk__in=[user.pk for user in users]).update(
        unread_notifications=F("unread_notifications") + 1
    )
    if mail_enabled():
        now = timezone.now()
        full = f"{body}\n\n{absolute(path)}\n\n-- \nrasoat"
        OutgoingMail.objects.bulk_create(
            OutgoingMail(to=user.email, subject=subject, body=full, next_attempt_at=now)
            for user in users
            if user.email
        )
        schedule_delivery()
    return len(users)


def _workflow_message(kind: str, assignment: Assignment, actor, reason: str) -> tuple[str, str, str]:
    """(notice, subject, body) of a workflow event, in the active language."""
    values = {
        "unit": assignment.unit.name,
        "code": assignment.unit.code,
        "campaign": assignment.campaign.code,
        "actor": str(actor) if actor is not None else _("the system"),
        "reason": reason,
    }
    if kind == "submitted":
        text = _("%(unit)s submitted its report for %(campaign)s; it waits for your review.") % values
        subject = _("[rasoat] %(unit)s submitted its report (%(campaign)s)") % values
    elif kind == "returned":
        text = _("The report of %(unit)s (%(campaign)s) was returned by %(actor)s: %(reason)s") % values
        subject = _("[rasoat] The report of %(unit)s was returned (%(campaign)s)") % values
    elif kind == "accepted":
        text = _("The report of %(unit)s (%(campaign)s) was accepted by %(actor)s.") % values
        subject = _("[rasoat] The report of %(unit)s was accepted (%(campaign)s)") % values
    elif kind == "reopened":
        text = (
            _("The accepted report of %(unit)s (%(campaign)s) was reopened by %(actor)s: %(reason)s") % values
        )
        subject = _("[rasoat] The report of %(unit)s was reopened (%(campaign)s)") % values
    elif kind == "recalled":
        text = _("%(unit)s recalled its submitted report for %(campaign)s to correct it.") % values
        subject = _("[rasoat] %(unit)s recalled its report (%(campaign)s)") % values
    elif kind == "extended":
        text = _("The deadline of %(unit)s for %(campaign)s was extended by %(actor)s: %(reason)s") % values
        subject = _("[rasoat] The deadline of %(unit)s was extended (%(campaign)s)") % values
    else:
        raise ValueError(f"unknown workflow event {kind!r}")
    body = _("%(text)s\n\nUnit: %(unit)s (%(code)s). Open the report:") % {**values, "text": text}
    return text, subject, body


def notify_workflow(kind: str, assignment: Assignment, actor, reason: str = "") -> int:
    """Tell the right people about a step of the review workflow; returns how many were notified.

    Submitted, recalled → the reviewers of the unit (at it or above it); returned, accepted, reopened,
    extended → the unit's editors. The actor is never notified of their own action. Call inside the
    transaction.
    """
    if kind in ("submitted", "recalled"):
        recipients = holders(assignment, Role.REVIEWER)
        path = reverse("workflow_history", args=[assignment.campaign.code, assignment.unit_id])
    else:
        recipients = holders(assignment, Role.EDITOR)
        path = reverse("entry_overview", args=[assignment.campaign.code, assignment.unit_id])
    actor_pk = getattr(actor, "pk", None)
    recipients = [user for user in recipients if user.pk != actor_pk]
    with translation.override("vi"):
        text, subject, body = _workflow_message(kind, assignment, actor, reason)
    return notify(recipients, f"workflow.{kind}", text, path, subject, body)


def unread_count(user) -> int:
    """The navbar's count: the counter kept on the user row (loaded with the request, no query)."""
    return user.unread_notifications


def mark_read(user, notification: Notification | None = None) -> int:
    """Mark one notification (or all) of `user` read and recount; returns how many changed."""
    with transaction.atomic():
        rows = Notification.objects.visible_to(user).unread()
        if notification is not None:
            rows = rows.filter(pk=notification.pk)
        changed = rows.update(read_at=timezone.now())
        if changed:
            remaining = Notification.objects.visible_to(user).unread().count()
            User.objects.filter(pk=user.pk).update(unread_notifications=remaining)
            user.unread_notifications = remaining
    return changed

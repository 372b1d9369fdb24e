"""In-app notifications, the e-mail outbox and the reminders already sent."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rasoat.campaigns.models import Assignment, Campaign


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "NotificationQuerySet":
        """A notification is private: only its own recipient ever sees it."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One event shown to one user in the interface (the same events are e-mailed)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(
        _("event"), max_length=40, help_text=_("What happened, e.g. workflow.returned or reminder.")
    )
    text = models.TextField(_("text"))
    link = models.CharField(
        _("link"), max_length=500, blank=True, help_text=_("Where the event can be seen.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.text[:80]


class OutgoingMail(models.Model):
    """An e-mail waiting in the outbox, written in the transaction of the action that caused it.

    `deliver_outbox()` sends the rows that are due; a failure leaves the row pending with the error
    and a later `next_attempt_at` (growing back-off), so an unreachable mail server never loses a
    message nor blocks the action.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Given up")

    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(
        _("next attempt"), db_index=True, help_text=_("Not sent before this time.")
    )
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["next_attempt_at", "pk"]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


def default_days_before() -> list[int]:
    return [7, 2]


class ReminderPlan(models.Model):
    """When a campaign's reminders go out: N days before the deadline, and the day after it."""

    campaign = models.OneToOneField(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="reminder_plan"
    )
    days_before = models.JSONField(
        _("days before the deadline"),
        default=default_days_before,
        help_text=_("A reminder is sent this many days before the deadline (a list, e.g. [7, 2])."),
    )
    day_after = models.BooleanField(
        _("the day after the deadline"), default=True, help_text=_("Remind late units the day after.")
    )

    class Meta:
        verbose_name = _("reminder plan")
        verbose_name_plural = _("reminder plans")

    def __str__(self) -> str:
        return f"{self.campaign.code}: {self.days_before}"


class SentReminder(models.Model):
    """A unit reminded on a day: what makes `rasoat remind` idempotent for that day."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="sent_reminders"
    )
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="sent_reminders"
    )
    day = models.DateField(_("reminder day"))
    kind = models.CharField(_("kind"), max_length=20, help_text=_("before:N or after."))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        constraints = [models.UniqueConstraint(fields=["assignment", "day"], name="sent_reminder_once_a_day")]

    def __str__(self) -> str:
        return f"{self.assignment} · {self.day}"

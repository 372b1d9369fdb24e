"""What the daily work needs beyond the campaign: deadline extensions and stored check counts.

(Each user's interface language is `orgs.User.language`: the user row is loaded on every request
anyway, so reading it costs no query.)"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rasoat.campaigns.models import Assignment


class DeadlineExtension(models.Model):
    """A later deadline granted to one unit (gia hạn); the newest one is the unit's deadline."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="extensions"
    )
    deadline = models.DateField(_("new deadline"), help_text=_("The unit's deadline from now on."))
    reason = models.TextField(_("reason"), help_text=_("Why the unit was given more time."))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.assignment} → {self.deadline:%d/%m/%Y}"


class CheckCount(models.Model):
    """The number of errors and warnings of an assignment's stored data, kept current on every change
    so that the home page and the board never validate a unit's data while rendering."""

    assignment = models.OneToOneField(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="check_count"
    )
    errors = models.PositiveIntegerField(_("errors"), default=0, help_text=_("Errors that block a submit."))
    warnings = models.PositiveIntegerField(_("warnings"), default=0, help_text=_("Warnings to be checked."))
    checked_at = models.DateTimeField(_("checked at"), auto_now=True)

    class Meta:
        verbose_name = _("check count")
        verbose_name_plural = _("check counts")

    def __str__(self) -> str:
        return f"{self.assignment_id}: {self.errors}/{self.warnings}"

"""The audit log: who changed what, when, from where."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rasoat.orgs.models import Unit


class AuditEntryQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AuditEntryQuerySet":
        """Entries about units the user may audit; entries about no unit only for province-wide auditors."""
        if user is None or not user.is_authenticated:
            return self.none()
        units = Unit.objects.visible_to(user, "audit:view")
        scoped = models.Q(unit__in=units)
        if user.has_global_perm("audit:view"):
            scoped |= models.Q(unit__isnull=True)
        return self.filter(scoped)


class AuditEntry(models.Model):
    """One change. Written in the same transaction as the change, so neither exists without the other."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text too, so the entry still says who acted after the account is gone.
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(
        _("action"), max_length=64, db_index=True, help_text=_("Namespaced code such as submission.returned.")
    )
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changes = models.JSONField(
        _("changes"), default=dict, blank=True, help_text=_("Changed fields: {field: [old, new]}.")
    )
    note = models.TextField(_("note"), blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["unit", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

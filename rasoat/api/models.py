"""Personal access tokens: how programs act as a user through the REST API.

A token is shown once when it is made; only its SHA-256 digest is stored, so a copy of the
database does not hand out working tokens. SHA-256 without a salt is enough here (unlike passwords):
the token is 40 random characters (≥ 200 bits), which no dictionary or brute force reaches, and a
plain digest lets the token be found with one indexed lookup per request.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PersonalAccessToken(models.Model):
    """A named token of one user: read-only or read-write, optionally expiring, revocable."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text=_("The token acts with exactly this user's memberships."),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for (a script, a system).")
    )
    prefix = models.CharField(
        _("prefix"),
        max_length=12,
        help_text=_("The first characters of the token, to recognise it in lists."),
    )
    digest = models.CharField(
        _("digest"), max_length=64, unique=True, editable=False, help_text=_("SHA-256 of the token.")
    )
    can_write = models.BooleanField(
        _("read-write"), default=False, help_text=_("Without it the token may only read (GET).")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(
        _("expires at"), null=True, blank=True, help_text=_("Empty: the token does not expire.")
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    last_used_from = models.GenericIPAddressField(_("last used from"), null=True, blank=True)
    last_audited_at = models.DateTimeField(
        _("use last audited at"),
        null=True,
        blank=True,
        help_text=_("When the last audit entry of the token's use was written (at most one per hour)."),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal access token")
        verbose_name_plural = _("personal access tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        """Neither revoked nor expired."""
        return self.revoked_at is None and not self.is_expired

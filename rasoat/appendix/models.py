"""Appendix versions defined by an administrator (the shipped 2026.1 is code: `v2026_1`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendixVersion(models.Model):
    """One version of the appendix as data: its definition (see `definition`) and where it came from.

    `revision` rises with every change, so each process can tell that its cached build is stale.
    A shipped version (2026.2, loaded from its definition workbook by `rasoat init`) is read-only,
    like 2026.1; any other is read-only once a unit of a campaign pinned to it has data.
    """

    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=300)
    definition = models.JSONField(_("definition"))
    based_on = models.CharField(_("copied from"), max_length=20, blank=True)
    shipped = models.BooleanField(_("shipped with rasoat"), default=False)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("appendix version")
        verbose_name_plural = _("appendix versions")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

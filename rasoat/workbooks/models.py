"""Uploaded workbooks: the original file is kept and linked from the history of each unit it changed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rasoat.campaigns.models import Campaign, Snapshot
from rasoat.orgs.models import Unit


class Upload(models.Model):
    """A workbook uploaded for a unit (or for a commune's five units), from preview to import.

    A stored file is `reading` until the reader has gone through it; only then, with the result kept
    in `summary` and the SHA-256 of the bytes that were read in `sha256`, is it `pending` (waiting
    for confirmation). A read that fails or never finishes (a worker killed mid-read) leaves it
    `failed`, which can never be imported. Confirming imports a pending file (`imported`; the row is
    locked so that two confirmations import once), cancelling deletes the file (`cancelled`).
    Imported files are kept for good.
    """

    class State(models.TextChoices):
        READING = "reading", _("Being read")
        PENDING = "pending", _("Waiting for confirmation")
        FAILED = "failed", _("Could not be read")
        IMPORTED = "imported", _("Imported")
        CANCELLED = "cancelled", _("Cancelled")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The unit the file was uploaded for, or the commune for a commune workbook."),
    )
    file = models.FileField(_("file"), upload_to="uploads/%Y/%m/", max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.READING)
    summary = models.JSONField(
        _("summary"), default=dict, blank=True, help_text=_("Rows, errors and warnings found, per unit.")
    )
    sha256 = models.CharField(
        _("SHA-256"),
        max_length=64,
        blank=True,
        help_text=_("Checksum of the bytes the summary was read from; confirming checks it."),
    )

    class Meta:
        verbose_name = _("uploaded workbook")
        verbose_name_plural = _("uploaded workbooks")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.original_name} · {self.unit.code}"

    @property
    def checked_without_errors(self) -> bool:
        """Read to the end, the result kept with the file's checksum, and no error in it."""
        summary = self.summary or {}
        return (
            self.state == self.State.PENDING
            and len(self.sha256) == 64
            and "rows" in summary
            and summary.get("error_count") == 0
        )


class ImportedSnapshot(models.Model):
    """Which upload replaced a unit's data: links the before-import snapshot to the original file."""

    snapshot = models.OneToOneField(
        Snapshot, verbose_name=_("snapshot"), on_delete=models.CASCADE, related_name="import_source"
    )
    upload = models.ForeignKey(
        Upload, verbose_name=_("upload"), on_delete=models.PROTECT, related_name="imports"
    )

    class Meta:
        verbose_name = _("import of a workbook")
        verbose_name_plural = _("imports of workbooks")

    def __str__(self) -> str:
        return f"{self.upload} → {self.snapshot}"

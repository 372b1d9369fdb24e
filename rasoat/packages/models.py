"""The submission package: the signed report and other attachments that travel with a unit's appendix.

Files are never overwritten: a new report supersedes the previous one (`superseded_by`), and every
submission snapshot links the attachments it went with (`SnapshotAttachment`), so the history shows
which report went with which data. The signature verdict is computed once, when the file is stored,
and kept in `verdict`; it is re-shown, never recomputed silently.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rasoat.campaigns.models import Campaign, Snapshot
from rasoat.orgs.models import Unit


class Requirement(models.TextChoices):
    REQUIRED = "required", _("Required")
    OPTIONAL = "optional", _("Optional")
    NOT_ASKED = "not_asked", _("Not asked")


class PackageSetting(models.Model):
    """Whether a campaign asks for a signed report. Kept here, keyed by campaign, so that the
    campaigns app needs no migration; without a row the default of `services.requirement` applies."""

    campaign = models.OneToOneField(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="package_setting"
    )
    requirement = models.CharField(
        _("signed report"),
        max_length=16,
        choices=Requirement.choices,
        default=Requirement.REQUIRED,
        help_text=_("Whether units must upload their signed report before submitting."),
    )
    allow_unsigned = models.BooleanField(
        _("accept scanned reports"),
        default=True,
        help_text=_(
            "A PDF without a digital signature (a scan of a paper report signed by hand) is accepted."
        ),
    )

    class Meta:
        verbose_name = _("package setting")
        verbose_name_plural = _("package settings")

    def __str__(self) -> str:
        return f"{self.campaign.code}: {self.get_requirement_display()}"


class Attachment(models.Model):
    """One file of a unit's (or a commune's) submission package, kept for good."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Signed report")
        OTHER = "other", _("Other attachment")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The unit the file belongs to, or the commune for the commune's combined report."),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.REPORT)
    file = models.FileField(_("file"), upload_to="packages/%Y/%m/", max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, help_text=_("Checksum of the stored bytes."))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True, db_index=True)
    verdict = models.JSONField(
        _("signature verdict"),
        default=dict,
        blank=True,
        help_text=_("The signatures found and their check, as computed when the file was stored."),
    )
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The later upload that replaced this report; the file itself is kept."),
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["campaign", "unit", "kind"], name="attachment_campaign_unit")]

    def __str__(self) -> str:
        return f"{self.original_name} · {self.unit.code}"

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"

    @property
    def status(self) -> str:
        """The code of the badge: valid, untrusted, modified, expired, unsigned or "" (not a PDF)."""
        return (self.verdict or {}).get("status", "")


class SnapshotAttachment(models.Model):
    """The attachments a submission snapshot went with: the package is part of what was submitted."""

    snapshot = models.ForeignKey(
        Snapshot, verbose_name=_("snapshot"), on_delete=models.CASCADE, related_name="package_links"
    )
    attachment = models.ForeignKey(
        Attachment, verbose_name=_("attachment"), on_delete=models.PROTECT, related_name="snapshot_links"
    )

    class Meta:
        verbose_name = _("attachment of a snapshot")
        verbose_name_plural = _("attachments of snapshots")
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "attachment"], name="snapshot_attachment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.snapshot} · {self.attachment}"


class TrustedCertificate(models.Model):
    """A root or intermediate certificate the province trusts (the government CA chain), uploaded by
    an administrator. Signatures are checked against these only; nothing is fetched."""

    subject = models.CharField(_("subject"), max_length=500)
    issuer = models.CharField(_("issuer"), max_length=500)
    fingerprint = models.CharField(
        _("SHA-256 fingerprint"), max_length=64, unique=True, help_text=_("Of the DER-encoded certificate.")
    )
    is_root = models.BooleanField(
        _("root"), help_text=_("Self-signed: a trust anchor, else an intermediate.")
    )
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    der = models.BinaryField(_("certificate (DER)"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("trusted certificate")
        verbose_name_plural = _("trusted certificates")
        ordering = ["-is_root", "subject"]

    def __str__(self) -> str:
        return self.subject

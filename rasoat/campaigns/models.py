"""Campaigns (đợt rà soát) and the units assigned to each, with their status."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rasoat.orgs.models import Unit


class Campaign(models.Model):
    """One round of review: what is asked, by when, and whom units call with questions."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=300)
    legal_basis = models.CharField(
        _("legal basis"), max_length=500, blank=True, help_text=_("The dispatch or resolution it follows.")
    )
    opened_on = models.DateField(_("opening date"), null=True, blank=True)
    deadline = models.DateField(_("deadline"))
    reference_date = models.DateField(
        _("reference date"), help_text=_("The date at which the assessment is evaluated.")
    )
    appendix_version = models.CharField(
        _("appendix version"),
        max_length=20,
        default="2026.1",
        help_text=_("The appendix the units fill in; a code of rasoat.appendix.versions."),
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_campaigns",
        help_text=_("Units may start from their data of this campaign."),
    )
    contact_division = models.CharField(_("contact division"), max_length=300, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    units = models.ManyToManyField(
        Unit, through="Assignment", related_name="campaigns", verbose_name=_("units")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-deadline", "-pk"]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")


class AssignmentQuerySet(models.QuerySet):
    def visible_to(self, user, perm: str = "data:view") -> "AssignmentQuerySet":
        """Assignments whose unit `user` may see with `perm` (the scoping layer)."""
        return self.filter(unit__in=Unit.objects.visible_to(user, perm))


class Assignment(models.Model):
    """A unit asked to report in a campaign, and where its report stands."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assignments"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="assignment_unique")]
        ordering = ["unit__position", "unit__code"]

    def __str__(self) -> str:
        return f"{self.campaign.code} · {self.unit}"

    @property
    def is_late(self) -> bool | None:
        """Submitted after the deadline (end of that day); None while not submitted."""
        if self.submitted_at is None:
            return None
        from django.utils import timezone

        return timezone.localdate(self.submitted_at) > self.campaign.deadline


class Snapshot(models.Model):
    """An immutable copy of all six sheets of an assignment, taken at each submit (and before imports).

    `data` has the shape of `rasoat dump`. Nothing ever updates a snapshot: what a unit submitted
    stays readable and comparable with any later one.
    """

    class Kind(models.TextChoices):
        SUBMIT = "submit", _("Submitted")
        BEFORE_IMPORT = "before_import", _("Before an import")

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="snapshots"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SUBMIT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    appendix_version = models.CharField(_("appendix version"), max_length=20)
    data = models.JSONField(_("data"))
    rows = models.JSONField(_("rows per sheet"), default=dict)
    # The stored ids of the rows, parallel to `data`, so that two snapshots are compared row by row.
    row_ids = models.JSONField(_("row ids"), default=dict)

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.assignment} · {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("snapshots are immutable")
        super().save(*args, **kwargs)


class Transition(models.Model):
    """A status change of an assignment: who, when, from what to what, and why."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="transitions"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("by (name)"), max_length=150, blank=True)
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    snapshot = models.ForeignKey(
        Snapshot,
        verbose_name=_("snapshot"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    late = models.BooleanField(_("late"), null=True, blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.assignment}: {self.from_status} → {self.to_status}"

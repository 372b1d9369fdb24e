"""What rasoat keeps about background jobs beside the engine's own queue (django_tasks_db).

- `Job`: a job a person asked for and follows on the "Công việc" page (an export, a PDF, a campaign
  recompute): its owner, scope, progress and result file.
- `UnitRecompute` / `CampaignRecompute`: the "stale" flags of the assessment. A row exists while a
  recompute is owed; it is written in the same transaction as the change that made the figures stale,
  and deleted by the job in the transaction that stores the new figures. At most one row per unit or
  campaign, so that at most one recompute is pending (coalesced) however many saves came before it.
- `WorkerBeat`: each `rasoat worker`'s heartbeat, to tell a job whose worker died (kill -9, a lost
  machine) from one still running.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """A background job asked for by a person, with its progress and (for files) its result."""

    class Kind(models.TextChoices):
        RECOMPUTE = "recompute", _("Campaign assessment recompute")
        EXPORT = "export", _("Consolidated workbook")
        REPORT = "report", _("Report")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jobs",
        verbose_name=_("owner"),
        help_text=_("Who asked for the job; only they may download its result."),
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="jobs",
        verbose_name=_("campaign"),
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scope"),
        help_text=_("The unit whose subtree the job covers; empty for everything the owner may see."),
    )
    title = models.CharField(_("title"), max_length=300)
    params = models.JSONField(
        _("parameters"), default=dict, blank=True, help_text=_("What the job was asked.")
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    result_file = models.CharField(
        _("result file"), max_length=300, blank=True, help_text=_("Path of the result under the jobs folder.")
    )
    result_name = models.CharField(_("file name"), max_length=300, blank=True)
    content_type = models.CharField(_("content type"), max_length=120, blank=True)
    message = models.TextField(_("message"), blank=True, help_text=_("The outcome shown to the owner."))
    task_id = models.CharField(
        _("task id"), max_length=64, blank=True, help_text=_("The engine's task result.")
    )
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class UnitRecompute(models.Model):
    """A unit's assessment is owed a recompute (its data changed since its figures were computed)."""

    assignment = models.OneToOneField(
        "campaigns.Assignment",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("assignment"),
    )
    revision = models.PositiveIntegerField(
        _("revision"), default=1, help_text=_("Raised by every change; the job clears only what it saw.")
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now=True)

    class Meta:
        verbose_name = _("pending unit recompute")
        verbose_name_plural = _("pending unit recomputes")

    def __str__(self) -> str:
        return f"assignment {self.assignment_id} (revision {self.revision})"


class CampaignRecompute(models.Model):
    """A campaign's whole assessment is owed a recompute (its settings or reference date changed)."""

    campaign = models.OneToOneField(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("campaign"),
    )
    revision = models.PositiveIntegerField(
        _("revision"), default=1, help_text=_("Raised by every change; the job clears only what it saw.")
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now=True)

    class Meta:
        verbose_name = _("pending campaign recompute")
        verbose_name_plural = _("pending campaign recomputes")

    def __str__(self) -> str:
        return f"campaign {self.campaign_id} (revision {self.revision})"


class WorkerBeat(models.Model):
    """The last sign of life of one `rasoat worker` process."""

    worker_id = models.CharField(_("worker id"), max_length=64, primary_key=True)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"

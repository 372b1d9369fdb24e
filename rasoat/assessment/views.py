"""The assessment pages: a unit's findings, scores and needs; a campaign's settings and recompute.

A unit's page needs "data:view" on the unit and is loaded through `access.get_assignment` (out of
scope → 404). The settings page and the recompute button are for administrators of the whole
province ("campaign:manage" at the root): others who may see the campaign get 403.
"""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rasoat.assessment import indicators, services
from rasoat.assessment.forms import ConfigForm, WindowsFormSet
from rasoat.assessment.models import Area, Finding, Need, UnitScore
from rasoat.assessment.rules import AREAS
from rasoat.assessment.scores import AREA_LABELS, COMPONENTS
from rasoat.audit.services import log_request
from rasoat.campaigns.models import Campaign
from rasoat.inventory.access import get_assignment
from rasoat.inventory.models import Proposal
from rasoat.jobs import services as jobs
from rasoat.jobs.models import Job

SEVERITY_BADGES = {"high": "text-bg-danger", "medium": "text-bg-warning", "low": "text-bg-secondary"}


def _finding_rows(findings: list[Finding], code: str, unit_id: int) -> list[dict[str, Any]]:
    """Findings as the tables show them, with a link to the entry sheet (and the row) they concern."""
    sheet_urls = {"B01": reverse("entry_general", args=[code, unit_id])}
    rows = []
    for finding in findings:
        url = None
        if finding.sheet:
            if finding.sheet not in sheet_urls:
                sheet_urls[finding.sheet] = reverse("entry_sheet", args=[code, unit_id, finding.sheet])
            url = sheet_urls[finding.sheet]
            if finding.record_id and finding.sheet != "B01":
                url = f"{url}#row-{finding.record_id}"
        rows.append(
            {
                "finding": finding,
                "url": url,
                "badge": SEVERITY_BADGES.get(finding.severity, "text-bg-light"),
            }
        )
    return rows


def _areas(score: UnitScore, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per score: its value, its components and the findings that lowered it."""
    areas = []
    for area in AREAS:
        components = []
        for part in score.details.get(area, []):
            label, rule = COMPONENTS.get(part["key"], (part["key"], ""))
            components.append(
                {
                    "label": label,
                    "rule": rule,
                    "earned": part["earned"],
                    "max": part["max"],
                    "full": part["earned"] >= part["max"],
                }
            )
        areas.append(
            {
                "key": area,
                "label": AREA_LABELS[area],
                "score": getattr(score, area),
                "components": components,
                "findings": [row for row in rows if row["finding"].area == area],
            }
        )
    return areas


@login_required
@require_http_methods(["GET", "HEAD"])
def unit_assessment(request, code: str, pk: int):
    """A unit's scores with the findings behind each, and the needs estimate beside its own B06."""
    assignment = get_assignment(request, code, pk, "data:view")
    campaign = assignment.campaign
    score = UnitScore.objects.filter(assignment=assignment).first()
    pending = jobs.assessment_pending(assignment)
    if score is not None and score.reference_date != campaign.reference_date and not pending:
        # Computed at an earlier reference date and no recompute owed: ask for one (never wait for it).
        with transaction.atomic():
            jobs.mark_unit_stale(assignment)
        score = UnitScore.objects.filter(assignment=assignment).first()
        pending = jobs.assessment_pending(assignment)
    findings = list(Finding.objects.filter(assignment=assignment)) if score else []
    needs = list(Need.objects.filter(assignment=assignment)) if score else []
    proposals = list(Proposal.objects.filter(assignment=assignment).order_by("position", "pk"))
    rows = _finding_rows(findings, campaign.code, assignment.unit_id)
    unit = assignment.unit
    commune_link = None
    if (
        unit.commune_id
        and unit.commune_id != unit.pk
        and request.user.has_unit_perm("data:view", unit.commune)
    ):
        commune_link = reverse("campaign_commune", args=[campaign.code, unit.commune_id])
    context = {
        "assignment": assignment,
        "campaign": campaign,
        "unit": unit,
        "commune_link": commune_link,
        "score": score,
        "areas": _areas(score, rows) if score else [],
        "other_findings": [row for row in rows if row["finding"].area == Area.NONE],
        "finding_count": len(findings),
        "needs": needs,
        "needs_total": sum((n.cost_mvnd for n in needs if n.cost_mvnd is not None), Decimal(0)),
        "needs_unpriced": any(n.cost_mvnd is None for n in needs),
        "proposals": proposals,
        "proposals_total": sum((p.budget_mvnd for p in proposals if p.budget_mvnd is not None), Decimal(0)),
        "can_manage": request.user.has_global_perm("campaign:manage"),
        "indicators": indicators.unit_values(assignment) if score else [],
        "pending": pending,
    }
    return render(request, "assessment/unit.html", context)


def _managed_campaign(request, code: str) -> Campaign:
    """The campaign of the URL for an administrator of the whole province (404 / 403 otherwise)."""
    if not request.user.has_any_perm("campaign:view"):
        raise Http404
    campaign = get_object_or_404(Campaign, code=code)
    if not request.user.has_global_perm("campaign:manage"):
        raise PermissionDenied
    return campaign


def _queue_recompute(request, campaign: Campaign) -> Job:
    """Ask for the campaign's recompute in the background (inside the caller's transaction); the
    person follows it on the jobs page, and every unit page says its figures are being updated."""
    job = Job(
        kind=Job.Kind.RECOMPUTE,
        owner=request.user,
        campaign=campaign,
        title=_("Assessment recompute of %(campaign)s") % {"campaign": campaign.code},
    )
    job.save()
    jobs.mark_campaign_stale(campaign)
    job.refresh_from_db()
    return job


def _queued_message(job: Job) -> str:
    """What the person reads after asking: the outcome when the job already ran (immediate backend)."""
    if job.state == Job.State.DONE:
        return job.message
    return _("The assessment is being recomputed in the background; follow it under Jobs.")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def config_view(request, code: str):
    """Edit the campaign's thresholds, Windows table, prices and weights; saving recomputes."""
    campaign = _managed_campaign(request, code)
    config = services.config_for(campaign)
    data = request.POST if request.method == "POST" else None
    form = ConfigForm(data, instance=config, with_targets=bool(indicators.for_campaign(campaign)))
    formset = WindowsFormSet(data, instance=config, prefix="windows")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            changed = {
                name: [str(form.initial.get(name)), str(form.cleaned_data.get(name))]
                for name in form.changed_data
            }
            form.save()
            formset.save()
            if formset.has_changed():
                changed["windows"] = [None, [str(w) for w in config.windows.all()]]
            log_request(request, "assessment.configured", config, changed, note=campaign.code)
            job = _queue_recompute(request, campaign)
        messages.success(request, _("The assessment settings were saved.") + " " + _queued_message(job))
        return redirect("assessment_config", code=campaign.code)
    if request.method == "POST":
        messages.error(request, _("Nothing was saved: correct the values marked in red."))
    context = {
        "campaign": campaign,
        "form": form,
        "formset": formset,
        "config": config,
        "assessment_pending": jobs.pending_among(campaign, campaign.assignments.all()),
    }
    return render(request, "assessment/config.html", context)


@login_required
@require_POST
def recompute(request, code: str):
    """Recompute the assessment of every unit of the campaign."""
    campaign = _managed_campaign(request, code)
    with transaction.atomic():
        log_request(request, "assessment.recomputed", None, {}, note=campaign.code)
        job = _queue_recompute(request, campaign)
    messages.success(request, _queued_message(job))
    return redirect("assessment_config", code=campaign.code)

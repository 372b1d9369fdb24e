"""Views of campaigns: the list, create/edit, assigning units, the progress board and a commune's page.

Who may do what: anyone with "campaign:view" somewhere sees campaigns (others get 404, as if the
pages did not exist); changing a campaign needs "campaign:manage" on the whole province (others
who can see campaigns get 403). Progress figures are always scoped with "data:view".
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rasoat.campaigns import services
from rasoat.campaigns.forms import (
    AddUnitsForm,
    CampaignCreateForm,
    CampaignForm,
    RemoveUnitsForm,
)
from rasoat.campaigns.models import Campaign, Status
from rasoat.client_ip import client_address
from rasoat.orgs.models import Membership
from rasoat.orgs.roles import Role


def _require_view(user) -> None:
    if not user.has_any_perm("campaign:view"):
        raise Http404


def _require_manage(user) -> None:
    _require_view(user)
    if not user.has_global_perm("campaign:manage"):
        raise PermissionDenied


def _deadline_context(campaign: Campaign) -> dict:
    days = services.days_left(campaign)
    return {"days_left": days, "days_past": -days}


@login_required
def campaign_list(request):
    """Every campaign, with the progress of the units the user may see."""
    _require_view(request.user)
    counts = services.counts_by_campaign(request.user)
    empty = dict.fromkeys(Status.values, 0)
    rows = []
    for campaign in Campaign.objects.all():
        by_status = counts.get(campaign.pk, empty)
        rows.append(
            {
                "campaign": campaign,
                **_deadline_context(campaign),
                "total": sum(by_status.values()),
                "counts": [(status, label, by_status[status]) for status, label in Status.choices],
            }
        )
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "rows": rows,
            "can_manage": request.user.has_global_perm("campaign:manage"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    _require_manage(request.user)
    form = CampaignCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in CampaignForm.Meta.fields}
        campaign = services.create_campaign(assign_all=form.cleaned_data["assign_all"], **fields)
        messages.success(
            request,
            _("Campaign %(code)s was created with %(count)s units.")
            % {
                "code": campaign.code,
                "count": campaign.assignments.count(),
            },
        )
        return redirect("campaign_board", code=campaign.code)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": None})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, code: str):
    _require_view(request.user)
    campaign = get_object_or_404(Campaign, code=code)
    _require_manage(request.user)
    form = CampaignForm(request.POST if request.method == "POST" else None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        campaign = services.save_campaign_form(form, actor=request.user, address=client_address(request))
        messages.success(request, _("The campaign was saved."))
        return redirect("campaign_board", code=campaign.code)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign})


def _outcome_key(campaign: Campaign) -> str:
    return f"campaign_assign_outcome:{campaign.pk}"


def _apply_assign_post(request, campaign: Campaign) -> None:
    """Carry out one action of the assign page; report the outcome as messages and, for a removal,
    keep the units removed and kept (with why) for the page to list after the redirect."""
    action = request.POST.get("action")
    address = request.META.get("REMOTE_ADDR") or None
    if action == "add_all":
        added = services.add_units(
            campaign, services.assignable_units(campaign), actor=request.user, address=address
        )
        messages.success(request, _("%(count)s units were added.") % {"count": len(added)})
        return
    form_class = {"add": AddUnitsForm, "remove": RemoveUnitsForm}.get(action)
    if form_class is None:
        messages.error(request, _("Unknown action."))
        return
    form = form_class(campaign, request.POST)
    if not form.is_valid():
        for error in form.errors.get("units", []):
            messages.error(request, error)
        return
    if action == "add":
        added = services.add_units(campaign, form.cleaned_data["units"], actor=request.user, address=address)
        messages.success(request, _("%(count)s units were added.") % {"count": len(added)})
        return
    result = services.remove_units(campaign, form.cleaned_data["units"], actor=request.user, address=address)
    if result.removed:
        messages.success(request, _("%(count)s units were removed.") % {"count": len(result.removed)})
    if result.kept:
        messages.warning(
            request,
            _("%(count)s units were kept in the campaign because they hold data or their work has started.")
            % {"count": len(result.kept)},
        )
    request.session[_outcome_key(campaign)] = {
        "removed": [[unit.code, unit.name] for unit in result.removed],
        "kept": [[kept.unit.code, kept.unit.name, list(kept.reasons)] for kept in result.kept],
    }


@login_required
@require_http_methods(["GET", "POST"])
def campaign_assign(request, code: str):
    """The units a campaign includes: add some, add all, or remove those that hold no data.

    Every POST ends in a redirect (its outcome, errors included, is shown as messages and, for a
    removal, as the list of units removed and kept), so a reload never repeats an action.
    """
    _require_view(request.user)
    campaign = get_object_or_404(Campaign, code=code)
    _require_manage(request.user)
    if request.method == "POST":
        _apply_assign_post(request, campaign)
        return redirect("campaign_assign", code=campaign.code)
    add_form = AddUnitsForm(campaign)
    assignments = campaign.assignments.select_related("unit", "unit__commune")
    return render(
        request,
        "campaigns/campaign_assign.html",
        {
            "campaign": campaign,
            "assignments": assignments,
            "add_form": add_form,
            "not_started": Status.NOT_STARTED,
            "assignable_count": add_form.fields["units"].queryset.count(),
            "outcome": request.session.pop(_outcome_key(campaign), None),
        },
    )


@login_required
def campaign_commune(request, code: str, pk: int):
    """One commune in a campaign: its units (the commune's four blocks and its one-stop point)."""
    _require_view(request.user)
    campaign = get_object_or_404(Campaign, code=code)
    commune = get_object_or_404(services.visible_communes(request.user), pk=pk)
    assignments = list(services.visible_assignments(request.user, campaign).filter(unit__commune=commune))
    editors = list(
        Membership.objects.filter(unit__path__startswith=commune.path, role=Role.EDITOR, user__is_active=True)
        .select_related("user", "unit")
        .order_by("user__full_name", "user__username")
    )
    for assignment in assignments:
        # A commune-wide editor covers every unit of the commune; a unit editor only that unit.
        assignment.editors = [m.user for m in editors if assignment.unit.path.startswith(m.unit.path)]
    return render(
        request,
        "campaigns/campaign_commune.html",
        {
            "campaign": campaign,
            "commune": commune,
            "assignments": assignments,
            "editors": list({m.user_id: m.user for m in editors}.values()),
            "can_submit_all": request.user.has_unit_perm("submission:submit", commune),
            **_deadline_context(campaign),
        },
    )

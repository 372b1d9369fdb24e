"""The home page, "Việc cần làm": what each user has to do today.

An editor sees their units (one, or a commune's five) with status, days left, error and warning
counts, the return reason and the one next step; a reviewer sees what waits for review, the late units
and the recent submissions. Below, as before, the campaigns and the user's roles.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from rasoat.campaigns.models import Campaign
from rasoat.desk import todo
from rasoat.orgs.models import Unit


@login_required
def home(request):
    """Where each user starts: the day's work, then the campaigns and the units they hold a role on."""
    user = request.user
    memberships = list(user.memberships.select_related("unit").order_by("unit__path"))
    in_scope = bool(memberships) or user.is_superuser or Unit.objects.visible_to(user).exists()
    campaigns = list(Campaign.objects.all()) if in_scope else []
    campaign = campaigns[0] if campaigns else None
    reviewer = campaign is not None and user.has_any_perm("submission:review")
    editor = campaign is not None and not reviewer and user.has_any_perm("data:edit")
    return render(
        request,
        "desk/home.html",
        {
            "memberships": memberships,
            "campaigns": campaigns,
            # Not "campaign": the navigation would take it as the page's campaign.
            "current": campaign,
            "units": todo.editor_units(user, campaign) if editor else None,
            "queue": todo.reviewer_queue(user, campaign) if reviewer else None,
        },
    )

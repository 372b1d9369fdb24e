"""The landing page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from rasoat.campaigns.models import Campaign
from rasoat.orgs.models import Unit


@login_required
def home(request):
    """Where each user starts: the campaigns, and the units they hold a role on."""
    memberships = request.user.memberships.select_related("unit").order_by("unit__path")
    scope_units = Unit.objects.visible_to(request.user)
    campaigns = (
        Campaign.objects.all()
        if scope_units.exists() or request.user.is_superuser
        else Campaign.objects.none()
    )
    return render(request, "home.html", {"memberships": memberships, "campaigns": campaigns})

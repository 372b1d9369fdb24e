"""Which operating systems are out of vendor support at a campaign's reference date.

The dates are data of the assessment app (its WindowsSupport table, which an admin edits per
campaign). Until that app is installed, or before a campaign has its assessment settings, the
defaults of ASSESSMENT.md apply. This module is the one place the dashboard asks.
"""

import datetime

from django.apps import apps

from rasoat.campaigns.models import Campaign

# ASSESSMENT.md, rule D-OS: the end of vendor support of each Windows label of the appendix.
DEFAULT_END_OF_SUPPORT: dict[str, datetime.date] = {
    "Windows 7 hoặc cũ hơn": datetime.date(2020, 1, 14),
    "Windows 8/8.1": datetime.date(2023, 1, 10),
    "Windows 10": datetime.date(2025, 10, 14),
}


def end_of_support(campaign: Campaign) -> dict[str, datetime.date]:
    """OS label → end-of-support date for this campaign (one query when the assessment exists)."""
    if not apps.is_installed("rasoat.assessment"):
        return dict(DEFAULT_END_OF_SUPPORT)
    from rasoat.assessment.models import AssessmentConfig

    # A LEFT JOIN: no row at all = no settings yet (defaults); (None, None) = settings, empty table.
    rows = list(
        AssessmentConfig.objects.filter(campaign=campaign).values_list(
            "windows__os", "windows__end_of_support"
        )
    )
    if not rows:
        return dict(DEFAULT_END_OF_SUPPORT)
    return {os: ended for os, ended in rows if os is not None}


def unsupported_os(campaign: Campaign) -> list[str]:
    """The OS labels whose support ended on or before the campaign's reference date."""
    cached = getattr(campaign, "_unsupported_os", None)
    if cached is None:
        ended = end_of_support(campaign)
        cached = sorted(os for os, day in ended.items() if day <= campaign.reference_date)
        # Several figures of one request ask; the campaign object lives for that request only.
        campaign._unsupported_os = cached
    return cached

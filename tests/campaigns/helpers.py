"""Small helpers shared by the campaign tests."""

import re

from django.urls import reverse

from rasoat.campaigns.models import Campaign
from rasoat.orgs.models import Kind, Unit
from tests.conftest import MUONG_KIM

COUNT_RE = re.compile(r'data-testid="status-count-(\w+)">(\d+)<')
ROW_RE = re.compile(r'data-testid="board-row" data-unit="([^"]+)"')


def status_counts(html: str) -> dict[str, int]:
    """The counts shown on the board, by status ("total" included)."""
    return {status: int(n) for status, n in COUNT_RE.findall(html)}


def board_units(html: str) -> list[str]:
    """Codes of the units listed on the board, in page order."""
    return ROW_RE.findall(html)


def board_url(campaign: Campaign, **params) -> str:
    """The board's address; all units on one page unless `size` says otherwise (the default is 50)."""
    params.setdefault("size", 500)
    url = reverse("campaign_board", args=[campaign.code])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def commune_url(campaign: Campaign, code: str = MUONG_KIM) -> str:
    commune = Unit.objects.get(code=code, kind=Kind.COMMUNE)
    return reverse("campaign_commune", args=[campaign.code, commune.pk])

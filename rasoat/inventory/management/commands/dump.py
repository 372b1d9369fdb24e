"""`rasoat dump CAMPAIGN UNIT`: a unit's appendix data as JSON keyed by the declared keys.

One entry per sheet of the campaign's appendix version, in its order (sheets a version adds
included): a label/value sheet as an object, a table as a list of objects. Keys are the version's
column keys; choices are their labels, numbers numbers, dates ISO text (yyyy-mm-dd), empty null.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from rasoat.campaigns.models import Assignment
from rasoat.inventory.data import unit_data


def find_assignment(campaign_code: str, unit_code: str) -> Assignment:
    assignment = (
        Assignment.objects.select_related("campaign", "unit")
        .filter(campaign__code=campaign_code, unit__code=unit_code)
        .first()
    )
    if assignment is None:
        raise CommandError(f"unit {unit_code!r} is not assigned in campaign {campaign_code!r}")
    return assignment


class Command(BaseCommand):
    help = (
        'Print a unit\'s data of a campaign as JSON: {"B01": {...}, "B02": [...], ...}, one entry per '
        "sheet of the campaign's appendix version, keys as declared, dates yyyy-mm-dd."
    )

    def add_arguments(self, parser):
        parser.add_argument("campaign")
        parser.add_argument("unit")

    def handle(self, *args, campaign, unit, **options):
        data = unit_data(find_assignment(campaign, unit))
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))

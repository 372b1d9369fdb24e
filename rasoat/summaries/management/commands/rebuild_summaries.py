"""`rasoat rebuild_summaries [CAMPAIGN]`: recompute the summaries and rollups from the rows.

They are kept with every change, so this is for repair only (data written around the services,
e.g. by SQL): one statement per family, in one transaction, audited.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from rasoat.audit.services import log
from rasoat.campaigns.models import Assignment, Campaign
from rasoat.summaries.services import rebuild


class Command(BaseCommand):
    help = "Recompute the dashboard's summaries and rollups from the sheet rows (one campaign, or all)."

    def add_arguments(self, parser):
        parser.add_argument("campaign", nargs="?", help="the campaign's code (default: every campaign)")

    def handle(self, *args, campaign=None, **options):
        found = None
        if campaign:
            found = Campaign.objects.filter(code=campaign).first()
            if found is None:
                raise CommandError(f"no campaign {campaign!r}")
        with transaction.atomic():
            rebuild(Assignment.objects.filter(campaign=found) if found else None)
            log(None, "summaries.rebuilt", found, {}, note=campaign or "")
        self.stdout.write(f"summaries rebuilt for {campaign or 'every campaign'}")

"""`rasoat export CAMPAIGN [--scope CODE] -o FILE`: the consolidated workbook of a campaign.

Run on the server by an administrator, so it is not limited by memberships: without --scope it
holds every assigned unit; with --scope, the unit of that code and everything below it.
"""

from django.core.management.base import BaseCommand, CommandError
from xlsxwriter.exceptions import FileCreateError

from rasoat.campaigns.models import Campaign
from rasoat.orgs.models import Unit
from rasoat.workbooks.export import scope_label, scoped_assignments, write_consolidated


class Command(BaseCommand):
    help = (
        "Write the consolidated workbook of a campaign (summary, status and the six sheets) to an .xlsx "
        "file; --scope limits it to a unit and everything below it."
    )

    def add_arguments(self, parser):
        parser.add_argument("campaign", help="Campaign code, e.g. RS2026.")
        parser.add_argument("--scope", default="", help="Code of a unit: export only its subtree.")
        parser.add_argument("-o", "--output", required=True, help="Path of the .xlsx file to write.")

    def handle(self, *args, campaign, scope, output, **options):
        found = Campaign.objects.filter(code=campaign).first()
        if found is None:
            raise CommandError(f"no campaign has the code {campaign!r}")
        unit = None
        if scope:
            unit = Unit.objects.filter(code=scope).first()
            if unit is None:
                raise CommandError(f"no unit has the code {scope!r}")
        assignments = scoped_assignments(found.assignments.all(), scope=unit)
        try:
            label = scope_label(unit, everything="Tất cả đơn vị của đợt rà soát")  # run by an administrator
            counts = write_consolidated(found, assignments, output, label=label)
        except (OSError, FileCreateError) as error:
            raise CommandError(f"cannot write {output}: {error}") from None
        summary = ", ".join(f"{name}: {count}" for name, count in counts.items())
        self.stdout.write(f"{output} — {summary}")

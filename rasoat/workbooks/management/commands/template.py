"""`rasoat template CAMPAIGN UNIT -o FILE [--prefilled]`: the appendix workbook of a unit.

UNIT may be a commune's code: the commune workbook of its units then comes out.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rasoat.campaigns.models import Assignment, Campaign
from rasoat.orgs.models import Kind, Unit
from rasoat.workbooks.template import write_commune_template, write_unit_template


class Command(BaseCommand):
    help = "Write the appendix workbook of a unit (or of a commune's units) for a campaign."

    def add_arguments(self, parser):
        parser.add_argument("campaign", help="campaign code, e.g. RS2026")
        parser.add_argument("unit", help="unit code, or a commune's code for the commune workbook")
        parser.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
        parser.add_argument(
            "--prefilled", action="store_true", help="fill in the unit's current data (default: blank)"
        )

    def handle(self, *args, campaign, unit, output, prefilled, **options):
        found = Campaign.objects.filter(code=campaign).first()
        if found is None:
            raise CommandError(f"no campaign {campaign!r}")
        target = Unit.objects.filter(code=unit).first()
        if target is None:
            raise CommandError(f"no unit {unit!r}")
        assignments = Assignment.objects.select_related("campaign", "unit")
        if target.kind == Kind.COMMUNE:
            units = list(assignments.filter(campaign=found, unit__commune=target))
            if not units:
                raise CommandError(f"no unit of commune {unit!r} is assigned in campaign {campaign!r}")
            content = write_commune_template(found, target, units, prefilled=prefilled)
        else:
            assignment = assignments.filter(campaign=found, unit=target).first()
            if assignment is None:
                raise CommandError(f"unit {unit!r} is not assigned in campaign {campaign!r}")
            content = write_unit_template(assignment, prefilled=prefilled)
        path = Path(output)
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(f"cannot write {path}: {error}") from None
        self.stdout.write(f"{path} ({len(content)} bytes)")

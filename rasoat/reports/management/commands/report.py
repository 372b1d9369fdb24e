"""`rasoat report {unit,commune,province,reminder,request} CAMPAIGN [CODE] -o FILE.docx`.

Writes the report as .docx, or as PDF (through LibreOffice) when FILE ends in .pdf. CODE is the unit's
code for `unit` and the commune's code for `commune`; the other kinds take none. Without -o the file is
written to the current folder under the name the web download uses. Prints the path written.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rasoat.campaigns.models import Assignment, Campaign
from rasoat.orgs.models import Kind, Unit
from rasoat.reports import services
from rasoat.reports.render import ReportError


class Command(BaseCommand):
    help = "Write a report of a campaign as .docx (or PDF when the output file ends in .pdf)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=services.KINDS)
        parser.add_argument("campaign", help="The campaign's code, e.g. RS2026.")
        parser.add_argument("code", nargs="?", help="The unit's code (unit) or the commune's code (commune).")
        parser.add_argument("-o", "--output", help="The file to write (.docx or .pdf).")

    def handle(self, *args, kind, campaign, code, output, **options):
        found = Campaign.objects.filter(code=campaign).first()
        if found is None:
            raise CommandError(f"no campaign {campaign!r}")
        target = self._target(kind, found, code)
        pdf = bool(output) and output.lower().endswith(".pdf")
        try:
            report = services.generate(kind, found, pdf=pdf, **target)
        except ReportError as error:
            raise CommandError(str(error)) from None
        path = Path(output or report.filename)
        try:
            path.write_bytes(report.content)
        except OSError as error:
            raise CommandError(f"cannot write {path}: {error}") from None
        self.stdout.write(str(path))

    def _target(self, kind: str, campaign: Campaign, code: str | None) -> dict:
        if kind not in (services.UNIT, services.COMMUNE):
            if code:
                raise CommandError(f"a {kind} report takes no code")
            return {}
        if not code:
            raise CommandError(f"a {kind} report needs the {kind}'s code")
        if kind == services.UNIT:
            assignment = (
                Assignment.objects.select_related("campaign", "unit", "unit__parent", "unit__commune")
                .filter(campaign=campaign, unit__code=code)
                .first()
            )
            if assignment is None:
                raise CommandError(f"unit {code!r} is not assigned in campaign {campaign.code!r}")
            return {"assignment": assignment}
        commune = Unit.objects.filter(code=code, kind=Kind.COMMUNE).first()
        if commune is None:
            raise CommandError(f"no commune {code!r}")
        return {"commune": commune}

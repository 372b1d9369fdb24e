"""`rasoat load CAMPAIGN UNIT FILE.json [--dry-run]`: validate a unit's data and replace its draft.

Prints {"errors": [...], "warnings": [...], "rows": {"B02": n, ...}}; each issue has `sheet` (the sheet
title), `row` (1-based position in the sheet's list; absent for B01), `column` (the PHU_LUC.md header),
`value` and a Vietnamese `message`. Exits 1 when there are errors; stores only without --dry-run and
only when there are none.
"""

import json
import sys
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from rasoat.appendix.declaration import Appendix, Issue, UnitInfo
from rasoat.appendix.validation import clean_unit_data
from rasoat.inventory.data import appendix_for
from rasoat.inventory.management.commands.dump import find_assignment
from rasoat.inventory.services import NotEditable, replace_unit_data


def issue_json(appendix: Appendix, issue: Issue) -> dict:
    """An issue as the command (and later the API and the Excel import) reports it."""
    sheet = appendix.sheet(issue.sheet) if issue.sheet and appendix.has_sheet(issue.sheet) else None
    column = sheet.column(issue.column) if sheet and issue.column and sheet.has_column(issue.column) else None
    value = issue.value
    if isinstance(value, Decimal):
        value = float(value)
    item = {
        "sheet": sheet.title if sheet else issue.sheet,
        "column": column.header if column else issue.column,
        "value": value,
        "message": issue.message,
    }
    if issue.row is not None:
        item["row"] = issue.row
    return item


class Command(BaseCommand):
    help = "Validate a JSON file of a unit's data (the `rasoat dump` shape) and, without --dry-run, store it."

    def add_arguments(self, parser):
        parser.add_argument("campaign")
        parser.add_argument("unit")
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Validate only; store nothing.")

    def handle(self, *args, campaign, unit, file, dry_run, **options):
        assignment = find_assignment(campaign, unit)
        try:
            with open(file, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"cannot read {file}: {error}") from None
        appendix = appendix_for(assignment)
        result = clean_unit_data(
            appendix, data, UnitInfo.from_unit(assignment.unit), assignment.campaign.reference_date
        )
        output = {
            "errors": [issue_json(appendix, i) for i in result.errors],
            "warnings": [issue_json(appendix, i) for i in result.warnings],
            "rows": result.rows,
        }
        if not result.errors and not dry_run:
            try:
                replace_unit_data(assignment, result.data, action="appendix.loaded", note=file)
            except NotEditable as error:
                raise CommandError(
                    f"the unit's data is locked ({error}); return or reopen it first"
                ) from None
        self.stdout.write(json.dumps(output, ensure_ascii=False, indent=1, default=str))
        if result.errors:
            sys.exit(1)

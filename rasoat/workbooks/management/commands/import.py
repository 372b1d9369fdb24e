"""`rasoat import CAMPAIGN UNIT FILE [--dry-run]`: read a unit's (or a commune's) workbook and store it.

Prints, as JSON, what the upload preview shows: {"errors": [{"sheet", "row", "column", "value",
"message"}], "warnings": [...], "rows": {"B02": n, ...}, "ignored": {...}, "unknown_columns":
[...]} plus "file", "unit" and "saved". `sheet` is the PHU_LUC.md sheet title, `row` the row
number as Excel shows it, `column` the PHU_LUC.md header even when the file spells it
differently. UNIT may be a commune's code: the file is then read as a commune workbook (each
issue also names its "unit"). Exits 1 when there are errors or the file cannot be read at all
({"errors": [{"message": ...}]}). Stores only without --dry-run and only without errors: each
unit's data is replaced (the previous data kept in a snapshot) and the original file is kept as
an Upload, as a web upload would be. Meant for loops over many e-mailed files:

    for f in inbox/*.xlsx; do rasoat import RS2026 "$(basename "$f" .xlsx)" "$f" > "$f.json"; done
"""

import json
import os
import sys

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from rasoat.campaigns.models import Assignment, Campaign
from rasoat.inventory.services import EDITABLE, NotEditable
from rasoat.orgs.models import Kind, Unit
from rasoat.text_controls import visible_in
from rasoat.workbooks.importer import apply_import
from rasoat.workbooks.models import Upload
from rasoat.workbooks.reader import WorkbookRejected, read_commune_workbook, read_unit_workbook
from rasoat.workbooks.uploads import clean_name, sha256


class Command(BaseCommand):
    help = (
        "Read an appendix workbook (.xlsx, .xlsm, .xls, .ods) of a unit, or of a commune's units, print "
        "the errors and warnings as JSON and, without --dry-run and when there is no error, store it."
    )

    def add_arguments(self, parser):
        parser.add_argument("campaign", help="Campaign code, e.g. RS2026.")
        parser.add_argument("unit", help="Unit code, or a commune's code for a commune workbook.")
        parser.add_argument("file", help="The workbook.")
        parser.add_argument("--dry-run", action="store_true", help="Read and check only; store nothing.")

    def handle(self, *args, campaign, unit, file, dry_run, **options):
        campaign_obj = Campaign.objects.filter(code=campaign).first()
        if campaign_obj is None:
            raise CommandError(f"no campaign with code {campaign!r}")
        unit_obj = Unit.objects.filter(code=unit).first()
        if unit_obj is None:
            raise CommandError(f"no unit with code {unit!r}")
        filename = os.path.basename(file)
        assignments_of = Assignment.objects.select_related("campaign", "unit").filter(campaign=campaign_obj)
        if unit_obj.kind == Kind.COMMUNE:
            assignments = list(assignments_of.filter(unit__commune=unit_obj).exclude(unit=unit_obj))
            if not assignments:
                raise CommandError(f"no unit of commune {unit!r} is assigned in campaign {campaign!r}")
        else:
            assignments = list(assignments_of.filter(unit=unit_obj))
            if not assignments:
                raise CommandError(f"unit {unit!r} is not assigned in campaign {campaign!r}")
        header = {"file": filename, "unit": unit_obj.code}
        try:
            if unit_obj.kind == Kind.COMMUNE:
                result = read_commune_workbook(file, filename, campaign_obj, unit_obj, assignments)
            else:
                result = read_unit_workbook(file, filename, assignments[0])
        except WorkbookRejected as rejected:
            self.emit({**header, "errors": [{"message": rejected.message}], "saved": False})
            sys.exit(1)

        output = {**header, **result.as_json(), "saved": False}
        if not result.errors and not dry_run:
            by_code = {a.unit.code: a for a in assignments}
            locked = [
                by_code[u.unit_code] for u in result.units if by_code[u.unit_code].status not in EDITABLE
            ]
            if locked:
                output["errors"].extend({"message": _locked_message(a)} for a in locked)
            else:
                try:
                    self.store(file, filename, result, by_code, campaign_obj, unit_obj)
                    output["saved"] = True
                except NotEditable as error:
                    output["errors"].append({"message": f"Dữ liệu đang bị khóa ({error}), không nhập được."})
        self.emit(output)
        if output["errors"]:
            sys.exit(1)

    def emit(self, output: dict) -> None:
        self.stdout.write(json.dumps(output, ensure_ascii=False, indent=1, default=str))

    def store(self, path, filename, result, by_code, campaign, unit) -> None:
        """Keep the original file as an Upload (no user: the command line) and import it."""
        with open(path, "rb") as handle:
            content = handle.read()
        upload = Upload(
            campaign=campaign,
            unit=unit,
            original_name=clean_name(filename),
            size=len(content),
            uploaded_by=None,
            summary=visible_in(result.summary()),
            sha256=sha256(content),
            # Read to the end just now (the result is in hand): waiting for the import below.
            state=Upload.State.PENDING,
        )
        upload.file.save(filename, ContentFile(content), save=False)
        try:
            with transaction.atomic():
                upload.save()
                apply_import(result, by_code, upload, None, None)
        except BaseException:
            # The database forgot the upload; do not keep its file either.
            upload.file.delete(save=False)
            raise


def _locked_message(assignment: Assignment) -> str:
    return (
        f'Đơn vị "{assignment.unit.code}" ({assignment.unit.name}) đã gửi hoặc đã được duyệt nên dữ liệu bị '
        "khóa; cần trả lại hoặc mở lại trước khi nhập tệp."
    )

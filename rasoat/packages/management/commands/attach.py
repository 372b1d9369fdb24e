"""`rasoat attach CAMPAIGN UNIT FILE [--kind report|other] [--dry-run]`: add a file to a package.

Prints the JSON of the check (signatures and errors) and exits 1, storing nothing, when there are errors.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rasoat.campaigns.models import Campaign
from rasoat.orgs.models import Unit
from rasoat.packages import gate, services
from rasoat.packages.models import Attachment


class Command(BaseCommand):
    help = "Attach a signed report or another file to a unit's submission package."

    def add_arguments(self, parser):
        parser.add_argument("campaign", help="campaign code, e.g. RS2026")
        parser.add_argument("unit", help="unit code (or a commune's code for its combined report)")
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", choices=Attachment.Kind.values, default=Attachment.Kind.REPORT)
        parser.add_argument("--dry-run", action="store_true", help="check only, store nothing")

    def handle(self, *args, **options):
        campaign = Campaign.objects.filter(code=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"no campaign {options['campaign']}")
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"no unit {options['unit']}")
        path: Path = options["file"]
        try:
            size = path.stat().st_size
            result = services.AttachResult(filename=path.name, kind=options["kind"])
            # The size is checked before the bytes are read, as for a web upload.
            gate.check_size(size, path.name)
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        except gate.AttachmentRejected as rejected:
            result.errors.append(rejected.message)
        else:
            result = services.attach(
                campaign, unit, path.name, data, kind=options["kind"], dry_run=options["dry_run"]
            )
        self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        if result.errors:
            sys.exit(1)

"""`rasoat campaign create CODE --title TEXT --deadline YYYY-MM-DD [--reference-date YYYY-MM-DD]
[--appendix VERSION] [--previous CODE]`.

Creates the campaign exactly as the web's "new campaign" page does — the same form, so the same
rules (code, dates, previous campaign) — and assigns every active reporting unit. The appendix
defaults to `versions.default_version()` (2026.2 once shipped), the reference date to the deadline.
Prints {"campaign", "appendix_version", "units"} as JSON; on a refusal prints {"errors": [{"field",
"message"}]} and exits 1, creating nothing.
"""

import datetime
import json
import sys

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from rasoat.appendix import versions
from rasoat.audit.services import log
from rasoat.campaigns import services
from rasoat.campaigns.forms import CampaignCreateForm, CampaignForm
from rasoat.campaigns.models import Campaign


class Command(BaseCommand):
    help = "Create a campaign with every active reporting unit assigned (as on the web)."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        create = commands.add_parser("create", help="Create a campaign.")
        create.add_argument("code", help="Campaign code, e.g. RS2027.")
        create.add_argument("--title", required=True)
        create.add_argument("--deadline", required=True, help="YYYY-MM-DD.")
        create.add_argument("--reference-date", default=None, help="YYYY-MM-DD (default: the deadline).")
        create.add_argument(
            "--appendix", default=None, help="Appendix version (default: the newest shipped)."
        )
        create.add_argument("--previous", default=None, help="Code of the campaign units carry data from.")

    def handle(self, *args, action, **options):
        errors: list[dict] = []
        deadline = self.date(options["deadline"], "deadline", errors)
        reference = (
            self.date(options["reference_date"], "reference_date", errors)
            if options["reference_date"]
            else deadline
        )
        appendix = options["appendix"] or versions.default_version()
        if not versions.exists(appendix):
            errors.append(
                {
                    "field": "appendix_version",
                    "message": _("There is no appendix version %(code)s.") % {"code": appendix},
                }
            )
        previous = None
        if options["previous"]:
            previous = Campaign.objects.filter(code=options["previous"]).first()
            if previous is None:
                errors.append(
                    {
                        "field": "previous",
                        "message": _("There is no campaign %(code)s.") % {"code": options["previous"]},
                    }
                )
        if errors:
            self.fail(errors)
        form = CampaignCreateForm(
            {
                "code": options["code"],
                "title": options["title"],
                "deadline": deadline,
                "reference_date": reference,
                "appendix_version": appendix,
                "previous": previous.pk if previous else "",
                "assign_all": True,
            }
        )
        if not form.is_valid():
            self.fail(
                [
                    {"field": field if field != "__all__" else None, "message": message}
                    for field, messages in form.errors.items()
                    for message in messages
                ]
            )
        fields = {name: form.cleaned_data[name] for name in CampaignForm.Meta.fields}
        with transaction.atomic():
            campaign = services.create_campaign(assign_all=True, **fields)
            units = campaign.assignments.count()
            log(
                None,
                "campaign.created",
                campaign,
                {"appendix_version": [None, campaign.appendix_version], "units": [None, units]},
                note="rasoat campaign create",
            )
        output = {"campaign": campaign.code, "appendix_version": campaign.appendix_version, "units": units}
        self.stdout.write(json.dumps(output, ensure_ascii=False))

    def date(self, text: str, field: str, errors: list[dict]) -> datetime.date | None:
        try:
            return datetime.date.fromisoformat(text)
        except (TypeError, ValueError):
            errors.append(
                {
                    "field": field,
                    "message": _("“%(value)s” is not a date written as YYYY-MM-DD.") % {"value": text},
                }
            )
            return None

    def fail(self, errors: list[dict]) -> None:
        self.stdout.write(json.dumps({"errors": errors}, ensure_ascii=False, indent=1))
        sys.exit(1)

"""`rasoat remind CAMPAIGN [--date YYYY-MM-DD]`: send the deadline reminders due that day."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rasoat.campaigns.models import Campaign
from rasoat.notifications.delivery import deliver_outbox, mail_enabled
from rasoat.notifications.models import OutgoingMail
from rasoat.notifications.reminders import parse_days, plan_for, send_reminders, set_plan


class Command(BaseCommand):
    help = (
        "Send the reminders of a campaign due on a day (today by default) to the editors of the units that "
        "have not submitted: N days before the deadline (default 7 and 2) and the day after it. Run it "
        "daily; running it twice the same day sends nothing more. --days changes the plan of the campaign."
    )

    def add_arguments(self, parser):
        parser.add_argument("campaign", help="Campaign code, e.g. RS2026.")
        parser.add_argument("--date", help="The day to act as (YYYY-MM-DD); default today.")
        parser.add_argument(
            "--days", help="Set the days before the deadline to remind on, e.g. 7,2 (then send as usual)."
        )
        parser.add_argument(
            "--no-day-after", action="store_true", help="With --days: no reminder the day after the deadline."
        )

    def handle(self, *args, campaign, date=None, days=None, no_day_after=False, **options):
        found = Campaign.objects.filter(code=campaign).first()
        if found is None:
            raise CommandError(f"No campaign with code {campaign!r}.")
        if date:
            try:
                day = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}.") from None
        else:
            day = timezone.localdate()
        if days is not None:
            try:
                parsed = parse_days(days)
            except ValueError as error:
                raise CommandError(str(error)) from None
            set_plan(found, parsed, not no_day_after)
        before, after = plan_for(found)
        run = send_reminders(found, day)
        if run.kind is None:
            self.stdout.write(
                f"{found.code}: no reminder is due on {day:%d/%m/%Y} (deadline {found.deadline:%d/%m/%Y}; "
                f"reminders {before} days before{', and the day after' if after else ''})."
            )
            return
        self.stdout.write(
            f"{found.code} ({run.kind}) on {day:%d/%m/%Y}: reminded {len(run.units)} unit(s), "
            f"{run.recipients} editor(s); {run.already_sent} unit(s) were already reminded that day."
        )
        if mail_enabled():
            # A worker may be sending the same outbox: rows are leased, so none goes out twice.
            counts = deliver_outbox()
            waiting = OutgoingMail.objects.filter(status=OutgoingMail.State.PENDING).count()
            self.stdout.write(f"E-mail: {counts['sent']} sent now, {waiting} waiting (retried later).")

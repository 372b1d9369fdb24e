"""`rasoat sendmail`: send the e-mails of the outbox that are due (those waiting for a retry too)."""

from django.core.management.base import BaseCommand

from rasoat.notifications.delivery import deliver_outbox, mail_enabled
from rasoat.notifications.models import OutgoingMail


class Command(BaseCommand):
    help = (
        "Send the due e-mails of the outbox, including those whose earlier attempt failed. Each action "
        "starts a delivery by itself; run this every few minutes (cron) so that retries happen even when "
        "nothing else does."
    )

    def handle(self, *args, **options):
        if not mail_enabled():
            self.stdout.write("EMAIL_URL is not set: no e-mail is sent.")
            return
        counts = deliver_outbox()
        waiting = OutgoingMail.objects.filter(status=OutgoingMail.State.PENDING).count()
        self.stdout.write(f"{counts['sent']} sent, {counts['failed']} failed (to retry); {waiting} waiting.")

"""Delete expired sign-in failure counters and sign-in records past their retention."""

from django.conf import settings
from django.core.management.base import BaseCommand

from rasoat.orgs.lockout import purge_login_records


class Command(BaseCommand):
    help = (
        "Delete failed-login counters whose lock window has passed, and the history of successful and "
        "failed sign-ins older than LOGIN_RECORDS_RETENTION_DAYS. Run daily (and by `rasoat init`)."
    )

    def handle(self, *args, **options):
        counts = purge_login_records()
        self.stdout.write(
            f"Deleted {counts['attempts']} expired failure counters, {counts['failures']} failed and "
            f"{counts['logins']} successful sign-in records older than "
            f"{settings.LOGIN_RECORDS_RETENTION_DAYS} days."
        )

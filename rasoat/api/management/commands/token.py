"""`rasoat token create USER --name NAME [--write] [--days N]`: print a new access token once."""

from django.core.management.base import BaseCommand, CommandError

from rasoat.api.tokens import MAX_DAYS, create_token
from rasoat.orgs.models import User


class Command(BaseCommand):
    help = "Create a personal access token for USER and print it (it is shown only this once)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token.")
        create.add_argument("user", help="Username the token acts as.")
        create.add_argument("--name", required=True, help="What the token is for.")
        create.add_argument("--write", action="store_true", help="Allow changes (read-write).")
        create.add_argument("--days", type=int, help=f"Expire after N days (1–{MAX_DAYS}); default never.")

    def handle(self, *args, action, user, name, write, days, **options):
        account = User.objects.filter(username=user).first()
        if account is None or not account.is_active:
            raise CommandError(f"no active user {user!r}")
        if days is not None and not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be between 1 and {MAX_DAYS}")
        if not name.strip():
            raise CommandError("--name must not be empty")
        _token, raw = create_token(account, name, can_write=write, days=days)
        self.stdout.write(raw)

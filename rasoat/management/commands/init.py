"""Set up or upgrade an installation; safe to run any number of times."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from rasoat.appendix.services import ensure_shipped
from rasoat.campaigns.services import ensure_first_campaign
from rasoat.orgs.lockout import purge_login_records
from rasoat.orgs.models import Membership, Unit, User
from rasoat.orgs.passwords import ADMIN_USERNAME, admin_password_path, generate_password
from rasoat.orgs.registry import load_seed_registry
from rasoat.orgs.roles import Role

RESET_HINT = "Forgotten password: `rasoat resetpassword USER` prints a new one (changed at the next sign-in)."


class Command(BaseCommand):
    help = (
        "Migrate the database, load the appendix versions shipped with rasoat, load the Lai Châu registry "
        "when there are no units, create the first "
        "campaign when there is none and the account 'admin' when it is missing. Keeps existing data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-static", action="store_true", help="Skip collectstatic.")

    def handle(self, *args, no_static=False, **options):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if not no_static:
            call_command("collectstatic", interactive=False, verbosity=0)
        for code, outcome in ensure_shipped().items():
            if outcome != "unchanged":
                self.stdout.write(f"Appendix version {code} shipped with rasoat: {outcome}.")
        with transaction.atomic():
            if not Unit.objects.exists():
                created = load_seed_registry()
                self.stdout.write(f"Loaded the Lai Châu registry: {created} units.")
            campaign = ensure_first_campaign()
            if campaign is not None:
                self.stdout.write(
                    f"Created campaign {campaign.code} with {campaign.assignments.count()} units."
                )
            self._ensure_admin()
        purged = purge_login_records()
        if any(purged.values()):
            self.stdout.write(f"Purged old sign-in records: {purged}.")

    def _ensure_admin(self) -> None:
        password_file = admin_password_path()
        if User.objects.filter(username=ADMIN_USERNAME).exists():
            if password_file.exists():
                self.stdout.write(
                    f"Account '{ADMIN_USERNAME}' exists; its first password is in {password_file}."
                )
            self.stdout.write(RESET_HINT)
            return
        admin = User(username=ADMIN_USERNAME, full_name="Quản trị hệ thống", must_change_password=True)
        password = generate_password(admin)
        admin.set_password(password)
        admin.save()
        for root in Unit.objects.filter(parent__isnull=True):
            Membership.objects.create(user=admin, unit=root, role=Role.ADMIN)
        password_file.unlink(missing_ok=True)
        password_file.touch(mode=0o600)
        password_file.write_text(password + "\n")
        self.stdout.write(
            self.style.SUCCESS(
                f"Created account '{ADMIN_USERNAME}' with password: {password}\n"
                f"(kept in {password_file}, readable by its owner only; it must be changed at the first "
                "sign-in, which also sets up two-step sign-in; the file is deleted then)"
            )
        )
        self.stdout.write(RESET_HINT)

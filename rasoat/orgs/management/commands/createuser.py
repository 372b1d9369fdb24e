"""Create a user, optionally with a membership (role on a unit)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from rasoat.orgs import services
from rasoat.orgs.models import Unit
from rasoat.orgs.roles import Role


class Command(BaseCommand):
    help = "Create a user; with --role and --unit, grant that role on that unit and its subtree."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--password",
            help="Checked with the password validators. Default: a random password, printed once.",
        )
        parser.add_argument("--full-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--phone", default="")
        parser.add_argument("--role", choices=Role.values)
        parser.add_argument("--unit", help="Unit code for the membership.")

    @transaction.atomic
    def handle(self, *args, username, password, full_name, email, phone, role, unit, **options):
        if bool(role) != bool(unit):
            raise CommandError("--role and --unit go together")
        target = None
        if unit:
            target = Unit.objects.filter(code=unit).first()
            if target is None:
                raise CommandError(f"no unit with code {unit!r}")
        try:
            user, generated = services.create_user(
                username=username,
                full_name=full_name,
                email=email,
                phone=phone,
                password=password,
                role=role,
                unit=target,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        shown = f" with password: {generated}" if generated else ""
        self.stdout.write(f"Created user {user.username}{shown}")

"""Create a user, optionally with a membership (role on a unit)."""

import secrets

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from rasoat.orgs.models import Membership, Unit, User
from rasoat.orgs.roles import Role


class Command(BaseCommand):
    help = "Create a user; with --role and --unit, grant that role on that unit and its subtree."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", help="Default: a random password, printed once.")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--role", choices=Role.values)
        parser.add_argument("--unit", help="Unit code for the membership.")

    @transaction.atomic
    def handle(self, *args, username, password, full_name, email, role, unit, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"user {username!r} already exists")
        if bool(role) != bool(unit):
            raise CommandError("--role and --unit go together")
        target = None
        if unit:
            target = Unit.objects.filter(code=unit).first()
            if target is None:
                raise CommandError(f"no unit with code {unit!r}")
        shown = password is None
        password = password or secrets.token_urlsafe(12)
        user = User.objects.create_user(username, email=email, password=password, full_name=full_name)
        if target is not None:
            Membership.objects.create(user=user, unit=target, role=role)
        self.stdout.write(f"Created user {username}" + (f" with password: {password}" if shown else ""))

"""`rasoat resetpassword USER`: print a new random password, to be changed at the next sign-in."""

from django.core.management.base import BaseCommand, CommandError

from rasoat.orgs import services
from rasoat.orgs.models import User


class Command(BaseCommand):
    help = (
        "Give USER a new random password and print it once. The user must change it at the next sign-in; "
        "failed sign-ins of the account are forgotten (a lockout is lifted). Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username__iexact=username.strip()).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        password = services.reset_password(user)
        self.stdout.write(f"New password of '{user.username}': {password}")
        self.stdout.write("It must be changed at the next sign-in.")
        if not user.is_active:
            self.stdout.write(
                self.style.WARNING("This account is locked (inactive): unlock it on its page first.")
            )

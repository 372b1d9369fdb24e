"""`rasoat token create|list|revoke`: personal access tokens from the command line.

- `create USER --name NAME [--write] [--days N]`: print a new token once (its secret is never stored);
- `list [USER] [--all]`: the tokens (active ones unless --all): id, user, name, prefix, rights,
  expiry, last use, state — to find a leaked one by the prefix it starts with;
- `revoke ID|PREFIX|SECRET`: revoke one at once (audited, as from the account page).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from rasoat.api.models import PersonalAccessToken
from rasoat.api.tokens import MAX_DAYS, PREFIX_LENGTH, TOKEN_PREFIX, create_token, digest, revoke_token
from rasoat.orgs.models import User


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = "Create, list or revoke personal access tokens of the API."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it (shown only this once).")
        create.add_argument("user", help="Username the token acts as.")
        create.add_argument("--name", required=True, help="What the token is for.")
        create.add_argument("--write", action="store_true", help="Allow changes (read-write).")
        create.add_argument("--days", type=int, help=f"Expire after N days (1–{MAX_DAYS}); default never.")
        listing = sub.add_parser("list", help="List the tokens (active ones unless --all).")
        listing.add_argument("user", nargs="?", help="Only this user's tokens.")
        listing.add_argument("--all", action="store_true", help="Include revoked and expired tokens.")
        revoke = sub.add_parser("revoke", help="Revoke a token, by its id or the prefix it starts with.")
        revoke.add_argument("token", help="The token's id (from `list`) or its prefix (rst_…).")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _create(self, *, user, name, write, days, **options):
        account = User.objects.filter(username=user).first()
        if account is None or not account.is_active:
            raise CommandError(f"no active user {user!r}")
        if days is not None and not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be between 1 and {MAX_DAYS}")
        if not name.strip():
            raise CommandError("--name must not be empty")
        _token, raw = create_token(account, name, can_write=write, days=days)
        self.stdout.write(raw)

    def _list(self, *, user=None, all=False, **options):  # noqa: A002 - the option's name
        tokens = PersonalAccessToken.objects.select_related("user").order_by("user__username", "created_at")
        if user:
            if not User.objects.filter(username=user).exists():
                raise CommandError(f"no user {user!r}")
            tokens = tokens.filter(user__username=user)
        if not all:
            tokens = tokens.filter(revoked_at__isnull=True).filter(
                Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
            )
        self.stdout.write("id\tuser\tname\tprefix\trights\texpires\tlast used\tstate")
        for token in tokens:
            state = "active" if token.is_active else ("revoked" if token.revoked_at else "expired")
            rights = "read-write" if token.can_write else "read"
            self.stdout.write(
                f"{token.pk}\t{token.user.get_username()}\t{token.name}\t{token.prefix}…\t{rights}\t"
                f"{_when(token.expires_at)}\t{_when(token.last_used_at)}\t{state}"
            )

    def _revoke(self, *, token, **options):
        found = _find(token.strip())
        if len(found) != 1:
            raise CommandError(f"no single token {token!r} (give its id from `rasoat token list`)")
        (target,) = found
        if not revoke_token(target):
            raise CommandError(f"token {target.pk} ({target.name}) was already revoked")
        self.stdout.write(f"revoked token {target.pk} ({target.name}) of {target.user.get_username()}")


def _find(text: str) -> list[PersonalAccessToken]:
    """The tokens named by an id, by the whole secret, or by the prefix `list` shows (8+ characters)."""
    tokens = PersonalAccessToken.objects.select_related("user")
    if text.isdigit():
        return list(tokens.filter(pk=int(text)))
    prefix = text.rstrip("…")
    if prefix.startswith(TOKEN_PREFIX) and len(prefix) > PREFIX_LENGTH:
        return list(tokens.filter(digest=digest(prefix)))
    if len(prefix) < 8:
        return []
    return list(tokens.filter(prefix__startswith=prefix)[:2])

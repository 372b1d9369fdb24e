"""Password rules beyond Django's validators, and the passwords an administrator hands over.

Django's UserAttributeSimilarityValidator compares the whole password with the whole user name, so
for a short name the ratio stays low: "u3u3u3u3u3u3" is only 29 % similar to "u3" and passes.
`NotBuiltFromAttributesValidator` catches those: it removes every occurrence of the user name (and
of each word of the full name and of the e-mail's local part) and refuses the password when too
little remains.
"""

import re
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from rasoat.orgs.text import fold

# Letters and digits that cannot be mistaken for one another when read aloud or copied by hand.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class NotBuiltFromAttributesValidator:
    """Refuse a password that is mostly the user name (or full name, or e-mail name) repeated or padded."""

    def __init__(
        self, min_remaining: int = 8, attributes: tuple[str, ...] = ("username", "full_name", "email")
    ):
        self.min_remaining = min_remaining
        self.attributes = attributes

    def _parts(self, user) -> list[str]:
        parts = []
        for attribute in self.attributes:
            value = fold(str(getattr(user, attribute, "") or ""))
            if attribute == "email":
                value = value.split("@", 1)[0]
            parts.append(value)
            # Words of a full name, and the pieces of "nguyen.van.a"-style names.
            parts.extend(re.split(r"[\s._@+-]+", value))
        return sorted({part for part in parts if len(part) >= 2}, key=len, reverse=True)

    def validate(self, password: str, user=None) -> None:
        if user is None:
            return
        remaining = fold(password)
        for part in self._parts(user):
            remaining = remaining.replace(part, "")
        if len(remaining) < self.min_remaining:
            raise ValidationError(
                _("The password is too similar to the username or the name."),
                code="password_built_from_attributes",
            )

    def get_help_text(self) -> str:
        return _("Your password cannot be built from your username or your name.")


def generate_password(user=None) -> str:
    """A random password of four groups of four unambiguous characters (about 79 bits), e.g. "k7mq-…".

    It is checked with the configured validators like a typed one, and drawn again in the
    (astronomically rare) case one refuses it.
    """
    while True:
        password = "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4))
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password


# `rasoat init` keeps the first administrator's generated password here (owner-only) until it is changed.
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD_FILE = "admin-password.txt"


def admin_password_path():
    from django.conf import settings

    return settings.VAR_DIR / ADMIN_PASSWORD_FILE


def forget_admin_password_file(user) -> bool:
    """Delete var/admin-password.txt once the first administrator's password changed (by them, or by a
    reset): the file would otherwise hold a stale password. Returns whether a file was removed."""
    if user is None or user.get_username() != ADMIN_USERNAME:
        return False
    path = admin_password_path()
    if not path.exists():
        return False
    path.unlink(missing_ok=True)
    return True

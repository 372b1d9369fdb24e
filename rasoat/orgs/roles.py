"""Roles and the permissions each grants, checked by name (e.g. "data:edit")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    REVIEWER = "reviewer", _("Reviewer")
    EDITOR = "editor", _("Data editor")
    VIEWER = "viewer", _("Viewer")


_READ = {"unit:view", "campaign:view", "data:view", "report:view", "dashboard:view"}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        _READ
        | {
            "unit:manage",
            "user:manage",
            "campaign:manage",
            "data:edit",
            "submission:submit",
            "submission:review",
            "submission:reopen",
            "export:run",
            "audit:view",
        }
    ),
    Role.REVIEWER: frozenset(_READ | {"submission:review", "submission:reopen", "export:run", "audit:view"}),
    Role.EDITOR: frozenset(_READ | {"data:edit", "submission:submit", "export:run"}),
    Role.VIEWER: frozenset(_READ),
}

ALL_PERMISSIONS = frozenset().union(*ROLE_PERMISSIONS.values())


def roles_with(perm: str) -> list[str]:
    """The roles that grant a permission; an unknown name is a programming error."""
    if perm not in ALL_PERMISSIONS:
        raise ValueError(f"unknown permission {perm!r}")
    return [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]


# Roles whose holders must sign in with a second factor (settings.OTP_REQUIRED_FOR = "privileged").
PRIVILEGED_ROLES = frozenset({Role.ADMIN, Role.REVIEWER})

"""User and membership operations, shared by the web pages and the `createuser` command.

Every rule about who may hold which role where, and what an administrator may do to
their own account, lives here so that each entry point enforces the same ones. Each change
writes its audit entry in the same transaction (`actor` None means the command line);
`address` is the client's address when the change comes from a request. Passwords never
reach the audit log.
"""

from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from rasoat.audit.services import diff_fields, log
from rasoat.orgs.lockout import normalize_username
from rasoat.orgs.models import Membership, Unit, User
from rasoat.orgs.passwords import forget_admin_password_file, generate_password
from rasoat.orgs.roles import PRIVILEGED_ROLES, Role
from rasoat.orgs.sessions import end_sessions


@transaction.atomic
def create_user(
    *,
    username: str,
    full_name: str = "",
    email: str = "",
    phone: str = "",
    password: str | None = None,
    role: str | None = None,
    unit: Unit | None = None,
    actor: User | None = None,
    address: str | None = None,
) -> tuple[User, str | None]:
    """Create a user and, when `role` and `unit` are given, their first membership.

    A typed `password` is checked with Django's password validators; without one a random
    password is generated and returned (it is stored only as a hash, so the caller must show
    it now or never). Returns (user, generated password or None). Raises ValidationError for a
    taken username (case-insensitively, so "An" and "an" cannot both exist) or a weak password.
    """
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("The username “%(username)s” is already taken.") % {"username": username})
    if bool(role) != bool(unit):
        raise ValidationError(_("Choose both a role and a unit, or neither."))
    user = User(
        username=username,
        full_name=full_name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        must_change_password=True,
    )
    generated = None
    if password:
        validate_password(password, user)
    else:
        password = generated = generate_password(user)
    user.set_password(password)
    user.save()
    log(actor, "user.created", user, {"username": [None, user.username]}, address=address)
    if role and unit is not None:
        grant_membership(user, unit, role, actor=actor, address=address)
    return user, generated


@transaction.atomic
def reset_password(user: User, *, actor: User | None = None, address: str | None = None) -> str:
    """Give `user` a new random password and return it (to be shown once).

    The user must change it at their next sign-in. Recent failed logins of the account are
    forgotten too (from every address), so an administrator's reset also lifts a lockout that the
    account's owner ran into. Changing the password ends the user's other sessions (Django checks
    a hash of the password on each request).
    """
    password = generate_password(user)
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    AccessAttempt.objects.filter(username=normalize_username(user.username)).delete()
    log(actor, "user.password_reset", user, address=address)
    forget_admin_password_file(user)
    return password


def grant_membership(
    user: User, unit: Unit, role: str, *, actor: User | None = None, address: str | None = None
) -> Membership:
    """Grant `role` on `unit` (and its subtree) to `user`.

    When `actor` is given, the unit must be one they may manage: the form already limits the
    choice, and this check keeps a forged unit id from widening anyone's scope. Raises
    ValidationError for an unknown role or a membership that already exists.
    """
    if role not in Role.values:
        raise ValidationError(_("Unknown role “%(role)s”.") % {"role": role})
    if actor is not None and not Unit.objects.visible_to(actor, "unit:manage").filter(pk=unit.pk).exists():
        raise PermissionDenied
    duplicate = ValidationError(
        _("%(user)s already holds the role %(role)s on %(unit)s.")
        % {"user": user, "role": Role(role).label, "unit": unit}
    )
    if Membership.objects.filter(user=user, unit=unit, role=role).exists():
        raise duplicate
    try:
        # A savepoint, so that losing a race with a concurrent grant leaves the caller's
        # transaction usable and ends in the same clear message.
        with transaction.atomic():
            membership = Membership.objects.create(user=user, unit=unit, role=role)
            log(actor, "membership.granted", membership, {"role": [None, role]}, address=address)
    except IntegrityError:
        raise duplicate from None
    if role in PRIVILEGED_ROLES and (actor is None or actor.pk != user.pk):
        # The sign-in checks (two-factor) run when a session starts: make the user sign in again.
        end_sessions(user)
    return membership


def _keeps_user_admin(user: User, without: Membership) -> bool:
    """Whether `user` still administers users across the province once `without` is gone."""
    others = (
        Membership.objects.filter(user=user, role=Role.ADMIN, unit__active=True, unit__parent__isnull=True)
        .exclude(pk=without.pk)
        .exists()
    )
    return user.is_superuser or others


@transaction.atomic
def revoke_membership(
    membership: Membership, *, actor: User | None = None, address: str | None = None
) -> None:
    """Remove a membership; the user loses that role on that unit's subtree at once.

    An administrator may not revoke their own last province-wide administrator membership:
    that would lock them out of user administration with nobody necessarily left to undo it.
    When `actor` is given, the membership's unit must be one they may manage.
    """
    if actor is not None and not actor.has_unit_perm("unit:manage", membership.unit):
        raise PermissionDenied
    own_admin = actor is not None and membership.user_id == actor.pk and membership.role == Role.ADMIN
    if own_admin and not _keeps_user_admin(actor, membership):
        raise ValidationError(_("You cannot revoke your own last administrator role."))
    log(actor, "membership.revoked", membership, {"role": [membership.role, None]}, address=address)
    membership.delete()


@transaction.atomic
def update_user(user: User, *, actor: User | None = None, address: str | None = None, **fields) -> User:
    """Save changes to a user's profile fields and active flag.

    Deactivating an account stops its logins and ends its open sessions (an inactive user is
    no longer authenticated on their next request). An administrator cannot deactivate their
    own account, which would lock them out in the middle of their work.
    """
    allowed = {"full_name", "email", "phone", "is_active"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    if actor is not None and user.pk == actor.pk and fields.get("is_active") is False:
        raise ValidationError(_("You cannot deactivate your own account."))
    # Read the stored values: a bound ModelForm has already copied its data onto `user`.
    before = User.objects.filter(pk=user.pk).values(*fields).get() if fields else {}
    for name, value in fields.items():
        setattr(user, name, value)
    user.save(update_fields=list(fields))
    changes = diff_fields(before, fields)
    if changes:
        action = "user.updated"
        if "is_active" in changes:
            action = "user.activated" if fields["is_active"] else "user.deactivated"
        log(actor, action, user, changes, address=address)
    return user


PROFILE_FIELDS = ("full_name", "email", "phone")


def update_own_profile(user: User, *, address: str | None = None, **fields) -> User:
    """A user changes their own name, e-mail and phone (nothing else: not their activity or roles)."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not editable by the user: {sorted(unknown)}")
    return update_user(user, actor=user, address=address, **fields)

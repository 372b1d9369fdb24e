"""The unit registry, users and their scoped memberships.

Scope is the security boundary of rasoat: what a user may see or change is
computed here, once, by `Unit.objects.visible_to(user, perm)`, and every view,
export and report loads units through it.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rasoat.orgs.roles import Role, roles_with
from rasoat.orgs.text import fold


class Level(models.TextChoices):
    # Appendix labels (PHU_LUC.md): the same Vietnamese text in every language.
    PROVINCE = "tinh", "Cấp tỉnh"
    COMMUNE = "xa", "Cấp xã"


class Block(models.TextChoices):
    PARTY = "dang", "Khối Đảng"
    COUNCIL = "hdnd", "Khối HĐND"
    COMMITTEE = "ubnd", "Khối UBND"
    FRONT = "mttq", "Khối MTTQ và các tổ chức CT-XH"


class Kind(models.TextChoices):
    PROVINCE = "province", _("Province")
    AGENCY = "agency", _("Agency")
    SUBUNIT = "subunit", _("Subordinate unit")
    COMMUNE = "commune", _("Commune or ward")
    ONE_STOP = "one_stop", _("One-stop point")


class UnitQuerySet(models.QuerySet):
    def visible_to(self, user, perm: str = "unit:view") -> "UnitQuerySet":
        """Units in the subtree of any membership of `user` whose role grants `perm`."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        paths = user.scope_paths(perm)
        if not paths:
            return self.none()
        condition = Q()
        for path in paths:
            condition |= Q(path__startswith=path)
        return self.filter(condition)

    def subtree(self, unit: "Unit") -> "UnitQuerySet":
        """The unit and everything below it."""
        return self.filter(path__startswith=unit.path)

    def search(self, text: str) -> "UnitQuerySet":
        """Accent- and case-insensitive match on the name, or a match on the code."""
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(Q(name_folded__contains=fold(text)) | Q(code__icontains=text))

    def reporting(self) -> "UnitQuerySet":
        return self.filter(reports=True, active=True)


class Unit(models.Model):
    """A node of the registry: the province, an agency, a commune, a unit or a subordinate unit.

    `path` is the materialised chain of ids from the root ("1/5/23/"), so a subtree is an
    indexed prefix match. It is built from ids, not codes, because codes may still be
    corrected (DESIGN: data hangs on the unit's id).
    """

    code = models.CharField(_("code"), max_length=40, unique=True, help_text=_("Stable code of the unit."))
    name = models.CharField(_("name"), max_length=255)
    name_folded = models.CharField(max_length=255, db_index=True, editable=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices, blank=True)
    block = models.CharField(_("block"), max_length=8, choices=Block.choices, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reports = models.BooleanField(_("reports"), default=False, help_text=_("Fills in the appendix."))
    commune = models.ForeignKey(
        "self",
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commune_units",
        limit_choices_to={"kind": Kind.COMMUNE},
        help_text=_("For commune-level units: the commune or ward they belong to."),
    )
    former_district = models.CharField(
        _("former district"),
        max_length=100,
        blank=True,
        help_text=_("The district before 1 July 2025, for grouping in reports."),
    )
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("order"), default=0)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        if self.pk is None:
            super().save(*args, **kwargs)
            kwargs.pop("force_insert", None)
            kwargs["update_fields"] = ["path"]
        self.path = f"{self.parent.path if self.parent_id else ''}{self.pk}/"
        super().save(*args, **kwargs)

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1 if self.path else 0

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.split("/") if part][:-1]

    def is_within(self, other: "Unit") -> bool:
        """True when this unit is `other` or below it."""
        return self.path.startswith(other.path)


class User(AbstractUser):
    """A person who logs in. What they may do comes from their memberships."""

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_(
            "Set when an administrator set or generated the password; cleared when the user changes it."
        ),
    )
    language = models.CharField(
        _("interface language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Chosen with the language switch; empty means Vietnamese, whatever the browser says."),
    )

    unread_notifications = models.PositiveIntegerField(
        _("unread notifications"),
        default=0,
        editable=False,
        help_text=_(
            "Kept by rasoat.notifications with each notice and each reading, so that the navigation bar "
            "shows the count without a query on every page."
        ),
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def scope_paths(self, perm: str) -> list[str]:
        """Paths of the units under which `perm` is granted.

        All memberships are read in one query and kept on this object (one request), so checking
        several permissions for the navigation and the view costs a single query.
        """
        if "_memberships_cache" not in self.__dict__:
            self.__dict__["_memberships_cache"] = list(
                self.memberships.filter(unit__active=True).values_list("role", "unit__path")
            )
        roles = set(roles_with(perm))
        return sorted({path for role, path in self.__dict__["_memberships_cache"] if role in roles})

    def has_unit_perm(self, perm: str, unit: Unit) -> bool:
        """Whether `perm` is granted on `unit` through a membership at or above it."""
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return any(unit.path.startswith(path) for path in self.scope_paths(perm))

    def has_global_perm(self, perm: str) -> bool:
        """Whether `perm` is granted on a root of the registry (the whole province)."""
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return any(path.count("/") == 1 for path in self.scope_paths(perm))

    def has_any_perm(self, perm: str) -> bool:
        return self.is_active and (self.is_superuser or bool(self.scope_paths(perm)))


class Membership(models.Model):
    """A role held by a user on a unit and everything below it."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")]
        ordering = ["unit__path", "role"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

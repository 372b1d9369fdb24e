"""Forms of the user administration pages."""

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from rasoat.orgs.models import Membership, Unit, User
from rasoat.orgs.pickers import UnitPickerField
from rasoat.orgs.roles import Role


def _django_password_messages() -> None:
    """Never called: it only puts these msgids in this app's catalogue.

    Django 5.2 changed the minimum-length messages to "%d" and its Vietnamese catalogue still
    has the old "%(min_length)d" ids, so without this the new-password forms (user creation,
    password change) would show this one error in English.
    """
    ngettext(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        0,
    )
    ngettext(
        "Your password must contain at least %d character.",
        "Your password must contain at least %d characters.",
        0,
    )


def _style(form: forms.Form) -> None:
    """Bootstrap classes on every widget (form_fields.html renders checkboxes itself)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def manageable_units(actor: User):
    """The units `actor` may grant roles on; the only ids a grant form accepts."""
    return Unit.objects.visible_to(actor, "unit:manage").order_by("path")


class MembershipFieldsMixin:
    """Role and unit fields; the unit choice is limited to what the administrator may manage."""

    def _add_membership_fields(self, actor: User, required: bool) -> None:
        empty = [("", "—")] if not required else [("", _("Choose a role"))]
        self.fields["role"] = forms.ChoiceField(
            label=_("Role"), choices=empty + list(Role.choices), required=required
        )
        self.fields["unit"] = UnitPickerField(
            label=_("Unit"),
            queryset=manageable_units(actor),
            required=required,
            empty_label=_("Choose a unit") if required else "—",
            help_text=_("The role applies to this unit and every unit below it."),
            error_messages={"invalid_choice": _("Choose a unit from the list.")},
        )


class UserCreateForm(MembershipFieldsMixin, forms.Form):
    """A new account: profile, an optional password typed by the administrator, an optional first role."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @ . + - _ only, for example: nguyenvana."),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    password1 = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to generate a random password, shown once on the next page."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_membership_fields(actor, required=False)
        self.fields["role"].label = _("First role")
        _style(self)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This username is already taken."))
        return username

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 or password2:
            if password1 != password2:
                self.add_error("password2", _("The two passwords do not match."))
            else:
                probe = User(
                    username=cleaned.get("username", ""),
                    full_name=cleaned.get("full_name", ""),
                    email=cleaned.get("email", ""),
                )
                try:
                    validate_password(password1, probe)
                except ValidationError as error:
                    self.add_error("password1", error)
        role, unit = cleaned.get("role"), cleaned.get("unit")
        if role and not unit and "unit" not in self.errors:
            self.add_error("unit", _("Choose the unit on which the role applies."))
        if unit and not role:
            self.add_error("role", _("Choose the role to grant on this unit."))
        return cleaned


class UserEditForm(forms.ModelForm):
    """Profile and active flag of an existing account."""

    class Meta:
        model = User
        fields = ["full_name", "email", "phone", "is_active"]
        labels = {"is_active": _("Active (may log in)")}

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["full_name"].required = True
        self.fields["is_active"].help_text = _("An inactive account cannot log in; its open sessions end.")
        _style(self)

    def clean_is_active(self) -> bool:
        active = self.cleaned_data["is_active"]
        if not active and self.instance.pk == self.actor.pk:
            raise ValidationError(_("You cannot deactivate your own account."))
        return active


class MembershipGrantForm(MembershipFieldsMixin, forms.Form):
    """A role on a unit for an existing user; refuses a grant the user already holds."""

    def __init__(self, *args, actor: User, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self._add_membership_fields(actor, required=True)
        _style(self)

    def clean(self):
        cleaned = super().clean()
        role, unit = cleaned.get("role"), cleaned.get("unit")
        if role and unit and Membership.objects.filter(user=self.user, unit=unit, role=role).exists():
            raise ValidationError(
                _("%(user)s already holds the role %(role)s on %(unit)s.")
                % {"user": self.user, "role": Role(role).label, "unit": unit}
            )
        return cleaned


class UserFilterForm(forms.Form):
    """Search and filter of the user list (GET)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All roles"))] + list(Role.choices)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Username or full name")
        _style(self)

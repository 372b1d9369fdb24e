"""User administration: accounts, their passwords and their memberships (role on a unit).

Only province-wide administrators (`user:manage` at the registry root) reach these pages;
for anyone else another user's page is a 404, so the pages do not confirm who exists. Every
user may open their own page, which lists their scopes.
"""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rasoat.client_ip import client_address
from rasoat.orgs import gate, services, two_factor
from rasoat.orgs.models import Membership, User
from rasoat.orgs.text import fold
from rasoat.orgs.user_forms import MembershipGrantForm, UserCreateForm, UserEditForm, UserFilterForm

PAGE_SIZE = 50
# The password generated for a user, kept server-side until its page has shown it once.
_SHOWN_PASSWORD = "orgs_shown_password"


def _is_user_admin(user: User) -> bool:
    return user.has_global_perm("user:manage")


def _require_user_admin(request) -> None:
    if not _is_user_admin(request.user):
        raise Http404


def _memberships_prefetch() -> Prefetch:
    return Prefetch(
        "memberships", queryset=Membership.objects.select_related("unit").order_by("unit__path", "role")
    )


def _target_user(request, pk: int) -> User:
    """The user of the URL: any user for an administrator, only oneself for everyone else."""
    if not _is_user_admin(request.user) and pk != request.user.pk:
        raise Http404
    return get_object_or_404(User, pk=pk)


def _editable_user(request, pk: int) -> User:
    """A user an administrator may change; oneself without the right is a 403, others a 404."""
    target = _target_user(request, pk)
    if not _is_user_admin(request.user):
        raise PermissionDenied
    return target


def _remember_password(request, user: User, password: str) -> None:
    request.session[_SHOWN_PASSWORD] = {"user": user.pk, "password": password}


def _pop_password(request, user: User) -> str | None:
    shown = request.session.get(_SHOWN_PASSWORD)
    if not shown or shown.get("user") != user.pk:
        return None
    del request.session[_SHOWN_PASSWORD]
    return shown.get("password")


def _page_number(request) -> int:
    try:
        return max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        return 1


@login_required
def user_list(request):
    """All users with their roles; search by username or full name (accents ignored), filter by role."""
    _require_user_admin(request)
    form = UserFilterForm(request.GET or None)
    users = User.objects.order_by("username")
    query, role = "", ""
    if form.is_bound:
        form.is_valid()  # an invalid field is ignored; the valid ones still apply
        query, role = form.cleaned_data.get("q", "").strip(), form.cleaned_data.get("role", "")
    if role:
        users = users.filter(memberships__role=role).distinct()
    if query:
        # Names are matched folded in Python: the user table has no folded column, and it is
        # small (one account per reporting unit or so). Only three columns are read.
        wanted = fold(query)
        ids = [
            pk
            for pk, username, full_name in users.values_list("pk", "username", "full_name")
            if wanted in fold(username) or wanted in fold(full_name)
        ]
        page = Paginator(ids, PAGE_SIZE).get_page(_page_number(request))
        by_pk = User.objects.prefetch_related(_memberships_prefetch()).in_bulk(list(page.object_list))
        rows = [by_pk[pk] for pk in page.object_list]
    else:
        page = Paginator(users.prefetch_related(_memberships_prefetch()), PAGE_SIZE).get_page(
            _page_number(request)
        )
        rows = list(page.object_list)
    return render(
        request,
        "orgs/user_list.html",
        {
            "form": form,
            "users": rows,
            "page": page,
            "searching": bool(query or role),
        },
    )


@login_required
def user_create(request):
    """A new account, with an optional first role; a generated password is shown once."""
    _require_user_admin(request)
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, generated = services.create_user(
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"],
                phone=data["phone"],
                password=data["password1"] or None,
                role=data["role"] or None,
                unit=data["unit"],
                actor=request.user,
                address=client_address(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if generated:
                _remember_password(request, user, generated)
            messages.success(
                request, _("The account %(username)s was created.") % {"username": user.username}
            )
            return redirect("user_detail", pk=user.pk)
    return render(request, "orgs/user_form.html", {"form": form, "creating": True})


@login_required
def user_detail(request, pk: int):
    """A user's profile and scopes (role on a unit); administrators also get the actions."""
    target = _target_user(request, pk)
    memberships = target.memberships.select_related("unit").order_by("unit__path", "role")
    return render(
        request,
        "orgs/user_detail.html",
        {
            "target": target,
            "memberships": memberships,
            "can_manage": _is_user_admin(request.user),
            "is_self": target.pk == request.user.pk,
            "new_password": _pop_password(request, target),
            "second_factor": two_factor.has_second_factor(target),
            "second_factor_required": two_factor.second_factor_required(target),
            "recovery_codes_left": two_factor.recovery_codes_left(target),
        },
    )


@login_required
def user_edit(request, pk: int):
    """Profile and active flag; an administrator cannot deactivate their own account."""
    target = _editable_user(request, pk)
    form = UserEditForm(request.POST or None, instance=target, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_user(
                target,
                actor=request.user,
                address=client_address(request),
                **{name: form.cleaned_data[name] for name in form.Meta.fields},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("user_detail", pk=target.pk)
    return render(request, "orgs/user_form.html", {"form": form, "target": target, "creating": False})


@login_required
@require_POST
def user_reset_password(request, pk: int):
    """A new random password, shown once to the administrator on the user's page."""
    target = _editable_user(request, pk)
    password = services.reset_password(target, actor=request.user, address=client_address(request))
    if target.pk == request.user.pk:
        # Changing one's own password would otherwise end this very session; the new one
        # (which the administrator has seen on screen) must still be changed.
        update_session_auth_hash(request, target)
        gate.reevaluate(request)
    _remember_password(request, target, password)
    messages.success(request, _("A new password was set for %(username)s.") % {"username": target.username})
    return redirect("user_detail", pk=target.pk)


@login_required
@require_POST
def user_reset_second_factor(request, pk: int):
    """Remove a user's authenticator app and recovery codes (a lost phone); their sessions end."""
    target = _editable_user(request, pk)
    own = target.pk == request.user.pk
    two_factor.remove_second_factor(
        target,
        actor=request.user,
        address=client_address(request),
        keep_session=request.session.session_key if own else None,
    )
    if own:
        gate.reevaluate(request)
    messages.success(
        request,
        _("Two-step sign-in of %(username)s was reset; they set it up again at their next sign-in.")
        % {"username": target.username},
    )
    return redirect("user_detail", pk=target.pk)


@login_required
def membership_grant(request, pk: int):
    """Grant a role on a unit the administrator may manage; a duplicate grant is a form error."""
    target = _editable_user(request, pk)
    form = MembershipGrantForm(request.POST or None, actor=request.user, user=target)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.grant_membership(
                target,
                form.cleaned_data["unit"],
                form.cleaned_data["role"],
                actor=request.user,
                address=client_address(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Granted the role %(role)s on %(unit)s.")
                % {"role": membership.get_role_display(), "unit": membership.unit},
            )
            return redirect("user_detail", pk=target.pk)
    return render(request, "orgs/membership_form.html", {"form": form, "target": target})


@login_required
@require_POST
def membership_revoke(request, pk: int, membership_pk: int):
    """Revoke one membership of the user in the URL (POST only)."""
    target = _editable_user(request, pk)
    membership = get_object_or_404(Membership.objects.select_related("unit"), pk=membership_pk, user=target)
    try:
        services.revoke_membership(membership, actor=request.user, address=client_address(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Revoked the role %(role)s on %(unit)s.")
            % {"role": membership.get_role_display(), "unit": membership.unit},
        )
    return redirect("user_detail", pk=target.pk)

"""Sign-in lockouts for administrators: who is locked out from where, and lifting a lockout (audited).

Like the other user pages, only province-wide user administrators reach them; anyone else gets 404.
"""

import ipaddress

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rasoat.client_ip import client_address
from rasoat.orgs import lockout


def _require_user_admin(request) -> None:
    if not request.user.has_global_perm("user:manage"):
        raise Http404


@login_required
def lockout_list(request):
    """The (user name, address) pairs locked now and the addresses made to wait between attempts."""
    _require_user_admin(request)
    return render(
        request,
        "orgs/lockout_list.html",
        {
            "lockouts": lockout.current_lockouts(),
            "addresses": lockout.slowed_addresses(),
            "lock_minutes": lockout.cool_off().total_seconds() // 60,
        },
    )


def _posted_address(request) -> str | None:
    raw = request.POST.get("address", "").strip()
    if not raw:
        return None
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return ""


@login_required
@require_POST
def lockout_lift(request):
    """Lift one pair's lockout (user name and address posted), or one address's wait (address only)."""
    _require_user_admin(request)
    address = _posted_address(request)
    username = request.POST.get("username", "").strip()[:255]
    if address == "" or (not username and address is None):
        messages.error(request, _("The lockout to lift was not recognised."))
        return redirect("lockout_list")
    actor_address = client_address(request)
    if username:
        lifted = lockout.lift_lockout(username, address, actor=request.user, actor_address=actor_address)
        done = _("The lockout of %(username)s from %(address)s was lifted.")
    else:
        lifted = lockout.lift_address(address, actor=request.user, actor_address=actor_address)
        done = _("Sign-ins from %(address)s no longer wait.")
    if lifted:
        messages.success(request, done % {"username": username, "address": address or "—"})
    else:
        messages.info(request, _("This lockout had already ended."))
    return redirect("lockout_list")

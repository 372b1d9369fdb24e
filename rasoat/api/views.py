"""The access tokens of one's own account (create — shown once —, list, revoke), and the API's 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from rasoat.api.forms import TokenForm
from rasoat.api.models import PersonalAccessToken
from rasoat.api.problems import problem_response
from rasoat.api.tokens import create_token, revoke_token
from rasoat.client_ip import client_address

SESSION_KEY = "rasoat_api_token_created"


@never_cache
@login_required
def token_list(request):
    """The user's tokens and the form for a new one.

    A new token is made on POST and the browser redirected (so a reload never makes a second one);
    its secret rides in the session to the next page view, which shows it and forgets it.
    """
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            token, raw = create_token(
                request.user,
                form.cleaned_data["name"],
                can_write=form.cleaned_data["can_write"],
                days=form.cleaned_data["days"],
                address=client_address(request),
            )
            request.session[SESSION_KEY] = {"id": token.pk, "secret": raw}
            return redirect("api_tokens")
    else:
        form = TokenForm()
    tokens = list(PersonalAccessToken.objects.filter(user=request.user))
    created = None
    shown = request.session.pop(SESSION_KEY, None)
    if shown is not None:
        token = next((t for t in tokens if t.pk == shown.get("id")), None)
        created = {"token": token, "secret": shown.get("secret")} if token is not None else None
    return render(request, "api/tokens.html", {"form": form, "tokens": tokens, "created": created})


@login_required
@require_POST
def token_revoke(request, pk: int):
    """Revoke one of the user's own tokens (another user's token is a 404)."""
    token = get_object_or_404(PersonalAccessToken, pk=pk, user=request.user)
    if revoke_token(token, actor=request.user, address=client_address(request)):
        messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("api_tokens")


def api_not_found(request):
    return problem_response(request, "not-found", _("There is no such address in the API."))

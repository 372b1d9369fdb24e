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


@never_cache
@login_required
def token_list(request):
    """The user's tokens; a POST makes a new one, whose secret this response shows once."""
    created = None
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
            created = {"token": token, "secret": raw}
            form = TokenForm()
    else:
        form = TokenForm()
    tokens = PersonalAccessToken.objects.filter(user=request.user)
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

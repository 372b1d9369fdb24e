"""The explicit language switch (the footer's selector): remembered per user, and in a cookie."""

from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from rasoat.desk.language import SUPPORTED


@require_POST
def set_language(request):
    """Django's set_language (cookie and redirect), plus the signed-in user's stored choice."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if language in SUPPORTED and request.user.is_authenticated:
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response

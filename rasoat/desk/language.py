"""The interface language: Vietnamese, whatever the browser asks for.

Many office PCs run an English Windows and Chrome, whose `Accept-Language` made Django's
LocaleMiddleware serve English pages around Vietnamese data. Here `Accept-Language` is never read:
a signed-in user gets the language they chose with the explicit switch (`User.language`), anyone
else the language cookie that switch sets, and without either the project's LANGUAGE_CODE (vi).
"""

from django.conf import settings
from django.utils import translation

SUPPORTED = {code for code, _ in settings.LANGUAGES}


def chosen_language(request) -> str:
    """The language to serve this request in (see the module docstring)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.language if user.language in SUPPORTED else settings.LANGUAGE_CODE
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return cookie if cookie in SUPPORTED else settings.LANGUAGE_CODE


class ChosenLanguageMiddleware:
    """Activate the chosen language; placed after AuthenticationMiddleware, instead of LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response

"""Middleware of the project: what every response carries and what no request may bring in.

`PermissionsPolicyMiddleware` sends the response header that Django and django-csp do not set
themselves. `ControlCharacterMiddleware` stops control characters at the edge, before any view or
query sees them:

A NUL in a URL (`/dot/RS2026%00/…`), in a filter of the report or audit pages, or in a form field
reached a database query, and PostgreSQL answered "A string literal cannot contain NUL" with a 500
(SQLite took it). No page of rasoat means a control character in its address, so:

- a path or query parameter holding a C0 control character (tab, line feed and carriage return
  included: none belongs in an address) is answered 400 with a Vietnamese page that says so;
- a form field (POST, urlencoded or multipart) holding one other than tab, line feed and carriage
  return has it removed, and the user is told, so a form never fails on it and nothing invisible is
  stored. Uploaded file names are cleaned where they are kept (`workbooks.uploads.clean_name`),
  workbook cells by the appendix's text cleaning."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from rasoat.text_controls import CONTROLS, PATH_CONTROLS, strip_controls


class PermissionsPolicyMiddleware:
    """Send `Permissions-Policy` denying every browser feature listed in PERMISSIONS_POLICY_DENIED.

    rasoat needs no camera, microphone, location, payment or device access; denying them means a
    script injected despite the Content-Security-Policy still cannot reach them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENIED)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.header
        return response


class ControlCharacterMiddleware:
    """Refuse addresses with control characters (400) and strip them from form fields."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if PATH_CONTROLS.search(request.path_info) or _query_has_controls(request):
            return _refusal(request)
        if request.method == "POST" and _post_has_controls(request):
            cleaned = QueryDict(mutable=True)
            for key, values in request.POST.lists():
                cleaned.setlist(strip_controls(key), [strip_controls(value) for value in values])
            cleaned._mutable = False
            request.POST = cleaned
            if hasattr(request, "_messages"):
                messages.warning(
                    request,
                    _(
                        "Invisible control characters (such as the NUL character) were removed from "
                        "what you sent. Check the text you entered."
                    ),
                )
        return self.get_response(request)


def _query_has_controls(request: HttpRequest) -> bool:
    return any(
        PATH_CONTROLS.search(key) or any(PATH_CONTROLS.search(value) for value in values)
        for key, values in request.GET.lists()
    )


def _post_has_controls(request: HttpRequest) -> bool:
    return any(
        CONTROLS.search(key) or any(CONTROLS.search(value) for value in values)
        for key, values in request.POST.lists()
    )


def _refusal(request: HttpRequest) -> HttpResponse:
    body = render_to_string("control_characters.html", request=request)
    return HttpResponse(body, status=400)

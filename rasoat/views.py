"""Error pages in Vietnamese, inside the site's layout, with a way back (handler403/404/500).

The home page is the desk's "Việc cần làm" (rasoat.desk.views.home).
"""

import logging

from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)


def _error(request, status: int, template: str) -> HttpResponse:
    return HttpResponse(loader.render_to_string(template, {"status": status}, request), status=status)


@requires_csrf_token
def permission_denied(request, exception=None):
    """403: in scope, but this action is not the user's to take."""
    return _error(request, 403, "errors/403.html")


@requires_csrf_token
def page_not_found(request, exception=None):
    """404: the page does not exist, or not for this user (out of scope is a 404 too)."""
    return _error(request, 404, "errors/404.html")


@requires_csrf_token
def server_error(request):
    """500: inside the layout when that can be rendered; a plain Vietnamese page when it cannot
    (the failure may be the database the layout's context needs)."""
    try:
        return _error(request, 500, "errors/500.html")
    except Exception:  # the layout itself failed: never fail the error page
        logger.exception("the 500 page could not be rendered in the layout")
        body = loader.render_to_string("errors/500_plain.html")
        return HttpResponseServerError(body)

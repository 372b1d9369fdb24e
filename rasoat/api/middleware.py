"""Every error under /api/ as a problem document, including those answered before the API runs.

The API's own errors are problem documents already (rasoat.api.core). This catches the rest: a
method the address does not have (405 from django-ninja), an address with control characters (400
from rasoat.middleware), a body too large, or an error outside the API's handlers (500) — so an
integrator parses one shape whatever went wrong.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from rasoat.api.problems import CONTENT_TYPE, problem_response

PREFIX = "/api/"


class ApiProblemMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path_info.startswith(PREFIX)
            or response.get("Content-Type", "").startswith(CONTENT_TYPE)
        ):
            return response
        with translation.override(settings.LANGUAGE_CODE):
            return self._problem(request, response)

    def _problem(self, request, response):
        status = response.status_code
        if status == 405:
            problem = problem_response(
                request, "method-not-allowed", _("This address does not accept this method.")
            )
            if response.has_header("Allow"):
                problem["Allow"] = response["Allow"]
            return problem
        if status == 404:
            return problem_response(request, "not-found", _("Not found, or outside your scope."))
        if status >= 500:
            return problem_response(
                request, "server-error", _("An unexpected error occurred; it has been logged.")
            )
        return problem_response(request, "bad-request", _("The request is not valid (address or body)."))

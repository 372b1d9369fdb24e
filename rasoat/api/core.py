"""The API object: token authentication, rate limiting, problem details, JSON bodies, the schema.

Every endpoint module registers its operations on `api` (rasoat/api/endpoints/). Authentication is
`Authorization: Bearer <token>` only — no session, so no CSRF and no sign-in steps; the token acts
with exactly its user's memberships through the same scope layer as the pages.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from rasoat.api import ratelimit, tokens
from rasoat.api.docs import VendoredSwagger
from rasoat.api.problems import CONTENT_TYPE, ApiProblem, problem_response
from rasoat.api.schemas import component_name, data_schema
from rasoat.client_ip import client_address
from rasoat.text_controls import strip_controls

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(HttpBearer):
    """A personal access token in `Authorization: Bearer …`: active, within its rate, allowed to write."""

    def authenticate(self, request: HttpRequest, token: str):
        # `detail` is Vietnamese for every client, whatever its Accept-Language (docs/api.md).
        translation.activate(settings.LANGUAGE_CODE)
        found = tokens.find_token(token.strip())
        if found is None:
            return None
        retry = ratelimit.hit(found.digest[:32])
        if retry is not None:
            raise ApiProblem(
                "rate-limited",
                _("Too many requests with this token: try again in %(seconds)d seconds.")
                % {"seconds": retry},
                headers={"Retry-After": str(retry)},
            )
        if request.method not in SAFE_METHODS and not found.can_write:
            raise ApiProblem("read-only-token", _("This token is read-only: it cannot change data."))
        tokens.note_use(found, client_address(request))
        # The services and the scope layer read the actor from the user, as for the pages.
        request.user = found.user
        return found


def _clean(value: Any) -> Any:
    """Control characters removed from every string of a JSON body (PostgreSQL refuses NUL)."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {strip_controls(str(key)): _clean(item) for key, item in value.items()}
    return value


class CleanJSONParser(Parser):
    """JSON bodies with control characters stripped (as the middleware does for form posts)."""

    def parse_body(self, request: HttpRequest):
        try:
            body = request.body
        except RequestDataTooBig:
            raise ApiProblem("bad-request", _("The request body is too large.")) from None
        if not body:
            return {}
        try:
            return _clean(json.loads(body))
        except (ValueError, UnicodeDecodeError):
            raise ApiProblem("bad-request", _("The request body is not valid JSON.")) from None


class RasoatAPI(NinjaAPI):
    """NinjaAPI whose schema carries each appendix version's data schema and problem+json errors."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        from rasoat.appendix.declaration import get_appendix
        from rasoat.appendix.versions import all_codes

        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        refs = []
        for code in all_codes():
            name = component_name(code)
            components[name] = data_schema(get_appendix(code))
            refs.append({"$ref": f"#/components/schemas/{name}"})
        # The appendix data: any of the versions (the campaign's `appendix_version` says which).
        components["AppendixData"] = {"anyOf": refs, "description": "Dữ liệu phụ lục của một đơn vị."}
        data = {"$ref": "#/components/schemas/AppendixData"}
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                # The operations marked in their decorator carry the appendix data of any version.
                marked = operation.pop("x-appendix-data", None)
                if marked == "request":
                    operation["requestBody"] = {
                        "required": True,
                        "content": {"application/json": {"schema": data}},
                    }
                elif marked == "response":
                    content = operation["responses"][200]["content"]["application/json"]
                    content["schema"] = {"allOf": [content["schema"], {"properties": {"data": data}}]}
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[CONTENT_TYPE] = content.pop("application/json")
        return schema


api = RasoatAPI(
    title="rasoat API",
    version="1",
    description=(
        "API của hệ thống rà soát hạ tầng CNTT tỉnh Lai Châu. Xác thực bằng mã truy cập cá nhân "
        "(`Authorization: Bearer rst_…`), tạo ở trang tài khoản. Hướng dẫn: docs/api.md."
    ),
    auth=TokenAuth(),
    parser=CleanJSONParser(),
    docs=VendoredSwagger(),
    urls_namespace="api",
)


@api.exception_handler(ApiProblem)
def _problem(request, exc: ApiProblem):
    return problem_response(
        request, exc.kind, exc.detail, errors=exc.errors, current=exc.current, headers=exc.headers
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    with translation.override(settings.LANGUAGE_CODE):
        detail = _(
            "A valid access token is required (Authorization: Bearer …); it may be revoked or expired."
        )
    return problem_response(
        request, "unauthenticated", detail, headers={"WWW-Authenticate": 'Bearer realm="rasoat"'}
    )


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    errors = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ())]
        errors.append({"column": ".".join(location[1:]) or None, "message": error.get("msg", "")})
    return problem_response(
        request, "invalid-request", _("The request is not valid: see errors."), errors=errors
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem_response(request, "not-found", _("Not found, or outside your scope."))


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return problem_response(request, "forbidden", _("Your role does not allow this here."))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    kind = {400: "bad-request", 403: "forbidden", 404: "not-found", 405: "method-not-allowed"}.get(
        exc.status_code, "bad-request"
    )
    return problem_response(request, kind, str(exc))


@api.exception_handler(Exception)
def _server_error(request, exc):
    logger.exception("API error on %s %s", request.method, request.path)
    return problem_response(request, "server-error", _("An unexpected error occurred; it has been logged."))

"""Errors of the API as RFC 9457 problem details: one shape, a stable `type`, a Vietnamese `detail`.

Every error response is `application/problem+json` with `type` (a stable URI naming the kind of
problem, documented in docs/api.md), `title` (short, English, as stable as the type), `status`,
`detail` (Vietnamese, for the person reading the integrator's log) and, for validation errors,
`errors`: [{"sheet", "row", "column", "message"}, ...].
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from ninja import Schema

TYPE_BASE = "https://rasoat.laichau.gov.vn/api/problems/"
CONTENT_TYPE = "application/problem+json"

# kind → (status, title). The kinds are part of the API's contract: never rename one.
KINDS: dict[str, tuple[int, str]] = {
    "bad-request": (400, "Bad request"),
    "unauthenticated": (401, "Unauthenticated"),
    "forbidden": (403, "Forbidden"),
    "read-only-token": (403, "Read-only token"),
    "not-found": (404, "Not found"),
    "method-not-allowed": (405, "Method not allowed"),
    "conflict": (409, "Conflict"),
    "stale-version": (409, "Stale version"),
    "locked": (409, "Data locked"),
    "invalid-request": (422, "Invalid request"),
    "invalid-data": (422, "Invalid data"),
    "workflow": (422, "Step not allowed"),
    "rate-limited": (429, "Too many requests"),
    "server-error": (500, "Server error"),
}


class ProblemItem(Schema):
    """One validation error: where (sheet, row, column) and what (message)."""

    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    message: str


class Problem(Schema):
    """An RFC 9457 problem details document."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[ProblemItem] | None = None
    current: dict[str, Any] | None = None


class ApiProblem(Exception):
    """Raised anywhere in an endpoint to answer with a problem document."""

    def __init__(self, kind: str, detail: str, *, errors: list | None = None, current=None, headers=None):
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.errors = errors
        self.current = current
        self.headers = headers or {}


def problem_response(
    request,
    kind: str,
    detail: str,
    *,
    errors: list | None = None,
    current: dict | None = None,
    headers: dict | None = None,
) -> HttpResponse:
    status, title = KINDS[kind]
    body: dict[str, Any] = {
        "type": TYPE_BASE + kind,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path if request is not None else None,
    }
    if errors is not None:
        body["errors"] = errors
    if current is not None:
        body["current"] = current
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str), status=status, content_type=CONTENT_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def responses(*statuses: int) -> dict[int, type[Problem]]:
    """The error responses an operation documents, all with the Problem schema."""
    return dict.fromkeys(statuses, Problem)

"""The API's scope matrix: every endpoint × persona (each with a read-write token) → expected status.

As for the pages: outside the scope 404, in scope without the permission 403; without a token 401.
Each persona's request runs in its own rolled-back savepoint, so writes do not leak between them.
"""

import json

import pytest
from django.db import transaction

from rasoat.appendix.declaration import UnitInfo, get_appendix
from rasoat.appendix.validation import clean_unit_data
from rasoat.campaigns.models import Assignment
from rasoat.inventory import storage
from rasoat.inventory.services import replace_unit_data
from tests.api.conftest import SAMPLE
from tests.test_scope_matrix import PERSONAS

MK, MT = "X.03637.UB", "X.03445.UB"
C = "/api/v1/campaigns/RS2026"


def _unit_rows(unit: str) -> list[tuple]:
    """The rows of one unit's endpoints; `mk`/`mt`: what the Mường Kim / Mường Tè personas get in scope."""
    in_mk = unit == MK
    mk, mt = (200, 404) if in_mk else (404, 200)
    # What a persona in scope without the permission gets, and what one out of scope gets.
    no_mk, no_mt = (403, 404) if in_mk else (404, 403)
    refused_mk, refused_mt = (422, 404) if in_mk else (404, 422)
    base = f"{C}/units/{unit}"
    return [
        ("GET", f"{base}/data", None, [200, 200, mk, mt, mk, 401]),
        ("GET", f"{base}/assessment", None, [200, 200, mk, mt, mk, 401]),
        # A PUT of data with errors: 422 where allowed, nothing saved anywhere.
        ("PUT", f"{base}/data", {"B05": [{"quantity": "x"}]}, [422, 403, refused_mk, refused_mt, no_mk, 401]),
        ("PATCH", f"{base}/data/B05/rows/{{row}}", {"version": 1, "values": {"quantity": 3}},
         [200, 403, mk, mt, no_mk, 401]),
        ("PATCH", f"{base}/data/B01", {"version": 1, "values": {"staff_total": 12}},
         [200, 403, mk, mt, no_mk, 401]),
        # Submitting data with errors, returning or accepting a draft: refused steps (422) where allowed.
        ("POST", f"{base}/submit", {}, [422, 403, refused_mk, refused_mt, no_mk, 401]),
        ("POST", f"{base}/return", {"reason": "Thiếu"}, [422, 422, no_mk, no_mt, no_mk, 401]),
        ("POST", f"{base}/accept", {}, [422, 422, no_mk, no_mt, no_mk, 401]),
    ]  # fmt: skip


# (method, url, JSON body, statuses in PERSONAS order:
#  admin, reviewer, editor_muong_kim, editor_muong_te, viewer_muong_kim, anonymous)
MATRIX = [
    ("GET", "/api/v1/openapi.json", None, [200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/docs", None, [200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/khong-co", None, [404, 404, 404, 404, 404, 404]),
    ("GET", "/api/v1/units", None, [200, 200, 200, 200, 200, 401]),
    ("GET", "/api/v1/units?under=X.03637", None, [200, 200, 200, 404, 200, 401]),
    ("GET", "/api/v1/units/LC", None, [200, 200, 404, 404, 404, 401]),
    ("GET", f"/api/v1/units/{MK}", None, [200, 200, 200, 404, 200, 401]),
    ("GET", f"/api/v1/units/{MT}", None, [200, 200, 404, 200, 404, 401]),
    ("GET", "/api/v1/campaigns", None, [200, 200, 200, 200, 200, 401]),
    ("GET", C, None, [200, 200, 200, 200, 200, 401]),
    ("GET", "/api/v1/campaigns/KHONGCO", None, [404, 404, 404, 404, 404, 401]),
    ("GET", f"{C}/schema", None, [200, 200, 200, 200, 200, 401]),
    ("GET", f"{C}/assignments", None, [200, 200, 200, 200, 200, 401]),
    ("GET", f"{C}/assignments?commune=X.03445", None, [200, 200, 404, 200, 404, 401]),
    ("GET", f"{C}/assignments?level=nope", None, [422, 422, 422, 422, 422, 401]),
    ("GET", f"{C}/assessment?by=commune", None, [200, 200, 200, 200, 200, 401]),
    ("GET", f"{C}/assessment?under=X.03637", None, [200, 200, 200, 404, 200, 401]),
    ("GET", f"{C}/dashboard", None, [200, 200, 200, 200, 200, 401]),
    ("GET", f"{C}/dashboard?commune=X.03445", None, [200, 200, 404, 200, 404, 401]),
    ("GET", f"{C}/export.jsonl", None, [200, 200, 200, 200, 403, 401]),
    ("GET", f"{C}/export.jsonl?under=X.03445", None, [200, 200, 404, 200, 404, 401]),
    *[row for unit in (MK, MT) for row in _unit_rows(unit)],
]  # fmt: skip


def _load(campaign, code: str) -> int:
    """The sample data in `code`'s draft (with the errors of another unit's B01); returns a B05 row id."""
    assignment = Assignment.objects.select_related("unit", "campaign").get(campaign=campaign, unit__code=code)
    data = clean_unit_data(
        get_appendix("2026.1"), SAMPLE, UnitInfo.from_unit(assignment.unit), campaign.reference_date
    ).data
    data["B01"]["staff_total"] = None  # a required value missing: submitting is refused
    replace_unit_data(assignment, data)
    sheet = get_appendix("2026.1").sheet("B05")
    return storage.records(sheet, assignment=assignment).first().pk


@pytest.mark.parametrize(
    ("method", "url", "payload", "expected"), MATRIX, ids=[f"{m} {u}" for m, u, *_ in MATRIX]
)
def test_scope_matrix(campaign, api_clients, method, url, payload, expected):
    rows = {MK: _load(campaign, MK), MT: _load(campaign, MT)}
    unit = MK if MK in url else MT
    url = url.replace("{row}", str(rows[unit]))
    got = []
    for persona in PERSONAS:
        with transaction.atomic():
            kwargs = (
                {"content_type": "application/json", "data": json.dumps(payload)}
                if payload is not None
                else {}
            )
            response = getattr(api_clients[persona], method.lower())(url, **kwargs)
            if response.status_code >= 400:
                assert response["Content-Type"] == "application/problem+json", (persona, response.content)
            got.append(response.status_code)
            transaction.set_rollback(True)
    assert got == expected

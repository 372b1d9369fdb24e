"""The scope matrix over the prefix twins: each persona's unit id is a string prefix of a twin's id.

Every persona tries the pages of every twin (tests/scope/world.py). A twin outside the persona's scope
must be a 404 exactly as any unit outside it; one inside it opens, and a write is allowed only with
the permission. The expected status comes from the oracle (parent links, not paths), and a refused
write must change nothing.
"""

import pytest
from django.urls import reverse

from rasoat.inventory.models import EndDevice
from tests.scope.world import PERSONAS, PRINTER

CAMPAIGN = "RS2026"
TWINS = ["DB", "DB.VPTU", "X.99637", "X.99637.UB", "X.99445", "X.99445.UB", "X.03637.TN"]
REPORTING_TWINS = ["DB.VPTU", "X.99637.UB", "X.99445.UB", "X.03637.TN"]

# (method, url name, unit code, the permission needed once the unit is visible, or None)
URLS = [
    *[("GET", "unit_detail", code, None) for code in TWINS],
    *[("GET", "entry_overview", code, None) for code in REPORTING_TWINS],
    *[("POST", "entry_row_create", code, "data:edit") for code in REPORTING_TWINS],
    *[("GET", "campaign_commune", code, None) for code in ("X.99637", "X.99445")],
    *[("GET", "package_unit", code, None) for code in REPORTING_TWINS],
]
CASES = [
    pytest.param(method, name, code, perm, persona, id=f"{method} {name} {code} {persona}")
    for method, name, code, perm in URLS
    for persona in [*PERSONAS, "anonymous"]
]


def url_of(name: str, pk: int) -> str:
    if name == "unit_detail":
        return reverse(name, args=[pk])
    if name == "entry_row_create":
        return reverse(name, args=[CAMPAIGN, pk, "B05"])
    return reverse(name, args=[CAMPAIGN, pk])


def expected_status(world, user, method: str, name: str, code: str, perm: str | None) -> int:
    if user is None:
        return 302  # to the login page
    visible = world.oracle.scope(user, "unit:view" if name == "unit_detail" else "data:view")
    if code not in visible:
        return 404
    if perm is not None and code not in world.oracle.scope(user, perm):
        return 403
    return 302 if method == "POST" else 200


@pytest.mark.parametrize(("method", "name", "code", "perm", "persona"), CASES)
def test_prefix_twin_matrix(method, name, code, perm, persona, world):
    user = world.users.get(persona)
    url = url_of(name, world.unit(code).pk)
    client = world.client(persona)
    rows_before = EndDevice.objects.filter(assignment__unit__code=code).count()
    response = client.get(url) if method == "GET" else client.post(url, PRINTER)
    expected = expected_status(world, user, method, name, code, perm)
    assert response.status_code == expected, f"{method} {url} ({code}) as {persona}"
    if user is None:
        assert response["Location"].startswith(reverse("login"))
    if method == "POST":
        rows_after = EndDevice.objects.filter(assignment__unit__code=code).count()
        written = 1 if expected == 302 and user is not None else 0
        assert rows_after == rows_before + written, "a refused write changed data"

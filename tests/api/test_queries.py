"""Lists, the dashboard and the export cost a fixed number of queries, whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import SAMPLE_UNIT, body
from tests.api.test_export import load

C = "/api/v1/campaigns/RS2026"


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200
        body(response)
    return len(captured)


@pytest.mark.parametrize(
    "url",
    ["/api/v1/units?page_size={n}", f"{C}/assignments?page_size={{n}}", "/api/v1/campaigns?page_size={n}"],
)
def test_lists_do_not_query_per_row(campaign, api_clients, url):
    client = api_clients["reviewer"]
    client.get("/api/v1/units")  # the token's first use of the minute writes its last use once
    assert queries(client, url.format(n=2)) == queries(client, url.format(n=100))


def test_export_and_dashboard_do_not_query_per_unit(campaign, api_clients):
    client = api_clients["reviewer"]
    client.get("/api/v1/units")
    load(campaign, [SAMPLE_UNIT])
    one = queries(client, f"{C}/export.jsonl")
    load(campaign, ["X.03637.UB", "T.VPTU", "X.03637.DU"])
    assert queries(client, f"{C}/export.jsonl") == one
    assert queries(client, f"{C}/dashboard") == queries(client, f"{C}/dashboard?block=dang")

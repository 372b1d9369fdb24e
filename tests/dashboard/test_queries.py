"""The dashboard and its drill-down run a fixed number of queries, whatever the number of units."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.dashboard.helpers import DATASET, SMALL, dashboard_url, drilldown_url, load_dataset

URLS = [
    ("dashboard", {}),
    ("computer_support", {"value": "out"}),
    ("timeliness", {"value": "overdue"}),
    ("bandwidth_internet", {"value": "4"}),
]


def _url(campaign, name, params):
    return dashboard_url(campaign) if name == "dashboard" else drilldown_url(campaign, name, **params)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_data(clients, past_deadline, django_assert_num_queries):
    campaign = past_deadline
    client = clients["reviewer"]
    load_dataset(campaign, SMALL)
    small = {name: _count(client, _url(campaign, name, params)) for name, params in URLS}
    load_dataset(campaign, [code for code in DATASET if code not in SMALL])
    for name, params in URLS:
        with django_assert_num_queries(small[name]):
            client.get(_url(campaign, name, params))
    # 30, one for whether figures in scope wait for a recompute (rasoat.jobs, issue 10), and one
    # for whether the scope is the whole campaign (its B05 rollup then answers, rasoat.summaries).
    assert small["dashboard"] <= 32

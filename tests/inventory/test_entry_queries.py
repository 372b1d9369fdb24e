"""The entry pages run a fixed number of queries, however many rows the unit has."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rasoat.campaigns.models import Assignment
from rasoat.inventory.models import EndDevice
from tests.conftest import MUONG_KIM_UNITS


def add_devices(assignment: Assignment, count: int) -> None:
    """`count` rows, alternating computers with a configuration and printers, some with errors."""
    rows = []
    for index in range(count):
        computer = index % 2 == 0
        rows.append(
            EndDevice(
                assignment=assignment,
                position=index + 1,
                device_type="Máy tính để bàn" if computer else "Máy in",
                model=f"Model {index}",
                quantity=1 + index % 5,
                year_acquired=2015 + index % 10,
                cpu="Core i5" if computer else None,
                ram_gb=(None if index % 10 == 0 else 8) if computer else None,
                disk_type="SSD" if computer else None,
                os="Windows 10" if computer else None,
                os_licensed="Có" if computer else None,
                antivirus="Có bản quyền" if computer else None,
                condition="Hoạt động tốt",
                carried_forward=index % 7 == 0,
            )
        )
    EndDevice.objects.bulk_create(rows)


def queries_for(client, target: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(target)
    assert response.status_code == 200
    return len(context)


@pytest.fixture
def two_units(campaign) -> tuple[Assignment, Assignment]:
    """Two units of Mường Kim: one with 5 rows, one with 500."""
    small, large = (
        Assignment.objects.get(campaign=campaign, unit__code=code) for code in MUONG_KIM_UNITS[:2]
    )
    add_devices(small, 5)
    add_devices(large, 500)
    return small, large


@pytest.mark.parametrize("name", ["entry_sheet", "entry_overview"])
def test_entry_pages_run_the_same_queries_for_5_and_500_rows(
    clients, two_units, django_assert_num_queries, name
):
    client = clients["editor_muong_kim"]
    small, large = two_units
    extra = ["B05"] if name == "entry_sheet" else []
    small_url, large_url = (reverse(name, args=["RS2026", a.unit_id, *extra]) for a in (small, large))
    client.get(small_url)  # the session and the language are settled by a first request
    expected = queries_for(client, small_url)
    with django_assert_num_queries(expected):
        response = client.get(large_url)
    if name == "entry_sheet":
        assert response.content.count(b'class="entry-row"') == 500
        assert response.content.count(b'data-testid="cell-error-ram_gb"') == 50
        assert response.content.count(b'data-testid="carried-forward"') == 72


def test_b01_form_runs_a_fixed_number_of_queries(clients, two_units, django_assert_max_num_queries):
    small, _large = two_units
    with django_assert_max_num_queries(12):
        clients["editor_muong_kim"].get(reverse("entry_general", args=["RS2026", small.unit_id]))

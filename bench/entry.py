"""Data entry: rendering the B05 table of a unit with 500 rows (issue 3: under 300 ms on SQLite).

The value is the median time of a full GET of the page through django.test.Client (session, scope
checks, validation of every row, template); the baseline is the 300 ms budget, so the ratio is the
share of the budget used (target ≤ 1.0).
"""

from bench.common import best_of, report

ROWS = 500
BUDGET = 0.300

_TYPES = ["Máy tính để bàn", "Máy tính xách tay", "Máy in", "Máy quét (scan)", "Máy chiếu"]


def _row(index: int) -> dict:
    """Varied rows (computers with configurations, other devices without), some with issues."""
    device = _TYPES[index % len(_TYPES)]
    computer = device in ("Máy tính để bàn", "Máy tính xách tay")
    return {
        "device_type": device,
        "model": f"Model {index:04d}",
        "quantity": 1 + index % 7,
        "year_acquired": 2012 + index % 14,
        "cpu": f"Core i{3 + index % 3}-{8000 + index}" if computer else None,
        # Every 25th computer lacks its RAM: an error shown on the cell.
        "ram_gb": None if computer and index % 25 == 0 else (4 * (1 + index % 4) if computer else None),
        "disk_type": "SSD" if computer else None,
        "disk_gb": 256 if computer else None,
        "os": "Windows 10" if computer else None,
        "os_licensed": "Có" if computer else None,
        "antivirus": "Có bản quyền" if computer else None,
        "at_one_stop": "Không",
        "condition": "Hoạt động tốt",
        "note": f"Ghi chú {index}" if index % 3 == 0 else None,
    }


def main() -> None:
    from django.db import transaction
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from rasoat.campaigns.models import Assignment
    from rasoat.campaigns.services import ensure_first_campaign
    from rasoat.inventory.models import EndDevice
    from rasoat.orgs.models import Membership, Unit, User
    from rasoat.orgs.registry import load_seed_registry
    from rasoat.orgs.roles import Role

    with transaction.atomic(), override_settings(ALLOWED_HOSTS=["testserver"]):
        load_seed_registry()
        ensure_first_campaign()
        assignment = Assignment.objects.select_related("campaign").get(
            campaign__code="RS2026", unit__code="X.03637.DU"
        )
        EndDevice.objects.bulk_create(
            EndDevice(assignment=assignment, position=i + 1, **_row(i)) for i in range(ROWS)
        )
        user = User.objects.create_user("bench-entry")
        Membership.objects.create(user=user, unit=Unit.objects.get(code="X.03637"), role=Role.EDITOR)
        client = Client()
        client.force_login(user)
        url = reverse("entry_sheet", args=["RS2026", assignment.unit_id, "B05"])

        def render() -> None:
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            assert response.content.count(b'class="entry-row"') == ROWS

        render()  # warm the template cache, as a running server has it
        report(f"B05 page with {ROWS} rows ÷ 300 ms budget", best_of(render, 7), BUDGET, target=1.0)
        transaction.set_rollback(True)

"""Test data for the dashboard: the sample unit's data, varied, stored for units of several communes.

Data goes in the way the JSON load and the Excel import store it: `clean_unit_data` on the sample,
then `replace_unit_data`. Statuses and submission times are then set directly, relative to the
campaign's deadline, so the figures do not depend on the day the tests run.
"""

import copy
import datetime
import json
from pathlib import Path
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from rasoat.appendix.declaration import UnitInfo
from rasoat.appendix.validation import clean_unit_data
from rasoat.campaigns.models import Assignment, Campaign, Status
from rasoat.inventory.data import appendix_for
from rasoat.inventory.services import replace_unit_data

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "mau_dang_uy_muong_te.json"
TSLCD = "Mạng truyền số liệu chuyên dùng (TSLCD)"
COMPUTERS = ("Máy tính để bàn", "Máy tính xách tay")
UNSUPPORTED = ("Windows 7 hoặc cũ hơn", "Windows 8/8.1", "Windows 10")  # at 20/05/2026 (ASSESSMENT.md)


def sample_data() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))["data"]


def data_for(unit, vary=None) -> dict:
    """The sample's data describing `unit`, changed by `vary(data)` when given."""
    data = copy.deepcopy(sample_data())
    info = UnitInfo.from_unit(unit)
    data["B01"].update(unit_code=info.code, unit_name=info.name, block=info.block or None, level=info.level)
    if vary is not None:
        vary(data)
    return data


def store(assignment: Assignment, data: dict) -> None:
    result = clean_unit_data(
        appendix_for(assignment),
        data,
        UnitInfo.from_unit(assignment.unit),
        assignment.campaign.reference_date,
    )
    replace_unit_data(assignment, result.data)


# --- variations ------------------------------------------------------------------------------------


def doubled_without_tslcd(data: dict) -> None:
    """Every B05 quantity doubled, no TSLCD line, some systems without a security level."""
    for row in data["B05"]:
        row["quantity"] *= 2
    data["B02"] = [row for row in data["B02"] if row["link_type"] != TSLCD]
    for row in data["B04"][:3]:
        row["security_level"] = None


def b01_only(data: dict) -> None:
    """Only B01 filled in, and no contact person (the commune editors are the contact)."""
    for code in ("B02", "B03", "B04", "B05", "B06"):
        data[code] = []
    data["B01"]["contact_name"] = None
    data["B01"]["contact_phone"] = None


def fast_windows_10(data: dict) -> None:
    """A fast Internet line; every computer on Windows 10; a computer without OS nor year (draft)."""
    data["B02"][1]["bandwidth_mbps"] = 400
    for row in data["B05"]:
        if row["device_type"] in COMPUTERS:
            row["os"] = "Windows 10"
    data["B05"].append(
        {"device_type": "Máy tính để bàn", "quantity": 3, "condition": "Hoạt động tốt", "os": None}
    )


def worn_infrastructure(data: dict) -> None:
    """Infrastructure devices all worn, TSLCD at 40 Mbps, two more software categories."""
    for row in data["B03"]:
        row["condition"] = "Hoạt động nhưng xuống cấp"
    data["B02"][0]["bandwidth_mbps"] = 40
    data["B02"][0]["quantity"] = 2
    data["B04"] = data["B04"][:4]


def provincial(data: dict) -> None:
    """A provincial agency: old Windows 11 desktops only, one slow Internet line, no TSLCD."""
    data["B02"] = [data["B02"][2]]
    data["B05"] = [row for row in data["B05"] if row["device_type"] not in COMPUTERS]
    data["B05"].append(
        {
            "device_type": "Máy tính để bàn",
            "quantity": 7,
            "year_acquired": 2015,
            "cpu": "Core i3",
            "ram_gb": 4,
            "disk_type": "HDD",
            "os": "Windows 11",
            "os_licensed": "Có",
            "antivirus": "Miễn phí",
            "condition": "Hoạt động tốt",
        }
    )


# unit code -> variation (None: the sample as it is)
DATASET = {
    "X.03637.DU": None,
    "X.03637.UB": doubled_without_tslcd,
    "X.03637.TT": b01_only,
    "X.03445.DU": fast_windows_10,
    "X.03445.HD": worn_infrastructure,
    "T.VPTU": provincial,
}
SMALL = ("X.03637.DU", "X.03445.DU")


def load_dataset(campaign: Campaign, codes=None) -> dict[str, Assignment]:
    """Store the data of the dataset's units (or of `codes`) and set a mix of statuses."""
    assignments = {}
    for code in codes or DATASET:
        assignment = Assignment.objects.select_related("campaign", "unit").get(
            campaign=campaign, unit__code=code
        )
        store(assignment, data_for(assignment.unit, DATASET[code]))
        assignments[code] = assignment
    deadline_end = timezone.make_aware(datetime.datetime.combine(campaign.deadline, datetime.time(23, 30)))
    statuses = {
        "X.03637.DU": (Status.SUBMITTED, deadline_end - datetime.timedelta(days=3)),  # on time
        "X.03445.DU": (Status.ACCEPTED, deadline_end + datetime.timedelta(hours=1)),  # late (next day)
        "X.03637.UB": (Status.RETURNED, deadline_end - datetime.timedelta(days=1)),
        "X.03445.HD": (Status.SUBMITTED, deadline_end),  # on time: the last minutes of the day
    }
    for code, (status, when) in statuses.items():
        if code in assignments:
            Assignment.objects.filter(pk=assignments[code].pk).update(status=status, submitted_at=when)
    return assignments


def dashboard_url(campaign: Campaign, **filters) -> str:
    url = reverse("dashboard", args=[campaign.code])
    return f"{url}?{urlencode(filters)}" if filters else url


def drilldown_url(campaign: Campaign, figure: str, value: str, **params) -> str:
    query = urlencode({"figure": figure, "value": value, **params})
    return f"{reverse('dashboard_drilldown', args=[campaign.code])}?{query}"


def in_scope(queryset: QuerySet, prefix: str = "assignment__", commune: str | None = None) -> QuerySet:
    """Narrow a direct query to one commune (by code), as a commune viewer sees it."""
    if commune is None:
        return queryset
    return queryset.filter(**{f"{prefix}unit__commune__code": commune})

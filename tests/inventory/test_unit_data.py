"""`unit_data` (dumps, snapshots, diffs) reads table rows as value tuples; each row must equal what
reading its record through storage gives (`record_values`), typed columns, the columns a version keeps
in `extra` and the sheets it adds alike — empty text, decimals, dates and years included."""

import json
from decimal import Decimal

from rasoat.appendix.declaration import get_appendix
from rasoat.appendix.models import AppendixVersion
from rasoat.campaigns.models import Assignment
from rasoat.inventory import storage
from rasoat.inventory.data import record_values, unit_data
from rasoat.inventory.models import EndDevice, NetworkLink
from tests.dashboard.helpers import data_for, store
from tests.dashboard.test_column_counts import VERSION, column_definition, with_added


def _read_one_by_one(assignment) -> dict:
    appendix = get_appendix(assignment.campaign.appendix_version)
    result = {}
    for sheet in appendix:
        records = storage.records(sheet, assignment=assignment)
        if sheet.repeating:
            result[sheet.code] = [record_values(record, sheet) for record in records]
        else:
            result[sheet.code] = record_values(records.first(), sheet)
    return result


def test_rows_read_as_tuples_equal_records_read_one_by_one(campaign):
    AppendixVersion.objects.create(code=VERSION, title="Phụ lục thử", definition=column_definition())
    campaign.appendix_version = VERSION
    campaign.save()
    assignment = Assignment.objects.select_related("campaign", "unit").get(
        campaign=campaign, unit__code="X.03637.DU"
    )
    store(assignment, data_for(assignment.unit, with_added("X.03637.DU", 1)))
    # Values the normal paths would not write: empty text in a typed column, a fractional decimal.
    device = EndDevice.objects.filter(assignment=assignment).order_by("position").first()
    EndDevice.objects.filter(pk=device.pk).update(model="", ram_gb=Decimal("7.5"))
    NetworkLink.objects.filter(assignment=assignment).update(bandwidth_mbps=Decimal("45.500"))

    data = unit_data(assignment)
    # As JSON text: equal values of other types (Decimal("7.5") == 7.5) would pass a comparison of
    # the dicts, and a snapshot stores the text.
    assert json.dumps(data, ensure_ascii=False) == json.dumps(
        _read_one_by_one(assignment), ensure_ascii=False
    )
    assert assignment.campaign.appendix_version == VERSION
    first = data["B05"][0]
    assert first["model"] is None and first["ram_gb"] == 7.5
    assert all(link["bandwidth_mbps"] == 45.5 for link in data["B02"])
    assert any(row.get("origin") for row in data["B05"]) and data["B07"]  # `extra` and an added sheet
    assert list(first) == [column.key for column in get_appendix(VERSION).sheet("B05").data_columns]

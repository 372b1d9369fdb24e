"""The counts by column kept per unit (rasoat/summaries/columns.py): what the property test does not
reach — a decimal weight, a version changed under existing data, the rollup answering for a whole
campaign and the per-unit counts for part of it."""

from decimal import Decimal

import pytest

from rasoat.appendix.declaration import get_appendix
from rasoat.appendix.models import AppendixVersion
from rasoat.campaigns.models import Assignment
from rasoat.inventory.summaries import direct_counts, find
from rasoat.summaries import columns
from rasoat.summaries.models import ColumnCount, ColumnRollup
from tests.conftest import MUONG_KIM
from tests.dashboard.helpers import data_for, store
from tests.dashboard.test_column_counts import HOSTINGS, column_definition

UNITS = ("X.03637.DU", "X.03637.UB", "X.03445.DU")


def _decimal_version() -> str:
    definition = column_definition()
    for column in definition["columns"]:
        if column["sheet"] == "B07" and column["key"] == "quantity":
            column["type"] = "dec"
    AppendixVersion.objects.create(code="TEST-DEC", title="Số lượng thập phân", definition=definition)
    return "TEST-DEC"


def _with_servers(quantities):
    def vary(data):
        data["B07"] = [
            {"system": f"Hệ thống {k}", "hosting": HOSTINGS[k % 2], "quantity": q, "since": 2021}
            for k, q in enumerate(quantities)
        ]

    return vary


def _as_dict(found):
    return {item.label: (item.rows, item.quantity) for item in found}


@pytest.fixture
def decimal_campaign(campaign):
    campaign.appendix_version = _decimal_version()
    campaign.save()
    for index, code in enumerate(UNITS):
        assignment = Assignment.objects.get(campaign=campaign, unit__code=code)
        store(assignment, data_for(assignment.unit, _with_servers(["1.5", "2.25", str(index)])))
    return campaign


def test_a_decimal_weight_is_summed_exactly(decimal_campaign):
    countable = find(get_appendix("TEST-DEC"), "B07.hosting")
    scoped = Assignment.objects.filter(campaign=decimal_campaign)
    kept = _as_dict(columns.counts(countable, scoped, decimal_campaign))
    # Per unit: 1.5 + index on the first hosting, 2.25 on the second; over three units (index 0, 1, 2).
    assert kept == {HOSTINGS[0]: (6, Decimal("7.500")), HOSTINGS[1]: (3, Decimal("6.750"))}
    assert all(isinstance(quantity, Decimal) for _rows, quantity in kept.values())
    assert kept == _as_dict(direct_counts(countable, scoped))


def test_the_whole_campaign_reads_its_rollup_and_part_of_it_the_units(decimal_campaign):
    countable = find(get_appendix("TEST-DEC"), "B07.hosting")
    scoped = Assignment.objects.filter(campaign=decimal_campaign)
    one_commune = scoped.filter(unit__commune__code=MUONG_KIM)
    # The rollup answers for the whole campaign: changing it (around the services) shows there.
    ColumnRollup.objects.filter(campaign=decimal_campaign, value=HOSTINGS[1]).update(rows=99)
    assert _as_dict(columns.counts(countable, scoped, decimal_campaign))[HOSTINGS[1]][0] == 99
    # Part of the campaign sums its units' own counts, equal to the rows.
    part = _as_dict(columns.counts(countable, one_commune, decimal_campaign))
    assert part == _as_dict(direct_counts(countable, one_commune))
    assert part[HOSTINGS[1]][0] == 2  # two of the three units are in Mường Kim
    label_total = columns.totals(countable, one_commune, decimal_campaign, HOSTINGS[0])
    assert label_total == {"rows": 4, "quantity": Decimal("4.000")}


def test_a_version_changed_under_data_recounts_by_the_new_version(decimal_campaign):
    """Pinning a campaign to another version (only allowed while it holds no data, but a save around
    the checks must not leave stale counts) recounts its units by that version's columns."""
    assert ColumnCount.objects.filter(sheet="B07").exists()
    decimal_campaign.appendix_version = "2026.1"
    decimal_campaign.save()
    assert not ColumnCount.objects.filter(sheet="B07").exists()
    assert not ColumnRollup.objects.filter(campaign=decimal_campaign, sheet="B07").exists()
    countable = find(get_appendix("2026.1"), "B05.os")
    scoped = Assignment.objects.filter(campaign=decimal_campaign)
    assert _as_dict(columns.counts(countable, scoped, decimal_campaign)) == _as_dict(
        direct_counts(countable, scoped)
    )
    # Saving it again without a change of version leaves the counts alone (no recount).
    ColumnCount.objects.filter(sheet="B05", column_key="os").update(rows=0)
    decimal_campaign.title = "Đổi tên"
    decimal_campaign.save()
    assert set(ColumnCount.objects.filter(sheet="B05", column_key="os").values_list("rows", flat=True)) == {0}

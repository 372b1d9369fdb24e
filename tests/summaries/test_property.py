"""Summaries equal a direct GROUP BY over the rows after any sequence of changes (issue 10, item 3).

Random sequences (fixed seeds, so a failure replays) of imports, row edits, row copies, deletes,
carry-forwards from the previous campaign and appendix-version changes of the following campaign
go through the real services; after every step each summary family is compared with the same
grouping computed directly over the sheet rows.
"""

import datetime
import random
from decimal import Decimal

import pytest
from django.db.models import Count, DecimalField, F, Q, Sum
from django.db.models.functions import Coalesce

from rasoat.appendix.declaration import get_appendix
from rasoat.campaigns import services as campaign_services
from rasoat.campaigns.models import Assignment, Campaign
from rasoat.campaigns.services import create_campaign
from rasoat.inventory import services, storage, workflow
from rasoat.inventory.data import appendix_for
from rasoat.inventory.models import EndDevice, InfraDevice, NetworkLink, Software
from rasoat.inventory.summaries import countable_columns, direct_counts, quantity_field
from rasoat.summaries.models import (
    ColumnCount,
    ColumnRollup,
    DeviceRollup,
    DeviceSummary,
    InfraRollup,
    InfraSummary,
    LinkSummary,
    SoftwareRollup,
    SoftwareSummary,
)
from rasoat.summaries.services import rebuild
from tests import v2026_2
from tests.conftest import make_user
from tests.dashboard.helpers import TSLCD, data_for, store

UNITS = ("X.03637.DU", "X.03445.DU", "X.03445.HD")
SUBMITTED = UNITS[:2]
"""Submitted in RS2026 (what RS2027 carries forward); the third stays editable in RS2026."""
SEEDS = (7, 2026)
STEPS = 40


# --- the direct queries ----------------------------------------------------------------------------


def _grouped(model, groups, **aggregates) -> list[tuple]:
    rows = model.objects.order_by().values_list("assignment_id", *groups).annotate(**aggregates)
    return sorted(rows, key=repr)


def _summaries(model, groups, *fields) -> list[tuple]:
    return sorted(model.objects.values_list("assignment_id", *groups, *fields), key=repr)


def _mbps(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.001"))


def _links_direct() -> list[tuple]:
    def total(condition):
        return Sum(F("bandwidth_mbps") * F("quantity"), filter=condition, output_field=DecimalField())

    rows = (
        NetworkLink.objects.order_by()
        .values_list("assignment_id")
        .annotate(
            i=total(~Q(link_type=TSLCD)),
            t=total(Q(link_type=TSLCD)),
            n=Count("pk", filter=Q(link_type=TSLCD)),
        )
    )
    return sorted((a, _mbps(i), _mbps(t), n) for a, i, t, n in rows)


def _links_summary() -> list[tuple]:
    rows = LinkSummary.objects.values_list("assignment_id", "internet_mbps", "tslcd_mbps", "tslcd_rows")
    return sorted((a, _mbps(i), _mbps(t), n) for a, i, t, n in rows)


def _amount(value) -> Decimal:
    """A quantity as one comparable value (the summaries keep decimals, the rows whole numbers)."""
    return Decimal(value or 0).normalize()


def _column_counts_direct() -> tuple[list[tuple], list[tuple]]:
    """The counts by every countable column of each campaign's version, grouped over the rows: per
    (assignment, sheet, column, value), and per campaign (`direct_counts`, the dashboard's fallback)."""
    per_unit, per_campaign = [], []
    for campaign in Campaign.objects.all():
        scoped = Assignment.objects.filter(campaign=campaign)
        for countable in countable_columns(get_appendix(campaign.appendix_version)):
            named = (countable.sheet.code, countable.column.key)
            totals = {"n": Count("pk")}
            if countable.quantity() is not None:
                totals["q"] = Coalesce(Sum(countable.quantity()), 0, output_field=quantity_field(countable))
            rows = countable.records(scoped).values("assignment_id", "counted_value").annotate(**totals)
            per_unit += [
                (r["assignment_id"], *named, r["counted_value"], r["n"], _amount(r.get("q"))) for r in rows
            ]
            per_campaign += [
                (campaign.pk, *named, c.label, c.rows, _amount(c.quantity))
                for c in direct_counts(countable, scoped)
            ]
    return sorted(per_unit, key=repr), sorted(per_campaign, key=repr)


def _column_counts_kept(model, owner: str) -> list[tuple]:
    rows = model.objects.values_list(owner, "sheet", "column_key", "value", "rows", "quantity")
    return sorted(((*row[:5], _amount(row[5])) for row in rows), key=repr)


def assert_summaries_equal_rows(step: str) -> None:
    devices = ("device_type", "condition", "os", "year_acquired")
    quantity = {"rows": Count("pk"), "quantity": Coalesce(Sum("quantity"), 0)}
    assert _summaries(DeviceSummary, devices, "rows", "quantity") == _grouped(
        EndDevice, devices, **quantity
    ), step
    infra = ("device_type", "condition")
    assert _summaries(InfraSummary, infra, "rows", "quantity") == _grouped(InfraDevice, infra, **quantity), (
        step
    )
    software = ("category", "security_level")
    assert _summaries(SoftwareSummary, software, "rows") == _grouped(Software, software, rows=Count("pk")), (
        step
    )
    assert _links_summary() == _links_direct(), step
    # The campaigns' rollups: the same grouping per campaign, no group left at zero.
    for rollup, rows, groups, values in (
        (DeviceRollup, EndDevice, devices, quantity),
        (InfraRollup, InfraDevice, infra, quantity),
        (SoftwareRollup, Software, software, {"rows": Count("pk")}),
    ):
        by_campaign = (
            rows.objects.order_by().values_list("assignment__campaign_id", *groups).annotate(**values)
        )
        rolled = rollup.objects.values_list("campaign_id", *groups, *values)
        assert sorted(rolled, key=repr) == sorted(by_campaign, key=repr), f"{rollup.__name__}: {step}"
    # The counts by column ("Thống kê theo cột") of every countable column of each version.
    per_unit, per_campaign = _column_counts_direct()
    assert _column_counts_kept(ColumnCount, "assignment_id") == per_unit, f"ColumnCount: {step}"
    assert _column_counts_kept(ColumnRollup, "campaign_id") == per_campaign, f"ColumnRollup: {step}"


# --- the random changes ----------------------------------------------------------------------------


def _varied(rng: random.Random, assignment: Assignment):
    """A variation of the sample: some rows dropped, quantities, conditions, OS and years changed."""
    b05 = get_appendix("2026.1").sheet("B05")
    oses = (*b05.column("os").choices, None)
    conditions = b05.column("condition").choices
    levels = (*get_appendix("2026.1").sheet("B04").column("security_level").choices, None)

    def vary(data):
        for code in ("B02", "B03", "B04", "B05"):
            data[code] = [row for row in data[code] if rng.random() < 0.7]
        for row in data["B05"]:
            row["quantity"] = rng.randint(1, 40)
            row["condition"] = rng.choice(conditions)
            row["year_acquired"] = rng.choice((2012, 2016, 2019, 2023, 2025))
            if row["device_type"] in ("Máy tính để bàn", "Máy tính xách tay"):
                row["os"] = rng.choice(oses)
        for row in data["B03"]:
            row["quantity"] = rng.randint(1, 9)
        for row in data["B04"]:
            row["security_level"] = rng.choice(levels)
        for row in data["B02"]:
            row["bandwidth_mbps"] = rng.choice((8, 20, 45.5, 120, 300))
            row["quantity"] = rng.randint(1, 3)

    return data_for(assignment.unit, vary)


def _import(rng, assignment, editor) -> str:
    store(assignment, _varied(rng, assignment))
    return f"import {assignment}"


def _rows(assignment, code):
    return list(storage.records(appendix_for(assignment).sheet(code), assignment=assignment))


def _edit(rng, assignment, editor) -> str:
    code = rng.choice(("B02", "B03", "B04", "B05"))
    rows = _rows(assignment, code)
    if not rows:
        return "edit: no row"
    record = rng.choice(rows)
    sheet = appendix_for(assignment).sheet(code)
    raw = {
        key: "" if value is None else str(value) for key, value in storage.read_values(record, sheet).items()
    }
    if code == "B04":
        raw["security_level"] = rng.choice(("Cấp độ 1", "Cấp độ 3", ""))
    else:
        raw["quantity"] = str(rng.randint(1, 50))
    if code == "B05":
        raw["condition"] = rng.choice(sheet.column("condition").choices)
    result = services.save_record(assignment, code, raw, row_id=record.pk, actor=editor)
    return f"edit {code} #{record.pk} of {assignment}: {'saved' if result.saved else 'refused'}"


def _delete(rng, assignment, editor) -> str:
    code = rng.choice(("B02", "B03", "B04", "B05"))
    rows = _rows(assignment, code)
    if not rows:
        return "delete: no row"
    record = rng.choice(rows)
    services.delete_row(assignment, code, record.pk, None, actor=editor)
    return f"delete {code} #{record.pk} of {assignment}"


def _copy(rng, assignment, editor) -> str:
    code = rng.choice(("B02", "B03", "B04", "B05"))
    rows = _rows(assignment, code)
    if not rows:
        return "copy: no row"
    record = rng.choice(rows)
    services.duplicate_row(assignment, code, record.pk, actor=editor)
    return f"copy {code} #{record.pk} of {assignment}"


def _carry_forward(rng, assignment, editor) -> str:
    following = Assignment.objects.get(campaign__code="RS2027", unit=assignment.unit)
    try:
        workflow.carry_forward(following, editor)
    except workflow.WorkflowError:
        return f"carry forward refused for {following}"
    if rng.random() < 0.5:
        services.confirm_carried_forward(following, actor=editor)
    return f"carry forward into {following}"


def _switch_version(rng, assignment, editor) -> str:
    following = Campaign.objects.get(code="RS2027")
    if campaign_services.has_data(following):
        return "version kept: the following campaign has data"
    following.appendix_version = "2026.1" if following.appendix_version == v2026_2.CODE else v2026_2.CODE
    following.save()
    return f"version of RS2027 now {following.appendix_version}"


OPERATIONS = (_import, _edit, _edit, _delete, _copy, _carry_forward, _switch_version)


def _all_summaries() -> list[list[tuple]]:
    tables = (
        DeviceSummary,
        InfraSummary,
        SoftwareSummary,
        LinkSummary,
        DeviceRollup,
        InfraRollup,
        SoftwareRollup,
        ColumnCount,
        ColumnRollup,
    )
    skip = {"id"}
    return [
        sorted(
            model.objects.values_list(*[f.attname for f in model._meta.fields if f.name not in skip]),
            key=repr,
        )
        for model in tables
    ]


@pytest.fixture
def campaigns(campaign):
    """RS2026 with the units' data (two submitted), and RS2027 following it on appendix 2026.2."""
    v2026_2.stored_version()
    editor = make_user("bien_tap_vien", "editor", "LC")
    for code in UNITS:
        assignment = Assignment.objects.get(campaign=campaign, unit__code=code)
        store(assignment, data_for(assignment.unit))
        if code in SUBMITTED:
            workflow.submit(assignment, editor, acknowledge_warnings=True)
    following = create_campaign(
        code="RS2027",
        title="Rà soát 2027",
        deadline=datetime.date(2027, 7, 31),
        reference_date=datetime.date(2027, 6, 30),
        appendix_version=v2026_2.CODE,
        previous=campaign,
    )
    return campaign, following, editor


@pytest.mark.parametrize("seed", SEEDS)
def test_summaries_equal_direct_grouping_after_random_changes(campaigns, seed):
    campaign, following, editor = campaigns
    rng = random.Random(seed)
    assert_summaries_equal_rows("after setup")
    # The version of RS2027 may change while none of its units has data: once or twice, at random.
    done = [_switch_version(rng, None, editor) for _time in range(rng.randint(1, 2))]
    assert all(step.startswith("version of RS2027") for step in done)
    for _step in range(STEPS):
        operation = rng.choice(OPERATIONS)
        if operation in (_import, _edit, _delete, _copy) and rng.random() < 0.3:
            assignment = Assignment.objects.get(campaign=campaign, unit__code=UNITS[2])
        elif operation in (_import, _edit, _delete, _copy):
            assignment = Assignment.objects.get(campaign=following, unit__code=rng.choice(UNITS))
        else:
            assignment = Assignment.objects.get(campaign=campaign, unit__code=rng.choice(SUBMITTED))
        done.append(operation(rng, assignment, editor))
        assert_summaries_equal_rows(" → ".join(done))
    # Rebuilding everything at once (the data migration, `rebuild`) gives the same tables.
    kept = _all_summaries()
    rebuild()
    assert _all_summaries() == kept
    assert any(step.startswith("import") for step in done)
    assert any(step.endswith("saved") for step in done)
    assert DeviceSummary.objects.exists() and LinkSummary.objects.exists()
    # Both campaigns were counted, each by the columns of its own version.
    counted = set(ColumnCount.objects.values_list("assignment__campaign__code", "sheet").distinct())
    assert {("RS2026", "B05"), ("RS2027", "B05")} <= counted


def test_rollups_lose_the_groups_of_a_deleted_assignment(campaigns):
    campaign, following, editor = campaigns
    assignment = Assignment.objects.get(campaign=campaign, unit__code=UNITS[2])
    assert DeviceSummary.objects.filter(assignment=assignment).exists()
    assignment.delete()
    assert_summaries_equal_rows("after deleting an assignment with data")


def test_rebuild_command_repairs_summaries_written_around_the_services(campaigns):
    from django.core.management import call_command

    from rasoat.audit.models import AuditEntry

    campaign, following, editor = campaigns
    EndDevice.objects.filter(assignment__campaign=campaign).update(quantity=7)  # SQL around the services
    with pytest.raises(AssertionError):
        assert_summaries_equal_rows("written around the services")
    call_command("rebuild_summaries", "RS2026")
    assert_summaries_equal_rows("after rasoat rebuild_summaries RS2026")
    assert AuditEntry.objects.filter(action="summaries.rebuilt").count() == 1

"""Per-campaign rollups of the B05 summaries, kept by adding each change's difference.

A unit's change replaces its `DeviceSummary` rows; the campaign's `DeviceRollup` receives the
difference (new groups minus old, per group) in one upsert whose rows come in the order of their
keys, so two concurrent changes of one campaign lock the groups they share in the same order
(no deadlock). Groups that fall to zero rows are deleted. `rebuild_campaign` recomputes a
campaign's rollup from its summaries (the data migration, `rebuild`).
"""

from __future__ import annotations

import json

from django.db import connection
from django.db.models import Sum

from rasoat.summaries.models import DeviceRollup, DeviceSummary

GROUPS = ("device_type", "condition", "os", "year_acquired")


def group_key(values: tuple) -> str:
    """The text naming a group of four values (NULL included) for the unique (campaign, key)."""
    return json.dumps(list(values), ensure_ascii=False)


def unit_groups(assignment_id: int) -> dict[tuple, tuple[int, int]]:
    """The assignment's B05 summary: group → (rows, quantity)."""
    rows = DeviceSummary.objects.filter(assignment_id=assignment_id).values_list(*GROUPS, "rows", "quantity")
    return {tuple(row[:4]): (row[4], row[5]) for row in rows}


def apply_device_change(campaign_id: int, before: dict, after: dict) -> None:
    """Add `after - before` (two `unit_groups`) to the campaign's rollup, in the order of the keys."""
    delta = {}
    for group in before.keys() | after.keys():
        old_rows, old_quantity = before.get(group, (0, 0))
        new_rows, new_quantity = after.get(group, (0, 0))
        if (new_rows - old_rows, new_quantity - old_quantity) != (0, 0):
            delta[group_key(group)] = (group, new_rows - old_rows, new_quantity - old_quantity)
    if not delta:
        return
    quote = connection.ops.quote_name
    table = quote(DeviceRollup._meta.db_table)
    columns = ", ".join(quote(c) for c in ("campaign_id", "key", *GROUPS, "rows", "quantity"))
    rows_, quantity_ = quote("rows"), quote("quantity")
    values = []
    params = []
    for key in sorted(delta):
        group, rows, quantity = delta[key]
        values.append("(%s, %s, %s, %s, %s, %s, %s, %s)")
        params += [campaign_id, key, *group, rows, quantity]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {', '.join(values)} "
            f"ON CONFLICT ({quote('campaign_id')}, {quote('key')}) DO UPDATE SET "
            f"{rows_} = {table}.{rows_} + excluded.{rows_}, "
            f"{quantity_} = {table}.{quantity_} + excluded.{quantity_}",
            params,
        )
    DeviceRollup.objects.filter(campaign_id=campaign_id, key__in=list(delta), rows=0).delete()


def rebuild_campaign(campaign_id: int, get_model=None) -> None:
    """Recompute the campaign's rollup from its units' summaries."""
    rollup = get_model("summaries", "DeviceRollup") if get_model else DeviceRollup
    summary = get_model("summaries", "DeviceSummary") if get_model else DeviceSummary
    rollup.objects.filter(campaign_id=campaign_id).delete()
    grouped = (
        summary.objects.filter(assignment__campaign_id=campaign_id)
        .order_by()
        .values_list(*GROUPS)
        .annotate(r=Sum("rows"), q=Sum("quantity"))
    )
    rollup.objects.bulk_create(
        rollup(
            campaign_id=campaign_id,
            key=group_key(tuple(row[:4])),
            **dict(zip(GROUPS, row[:4], strict=True)),
            rows=row[4],
            quantity=row[5],
        )
        for row in grouped
    )

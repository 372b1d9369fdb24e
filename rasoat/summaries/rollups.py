"""Per-campaign rollups of the B03, B04 and B05 summaries, kept by adding each change's difference.

A unit's change replaces its summary rows; each family's campaign rollup receives the difference
(new groups minus old, per group) in one upsert whose rows come in the order of their keys, so two
concurrent changes of one campaign lock the groups they share in the same order (no deadlock).
Groups that fall to zero rows are deleted. `rebuild_campaign` recomputes a campaign's rollups from
its summaries (the data migration, `services.rebuild`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import Sum


@dataclass(frozen=True)
class Family:
    """A summary table, its per-campaign rollup, the grouped columns and the summed ones."""

    summary: str
    rollup: str
    groups: tuple[str, ...]
    values: tuple[str, ...]


FAMILIES = (
    Family(
        "DeviceSummary",
        "DeviceRollup",
        ("device_type", "condition", "os", "year_acquired"),
        ("rows", "quantity"),
    ),
    Family("InfraSummary", "InfraRollup", ("device_type", "condition"), ("rows", "quantity")),
    Family("SoftwareSummary", "SoftwareRollup", ("category", "security_level"), ("rows",)),
)


def _model(name: str, get_model=None):
    if get_model is not None:
        return get_model("summaries", name)
    from django.apps import apps

    return apps.get_model("summaries", name)


def group_key(values: tuple) -> str:
    """The text naming a group's values (NULL included) for the unique (campaign, key)."""
    return json.dumps(list(values), ensure_ascii=False)


def unit_groups(family: Family, assignment_id: int) -> dict[tuple, tuple]:
    """The assignment's summary of the family: group → summed values."""
    rows = (
        _model(family.summary)
        .objects.filter(assignment_id=assignment_id)
        .values_list(*family.groups, *family.values)
    )
    size = len(family.groups)
    return {tuple(row[:size]): tuple(row[size:]) for row in rows}


def apply_change(family: Family, campaign_id: int, before: dict, after: dict) -> None:
    """Add `after - before` (two `unit_groups`) to the campaign's rollup, in the order of the keys."""
    zero = (0,) * len(family.values)
    delta = {}
    for group in before.keys() | after.keys():
        old, new = before.get(group, zero), after.get(group, zero)
        change = tuple(n - o for n, o in zip(new, old, strict=True))
        if change != zero:
            delta[group_key(group)] = (group, change)
    if not delta:
        return
    rollup = _model(family.rollup)
    quote = connection.ops.quote_name
    table = quote(rollup._meta.db_table)
    names = ("campaign_id", "key", *family.groups, *family.values)
    placeholders = "(" + ", ".join(["%s"] * len(names)) + ")"
    params = []
    for key in sorted(delta):
        group, change = delta[key]
        params += [campaign_id, key, *group, *change]
    added = ", ".join(f"{quote(v)} = {table}.{quote(v)} + excluded.{quote(v)}" for v in family.values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(quote(n) for n in names)}) "
            f"VALUES {', '.join([placeholders] * len(delta))} "
            f"ON CONFLICT ({quote('campaign_id')}, {quote('key')}) DO UPDATE SET {added}",
            params,
        )
    rollup.objects.filter(campaign_id=campaign_id, key__in=list(delta), rows=0).delete()


def rebuild_campaign(campaign_id: int, get_model=None, families: tuple[Family, ...] = FAMILIES) -> None:
    """Recompute the campaign's rollups (of `families`) from its units' summaries."""
    for family in families:
        rollup, summary = _model(family.rollup, get_model), _model(family.summary, get_model)
        rollup.objects.filter(campaign_id=campaign_id).delete()
        size = len(family.groups)
        grouped = (
            summary.objects.filter(assignment__campaign_id=campaign_id)
            .order_by()
            .values_list(*family.groups)
            .annotate(**{f"total_{v}": Sum(v) for v in family.values})
        )
        rollup.objects.bulk_create(
            rollup(
                campaign_id=campaign_id,
                key=group_key(tuple(row[:size])),
                **dict(zip(family.groups, row[:size], strict=True)),
                **dict(zip(family.values, row[size:], strict=True)),
            )
            for row in grouped
        )

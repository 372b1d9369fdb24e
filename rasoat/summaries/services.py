"""Keeping the summaries equal to the sheet rows: delete a unit's summary rows and re-insert them
from one GROUP BY over that unit's rows, per family, as `INSERT … SELECT` (no row goes through Python).

`on_data_changed` runs inside the transaction of every change of a unit's data, so a reader sees
the rows and their summaries change together. `rebuild` does the same for many assignments at once
(a campaign, the whole database: the data migration and `rasoat rebuild_summaries`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

TSLCD = "Mạng truyền số liệu chuyên dùng (TSLCD)"
"""The B02 link type of the special-purpose network (the same label as dashboard.figures.TSLCD)."""


def _quantity() -> Coalesce:
    return Coalesce(Sum("quantity"), 0)


def _mbps(condition: Q) -> Sum:
    return Sum(F("bandwidth_mbps") * F("quantity"), filter=condition, output_field=DecimalField())


@dataclass(frozen=True)
class Family:
    """One summary table: the sheet it groups, the grouped columns and the aggregates (in the order
    of the table's columns after them)."""

    target: str
    sheet_model: str
    groups: tuple[str, ...]
    aggregates: Callable[[], dict]

    def grouped(self, rows: QuerySet) -> QuerySet:
        return rows.order_by().values("assignment_id", *self.groups).annotate(**self.aggregates())


FAMILIES = (
    Family(
        "DeviceSummary",
        "EndDevice",
        ("device_type", "condition", "os", "year_acquired"),
        lambda: {"rows": Count("pk"), "quantity": _quantity()},
    ),
    Family(
        "InfraSummary",
        "InfraDevice",
        ("device_type", "condition"),
        lambda: {"rows": Count("pk"), "quantity": _quantity()},
    ),
    Family("SoftwareSummary", "Software", ("category", "security_level"), lambda: {"rows": Count("pk")}),
    Family(
        "LinkSummary",
        "NetworkLink",
        (),
        lambda: {
            "internet_mbps": _mbps(~Q(link_type=TSLCD)),
            "tslcd_mbps": _mbps(Q(link_type=TSLCD)),
            "tslcd_rows": Count("pk", filter=Q(link_type=TSLCD)),
        },
    ),
)


def _models(get_model) -> list[tuple[Family, type, type]]:
    return [(f, get_model("summaries", f.target), get_model("inventory", f.sheet_model)) for f in FAMILIES]


def _live_model(app_label: str, name: str):
    from django.apps import apps

    return apps.get_model(app_label, name)


def _insert_select(family: Family, target, source, assignments=None) -> None:
    """Insert the grouped rows of `source` for `assignments` (ids, or a queryset of them; None: all)
    into `target`."""
    rows = (
        source.objects.all() if assignments is None else source.objects.filter(assignment_id__in=assignments)
    )
    select = family.grouped(rows)
    sql, params = select.query.sql_with_params()
    names = ["assignment_id", *family.groups, *family.aggregates()]
    columns = ", ".join(connection.ops.quote_name(target._meta.get_field(n).column) for n in names)
    table = connection.ops.quote_name(target._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)


def refresh(assignment_ids: Iterable[int]) -> None:
    """Replace the summaries of the assignments by the grouping of their rows as they are now,
    and add the difference to their campaigns' rollups."""
    from rasoat.campaigns.models import Assignment
    from rasoat.summaries import columns, rollups

    ids = list(assignment_ids)
    if not ids:
        return
    with transaction.atomic():
        before = {(f, pk): rollups.unit_groups(f, pk) for f in rollups.FAMILIES for pk in ids}
        for family, target, source in _models(_live_model):
            target.objects.filter(assignment_id__in=ids).delete()
            _insert_select(family, target, source, ids)
        assignments = Assignment.objects.filter(pk__in=ids)
        found = list(assignments.values_list("pk", "campaign_id", "campaign__appendix_version"))
        campaigns = {pk: campaign for pk, campaign, _version in found}
        for (family, pk), groups in before.items():
            rollups.apply_change(family, campaigns[pk], groups, rollups.unit_groups(family, pk))
        columns.refresh(list(campaigns), {pk: version for pk, _c, version in found}, campaigns)


def rebuild(assignments: QuerySet | None = None, get_model=_live_model) -> None:
    """Recompute the summaries of every assignment in `assignments` (all when None), in one
    statement per family whatever their number, then the rollups of their campaigns."""
    from rasoat.summaries import columns, rollups

    campaign_model = get_model("campaigns", "Campaign")
    if assignments is None:
        campaign_ids = list(campaign_model.objects.values_list("pk", flat=True))
    else:
        campaign_ids = list(assignments.order_by().values_list("campaign_id", flat=True).distinct())
    with transaction.atomic():
        for family, target, source in _models(get_model):
            if assignments is None:
                target.objects.all().delete()
                _insert_select(family, target, source)
            else:
                ids = assignments.order_by().values("pk")
                target.objects.filter(assignment_id__in=ids).delete()
                _insert_select(family, target, source, ids)
        for campaign_id in campaign_ids:
            rollups.rebuild_campaign(campaign_id, None if get_model is _live_model else get_model)
        if get_model is _live_model:
            # The counts by column need the appendix declarations of today's code: a migration
            # filling the older families (with models of its time) leaves them to their own one.
            columns.rebuild(assignments, campaign_ids)


def on_assignment_deleted(sender, instance, **kwargs) -> None:
    """Receiver of `pre_delete` of an assignment: its summaries go with it (cascade), so its groups
    are taken out of its campaign's rollups first."""
    from rasoat.summaries import columns, rollups

    for family in (*rollups.FAMILIES, columns.FAMILY):
        rollups.apply_change(family, instance.campaign_id, rollups.unit_groups(family, instance.pk), {})


def on_data_changed(sender, assignment, **kwargs) -> None:
    """Receiver of `inventory.signals.data_changed`: the unit's summaries follow its rows."""
    refresh([assignment.pk])


def on_campaign_saving(sender, instance, **kwargs) -> None:
    """Receiver of `pre_save` of a campaign: note the appendix version it had, so that
    `on_campaign_saved` knows whether its counts by column must follow a new one."""
    if instance.pk is None:  # a new campaign has no counts yet
        return
    stored = sender.objects.filter(pk=instance.pk).values_list("appendix_version", flat=True).first()
    instance._stored_appendix_version = stored


def on_campaign_saved(sender, instance, created, **kwargs) -> None:
    """Receiver of `post_save` of a campaign: a campaign pinned to another version counts the
    columns of that version (a version changes only while the campaign holds no data, so this
    reads few rows)."""
    from rasoat.campaigns.models import Assignment
    from rasoat.summaries import columns

    if created or getattr(instance, "_stored_appendix_version", None) == instance.appendix_version:
        return
    with transaction.atomic():
        columns.rebuild(Assignment.objects.filter(campaign=instance), [instance.pk])

"""The dashboard's queries on the per-unit summaries (rasoat/summaries) against the same queries
directly over the sheet rows, for bench/national.py (issue 10: each under 100 ms on PostgreSQL).

Not a benchmark of its own (bench/__main__.py skips it): national.py calls `compare_summaries`
on its committed, vacuumed national data.
"""

from bench.common import paired as paired_ratios
from bench.common import timed

ROUNDS = 7

SUMMARY_TARGET = 0.100
"""Issue 10: every dashboard query and drill-down total under 100 ms on PostgreSQL."""


def _summary_contenders(campaign, today):
    """(name, query over the summaries, the same query directly over the sheet rows), each a
    function of the scoped assignments that runs its query to the end."""
    from django.db.models import Count, Sum
    from django.db.models.functions import Coalesce

    from rasoat.dashboard import figures
    from rasoat.inventory.models import EndDevice, InfraDevice, Software

    quantity = {"q": Coalesce(Sum("quantity"), 0)}

    def grouped(queryset, *columns, **aggregates):
        return lambda: list(queryset.order_by().values(*columns).annotate(**aggregates))

    def pair(name, summary, direct):
        return name, summary, direct

    return [
        pair(
            "B05 by type and condition",
            lambda a: grouped(figures.device_rows(a, campaign), "device_type", "condition", **quantity)(),
            lambda a: grouped(figures.rows_of(EndDevice, a), "device_type", "condition", **quantity)(),
        ),
        pair(
            "computers by OS",
            lambda a: grouped(figures.computer_summaries(a, campaign), "os", **quantity)(),
            lambda a: grouped(figures.computers(a), "os", **quantity)(),
        ),
        pair(
            "computers by age band",
            lambda a: grouped(
                figures.computer_summaries(a, campaign).annotate(band=figures.age_band(campaign)),
                "band",
                **quantity,
            )(),
            lambda a: grouped(
                figures.computers(a).annotate(band=figures.age_band(campaign)), "band", **quantity
            )(),
        ),
        pair(
            "computers by support state",
            lambda a: grouped(
                figures.computer_summaries(a, campaign).annotate(state=figures.support_state(campaign)),
                "state",
                **quantity,
            )(),
            lambda a: grouped(
                figures.computers(a).annotate(state=figures.support_state(campaign)), "state", **quantity
            )(),
        ),
        pair(
            "drill-down total: out of support",
            lambda a: (
                figures.computer_summaries(a, campaign)
                .filter(figures.support_q(campaign, "out"))
                .aggregate(n=Sum("rows"), q=Sum("quantity"))
            ),
            lambda a: (
                figures.computers(a)
                .filter(figures.support_q(campaign, "out"))
                .aggregate(n=Count("pk"), q=Sum("quantity"))
            ),
        ),
        pair(
            "B03 by type and condition",
            lambda a: grouped(
                figures.grouped_rows("B03", a, campaign), "device_type", "condition", **quantity
            )(),
            lambda a: grouped(figures.rows_of(InfraDevice, a), "device_type", "condition", **quantity)(),
        ),
        pair(
            "B04 by category",
            lambda a: grouped(figures.grouped_rows("B04", a, campaign), "category", n=Sum("rows"))(),
            lambda a: grouped(figures.rows_of(Software, a), "category", n=Count("pk"))(),
        ),
        pair(
            "Internet bandwidth bands (per-unit totals)",
            lambda a: figures.summary_totals(a, "internet").aggregate(t=Sum("mbps"), n=Count("assignment")),
            lambda a: figures.unit_totals(a, "internet").aggregate(t=Sum("mbps"), n=Count("assignment")),
        ),
    ]


def compare_summaries(campaign, user, label: str) -> None:
    """Each switched query on the summaries against the same query over the rows, alternated round
    by round (bench.common.paired: the median of the paired ratios summary ÷ direct)."""
    from rasoat.campaigns.models import Assignment

    scoped = Assignment.objects.visible_to(user, "dashboard:view").filter(campaign=campaign)
    for name, summary, direct in _summary_contenders(campaign, campaign.deadline):
        value, base, ratio = paired_ratios(
            # A fresh queryset per run, as per request: the whole-campaign check is timed too.
            timed(lambda summary=summary: summary(scoped.all())),
            timed(lambda direct=direct: direct(scoped.all())),
            ROUNDS,
        )
        verdict = "ok" if value < SUMMARY_TARGET else f"MISSED (target < {SUMMARY_TARGET * 1000:.0f} ms)"
        print(
            f"{label + ': ' + name + ', summary ÷ rows':<60} {value * 1000:8.1f} ms"
            f"  rows {base * 1000:8.1f} ms  median paired ratio {ratio:5.3f}  {verdict}"
        )

"""The dashboard's figures, each computed in SQL over a queryset of scoped assignments.

Every function takes the assignments the user may see (already filtered) and runs one grouped
query (`values().annotate()`), whatever the number of units: the Python that follows only shapes
a handful of grouped rows. The figures over sheet rows read the per-unit summaries
(rasoat/summaries: narrow tables grouped by the same columns, kept with the data), whose
columns carry the sheet's names and values, so the same filters apply to both.
The drill-down (`drilldown.py`) filters rows with the same expressions (`age_q`, `support_q`,
`in_band`, `timeliness_q`, `with_data`), so the rows behind a figure always add up to it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rasoat.appendix import v2026_1 as appendix
from rasoat.appendix.declaration import get_appendix
from rasoat.campaigns.models import Assignment, Campaign, Status
from rasoat.dashboard.charts import NONE, Category, Chart, Series, categories_of, one_series
from rasoat.dashboard.support import unsupported_os
from rasoat.inventory.models import EndDevice, GeneralInfo, NetworkLink
from rasoat.summaries.coverage import whole_campaign
from rasoat.summaries.models import (
    DeviceRollup,
    DeviceSummary,
    InfraRollup,
    InfraSummary,
    LinkSummary,
    SoftwareRollup,
    SoftwareSummary,
)

SUBMITTED = (Status.SUBMITTED, Status.ACCEPTED)
"""Statuses in which a submission stands (a returned one is back with the unit)."""
TSLCD = "Mạng truyền số liệu chuyên dùng (TSLCD)"
COMPUTERS = (appendix.DESKTOP, appendix.LAPTOP)
"""Labels the assessment relies on: every version keeps them (appendix.contract)."""
UNKNOWN_OS = "Khác"


def choices_of(campaign: Campaign, sheet: str, key: str) -> tuple[str, ...]:
    """The labels of a column in the campaign's appendix version, in its order (a version may add
    labels, so the figures and their whitelists never take them from 2026.1)."""
    declared = get_appendix(campaign.appendix_version)
    if not declared.has_sheet(sheet) or not declared.sheet(sheet).has_column(key):
        return ()
    return declared.sheet(sheet).column(key).choices


def nullable(field_name: str, value: str) -> Q:
    """The filter for one category value of a column (NONE = the empty cells)."""
    return Q(**{f"{field_name}__isnull": True}) if value == NONE else Q(**{field_name: value})


# --- progress --------------------------------------------------------------------------------------


def deadline_cutoff(campaign: Campaign) -> datetime.datetime:
    """The first instant after the deadline day in local time: a submission from then on is late."""
    day = campaign.deadline + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


TIMELINESS = {
    "on_time": _("Submitted on time"),
    "late": _("Submitted late"),
    "overdue": _("Not submitted, past the deadline"),
    "pending": _("Not submitted yet"),
}


def timeliness_q(value: str, campaign: Campaign, today: datetime.date) -> Q:
    """Assignments in one timeliness state ("on_time", "late", "overdue", "pending")."""
    cutoff = deadline_cutoff(campaign)
    submitted = Q(status__in=SUBMITTED)
    past = today > campaign.deadline
    return {
        "on_time": submitted & ~Q(submitted_at__gte=cutoff),
        "late": submitted & Q(submitted_at__gte=cutoff),
        "overdue": ~submitted if past else Q(pk__in=[]),
        "pending": Q(pk__in=[]) if past else ~submitted,
    }[value]


@dataclass
class Progress:
    """Counts per status, on time/late, and the days left (negative: past the deadline)."""

    counts: dict[str, int]
    total: int
    submitted: int
    on_time: int
    late: int
    overdue: int
    pending: int
    days_left: int

    def status_chart(self) -> Chart:
        categories = [Category(status, label) for status, label in Status.choices]
        data = [self.counts[status] for status, _label in Status.choices]
        return Chart(
            "status", _("Units by status"), "bar", _("Units"), categories, [Series(None, _("Units"), data)]
        )

    def timeliness_chart(self) -> Chart:
        values = {
            "on_time": self.on_time,
            "late": self.late,
            "overdue": self.overdue,
            "pending": self.pending,
        }
        categories = [Category(key, label) for key, label in TIMELINESS.items()]
        data = [values[key] for key in TIMELINESS]
        return Chart(
            "timeliness", _("Submissions and the deadline"), "doughnut", _("Units"), categories,
            [Series(None, _("Units"), data)],
        )  # fmt: skip


def progress(assignments: QuerySet[Assignment], campaign: Campaign, today: datetime.date) -> Progress:
    """Counts per status and per timeliness, in one grouped query."""
    cutoff = deadline_cutoff(campaign)
    rows = (
        assignments.order_by()
        .values("status")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(submitted_at__gte=cutoff)))
    )
    counts = dict.fromkeys(Status.values, 0)
    late = 0
    for row in rows:
        counts[row["status"]] = row["n"]
        if row["status"] in SUBMITTED:
            late += row["late"]
    total = sum(counts.values())
    submitted = sum(counts[status] for status in SUBMITTED)
    past = today > campaign.deadline
    return Progress(
        counts=counts,
        total=total,
        submitted=submitted,
        on_time=submitted - late,
        late=late,
        overdue=total - submitted if past else 0,
        pending=0 if past else total - submitted,
        days_left=(campaign.deadline - today).days,
    )


def late_assignments(assignments: QuerySet[Assignment], campaign: Campaign, today: datetime.date):
    """Units late for the campaign: not submitted after the deadline, or submitted late."""
    condition = timeliness_q("late", campaign, today) | timeliness_q("overdue", campaign, today)
    return (
        assignments.filter(condition)
        .select_related("campaign", "unit", "unit__commune", "general_info")
        .order_by("unit__level", "unit__commune__name", "unit__position", "unit__code")
    )


def attach_contacts(assignments: list[Assignment]) -> None:
    """Give each assignment `.contacts`: [(name, phone)] from B01, else the editors of its unit.

    For a page of units: one query for the editors of all the units that lack a B01 contact.
    An editor of the whole province is nobody's contact person, so the root is left out.
    """
    from rasoat.orgs.models import Membership
    from rasoat.orgs.roles import Role

    missing = []
    for assignment in assignments:
        general = getattr(assignment, "general_info", None) if _has_general(assignment) else None
        if general is not None and (general.contact_name or general.contact_phone):
            assignment.contacts = [(general.contact_name or "", general.contact_phone or "")]
        else:
            assignment.contacts = []
            missing.append(assignment)
    if not missing:
        return
    ids = {pk for a in missing for pk in [*a.unit.ancestor_ids[1:], a.unit.pk]}
    editors = list(
        Membership.objects.filter(unit_id__in=ids, role=Role.EDITOR, user__is_active=True)
        .select_related("user", "unit")
        .order_by("user__full_name", "user__username")
    )
    for assignment in missing:
        assignment.contacts = [
            (str(m.user), m.user.phone) for m in editors if assignment.unit.path.startswith(m.unit.path)
        ]


def _has_general(assignment: Assignment) -> bool:
    try:
        assignment.general_info  # noqa: B018 (reverse one-to-one: raises when absent)
    except GeneralInfo.DoesNotExist:
        return False
    return True


# --- devices ---------------------------------------------------------------------------------------


def rows_of(model, assignments: QuerySet[Assignment]) -> QuerySet:
    """The rows of one sheet that belong to the scoped assignments."""
    return model.objects.filter(assignment__in=assignments.order_by().values("pk"))


SUMMARY_MODELS = {"B03": InfraSummary, "B04": SoftwareSummary, "B05": DeviceSummary}
"""The per-unit summary of each sheet whose rows the figures group (rasoat/summaries)."""
ROLLUP_MODELS = {"B03": InfraRollup, "B04": SoftwareRollup, "B05": DeviceRollup}
"""The same summaries summed per campaign."""


def grouped_rows(sheet: str, assignments: QuerySet[Assignment], campaign: Campaign) -> QuerySet:
    """The groups of a sheet's rows (B03, B04, B05: the sheet's columns → rows, quantity) of the
    scoped assignments: the campaign's rollup when they are the whole campaign, else their
    per-unit summaries."""
    if whole_campaign(assignments, campaign):
        return ROLLUP_MODELS[sheet].objects.filter(campaign=campaign)
    return rows_of(SUMMARY_MODELS[sheet], assignments)


def device_rows(assignments: QuerySet[Assignment], campaign: Campaign) -> QuerySet:
    """The B05 groups (device_type, condition, os, year_acquired → rows, quantity)."""
    return grouped_rows("B05", assignments, campaign)


def devices(assignments: QuerySet[Assignment], sheet: str, campaign: Campaign) -> Chart:
    """B03 or B05 devices by type and condition (sum of quantities), stacked by condition."""
    known = choices_of(campaign, sheet, "device_type")
    rows = (
        grouped_rows(sheet, assignments, campaign)
        .order_by()
        .values("device_type", "condition")
        .annotate(q=Coalesce(Sum("quantity"), 0))
    )
    grid = {(row["device_type"], row["condition"]): row["q"] for row in rows}
    categories = categories_of(known, {t for t, _c in grid})
    conditions = categories_of(choices_of(campaign, sheet, "condition"), {c for _t, c in grid})
    series = []
    for condition in conditions:
        stored = None if condition.value == NONE else (condition.value or condition.label)
        data = [grid.get((None if c.value == NONE else (c.value or c.label), stored), 0) for c in categories]
        series.append(Series(condition.value, condition.label, data))
    title = _("Infrastructure devices (B03) by type and condition")
    if sheet == "B05":
        title = _("End-user devices (B05) by type and condition")
    return Chart(f"devices_{sheet}", title, "stacked", _("Quantity"), categories, series, second="condition")


def computers(assignments: QuerySet[Assignment]) -> QuerySet[EndDevice]:
    """B05 rows of desktops and laptops."""
    return rows_of(EndDevice, assignments).filter(device_type__in=COMPUTERS)


def computer_summaries(assignments: QuerySet[Assignment], campaign: Campaign) -> QuerySet:
    """The B05 groups of desktops and laptops (the same filter as `computers`)."""
    return device_rows(assignments, campaign).filter(device_type__in=COMPUTERS)


def computers_by_os(assignments: QuerySet[Assignment], campaign: Campaign) -> Chart:
    rows = (
        computer_summaries(assignments, campaign)
        .order_by()
        .values("os")
        .annotate(q=Coalesce(Sum("quantity"), 0))
    )
    counts = {row["os"]: row["q"] for row in rows}
    return one_series(
        "computer_os", _("Computers by operating system"), "bar", _("Computers"), counts,
        choices_of(campaign, "B05", "os"),
    )  # fmt: skip


AGE_BANDS = {
    "0-2": _("0–2 years"),
    "3-4": _("3–4 years"),
    "5-7": _("5–7 years"),
    "8+": _("8 years or more"),
    NONE: _("Year not stated"),
}


def age_q(campaign: Campaign, band: str) -> Q:
    """The B05 rows of one age band at the campaign's reference date, as ranges of the year column
    (plain comparisons that the planner can estimate, unlike a filter on a computed band)."""
    year = campaign.reference_date.year
    return {
        NONE: Q(year_acquired__isnull=True),
        "0-2": Q(year_acquired__gte=year - 2),
        "3-4": Q(year_acquired__gte=year - 4, year_acquired__lt=year - 2),
        "5-7": Q(year_acquired__gte=year - 7, year_acquired__lt=year - 4),
        "8+": Q(year_acquired__lt=year - 7),
    }[band]


def age_band(campaign: Campaign) -> Case:
    """The age band of a B05 row, built from `age_q` so the figure and its drill-down agree."""
    whens = [When(age_q(campaign, band), then=Value(band)) for band in AGE_BANDS]
    return Case(*whens, default=Value(NONE), output_field=CharField())


def computers_by_age(assignments: QuerySet[Assignment], campaign: Campaign) -> Chart:
    rows = (
        computer_summaries(assignments, campaign)
        .order_by()
        .annotate(band=age_band(campaign))
        .values("band")
        .annotate(q=Coalesce(Sum("quantity"), 0))
    )
    counts = {row["band"]: row["q"] for row in rows}
    categories = [Category(key, label) for key, label in AGE_BANDS.items() if key != NONE or counts.get(key)]
    data = [counts.get(c.value, 0) for c in categories]
    return Chart(
        "computer_age", _("Computers by age at the reference date"), "bar", _("Computers"), categories,
        [Series(None, _("Computers"), data)],
    )  # fmt: skip


SUPPORT_STATES = {
    "out": _("Out of support"),
    "in": _("Supported"),
    "unknown": _("Operating system unknown"),
}


def support_q(campaign: Campaign, state: str) -> Q:
    """Computers whose OS is "out" of support at the reference date, "unknown" (not stated or
    "Khác"), or "in" support (any other OS)."""
    ended = unsupported_os(campaign)
    return {
        "out": Q(os__in=ended),
        "unknown": (Q(os__isnull=True) | Q(os=UNKNOWN_OS)) & ~Q(os__in=ended),
        "in": Q(os__isnull=False) & ~Q(os__in=[*ended, UNKNOWN_OS]),
    }[state]


def support_state(campaign: Campaign) -> Case:
    """The support state of a computer, built from `support_q` so the figure and its drill-down agree."""
    whens = [When(support_q(campaign, state), then=Value(state)) for state in SUPPORT_STATES]
    return Case(*whens, default=Value("unknown"), output_field=CharField())


@dataclass
class SupportShare:
    chart: Chart
    out: int
    total: int
    unsupported: list[str]

    @property
    def share(self) -> float | None:
        """Per cent of computers out of support (None when there are no computers)."""
        return 100 * self.out / self.total if self.total else None


def computers_support(assignments: QuerySet[Assignment], campaign: Campaign) -> SupportShare:
    rows = (
        computer_summaries(assignments, campaign)
        .order_by()
        .annotate(state=support_state(campaign))
        .values("state")
        .annotate(q=Coalesce(Sum("quantity"), 0))
    )
    counts = {row["state"]: row["q"] for row in rows}
    categories = [Category(key, label) for key, label in SUPPORT_STATES.items()]
    data = [counts.get(key, 0) for key in SUPPORT_STATES]
    chart = Chart(
        "computer_support", _("Computers and vendor support of their operating system"), "doughnut",
        _("Computers"), categories, [Series(None, _("Computers"), data)],
    )  # fmt: skip
    return SupportShare(chart, counts.get("out", 0), sum(data), unsupported_os(campaign))


# --- connectivity ----------------------------------------------------------------------------------


def with_data(assignments: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """Assignments that hold data: every path that stores data (entry, import, carrying forward)
    moves a unit out of "not started" on its first write, so "started" is "has data" — and a
    status is one indexed column, where probing the six sheets per unit is not (national scale)."""
    return assignments.exclude(status=Status.NOT_STARTED)


def has_tslcd() -> Exists:
    """The assignment has a B02 row of the TSLCD (read from its B02 summary)."""
    return Exists(LinkSummary.objects.filter(assignment=OuterRef("pk"), tslcd_rows__gt=0))


TSLCD_STATES = {"without": _("Without TSLCD"), "with": _("With TSLCD")}


def tslcd(assignments: QuerySet[Assignment]) -> Chart:
    """Units with data, with and without a B02 row of the special-purpose network (TSLCD)."""
    totals = with_data(assignments).aggregate(n=Count("pk"), connected=Count("pk", filter=Q(has_tslcd())))
    data = [totals["n"] - totals["connected"], totals["connected"]]
    categories = [Category(key, label) for key, label in TSLCD_STATES.items()]
    return Chart(
        "tslcd", _("Units connected to the special-purpose network (TSLCD)"), "doughnut", _("Units"),
        categories, [Series(None, _("Units"), data)],
    )  # fmt: skip


INTERNET_EDGES = (50, 100, 300)
TSLCD_EDGES = (10, 20, 50)


def band_labels(edges: tuple[int, ...]) -> dict[str, str]:
    """Band value → label: "none" (no line), then "1".."n" between the edges."""
    labels = {"none": str(_("No line"))}
    low = None
    for i, edge in enumerate(edges, start=1):
        if low is None:
            labels[str(i)] = str(_("Under %(high)s Mbps") % {"high": edge})
        else:
            labels[str(i)] = str(_("%(low)s to under %(high)s Mbps") % {"low": low, "high": edge})
        low = edge
    labels[str(len(edges) + 1)] = str(_("%(low)s Mbps or more") % {"low": low})
    return labels


def band_bounds(edges: tuple[int, ...]) -> dict[str, tuple[int | None, int | None]]:
    """Band value → (lowest Mbps included, first Mbps excluded); "none" is not a range."""
    lows = (None, *edges)
    highs = (*edges, None)
    return {str(i): (low, high) for i, (low, high) in enumerate(zip(lows, highs, strict=True), start=1)}


def _lines(assignments: QuerySet[Assignment], kind: str) -> QuerySet[NetworkLink]:
    lines = rows_of(NetworkLink, with_data(assignments))
    return lines.filter(link_type=TSLCD) if kind == "tslcd" else lines.exclude(link_type=TSLCD)


def unit_totals(assignments: QuerySet[Assignment], kind: str) -> QuerySet:
    """Per assignment with data and lines of the kind: `mbps`, the sum of Mbps × number of lines.

    Grouped once over B02 (no subquery per unit), so the country's figure stays one scan of B02.
    """
    return (
        _lines(assignments, kind)
        .order_by()
        .values("assignment")
        .annotate(mbps=Sum(F("bandwidth_mbps") * F("quantity"), output_field=DecimalField()))
        .filter(mbps__gt=0)
    )


def summary_totals(assignments: QuerySet[Assignment], kind: str) -> QuerySet:
    """`unit_totals` read from the B02 summaries: per assignment with data, `mbps` of the kind."""
    field = "tslcd_mbps" if kind == "tslcd" else "internet_mbps"
    return rows_of(LinkSummary, with_data(assignments)).order_by().annotate(mbps=F(field)).filter(mbps__gt=0)


def in_band(assignments: QuerySet[Assignment], kind: str, band: str) -> QuerySet[Assignment]:
    """The assignments with data whose total bandwidth of the kind falls in `band` (for the drill-down)."""
    connected = summary_totals(assignments, kind)
    if band == "none":
        return with_data(assignments).exclude(pk__in=connected.values("assignment"))
    low, high = band_bounds(TSLCD_EDGES if kind == "tslcd" else INTERNET_EDGES)[band]
    if low is not None:
        connected = connected.filter(mbps__gte=low)
    if high is not None:
        connected = connected.filter(mbps__lt=high)
    return assignments.filter(pk__in=connected.values("assignment"))


def unit_mbps(kind: str) -> Coalesce:
    """Per assignment row: its total bandwidth of the kind (shown beside the units of a band)."""
    lines = NetworkLink.objects.filter(assignment=OuterRef("pk"))
    lines = lines.filter(link_type=TSLCD) if kind == "tslcd" else lines.exclude(link_type=TSLCD)
    total = (
        lines.order_by()
        .values("assignment")
        .annotate(t=Sum(F("bandwidth_mbps") * F("quantity"), output_field=DecimalField()))
        .values("t")
    )
    return Coalesce(Subquery(total), Value(Decimal(0)), output_field=DecimalField())


@dataclass
class Bandwidth:
    chart: Chart
    units: int
    connected: int
    total_mbps: Decimal

    @property
    def average(self) -> Decimal | None:
        """Average Mbps of the units that have at least one such line."""
        return self.total_mbps / self.connected if self.connected else None


def bandwidth(assignments: QuerySet[Assignment], kind: str = "internet") -> Bandwidth:
    """Units with data by band of their total Internet (or TSLCD) bandwidth, with the average.

    Two queries: the units with data, and the per-unit totals counted by band (Django puts the
    grouping per unit in a subquery and counts over it).
    """
    edges = TSLCD_EDGES if kind == "tslcd" else INTERNET_EDGES
    bounds = band_bounds(edges)
    counts = {}
    for band, (low, high) in bounds.items():
        condition = Q()
        if low is not None:
            condition &= Q(mbps__gte=low)
        if high is not None:
            condition &= Q(mbps__lt=high)
        counts[band] = Count("assignment", filter=condition) if condition else Count("assignment")
    totals = summary_totals(assignments, kind).aggregate(total=Sum("mbps"), **counts)
    units = with_data(assignments).count()
    connected = sum(totals[band] for band in bounds)
    labels = band_labels(edges)
    data = [units - connected, *(totals[band] for band in bounds)]
    categories = [Category(key, label) for key, label in labels.items()]
    title = _("Units by total Internet bandwidth")
    if kind == "tslcd":
        title = _("Units by total TSLCD bandwidth")
    chart = Chart(f"bandwidth_{kind}", title, "bar", _("Units"), categories, [Series(None, _("Units"), data)])
    return Bandwidth(chart, units, connected, Decimal(totals["total"] or 0))


# --- software --------------------------------------------------------------------------------------


def software(assignments: QuerySet[Assignment], column: str, campaign: Campaign) -> Chart:
    """B04 rows by category or by security level (a count of systems: B04 has no quantity)."""
    rows = grouped_rows("B04", assignments, campaign).order_by().values(column).annotate(n=Sum("rows"))
    counts = {row[column]: row["n"] for row in rows}
    known = choices_of(campaign, "B04", column)
    if column == "category":
        return one_series(
            "software_category", _("Platforms and software by category"), "bar", _("Systems"), counts, known
        )  # fmt: skip
    return one_series(
        "software_security", _("Platforms and software by security level"), "bar", _("Systems"), counts, known
    )  # fmt: skip

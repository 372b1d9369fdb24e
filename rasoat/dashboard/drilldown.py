"""The drill-down behind every figure: a fixed whitelist of figures, each naming the values it
accepts and the rows (units or sheet rows) that make up each value.

Nothing from the URL becomes a field name: the figure key picks an entry of FIGURES, and the value
must be one of that entry's values, else the page is a 404. The rows are filtered with the same
expressions as the figure (figures.py), so they add up to the number that was clicked.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from rasoat.appendix import v2026_1 as appendix
from rasoat.campaigns.models import Assignment, Campaign, Status
from rasoat.dashboard import assessed, figures
from rasoat.dashboard.charts import NONE, NOT_STATED
from rasoat.dashboard.figures import nullable
from rasoat.inventory.fields import STORAGE_APPENDIX
from rasoat.inventory.models import EndDevice, InfraDevice, Software
from rasoat.orgs.models import Block

UNITS = "units"
FINDINGS = "findings"

Rows = Callable[[QuerySet[Assignment], Campaign, str, "str | None", datetime.date], QuerySet]
Whitelist = Callable[[Campaign, dict[str, str]], dict[str, str]]
"""(campaign, the visible communes as {id: name}) → {accepted value: its label}."""


def _choices(values) -> Whitelist:
    """A whitelist from appendix labels (the stored values), plus the empty cell."""
    return lambda campaign, communes: {**{value: value for value in values}, NONE: str(NOT_STATED)}


def _fixed(labels: dict) -> Whitelist:
    return lambda campaign, communes: {key: str(label) for key, label in labels.items()}


@dataclass(frozen=True)
class Figure:
    """One drillable figure: where its rows come from and which values it accepts."""

    key: str
    title: str
    source: str  # UNITS, FINDINGS or a sheet code
    values: Whitelist
    rows: Rows
    second: tuple[str, str, Whitelist] | None = None
    """(GET parameter, its label, its whitelist) of an optional second dimension."""
    extra: tuple[tuple[str, str], ...] = ()
    """Columns shown after the unit: (attribute path on the row, header)."""


def _devices(model):
    def rows(assignments, campaign, value, second, today):
        selected = figures.rows_of(model, assignments).filter(nullable("device_type", value))
        return selected.filter(nullable("condition", second)) if second else selected

    return rows


def _bandwidth(kind: str):
    edges = figures.TSLCD_EDGES if kind == "tslcd" else figures.INTERNET_EDGES

    def rows(assignments, campaign, value, second, today):
        return figures.in_band(assignments, kind, value).annotate(mbps=figures.unit_mbps(kind))

    return rows, (lambda campaign, communes: figures.band_labels(edges))


_conditions = _choices(appendix.CONDITIONS)

FIGURES: dict[str, Figure] = {
    figure.key: figure
    for figure in [
        Figure(
            "status",
            _("Units by status"),
            UNITS,
            _fixed(dict(Status.choices)),
            lambda a, c, value, s, t: a.filter(status=value),
        ),
        Figure(
            "timeliness",
            _("Submissions and the deadline"),
            UNITS,
            _fixed(figures.TIMELINESS),
            lambda a, c, value, s, today: a.filter(figures.timeliness_q(value, c, today)),
        ),
        Figure(
            "devices_B03",
            _("Infrastructure devices (B03)"),
            "B03",
            _choices(appendix.INFRA_DEVICE_TYPES),
            _devices(InfraDevice),
            second=("condition", _("Condition"), _conditions),
        ),
        Figure(
            "devices_B05",
            _("End-user devices (B05)"),
            "B05",
            _choices(appendix.END_DEVICE_TYPES),
            _devices(EndDevice),
            second=("condition", _("Condition"), _conditions),
        ),
        Figure(
            "computer_os",
            _("Computers by operating system"),
            "B05",
            _choices(appendix.OPERATING_SYSTEMS),
            lambda a, c, value, s, t: figures.computers(a).filter(nullable("os", value)),
        ),
        Figure(
            "computer_age",
            _("Computers by age at the reference date"),
            "B05",
            _fixed(figures.AGE_BANDS),
            lambda a, c, value, s, t: figures.computers(a).filter(figures.age_q(c, value)),
        ),
        Figure(
            "computer_support",
            _("Computers and vendor support of their operating system"),
            "B05",
            _fixed(figures.SUPPORT_STATES),
            lambda a, c, value, s, t: figures.computers(a).filter(figures.support_q(c, value)),
        ),
        Figure(
            "tslcd",
            _("Units connected to the special-purpose network (TSLCD)"),
            UNITS,
            _fixed(figures.TSLCD_STATES),
            lambda a, c, value, s, t: figures.with_data(a).filter(
                Q(figures.has_tslcd()) if value == "with" else ~Q(figures.has_tslcd())
            ),
        ),
        Figure(
            "bandwidth_internet",
            _("Units by total Internet bandwidth"),
            UNITS,
            _bandwidth("internet")[1],
            _bandwidth("internet")[0],
            extra=(("mbps", "Mbps"),),
        ),
        Figure(
            "bandwidth_tslcd",
            _("Units by total TSLCD bandwidth"),
            UNITS,
            _bandwidth("tslcd")[1],
            _bandwidth("tslcd")[0],
            extra=(("mbps", "Mbps"),),
        ),
        Figure(
            "software_category",
            _("Platforms and software by category"),
            "B04",
            _choices(appendix.CATEGORIES),
            lambda a, c, value, s, t: figures.rows_of(Software, a).filter(nullable("category", value)),
        ),
        Figure(
            "software_security",
            _("Platforms and software by security level"),
            "B04",
            _choices(appendix.SECURITY_LEVELS),
            lambda a, c, value, s, t: figures.rows_of(Software, a).filter(nullable("security_level", value)),
        ),
    ]
}

_SCORES = tuple((f"score.{name}", label) for name, label in assessed.SCORE_LABELS.items())


def _scored(assignments: QuerySet[Assignment]) -> QuerySet[Assignment]:
    return assignments.filter(score__isnull=False).select_related("score")


if assessed.available():
    FIGURES.update(
        {
            figure.key: figure
            for figure in [
                Figure(
                    "findings",
                    _("The most frequent findings"),
                    FINDINGS,
                    lambda campaign, communes: {
                        code: assessed.rule_label(code) for code in assessed.rule_codes()
                    },
                    lambda a, c, value, s, t: _finding_rows(a, value),
                ),
                Figure(
                    "score_commune",
                    _("Average scores by commune"),
                    UNITS,
                    lambda campaign, communes: communes,
                    lambda a, c, value, s, t: _scored(a).filter(unit__commune_id=int(value)),
                    extra=_SCORES,
                ),
                Figure(
                    "score_block",
                    _("Average scores by block"),
                    UNITS,
                    lambda campaign, communes: dict(Block.choices),
                    lambda a, c, value, s, t: _scored(a).filter(unit__block=value),
                    extra=_SCORES,
                ),
            ]
        }
    )


def _finding_rows(assignments: QuerySet[Assignment], rule: str) -> QuerySet:
    from rasoat.assessment.models import Finding

    return Finding.objects.filter(assignment__in=assignments.order_by().values("pk"), rule=rule)


# The columns a drill-down shows for the rows of each sheet (keys of the appendix declaration).
SHEET_COLUMNS = {
    "B03": ("device_type", "model", "year_in_use", "quantity", "condition"),
    "B04": ("name", "scope", "category", "security_level", "usage"),
    "B05": ("device_type", "model", "os", "year_acquired", "quantity", "condition"),
}


def sheet_headers(sheet: str) -> list[tuple[str, str]]:
    """(key, Vietnamese header of the appendix) of the columns shown for a sheet."""
    declared = STORAGE_APPENDIX.sheet(sheet)
    return [(key, declared.column(key).header) for key in SHEET_COLUMNS[sheet]]


@dataclass
class Selection:
    """A validated drill-down request: the figure, its value(s) and their labels."""

    figure: Figure
    value: str
    value_label: str
    second: str | None
    second_label: str | None


def select(
    key: str | None, value: str | None, second: str | None, campaign: Campaign, communes: dict[str, str]
) -> Selection | None:
    """Validate the figure key and values against the whitelist; None when anything is unknown.

    `communes` are the communes the user may see ({str(id): name}): a commune value must be one.
    """
    figure = FIGURES.get(key or "")
    if figure is None:
        return None
    allowed = figure.values(campaign, communes)
    if value not in allowed:
        return None
    second_label = None
    if second:
        if figure.second is None:
            return None
        second_allowed = figure.second[2](campaign, communes)
        if second not in second_allowed:
            return None
        second_label = second_allowed[second]
    return Selection(figure, value, allowed[value], second or None, second_label)


def rows_for(
    selection: Selection, assignments: QuerySet[Assignment], campaign: Campaign, today: datetime.date
) -> QuerySet:
    """The rows behind the selected figure value, in a stable order for pagination."""
    figure = selection.figure
    rows = figure.rows(assignments, campaign, selection.value, selection.second, today)
    # Rows of a sheet in the order of the (assignment, position) index, so a page of the country's
    # rows is read from the index instead of sorting hundreds of thousands of them.
    if figure.source == FINDINGS:
        return rows.select_related("assignment__unit").order_by("assignment_id", "sheet", "row", "pk")
    if figure.source == UNITS:
        return rows.select_related("campaign", "unit", "unit__commune", "general_info").order_by(
            "unit__level", "unit__commune__name", "unit__position", "unit__code"
        )
    return rows.select_related("assignment__unit").order_by("assignment_id", "position", "pk")


def summary(selection: Selection, rows: QuerySet) -> dict:
    """How many rows (and, for devices, the sum of their quantities): the number that was clicked."""
    if selection.figure.source in ("B03", "B05", FINDINGS):
        totals = rows.order_by().aggregate(n=Count("pk"), quantity=Sum("quantity"))
        return {"rows": totals["n"], "quantity": totals["quantity"] or 0}
    return {"rows": rows.order_by().count(), "quantity": None}

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

from rasoat.appendix.declaration import get_appendix
from rasoat.campaigns.models import Assignment, Campaign, Status
from rasoat.dashboard import assessed, figures
from rasoat.dashboard.charts import NONE, NOT_STATED
from rasoat.dashboard.figures import nullable
from rasoat.inventory import summaries
from rasoat.inventory.models import EndDevice, InfraDevice, Software
from rasoat.orgs.models import Block
from rasoat.summaries import columns as column_counts

UNITS = "units"
FINDINGS = "findings"

Rows = Callable[[QuerySet[Assignment], Campaign, str, "str | None", datetime.date], QuerySet]
Whitelist = Callable[[Campaign, dict[str, str]], dict[str, str]]
"""(campaign, the visible communes as {id: name}) → {accepted value: its label}."""


def _choices(sheet: str, key: str) -> Whitelist:
    """A whitelist from the labels of the campaign's version (the stored values), plus the empty cell."""
    return lambda campaign, communes: {
        **{value: value for value in figures.choices_of(campaign, sheet, key)},
        NONE: str(NOT_STATED),
    }


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
    totals: Rows | None = None
    """The summary rows (with `rows` and, for devices, `quantity`) behind the same value, which
    give the total without scanning the sheet (rasoat/summaries); None: counted on the rows."""


def _devices(model):
    """The rows (of the sheet `model` or of its summary) of one device type, and condition."""

    def rows(assignments, campaign, value, second, today):
        selected = figures.rows_of(model, assignments).filter(nullable("device_type", value))
        return selected.filter(nullable("condition", second)) if second else selected

    return rows


def _groups(sheet: str):
    """The groups of a device sheet (rollup or summaries) of one device type, and condition."""

    def totals(assignments, campaign, value, second, today):
        selected = figures.grouped_rows(sheet, assignments, campaign).filter(nullable("device_type", value))
        return selected.filter(nullable("condition", second)) if second else selected

    return totals


def _computers(condition):
    """`rows` and `totals` of the computers matching `condition(campaign, value)`."""
    return {
        "rows": lambda a, c, value, s, t: figures.computers(a).filter(condition(c, value)),
        "totals": lambda a, c, value, s, t: figures.computer_summaries(a, c).filter(condition(c, value)),
    }


def _software(column: str):
    """`rows` and `totals` of the B04 systems holding `value` in `column`."""
    return {
        "rows": lambda a, c, value, s, t: figures.rows_of(Software, a).filter(nullable(column, value)),
        "totals": lambda a, c, value, s, t: figures.grouped_rows("B04", a, c).filter(nullable(column, value)),
    }


def _bandwidth(kind: str):
    edges = figures.TSLCD_EDGES if kind == "tslcd" else figures.INTERNET_EDGES

    def rows(assignments, campaign, value, second, today):
        return figures.in_band(assignments, kind, value).annotate(mbps=figures.unit_mbps(kind))

    return rows, (lambda campaign, communes: figures.band_labels(edges))


_conditions_B03 = _choices("B03", "condition")
_conditions_B05 = _choices("B05", "condition")

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
            _choices("B03", "device_type"),
            _devices(InfraDevice),
            second=("condition", _("Condition"), _conditions_B03),
            totals=_groups("B03"),
        ),
        Figure(
            "devices_B05",
            _("End-user devices (B05)"),
            "B05",
            _choices("B05", "device_type"),
            _devices(EndDevice),
            second=("condition", _("Condition"), _conditions_B05),
            totals=_groups("B05"),
        ),
        Figure(
            "computer_os",
            _("Computers by operating system"),
            "B05",
            _choices("B05", "os"),
            **_computers(lambda c, value: nullable("os", value)),
        ),
        Figure(
            "computer_age",
            _("Computers by age at the reference date"),
            "B05",
            _fixed(figures.AGE_BANDS),
            **_computers(figures.age_q),
        ),
        Figure(
            "computer_support",
            _("Computers and vendor support of their operating system"),
            "B05",
            _fixed(figures.SUPPORT_STATES),
            **_computers(figures.support_q),
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
            _choices("B04", "category"),
            **_software("category"),
        ),
        Figure(
            "software_security",
            _("Platforms and software by security level"),
            "B04",
            _choices("B04", "security_level"),
            **_software("security_level"),
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
OTHER_COLUMNS = 6
"""How many of its first columns a drill-down shows for the rows of another sheet."""

COLUMN = "column"
"""The figure key of "Thống kê theo cột": the column is named by the `column` parameter."""


def sheet_headers(campaign: Campaign, sheet: str, counted: str | None = None) -> list[tuple[str, str]]:
    """(key, header in the campaign's version) of the columns shown for the rows of a sheet: the
    sheet's usual ones (or its first ones), and the counted column when it is not among them."""
    declared = get_appendix(campaign.appendix_version).sheet(sheet)
    keys = [k for k in SHEET_COLUMNS.get(sheet, declared.keys[:OTHER_COLUMNS]) if declared.has_column(k)]
    if counted and counted not in keys:
        keys.append(counted)
    return [(key, declared.column(key).header) for key in keys]


def column_figure(countable: summaries.Countable) -> Figure:
    """The drill-down figure of one countable column (its whitelist: the column's declared labels)."""
    labels = {label: label for label in countable.column.choices}

    def rows(assignments, campaign, value, second, today):
        return countable.rows_with(assignments, None if value == NONE else value)

    return Figure(
        COLUMN,
        f"{countable.sheet.code} · {countable.column.header}",
        countable.sheet.code,
        lambda campaign, communes: {**labels, NONE: str(NOT_STATED)},
        rows,
    )


@dataclass
class Selection:
    """A validated drill-down request: the figure, its value(s) and their labels."""

    figure: Figure
    value: str
    value_label: str
    second: str | None
    second_label: str | None
    countable: summaries.Countable | None = None
    """The counted column of a "Thống kê theo cột" drill-down."""


def select(
    key: str | None,
    value: str | None,
    second: str | None,
    campaign: Campaign,
    communes: dict[str, str],
    column: str | None = None,
) -> Selection | None:
    """Validate the figure key and values against the whitelist; None when anything is unknown.

    `communes` are the communes the user may see ({str(id): name}): a commune value must be one.
    `column` names the counted column ("B05.os") of the COLUMN figure: it must be a choice or
    yes/no column of the campaign's version.
    """
    countable = None
    if key == COLUMN:
        countable = summaries.find(get_appendix(campaign.appendix_version), column)
        if countable is None:
            return None
        figure = column_figure(countable)
    else:
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
    return Selection(figure, value, allowed[value], second or None, second_label, countable)


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
    if selection.countable is not None and not selection.countable.sheet.repeating:
        return rows.select_related("assignment__unit").order_by("assignment_id", "pk")  # one record per unit
    return rows.select_related("assignment__unit").order_by("assignment_id", "position", "pk")


def summary(
    selection: Selection,
    rows: QuerySet,
    assignments: QuerySet[Assignment] | None = None,
    campaign: Campaign | None = None,
    today: datetime.date | None = None,
) -> dict:
    """How many rows (and, for devices, the sum of their quantities): the number that was clicked.

    Given the scoped assignments, a figure with `totals` sums its summary rows instead of counting
    the sheet's rows (the same number: rasoat/summaries keeps them equal).
    """
    figure = selection.figure
    if figure.totals is not None and assignments is not None:
        found = figure.totals(assignments, campaign, selection.value, selection.second, today)
        if figure.source == "B04":
            return {"rows": found.order_by().aggregate(n=Sum("rows"))["n"] or 0, "quantity": None}
        totals = found.order_by().aggregate(n=Sum("rows"), quantity=Sum("quantity"))
        return {"rows": totals["n"] or 0, "quantity": totals["quantity"] or 0}
    if selection.countable is not None and assignments is not None:
        label = None if selection.value == NONE else selection.value
        return column_counts.totals(selection.countable, assignments, campaign, label)
    if selection.countable is not None:
        return summaries.direct_totals(selection.countable, rows)
    if selection.figure.source in ("B03", "B05", FINDINGS):
        totals = rows.order_by().aggregate(n=Count("pk"), quantity=Sum("quantity"))
        return {"rows": totals["n"], "quantity": totals["quantity"] or 0}
    return {"rows": rows.order_by().count(), "quantity": None}

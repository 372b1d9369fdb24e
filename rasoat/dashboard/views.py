"""The dashboard of a campaign (progress and the state of the IT), and the drill-down behind it.

Who sees what: anyone with "dashboard:view" somewhere (others get 404). Every figure is computed
over `Assignment.objects.visible_to(user, "dashboard:view")` for the campaign, narrowed by the
filters, so a commune viewer's dashboard is the commune's.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from rasoat.appendix.declaration import get_appendix
from rasoat.campaigns.models import Assignment, Campaign
from rasoat.dashboard import assessed, columns, drilldown, figures
from rasoat.dashboard.charts import Chart
from rasoat.dashboard.forms import DashboardFilterForm, apply_filters, filter_options
from rasoat.inventory import storage
from rasoat.jobs import services as jobs

PERM = "dashboard:view"
LATE_LIMIT = 20
DRILLDOWN_PAGE_SIZE = 100


def _require_view(user) -> None:
    if not user.has_any_perm(PERM):
        raise Http404


def scoped_assignments(user, campaign: Campaign, filters: dict[str, str]) -> QuerySet[Assignment]:
    """The campaign's assignments the user may see on the dashboard, narrowed by the filters."""
    return apply_filters(Assignment.objects.visible_to(user, PERM).filter(campaign=campaign), filters)


def _filters(request):
    """The filter form, the valid filters, and the visible communes as {str(id): name}."""
    communes, districts = filter_options(request.user)
    form = DashboardFilterForm(communes, districts, request.GET or None)
    return form, form.filters(), {str(unit.pk): unit.name for unit in communes}


def compute(assignments: QuerySet[Assignment], campaign: Campaign, today) -> dict:
    """Every figure of the dashboard (a fixed number of queries, whatever the number of units)."""
    progress = figures.progress(assignments, campaign, today)
    late = list(figures.late_assignments(assignments, campaign, today)[:LATE_LIMIT])
    figures.attach_contacts(late)
    support = figures.computers_support(assignments, campaign)
    internet = figures.bandwidth(assignments, "internet")
    tslcd_bandwidth = figures.bandwidth(assignments, "tslcd")
    context = {
        "progress": progress,
        "late": late,
        "late_total": progress.late + progress.overdue,
        "support": support,
        "internet": internet,
        "tslcd_bandwidth": tslcd_bandwidth,
        "charts": {
            "status": progress.status_chart(),
            "timeliness": progress.timeliness_chart(),
            "devices_B03": figures.devices(assignments, "B03", campaign),
            "devices_B05": figures.devices(assignments, "B05", campaign),
            "computer_os": figures.computers_by_os(assignments, campaign),
            "computer_age": figures.computers_by_age(assignments, campaign),
            "computer_support": support.chart,
            "tslcd": figures.tslcd(assignments),
            "bandwidth_internet": internet.chart,
            "bandwidth_tslcd": tslcd_bandwidth.chart,
            "software_category": figures.software(assignments, "category", campaign),
            "software_security": figures.software(assignments, "security_level", campaign),
        },
    }
    if assessed.available():
        found = assessed.findings(assignments)
        by_commune = assessed.scores(assignments, "commune")
        by_block = assessed.scores(assignments, "block")
        context["assessment"] = {"findings": found, "scores": [by_commune, by_block]}
        context["score_labels"] = list(assessed.SCORE_LABELS.items())
        context["charts"].update(
            {"findings": found.chart, "score_commune": by_commune.chart, "score_block": by_block.chart}
        )
        # The target indicators of campaigns on 2026.2 ("Chỉ tiêu"; None for other versions).
        context["indicators"] = assessed.indicators(assignments, campaign)
    return context


def _link(campaign: Campaign, filters: dict, figure: str, value: str | None, **more) -> str | None:
    if value is None or (figure not in drilldown.FIGURES and figure != drilldown.COLUMN):
        return None
    params = {**filters, "figure": figure, "value": value, **{k: v for k, v in more.items() if v}}
    return f"{reverse('dashboard_drilldown', args=[campaign.code])}?{urlencode(params)}"


def _attach_links(chart: Chart, campaign: Campaign, filters: dict) -> None:
    """Each number's drill-down URL (None for a category that cannot be drilled)."""
    chart.links = [
        [
            _link(campaign, filters, chart.key, c.value, **({chart.second: s.value} if chart.second else {}))
            for c in chart.categories
        ]
        for s in chart.series
    ]
    chart.total_links = [_link(campaign, filters, chart.key, c.value) for c in chart.categories]


@login_required
def dashboard(request, code: str):
    """Progress and the state of a campaign over the user's scope, with filters and charts."""
    _require_view(request.user)
    campaign = get_object_or_404(Campaign, code=code)
    form, filters, _communes = _filters(request)
    today = timezone.localdate()
    scoped = scoped_assignments(request.user, campaign, filters)
    context = compute(scoped, campaign, today)
    for chart in context["charts"].values():
        _attach_links(chart, campaign, filters)
    context["column_counts"] = _column_counts(scoped, campaign, filters, request.GET.get(columns.PARAM))
    if "assessment" in context:
        # The assessment's tables are drawn from their own rows, in the order of the charts' categories.
        for table in [context["assessment"]["findings"], *context["assessment"]["scores"]]:
            for row, link in zip(table.rows, table.chart.total_links, strict=True):
                row["link"] = link
    context.update(
        {
            "campaign": campaign,
            "filter_form": form,
            "filters": filters,
            "days_left": context["progress"].days_left,
            "days_past": -context["progress"].days_left,
            "late_link": _link(campaign, filters, "timeliness", "overdue"),
            "late_submitted_link": _link(campaign, filters, "timeliness", "late"),
            "support_link": _link(campaign, filters, "computer_support", "out"),
            "can_province_report": request.user.has_global_perm("report:view"),
            # Figures of units whose recompute is still queued are marked as being updated.
            "assessment_pending": jobs.pending_among(campaign, scoped),
        }
    )
    return render(request, "dashboard/dashboard.html", context)


def _column_counts(scoped, campaign: Campaign, filters: dict, requested: str | None):
    """The "Thống kê theo cột" section: the chosen column's counts, each label linked to its rows."""
    counted = columns.compute(scoped, campaign, requested)
    if counted is None:
        return None
    links = [
        _link(campaign, filters, drilldown.COLUMN, line.value, column=counted.ref) for line in counted.lines
    ]
    for line, link in zip(counted.lines, links, strict=True):
        line.link = link
    counted.chart.links = [links]
    counted.chart.total_links = links
    return counted


def _attribute(obj, path: str):
    """A dotted attribute of a row ("score.overall"), from the fixed paths of drilldown.FIGURES."""
    for name in path.split("."):
        obj = getattr(obj, name)
    return obj


def _active_filters(form: DashboardFilterForm, filters: dict) -> list[tuple[str, str]]:
    """(filter label, chosen option's label) of the filters in use, for the drill-down's header."""
    active = []
    for name, value in filters.items():
        field = form.fields[name]
        active.append((field.label, dict(field.choices).get(str(value), value)))
    return active


def _row_link(campaign: Campaign, sheet, row) -> str:
    """The entry page of the row's sheet for its unit, at the row for a table."""
    unit_id = row.assignment.unit_id
    if sheet.code == storage.GENERAL:
        return reverse("entry_general", args=[campaign.code, unit_id])
    url = reverse("entry_sheet", args=[campaign.code, unit_id, sheet.code])
    return f"{url}#row-{row.pk}" if sheet.repeating else url


@login_required
def dashboard_drilldown(request, code: str):
    """The units or sheet rows behind one number of the dashboard (same scope, same filters)."""
    _require_view(request.user)
    campaign = get_object_or_404(Campaign, code=code)
    form, filters, communes = _filters(request)
    selection = drilldown.select(
        request.GET.get("figure"),
        request.GET.get("value"),
        request.GET.get("condition"),
        campaign,
        communes,
        column=request.GET.get(columns.PARAM),
    )
    if selection is None:
        raise Http404
    today = timezone.localdate()
    assignments = scoped_assignments(request.user, campaign, filters)
    rows = drilldown.rows_for(selection, assignments, campaign, today)
    summary = drilldown.summary(selection, rows, assignments, campaign, today)
    paginator = Paginator(rows, DRILLDOWN_PAGE_SIZE)
    paginator.count = summary["rows"]  # counted with the total quantity: no second count query
    page = paginator.get_page(request.GET.get("page"))
    source = selection.figure.source
    headers, sheet = [], None
    if source not in (drilldown.UNITS, drilldown.FINDINGS):
        counted = selection.countable.column.key if selection.countable else None
        headers = drilldown.sheet_headers(campaign, source, counted)
        sheet = get_appendix(campaign.appendix_version).sheet(source)
    if source == drilldown.UNITS:
        figures.attach_contacts(list(page))
    for row in page:
        if headers:
            # A page of records read through storage: a version's columns may live in `extra`.
            values = storage.read_values(row, sheet)
            row.shown = [values.get(key) for key, _header in headers]
            row.link = _row_link(campaign, sheet, row)
        row.extra_cells = [_attribute(row, path) for path, _header in selection.figure.extra]
    return render(
        request,
        "dashboard/drilldown.html",
        {
            "campaign": campaign,
            "filter_form": form,
            "filters": filters,
            "selection": selection,
            "source": source,
            "headers": headers,
            "repeating": bool(headers) and sheet.repeating,
            "active_filters": _active_filters(form, filters),
            "page": page,
            "summary": summary,
            "back": f"{reverse('dashboard', args=[campaign.code])}?{urlencode(filters)}",
        },
    )


@login_required
def dashboard_latest(request):
    """The navigation's entry: the dashboard of the most recent campaign."""
    _require_view(request.user)
    campaign = Campaign.objects.order_by("-deadline", "-pk").first()
    if campaign is None:
        return redirect("campaign_list")
    return redirect("dashboard", code=campaign.code)

"""The review desk: a campaign's board with search, sorting, paging, error/warning/score columns,
the row actions (accept, return, extend) and the bulk accept of the selected units.

Moved here from the campaigns app because it reads what apps further down the data flow keep (the
check counts, the assessment's scores); the URL and its name (`campaign_board`) are unchanged.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from rasoat.campaigns import services
from rasoat.campaigns.forms import BoardFilterForm
from rasoat.campaigns.models import Campaign, Status
from rasoat.desk.forms import SORTS, BoardSearchForm, sort_fields
from rasoat.desk.services import with_deadline
from rasoat.orgs.models import Level, Unit

BOARD_PAGE_SIZE = 50
PAGE_SIZES = (25, 50, 100, 500)


@login_required
def campaign_board(request, code: str):
    """Progress of a campaign over the units the user may see: filters, search, counts per status."""
    if not request.user.has_any_perm("campaign:view"):
        raise Http404
    campaign = get_object_or_404(Campaign, code=code)
    communes = list(services.visible_communes(request.user))
    filter_form = BoardFilterForm(communes, request.GET or None)
    filters = filter_form.filters() if request.GET else {}
    search_form = BoardSearchForm(request.GET or None)
    query = search_form.search()
    if query:
        filters = {**filters, "q": query}  # so that "Clear filters" is offered for a search too

    scoped = services.visible_assignments(request.user, campaign)
    if "level" in filters:
        scoped = scoped.filter(unit__level=filters["level"])
    if "block" in filters:
        scoped = scoped.filter(unit__block=filters["block"])
    if "commune" in filters:
        scoped = scoped.filter(unit__commune_id=filters["commune"])
    if query:
        # Accent-insensitive on the name (the registry keeps a folded copy), or part of the code.
        scoped = scoped.filter(unit__in=Unit.objects.search(query))
    # The counts ignore the status filter so that each count stays a link to that status.
    counts = services.status_counts(scoped)
    rows = scoped.filter(status=filters["status"]) if "status" in filters else scoped
    sort, order = sort_fields(request.GET.get("sort"))
    rows = with_deadline(rows.select_related("check_count", "score")).order_by(*order)
    size = request.GET.get("size", "")
    size = int(size) if size.isdigit() and int(size) in PAGE_SIZES else BOARD_PAGE_SIZE
    page = Paginator(rows, size).get_page(request.GET.get("page"))
    user = request.user
    can_review = user.has_any_perm("submission:review")
    for assignment in page:
        assignment.reviewable = (
            can_review
            and assignment.status == Status.SUBMITTED
            and user.has_unit_perm("submission:review", assignment.unit)
        )

    return render(
        request,
        "desk/board.html",
        {
            "campaign": campaign,
            "filter_form": filter_form,
            "search_form": search_form,
            "query": query,
            "filters": filters,
            "sort": sort,
            "size": size,
            "page_sizes": PAGE_SIZES,
            "sort_links": _sort_links(request, sort),
            "counts": [(status, label, counts[status]) for status, label in Status.choices],
            "total": sum(counts.values()),
            "page": page,
            "commune_ids": {commune.pk for commune in communes},
            "commune_level": Level.COMMUNE,
            "can_manage": user.has_global_perm("campaign:manage"),
            "can_review": can_review,
            "days_left": services.days_left(campaign),
            "days_past": -services.days_left(campaign),
        },
    )


def _sort_links(request, sort: str) -> dict[str, dict]:
    """Per sortable column: the address that sorts by it (again: the other way) and its arrow."""
    links = {}
    for key in SORTS:
        query = request.GET.copy()
        query["sort"] = f"-{key}" if sort == key else key
        query.pop("page", None)
        arrow = "▲" if sort == key else "▼" if sort == f"-{key}" else ""
        links[key] = {"url": f"?{query.urlencode()}", "arrow": arrow}
    return links

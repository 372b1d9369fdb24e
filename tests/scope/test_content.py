"""What each persona's pages and exports list: exactly the units in scope, and no code of any other.

The scope matrix (tests/test_scope_matrix.py) checks statuses; this checks content. For every
(page, persona) pair, the codes a page, a drill-down or an exported workbook lists are compared with
the oracle's (tests/scope/world.py: parent links, not paths), and the whole page or workbook is
searched for the code of any unit outside the persona's scope. The prefix twins make a path match
without its trailing separator show up here as a twin's code on a page where it does not belong.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from tests.scope import reading
from tests.scope.world import PERSONAS

CAMPAIGN = "RS2026"
B01_TITLE, B05_TITLE, STATUS_SHEET = "Thông tin chung", "Thiết bị đầu cuối", "Tình trạng"


@dataclass(frozen=True)
class Page:
    """One page or export: its URL, who may open it, what it lists, and what it must list."""

    url: Callable[[Any], str]
    perm: str  # the permission that scopes what the page lists
    refused: Callable[[Any, Any], int | None]  # (world, user) → the status when refused, else None
    read: Callable[[Any, Any], Any]  # (response, world) → what the page lists
    expect: Callable[[Any, set[str]], Any]  # (world, codes in scope) → what it must list
    text: Callable[[Any], str] = lambda response: response.content.decode()
    paged: bool = False  # a paginated list: every page is read


def needs(perm: str, status: int, *, global_perm: bool = False):
    """Refused with `status` unless the user holds `perm` somewhere (or on the whole province)."""

    def refused(world, user):
        allowed = user.has_global_perm(perm) if global_perm else user.has_any_perm(perm)
        return None if allowed else status

    return refused


def sees(code: str, perm: str = "data:view", then=None):
    """Refused with 404 unless the user sees unit `code` with `perm` (then `then`, if given)."""

    def refused(world, user):
        if code not in world.oracle.scope(user, perm):
            return 404
        return then(world, user) if then else None

    return refused


def choices_as_codes(field, world) -> set[str]:
    """A filter's unit choices (ids as values) as codes."""
    return {world.oracle.code[int(value)] for value, _label in field.choices if value}


def commune_page(code: str) -> Page:
    return Page(
        lambda w: reverse("campaign_commune", args=[CAMPAIGN, w.unit(code).pk]),
        "data:view",
        sees(code),
        lambda r, w: reading.marked_in(r, "commune-row"),
        lambda w, scope: scope & w.oracle.assigned(unit__commune__code=code),
    )


def export_sheets(response, world) -> set[str]:
    return reading.first_column_codes(response, STATUS_SHEET, world.oracle.every_code)


EXPORT_SHEETS = [STATUS_SHEET, B01_TITLE, B05_TITLE]
export_text = lambda response: reading.every_cell(response, EXPORT_SHEETS)  # noqa: E731
EXPORT = needs("campaign:view", 404)


def export_refused(world, user):
    return EXPORT(world, user) or needs("export:run", 403)(world, user)


def dashboard_total(response, world) -> int:
    return response.context["progress"].total


PAGES: dict[str, Page] = {
    # The board and the campaign list
    "board": Page(
        # All on one page: the board pages by 50 by default.
        lambda w: reverse("campaign_board", args=[CAMPAIGN]) + "?size=500",
        "data:view",
        needs("campaign:view", 404),
        lambda r, w: reading.marked_in(r, "board-row"),
        lambda w, scope: scope & w.oracle.assigned(),
    ),
    "board_in_progress": Page(
        lambda w: reverse("campaign_board", args=[CAMPAIGN]) + "?status=in_progress&size=500",
        "data:view",
        needs("campaign:view", 404),
        lambda r, w: reading.marked_in(r, "board-row"),
        lambda w, scope: scope & w.oracle.in_progress(),
    ),
    "board_commune_filter": Page(
        lambda w: reverse("campaign_board", args=[CAMPAIGN]),
        "data:view",
        needs("campaign:view", 404),
        lambda r, w: choices_as_codes(r.context["filter_form"].fields["commune"], w),
        lambda w, scope: scope & w.oracle.communes(),
    ),
    "campaign_list_total": Page(
        lambda w: reverse("campaign_list"),
        "data:view",
        needs("campaign:view", 404),
        lambda r, w: next(row["total"] for row in r.context["rows"] if row["campaign"].code == CAMPAIGN),
        lambda w, scope: len(scope & w.oracle.assigned()),
    ),
    "commune_muong_kim": commune_page("X.03637"),
    "commune_twin_of_muong_kim": commune_page("X.99637"),
    # The dashboard and its drill-down
    "dashboard_total": Page(
        lambda w: reverse("dashboard", args=[CAMPAIGN]),
        "dashboard:view",
        needs("dashboard:view", 404),
        dashboard_total,
        lambda w, scope: len(scope & w.oracle.assigned()),
    ),
    "dashboard_commune_filter": Page(
        lambda w: reverse("dashboard", args=[CAMPAIGN]),
        "dashboard:view",
        needs("dashboard:view", 404),
        lambda r, w: choices_as_codes(r.context["filter_form"].fields["commune"], w),
        lambda w, scope: scope & w.oracle.communes(),
    ),
    "dashboard_filtered_by_muong_kim": Page(
        # A commune outside the scope is ignored as a filter: the whole scope is counted then.
        lambda w: reverse("dashboard", args=[CAMPAIGN]) + f"?commune={w.unit('X.03637').pk}",
        "dashboard:view",
        needs("dashboard:view", 404),
        dashboard_total,
        lambda w, scope: len(
            scope & w.oracle.assigned(unit__commune__code="X.03637")
            if "X.03637" in scope
            else scope & w.oracle.assigned()
        ),
    ),
    "drilldown_in_progress": Page(
        lambda w: reverse("dashboard_drilldown", args=[CAMPAIGN]) + "?figure=status&value=in_progress",
        "dashboard:view",
        needs("dashboard:view", 404),
        lambda r, w: reading.marked_in(r, "unit-row"),
        lambda w, scope: scope & w.oracle.in_progress(),
    ),
    "drilldown_printers": Page(
        lambda w: reverse("dashboard_drilldown", args=[CAMPAIGN]) + "?figure=devices_B05&value=Máy+in",
        "dashboard:view",
        needs("dashboard:view", 404),
        lambda r, w: reading.marked_in(r, "drilldown-row"),
        lambda w, scope: scope & w.oracle.with_printers(),
    ),
    # The consolidated workbook, read back
    "export_units": Page(
        lambda w: reverse("workbook_export", args=[CAMPAIGN]),
        "export:run",
        export_refused,
        export_sheets,
        lambda w, scope: scope & w.oracle.assigned(),
        export_text,
    ),
    "export_b01": Page(
        lambda w: reverse("workbook_export", args=[CAMPAIGN]),
        "export:run",
        export_refused,
        lambda r, w: reading.first_column_codes(r, B01_TITLE, w.oracle.every_code),
        lambda w, scope: scope & w.oracle.assigned(),
        export_text,
    ),
    "export_printers": Page(
        lambda w: reverse("workbook_export", args=[CAMPAIGN]),
        "export:run",
        export_refused,
        lambda r, w: reading.first_column_codes(r, B05_TITLE, w.oracle.every_code),
        lambda w, scope: scope & w.oracle.with_printers(),
        export_text,
    ),
    "export_of_muong_kim": Page(
        lambda w: reverse("workbook_export", args=[CAMPAIGN]) + "?scope=X.03637",
        "export:run",
        sees("X.03637", then=export_refused),
        export_sheets,
        lambda w, scope: scope & w.oracle.assigned(unit__path__startswith=w.unit("X.03637").path),
        export_text,
    ),
    "export_of_the_twin_commune": Page(
        lambda w: reverse("workbook_export", args=[CAMPAIGN]) + "?commune=X.99637",
        "export:run",
        sees("X.99637", then=export_refused),
        export_sheets,
        lambda w, scope: scope & w.oracle.assigned(unit__commune__code="X.99637"),
        export_text,
    ),
    # The audit log
    "audit_log": Page(
        lambda w: reverse("audit_list") + "?action=appendix.",
        "audit:view",
        needs("audit:view", 404),
        lambda r, w: {entry.unit.code for entry in r.context["page"]},
        lambda w, scope: scope & w.oracle.with_printers(),
        paged=True,
    ),
    # The reports page
    "reports_units": Page(
        lambda w: reverse("report_list", args=[CAMPAIGN]),
        "report:view",
        needs("report:view", 404),
        lambda r, w: reading.marked_in(r, "report-unit-row"),
        lambda w, scope: scope & w.oracle.assigned(),
        paged=True,
    ),
    "reports_communes": Page(
        lambda w: reverse("report_list", args=[CAMPAIGN]),
        "report:view",
        needs("report:view", 404),
        lambda r, w: {unit.code for unit in r.context["communes"]},
        lambda w, scope: scope & w.oracle.communes() & w.oracle.communes_with_assignments(),
    ),
    "reports_of_kim_communes": Page(
        lambda w: reverse("report_list", args=[CAMPAIGN]) + "?q=Kim",
        "report:view",
        needs("report:view", 404),
        lambda r, w: reading.marked_in(r, "report-unit-row"),
        lambda w, scope: scope & w.oracle.assigned() & w.oracle.matching("Kim"),
        paged=True,
    ),
    # The registry, on the web and as a workbook
    "registry_tree": Page(
        lambda w: reverse("unit_list"),
        "unit:view",
        needs("unit:view", 403),
        lambda r, w: reading.marked(r, reading.DATA_CODE),
        lambda w, scope: scope,
    ),
    "registry_communes": Page(
        lambda w: reverse("unit_list") + "?kind=commune",
        "unit:view",
        needs("unit:view", 403),
        lambda r, w: reading.marked(r, reading.DATA_CODE),
        lambda w, scope: scope & w.oracle.communes(),
        paged=True,
    ),
    "registry_search_kim": Page(
        lambda w: reverse("unit_list") + "?q=kim",
        "unit:view",
        needs("unit:view", 403),
        lambda r, w: reading.marked(r, reading.DATA_CODE),
        lambda w, scope: scope & w.oracle.matching("kim"),
        paged=True,
    ),
    "registry_export": Page(
        lambda w: reverse("registry_export"),
        "unit:manage",
        needs("unit:manage", 403, global_perm=True),
        lambda r, w: reading.first_column_codes(r, "Đơn vị", w.oracle.every_code),
        lambda w, scope: scope,
        lambda response: reading.every_cell(response, ["Đơn vị"]),
    ),
}
CASES = [pytest.param(page, persona, id=f"{page}-{persona}") for page in PAGES for persona in PERSONAS]


@pytest.mark.parametrize(("page", "persona"), CASES)
def test_page_lists_exactly_the_scope(page, persona, world):
    spec, user = PAGES[page], world.users[persona]
    response = world.client(persona).get(spec.url(world))
    refused = spec.refused(world, user)
    if refused is not None:
        assert response.status_code == refused, f"{page} as {persona}"
        return
    assert response.status_code == 200, f"{page} as {persona}"
    responses = [response, *more_pages(world, persona, spec, response)]
    scope = world.oracle.scope(user, spec.perm)
    listed = spec.read(response, world)
    for other in responses[1:]:
        listed |= spec.read(other, world)
    assert listed == spec.expect(world, scope)
    outside = world.oracle.every_code - scope
    for shown in responses:
        assert not reading.foreign_codes(spec.text(shown), outside), f"{page} as {persona}: foreign codes"


def more_pages(world, persona: str, spec: Page, first) -> list:
    """The pages after the first of a paginated list."""
    if not spec.paged:
        return []
    url = spec.url(world)
    joiner = "&" if "?" in url else "?"
    count = first.context["page"].paginator.num_pages
    client = world.client(persona)
    return [client.get(f"{url}{joiner}page={number}") for number in range(2, count + 1)]

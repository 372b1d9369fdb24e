"""The unit registry as the user may see it: a paged, searchable list and one unit."""

from __future__ import annotations

from ninja import Query, Schema

from rasoat.api.access import page, unit_in_scope, user_of
from rasoat.api.core import api
from rasoat.api.problems import responses
from rasoat.orgs.models import Block, Kind, Level, Unit

MAX_PAGE = 1_000_000


class UnitOut(Schema):
    """A unit of the registry; `parent` and `commune` are unit codes."""

    code: str
    name: str
    kind: str
    level: str
    block: str
    parent: str | None
    commune: str | None
    former_district: str
    reports: bool
    active: bool
    depth: int


class UnitPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[UnitOut]


def unit_out(unit: Unit) -> dict:
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "level": unit.level,
        "block": unit.block,
        "parent": unit.parent.code if unit.parent_id else None,
        "commune": unit.commune.code if unit.commune_id else None,
        "former_district": unit.former_district,
        "reports": unit.reports,
        "active": unit.active,
        "depth": unit.depth,
    }


@api.get("/units", response={200: UnitPage, **responses(401, 422, 429)}, tags=["Đơn vị"])
def list_units(
    request,
    q: str = "",
    kind: Kind | None = None,
    level: Level | None = None,
    block: Block | None = None,
    under: str = Query("", description="Mã đơn vị: chỉ đơn vị đó và các đơn vị trực thuộc."),
    parent: str = Query("", description="Mã đơn vị: chỉ các đơn vị con trực tiếp của nó."),
    reports: bool | None = None,
    page_number: int = Query(1, ge=1, le=MAX_PAGE, alias="page"),
    page_size: int | None = Query(None, ge=1, le=1000),
):
    """The units in the token's scope, in registry order (tree order), searchable by name or code."""
    units = Unit.objects.visible_to(user_of(request)).search(q).select_related("parent", "commune")
    if kind:
        units = units.filter(kind=kind)
    if level:
        units = units.filter(level=level)
    if block:
        units = units.filter(block=block)
    if reports is not None:
        units = units.filter(reports=reports)
    if under:
        units = units.subtree(unit_in_scope(request, under))
    if parent:
        units = units.filter(parent=unit_in_scope(request, parent))
    result = page(units.order_by("path", "pk"), page_number, page_size)
    result["results"] = [unit_out(unit) for unit in result["results"]]
    return result


@api.get("/units/{code}", response={200: UnitOut, **responses(401, 404, 429)}, tags=["Đơn vị"])
def get_unit(request, code: str):
    """One unit in the token's scope (404 outside it)."""
    unit = unit_in_scope(request, code)
    return unit_out(Unit.objects.select_related("parent", "commune").get(pk=unit.pk))

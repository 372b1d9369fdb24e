"""Pages of the unit registry: the tree and list, a unit's page, and the administrator's operations.

Every unit is loaded through `Unit.objects.visible_to(user)`, so a unit outside the user's scope
is a 404; a unit in scope that the user may not manage is a 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rasoat.client_ip import client_address
from rasoat.orgs import registry
from rasoat.orgs.models import Kind, Unit
from rasoat.orgs.unit_forms import UnitCreateForm, UnitFilterForm, UnitForm, UnitMoveForm

PAGE_SIZE = 100


def _with_indent(units: list[Unit]) -> list[Unit]:
    """Tree-ordered units, each with `indent`: its depth below the shallowest unit shown."""
    units = registry.tree_order(units)
    top = min((unit.depth for unit in units), default=0)
    for unit in units:
        unit.indent = unit.depth - top
    return units


def _address(request) -> str | None:
    return client_address(request)


def _manageable(request, pk: int) -> Unit:
    """The unit named by the URL: 404 outside the user's scope, 403 when it may not be managed."""
    unit = get_object_or_404(Unit.objects.visible_to(request.user).select_related("parent"), pk=pk)
    if not request.user.has_unit_perm("unit:manage", unit):
        raise PermissionDenied
    return unit


@login_required
def unit_list(request):
    """The registry as a tree (no filter) or as a filtered, paginated flat list."""
    user = request.user
    if not user.has_any_perm("unit:view"):
        raise PermissionDenied
    visible = Unit.objects.visible_to(user)
    communes = visible.filter(kind=Kind.COMMUNE).order_by("name")
    form = UnitFilterForm(request.GET or None, communes=communes)
    filters = form.filters() if request.GET else {}
    context = {
        "form": form,
        "filtered": bool(filters),
        "can_manage": user.has_any_perm("unit:manage"),
        "can_use_registry_file": user.has_global_perm("unit:manage"),
    }
    if not filters:
        units = visible.only(
            "pk", "code", "name", "path", "position", "level", "block", "kind", "reports", "active"
        )
        context["units"] = _with_indent(units)
        context["total"] = len(context["units"])
        return render(request, "orgs/unit_list.html", context)

    units = visible.search(filters.get("q", "")).select_related("parent", "commune")
    for key in ("level", "block", "kind"):
        if key in filters:
            units = units.filter(**{key: filters[key]})
    if "commune" in filters:
        units = units.filter(commune=filters["commune"])
    if "active" in filters:
        units = units.filter(active=filters["active"] == "1")
    page = Paginator(units.order_by("position", "code"), PAGE_SIZE).get_page(request.GET.get("page"))
    for unit in page:
        # The parent's name is shown only when the user may see the parent too (no extra query).
        unit.visible_parent = (
            unit.parent if unit.parent_id and user.has_unit_perm("unit:view", unit.parent) else None
        )
    context.update(page=page, units=page.object_list, total=page.paginator.count)
    return render(request, "orgs/unit_list.html", context)


@login_required
def unit_detail(request, pk: int):
    """A unit: its fields, where it sits, what is below it, and the campaigns it reports in."""
    from rasoat.campaigns.models import Assignment  # orgs sits above campaigns; only this view reads it

    user = request.user
    visible = Unit.objects.visible_to(user)
    unit = get_object_or_404(visible.select_related("parent", "commune"), pk=pk)
    ancestors = {a.pk: a for a in visible.filter(pk__in=unit.ancestor_ids)}
    breadcrumbs = [ancestors[pk] for pk in unit.ancestor_ids if pk in ancestors]
    children = registry.tree_order(visible.filter(parent=unit))
    commune_units = []
    if unit.kind == Kind.COMMUNE:
        commune_units = _with_indent(visible.filter(commune=unit).exclude(pk=unit.pk))
        listed = {member.pk for member in commune_units}
        children = [child for child in children if child.pk not in listed]
    assignments = (
        Assignment.objects.visible_to(user)
        .filter(unit=unit)
        .select_related("campaign")
        .order_by("-campaign__deadline", "-campaign__pk")
    )
    context = {
        "unit": unit,
        "parent_visible": unit.parent_id is not None and unit.parent_id in ancestors,
        "commune_visible": unit.commune_id is not None and user.has_unit_perm("unit:view", unit.commune),
        "breadcrumbs": breadcrumbs,
        "children": children,
        "commune_units": commune_units,
        "assignments": assignments,
        "can_manage": user.has_unit_perm("unit:manage", unit),
    }
    return render(request, "orgs/unit_detail.html", context)


@login_required
def unit_create(request):
    """A new unit under a parent the user manages (the parent may be preset with ?parent=<id>)."""
    user = request.user
    if not user.has_any_perm("unit:manage"):
        raise PermissionDenied
    initial = {}
    if request.method == "GET" and request.GET.get("parent", "").isdigit():
        parent = Unit.objects.visible_to(user, "unit:manage").filter(pk=request.GET["parent"]).first()
        if parent is not None:
            commune = parent.pk if parent.kind == Kind.COMMUNE else parent.commune_id
            initial = {
                "parent": parent.pk,
                "level": parent.level,
                "block": parent.block,
                "commune": commune,
                "former_district": parent.former_district,
            }
    form = UnitCreateForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        unit = registry.create_unit(form.save(commit=False), actor=user, address=_address(request))
        messages.success(request, _("The unit “%(name)s” was created.") % {"name": unit.name})
        return redirect("unit_detail", pk=unit.pk)
    return render(request, "orgs/unit_form.html", {"form": form, "unit": None})


@login_required
def unit_edit(request, pk: int):
    """Edit a unit's fields; a changed code keeps all its data, which hangs on the unit's id."""
    unit = _manageable(request, pk)
    form = UnitForm(request.POST or None, instance=unit, user=request.user)
    if request.method == "POST" and form.is_valid():
        registry.update_unit(form.save(commit=False), actor=request.user, address=_address(request))
        messages.success(request, _("The unit “%(name)s” was saved.") % {"name": unit.name})
        return redirect("unit_detail", pk=unit.pk)
    return render(request, "orgs/unit_form.html", {"form": form, "unit": unit})


@login_required
def unit_move(request, pk: int):
    """Put a unit (and everything below it) under another parent the user manages."""
    unit = _manageable(request, pk)
    if unit.parent_id is None:
        messages.error(request, _("The root of the registry cannot be moved."))
        return redirect("unit_detail", pk=unit.pk)
    form = UnitMoveForm(request.POST or None, unit=unit, user=request.user)
    if request.method == "POST" and form.is_valid():
        parent = form.cleaned_data["parent"]
        if parent.pk == unit.parent_id:
            messages.info(request, _("The unit is already under “%(name)s”.") % {"name": parent.name})
        else:
            registry.change_parent(unit, parent, actor=request.user, address=_address(request))
            messages.success(
                request,
                _("“%(unit)s” is now under “%(parent)s”.") % {"unit": unit.name, "parent": parent.name},
            )
        return redirect("unit_detail", pk=unit.pk)
    return render(request, "orgs/unit_move.html", {"form": form, "unit": unit})


@login_required
@require_POST
def unit_set_active(request, pk: int):
    """Deactivate or reactivate a unit (POST active=0 or 1); its data and history are kept."""
    unit = _manageable(request, pk)
    active = request.POST.get("active") == "1"
    try:
        registry.set_unit_active(unit, active, actor=request.user, address=_address(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("unit_detail", pk=unit.pk)
    if active:
        messages.success(request, _("The unit “%(name)s” is active.") % {"name": unit.name})
    else:
        messages.success(request, _("The unit “%(name)s” was deactivated.") % {"name": unit.name})
    return redirect("unit_detail", pk=unit.pk)

"""The figures of the reports, aggregated in SQL over a set of assignments.

Every function takes a queryset of assignments (one unit, a commune's five, a whole province) and
returns small lists of dicts ready for a table: one query per table, grouped by the database, so a
province report costs the same number of queries for 200 units or 20,000. Values are numbers here;
`fmt` turns them into text the Vietnamese way.

The figures that a per-unit summary can answer (rasoat/summaries: B03 and B05 by type, condition,
OS and year; B02's Internet bandwidth) read the summaries through the dashboard's helpers, so the
reports and the dashboard count the same thing the same way and a province report reads a few rows
per unit instead of every sheet row. The rest (row lists, and groupings a summary does not hold:
B02 by link type, B04 by usage or cost, B05 by licence, antivirus or RAM) stay on the sheet rows.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from rasoat.appendix.declaration import Appendix
from rasoat.appendix.spec import NO
from rasoat.appendix.v2026_1 import COMPUTERS, CONDITIONS, LINK_TYPES, USAGES
from rasoat.campaigns.models import Assignment, Status
from rasoat.dashboard import figures as dashboard
from rasoat.inventory.models import EndDevice, GeneralInfo, NetworkLink, Proposal, Software
from rasoat.summaries.models import LinkSummary

GOOD, WORN, BROKEN = CONDITIONS
TSLCD = LINK_TYPES[2]
EFFECTIVE, PARTIAL, UNUSED = USAGES
NOT_ADEQUATE = "Chưa đáp ứng"
NO_ANTIVIRUS = "Không có"

RECEIVED = (Status.SUBMITTED, Status.ACCEPTED)
"""Reports received by the department: the province report consolidates these."""
PENDING = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.RETURNED)
"""Not (or no longer) sent: the reminder is addressed to these."""

_DEC = DecimalField(max_digits=20, decimal_places=3)


def total(field: str, condition: Q | None = None) -> Coalesce:
    """SUM(field) [WHERE condition], 0 when there is no row."""
    return Coalesce(Sum(field, filter=condition), 0)


def dec_total(expression, condition: Q | None = None) -> Coalesce:
    return Coalesce(
        Sum(expression, filter=condition, output_field=_DEC), Value(Decimal(0)), output_field=_DEC
    )


def rows_of(model, assignments: QuerySet[Assignment]) -> QuerySet:
    """The rows of one sheet for a set of assignments (a subquery, not a list of ids)."""
    return model.objects.filter(assignment__in=assignments).order_by()


def ordered(rows: list[dict], key: str, order: tuple[str, ...]) -> list[dict]:
    """Rows in the order of the appendix's choice list (unknown or empty values last)."""
    position = {label: index for index, label in enumerate(order)}
    return sorted(rows, key=lambda row: (position.get(row[key], len(order)), row[key] or ""))


def renamed(rows, **names: str) -> list[dict]:
    """Rows with annotations renamed (an annotation may not take the name of a field it sums)."""
    return [{names.get(key, key): value for key, value in row.items()} for row in rows]


def _sum_rows(rows: list[dict], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: sum((row[key] for row in rows), 0) for key in keys}


# --- B02: connectivity -----------------------------------------------------------------------------


def internet_bandwidth(assignments: QuerySet[Assignment]) -> Decimal:
    """Total Internet bandwidth (Mbps): every link but TSLCD, times its number of lines (read from
    the units' B02 summaries, which hold that sum per unit)."""
    return dashboard.rows_of(LinkSummary, assignments).aggregate(mbps=dec_total("internet_mbps"))["mbps"]


def links_by_type(assignments: QuerySet[Assignment], appendix: Appendix) -> tuple[list[dict], dict]:
    """Per link type: units, lines, bandwidth (Mbps × lines), lines not adequate; and the totals."""
    rows = list(
        rows_of(NetworkLink, assignments)
        .values("link_type")
        .annotate(
            units=Count("assignment", distinct=True),
            lines=total("quantity"),
            mbps=dec_total(F("bandwidth_mbps") * F("quantity")),
            inadequate=total("quantity", Q(adequacy=NOT_ADEQUATE)),
        )
    )
    rows = ordered(rows, "link_type", appendix.sheet("B02").column("link_type").choices)
    totals = _sum_rows(rows, ("lines", "mbps", "inadequate"))
    totals["units"] = rows_of(NetworkLink, assignments).aggregate(n=Count("assignment", distinct=True))["n"]
    return rows, totals


def link_rows(assignments: QuerySet[Assignment]) -> list[dict]:
    """The B02 rows themselves (a unit's or a commune's), with the unit's name."""
    return list(
        rows_of(NetworkLink, assignments)
        .order_by("assignment__unit__position", "assignment__unit__code", "position", "pk")
        .values(
            "link_type",
            "provider",
            "bandwidth_mbps",
            "quantity",
            "adequacy",
            "shared",
            unit=F("assignment__unit__name"),
        )
    )


# --- B03 and B05: devices by type and condition ----------------------------------------------------


def summaries(sheet: str, assignments: QuerySet[Assignment]) -> QuerySet:
    """The per-unit summary groups of a sheet (B03, B04, B05) for a set of assignments."""
    return dashboard.rows_of(dashboard.SUMMARY_MODELS[sheet], assignments).order_by()


def devices_by_type(
    sheet: str, assignments: QuerySet[Assignment], types: tuple[str, ...]
) -> tuple[list, dict]:
    """Per device type: quantity in all, working well, worn, broken; and the totals (B03 or B05,
    read from the units' summaries by type and condition)."""
    rows = renamed(
        summaries(sheet, assignments)
        .values("device_type")
        .annotate(
            sum_quantity=total("quantity"),
            good=total("quantity", Q(condition=GOOD)),
            worn=total("quantity", Q(condition=WORN)),
            broken=total("quantity", Q(condition=BROKEN)),
        ),
        sum_quantity="quantity",
    )
    rows = ordered(rows, "device_type", types)
    return rows, _sum_rows(rows, ("quantity", "good", "worn", "broken"))


def infra_by_type(assignments: QuerySet[Assignment], appendix: Appendix) -> tuple[list, dict]:
    return devices_by_type("B03", assignments, appendix.sheet("B03").column("device_type").choices)


def end_devices_by_type(assignments: QuerySet[Assignment], appendix: Appendix) -> tuple[list, dict]:
    return devices_by_type("B05", assignments, appendix.sheet("B05").column("device_type").choices)


def computers(assignments: QuerySet[Assignment], *, reference_year: int, max_age: int, min_ram, unsupported):
    """Desktops and laptops: how many, and how many are old, out of support, unlicensed, unprotected,
    short of RAM, broken. Two queries: the B05 summary answers what it groups (type, condition, OS,
    year); licence, antivirus and RAM are only on the rows."""
    grouped = (
        summaries("B05", assignments)
        .filter(device_type__in=COMPUTERS)
        .aggregate(
            total=total("quantity"),
            old=total("quantity", Q(year_acquired__lte=reference_year - max_age)),
            unsupported=total("quantity", Q(os__in=list(unsupported))),
            broken=total("quantity", Q(condition=BROKEN)),
        )
    )
    on_rows = (
        rows_of(EndDevice, assignments)
        .filter(device_type__in=COMPUTERS)
        .aggregate(
            unlicensed=total("quantity", Q(os_licensed=NO)),
            no_antivirus=total("quantity", Q(antivirus=NO_ANTIVIRUS)),
            low_ram=total("quantity", Q(ram_gb__lt=min_ram)),
        )
    )
    keys = ("total", "old", "unsupported", "unlicensed", "no_antivirus", "low_ram", "broken")
    merged = {**grouped, **on_rows}
    return {key: merged[key] for key in keys}


def computers_by_os(assignments: QuerySet[Assignment], appendix: Appendix) -> list[dict]:
    """Desktops and laptops per operating system (from the B05 summaries)."""
    rows = renamed(
        summaries("B05", assignments)
        .filter(device_type__in=COMPUTERS)
        .values("os")
        .annotate(sum_quantity=total("quantity")),
        sum_quantity="quantity",
    )
    return ordered(rows, "os", appendix.sheet("B05").column("os").choices)


# --- B04: platforms and software ---------------------------------------------------------------------


def software_rows(assignments: QuerySet[Assignment]) -> list[dict]:
    return list(
        rows_of(Software, assignments)
        .order_by("assignment__unit__position", "assignment__unit__code", "position", "pk")
        .values("name", "scope", "category", "security_level", "usage", unit=F("assignment__unit__name"))
    )


def software_counts(assignments: QuerySet[Assignment]) -> dict[str, int]:
    return rows_of(Software, assignments).aggregate(
        count=Count("pk"),
        effective=Count("pk", filter=Q(usage=EFFECTIVE)),
        partial=Count("pk", filter=Q(usage=PARTIAL)),
        unused=Count("pk", filter=Q(usage=UNUSED)),
    )


def software_by_category(assignments: QuerySet[Assignment], appendix: Appendix) -> tuple[list, dict]:
    """Per category: systems, by usage, and the yearly upkeep (million VND)."""
    rows = list(
        rows_of(Software, assignments)
        .values("category")
        .annotate(
            count=Count("pk"),
            effective=Count("pk", filter=Q(usage=EFFECTIVE)),
            partial=Count("pk", filter=Q(usage=PARTIAL)),
            unused=Count("pk", filter=Q(usage=UNUSED)),
            cost=dec_total("annual_cost_mvnd"),
        )
    )
    rows = ordered(rows, "category", appendix.sheet("B04").column("category").choices)
    return rows, _sum_rows(rows, ("count", "effective", "partial", "unused", "cost"))


# --- B06: what the units propose ---------------------------------------------------------------------


def proposal_rows(assignments: QuerySet[Assignment]) -> list[dict]:
    return list(
        rows_of(Proposal, assignments)
        .order_by("assignment__unit__position", "assignment__unit__code", "position", "pk")
        .values(
            "item", "area", "kind", "quantity", "budget_mvnd", "target_year", unit=F("assignment__unit__name")
        )
    )


def proposal_budget(assignments: QuerySet[Assignment]) -> Decimal:
    return rows_of(Proposal, assignments).aggregate(budget=dec_total("budget_mvnd"))["budget"]


def proposals_by_area(assignments: QuerySet[Assignment], appendix: Appendix) -> tuple[list, dict]:
    """Per area and kind: proposals, quantity, budget (million VND)."""
    sheet = appendix.sheet("B06")
    rows = renamed(
        rows_of(Proposal, assignments)
        .values("area", "kind")
        .annotate(count=Count("pk"), sum_quantity=total("quantity"), budget=dec_total("budget_mvnd")),
        sum_quantity="quantity",
    )
    areas = {label: index for index, label in enumerate(sheet.column("area").choices)}
    kinds = {label: index for index, label in enumerate(sheet.column("kind").choices)}
    rows.sort(key=lambda row: (areas.get(row["area"], 99), kinds.get(row["kind"], 99)))
    return rows, _sum_rows(rows, ("count", "quantity", "budget"))


# --- per unit, per group, per commune ------------------------------------------------------------------


def unit_summaries(assignments: QuerySet[Assignment]) -> list[dict]:
    """One line per assignment (a commune's units): status, staff, computers, Internet, TSLCD.

    Five small queries (computers, B02 and systems read from the units' summaries), merged by
    assignment id.
    """
    units = list(
        assignments.order_by("unit__position", "unit__code").values(
            "pk", "status", "unit__name", "unit__code"
        )
    )
    staff = {
        row["assignment_id"]: row
        for row in GeneralInfo.objects.filter(assignment__in=assignments).values(
            "assignment_id", "staff_total", "it_staff_fulltime", "it_staff_parttime"
        )
    }
    pcs = dict(
        summaries("B05", assignments)
        .filter(device_type__in=COMPUTERS)
        .values("assignment_id")
        .annotate(n=total("quantity"))
        .values_list("assignment_id", "n")
    )
    links = {
        row["assignment_id"]: row
        for row in dashboard.rows_of(LinkSummary, assignments).values(
            "assignment_id", "internet_mbps", "tslcd_rows"
        )
    }
    internet = {pk: row["internet_mbps"] for pk, row in links.items() if row["internet_mbps"] is not None}
    tslcd = {pk for pk, row in links.items() if row["tslcd_rows"]}
    software = dict(
        summaries("B04", assignments)
        .values("assignment_id")
        .annotate(n=total("rows"))
        .values_list("assignment_id", "n")
    )
    labels = dict(Status.choices)
    result = []
    for unit in units:
        general = staff.get(unit["pk"], {})
        result.append(
            {
                "assignment_id": unit["pk"],
                "name": unit["unit__name"],
                "code": unit["unit__code"],
                "status": str(labels.get(unit["status"], unit["status"])),
                "staff_total": general.get("staff_total"),
                "it_staff": (general.get("it_staff_fulltime") or 0) + (general.get("it_staff_parttime") or 0),
                "computers": pcs.get(unit["pk"], 0),
                "internet_mbps": internet.get(unit["pk"], Decimal(0)),
                "tslcd": unit["pk"] in tslcd,
                "software": software.get(unit["pk"], 0),
            }
        )
    return result


def grouped_state(
    assignments: QuerySet[Assignment], received: QuerySet[Assignment], by: tuple[str, ...], unsupported
) -> dict[tuple, dict[str, Any]]:
    """Per group of units (`by`: unit fields such as ("level", "block") or ("commune_id",)): units
    assigned and received, and over the received ones computers, computers out of support, broken
    end-user devices, infrastructure devices and systems in use. Five grouped queries (devices from
    the units' summaries; systems in use on the rows, since the B04 summary has no usage)."""
    unit_keys = [f"unit__{name}" for name in by]
    row_keys = [f"assignment__unit__{name}" for name in by]
    groups: dict[tuple, dict[str, Any]] = {}

    def slot(row: dict, keys: list[str]) -> dict[str, Any]:
        key = tuple(row[k] for k in keys)
        return groups.setdefault(
            key,
            {
                "assigned": 0,
                "received": 0,
                "computers": 0,
                "unsupported": 0,
                "broken": 0,
                "infra": 0,
                "software": 0,
            },
        )

    counts = (
        assignments.order_by()
        .values(*unit_keys)
        .annotate(assigned=Count("pk"), received=Count("pk", filter=Q(status__in=RECEIVED)))
    )
    for row in counts:
        slot(row, unit_keys).update(assigned=row["assigned"], received=row["received"])
    for row in (
        summaries("B05", received)
        .values(*row_keys)
        .annotate(
            computers=total("quantity", Q(device_type__in=COMPUTERS)),
            unsupported=total("quantity", Q(device_type__in=COMPUTERS, os__in=list(unsupported))),
            broken=total("quantity", Q(condition=BROKEN)),
        )
    ):
        slot(row, row_keys).update(
            computers=row["computers"], unsupported=row["unsupported"], broken=row["broken"]
        )
    for row in summaries("B03", received).values(*row_keys).annotate(n=total("quantity")):
        slot(row, row_keys)["infra"] = row["n"]
    for row in rows_of(Software, received).exclude(usage=UNUSED).values(*row_keys).annotate(n=Count("pk")):
        slot(row, row_keys)["software"] = row["n"]
    return groups


def assigned_editors(paths: list[str]) -> dict[str, list[str]]:
    """For each unit path, its assigned editors as "Name (phone)": the editors whose membership is on the
    nearest unit at or above it (a unit's own editor before the commune's). One query."""
    from rasoat.orgs.models import Membership
    from rasoat.orgs.roles import Role

    ancestors = {prefix for path in paths for prefix in _prefixes(path)}
    by_path: dict[str, list[str]] = {}
    rows = (
        Membership.objects.filter(role=Role.EDITOR, unit__path__in=ancestors, user__is_active=True)
        .order_by("unit__path", "user__full_name", "user__username")
        .values_list("unit__path", "user__full_name", "user__username", "user__phone")
    )
    for path, full_name, username, phone in rows:
        name = full_name or username
        by_path.setdefault(path, []).append(f"{name} ({phone})" if phone else name)
    result = {}
    for path in paths:
        nearest = next((by_path[prefix] for prefix in reversed(_prefixes(path)) if prefix in by_path), [])
        result[path] = nearest
    return result


def _prefixes(path: str) -> list[str]:
    """ "1/5/23/" → ["1/", "1/5/", "1/5/23/"]."""
    parts = [part for part in path.split("/") if part]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def pending_units(assignments: QuerySet[Assignment]) -> list[dict]:
    """The units that have not sent their report, with their contact: the person B01 names and the
    editors assigned to the unit, with their phones (two queries)."""
    labels = dict(Status.choices)
    rows = list(
        assignments.filter(status__in=PENDING)
        .order_by("unit__level", "unit__commune__name", "unit__position", "unit__code")
        .values(
            "status",
            "unit__name",
            "unit__code",
            "unit__path",
            "unit__level",
            "unit__commune__name",
            "general_info__contact_name",
            "general_info__contact_phone",
        )
    )
    editors = assigned_editors([row["unit__path"] for row in rows])
    result = []
    for row in rows:
        b01 = ", ".join(
            part for part in (row["general_info__contact_name"], row["general_info__contact_phone"]) if part
        )
        named = row["general_info__contact_name"] or ""
        people = [b01] if b01 else []
        people += [e for e in editors[row["unit__path"]] if not (named and e.startswith(named))]
        result.append(
            {
                "name": row["unit__name"],
                "code": row["unit__code"],
                "commune": row["unit__commune__name"] or "",
                "status": str(labels.get(row["status"], row["status"])),
                "contact": "; ".join(people),
            }
        )
    return result

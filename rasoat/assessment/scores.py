"""The four scores of a unit (0–100) and the overall score, each made of named components.

Every score is `100 × Σ earned / Σ max` over its applicable components, rounded half up to one
decimal; a score with no applicable component is None ("nothing to assess"), not 0. Each component
is lowered by one rule, so the findings listed under a score (those whose `area` names it) explain
its loss; the two software components without a rule of their own say so in their label.

Connectivity (Kết nối) — four components of 25 points:
- lan: 25 when B01 does not say "no LAN" (N-LAN), else 0.
- tslcd: only for units that must join the special-purpose network (rules.must_join_tslcd):
  25 with a TSLCD line, else 0 (N-TSLCD).
- bandwidth: 25 × min(1, Internet bandwidth / the level's threshold) (N-BW).
- adequacy: only when B02 has lines: 25 × the share of lines (by number of lines) not marked
  `Chưa đáp ứng` (N-INADEQ).

Devices (Thiết bị đầu cuối) — computers (desktops and laptops), weighted by quantity:
- good_computers: earned = computers with no finding (D-AGE, D-OS, D-OS-LIC, D-AV, D-RAM, D-HDD,
  D-BROKEN, D-WORN), max = all computers.
- missing_computers: when the staff ratio asks for more computers than the unit has
  (ceil(staff × ratio) − computers), each missing one counts as a computer with max 1 and earned 0
  (P-RATIO). So devices = good / max(computers, required computers).

Infrastructure (Thiết bị hạ tầng) — B03 devices, weighted by quantity:
- good_infrastructure: earned = devices neither broken (D-BROKEN) nor worn (D-WORN), max = all.

Software (Nền tảng, phần mềm) — 100 points when everything applies:
- document_management (30): a document management system in use (S-NO-DOC).
- procedures (20): only for units with a one-stop desk: an administrative-procedures system in use
  (no rule of its own in ASSESSMENT.md).
- official_email (20): official e-mail in use (no rule of its own).
- security_level (15): only when the unit deployed systems itself: 15 × the share of them with a
  security level determined (S-SEC).
- effective_use (15): only when B04 has rows: 15 × the share of systems used `Thường xuyên, hiệu
  quả` (S-IDLE-COST marks the unused ones that still cost money).

Overall = Σ weight × score / Σ weight over the scores that are not None (weights admin-editable,
default equal); None when no score can be computed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from rasoat.assessment import rules
from rasoat.assessment.rules import (
    CONNECTIVITY,
    DEVICES,
    EFFECTIVE,
    INFRASTRUCTURE,
    NOT_ADEQUATE,
    SELF_DEPLOYED,
    SOFTWARE,
    UNDETERMINED,
    Found,
    Subject,
)

ONE_DECIMAL = Decimal("0.1")

COMPONENTS: dict[str, tuple[Any, str]] = {
    "lan": (_("Local network (LAN)"), "N-LAN"),
    "tslcd": (_("Connection to the special-purpose network (TSLCD)"), "N-TSLCD"),
    "bandwidth": (_("Internet bandwidth against the threshold"), "N-BW"),
    "adequacy": (_("Lines that meet the unit's needs"), "N-INADEQ"),
    "good_computers": (
        _("Computers without any finding"),
        "D-AGE, D-OS, D-OS-LIC, D-AV, D-RAM, D-HDD, D-BROKEN, D-WORN",
    ),
    "missing_computers": (_("Computers missing to reach the staff ratio"), "P-RATIO"),
    "good_infrastructure": (_("Infrastructure devices working and not worn"), "D-BROKEN, D-WORN"),
    "document_management": (_("Document management system in use"), "S-NO-DOC"),
    "procedures": (_("Administrative procedures system in use (no rule of its own)"), ""),
    "official_email": (_("Official e-mail in use (no rule of its own)"), ""),
    "security_level": (_("Self-deployed systems with a security level"), "S-SEC"),
    "effective_use": (_("Systems used regularly and effectively"), "S-IDLE-COST"),
}
"""Component key → (label, the rules that lower it), for the unit page."""

AREA_LABELS = {
    CONNECTIVITY: _("Connectivity"),
    DEVICES: _("End-user devices"),
    INFRASTRUCTURE: _("Infrastructure devices"),
    SOFTWARE: _("Platforms and software"),
}


@dataclass
class Component:
    key: str
    earned: Decimal
    max: Decimal

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "earned": float(self.earned), "max": float(self.max)}


@dataclass
class Scores:
    """The four scores, the overall score and the components behind each."""

    connectivity: Decimal | None = None
    devices: Decimal | None = None
    infrastructure: Decimal | None = None
    software: Decimal | None = None
    overall: Decimal | None = None
    components: dict[str, list[Component]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Decimal | None]:
        return {
            "connectivity": self.connectivity,
            "devices": self.devices,
            "infrastructure": self.infrastructure,
            "software": self.software,
            "overall": self.overall,
        }

    def details(self) -> dict[str, list[dict[str, Any]]]:
        """The components as JSON (stored with the score, shown on the unit page)."""
        return {area: [c.as_json() for c in parts] for area, parts in self.components.items()}


def round1(value: Decimal) -> Decimal:
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def score_of(components: Iterable[Component]) -> Decimal | None:
    parts = list(components)
    total = sum((c.max for c in parts), Decimal(0))
    if total <= 0:
        return None
    return round1(Decimal(100) * sum((c.earned for c in parts), Decimal(0)) / total)


def _has(findings: Iterable[Found], rule: str) -> bool:
    return any(f.rule == rule for f in findings)


def _share(points: int, good: Decimal | int, total: Decimal | int) -> Decimal:
    return Decimal(points) * Decimal(good) / Decimal(total)


def connectivity(subject: Subject, findings: list[Found]) -> list[Component]:
    quarter = Decimal(25)
    parts = [Component("lan", Decimal(0) if _has(findings, "N-LAN") else quarter, quarter)]
    if rules.must_join_tslcd(subject.unit):
        parts.append(Component("tslcd", Decimal(0) if _has(findings, "N-TSLCD") else quarter, quarter))
    threshold = rules.bandwidth_threshold(subject)
    ratio = Decimal(1) if threshold <= 0 else min(Decimal(1), rules.internet_bandwidth(subject) / threshold)
    parts.append(Component("bandwidth", quarter * ratio, quarter))
    lines = subject.rows("B02")
    total = sum(rules.quantity(row) for row in lines)
    if total:
        adequate = sum(rules.quantity(row) for row in lines if row.get("adequacy") != NOT_ADEQUATE)
        parts.append(Component("adequacy", _share(25, adequate, total), quarter))
    return parts


def _rows_with_findings(findings: Iterable[Found], area: str, sheet: str) -> set[int]:
    return {f.row for f in findings if f.area == area and f.sheet == sheet and f.row is not None}


def devices(subject: Subject, findings: list[Found]) -> list[Component]:
    flagged = _rows_with_findings(findings, DEVICES, "B05")
    total = good = 0
    for index, row in rules.computers(subject):
        total += rules.quantity(row)
        if index not in flagged:
            good += rules.quantity(row)
    parts = [Component("good_computers", Decimal(good), Decimal(total))]
    required = rules.required_computers(subject) or 0
    if required > total:
        parts.append(Component("missing_computers", Decimal(0), Decimal(required - total)))
    return parts


def infrastructure(subject: Subject, findings: list[Found]) -> list[Component]:
    flagged = _rows_with_findings(findings, INFRASTRUCTURE, "B03")
    rows = list(enumerate(subject.rows("B03"), start=1))
    total = sum(rules.quantity(row) for _i, row in rows)
    good = sum(rules.quantity(row) for index, row in rows if index not in flagged)
    return [Component("good_infrastructure", Decimal(good), Decimal(total))] if total else []


def software(subject: Subject, findings: list[Found]) -> list[Component]:
    def in_use(points: int, category: str) -> Decimal:
        return Decimal(points) if rules.software_in_use(subject, category) else Decimal(0)

    parts = [
        Component(
            "document_management", Decimal(0) if _has(findings, "S-NO-DOC") else Decimal(30), Decimal(30)
        )
    ]
    if rules.has_one_stop_desk(subject):
        parts.append(Component("procedures", in_use(20, rules.PROCEDURES), Decimal(20)))
    parts.append(Component("official_email", in_use(20, rules.OFFICIAL_EMAIL), Decimal(20)))
    systems = subject.rows("B04")
    own = [row for row in systems if row.get("scope") == SELF_DEPLOYED]
    if own:
        determined = sum(1 for row in own if row.get("security_level") not in (None, UNDETERMINED))
        parts.append(Component("security_level", _share(15, determined, len(own)), Decimal(15)))
    if systems:
        effective = sum(1 for row in systems if row.get("usage") == EFFECTIVE)
        parts.append(Component("effective_use", _share(15, effective, len(systems)), Decimal(15)))
    return parts


def overall(values: Mapping[str, Decimal | None], weights: Mapping[str, Decimal]) -> Decimal | None:
    pairs = [(weights.get(area, Decimal(0)), value) for area, value in values.items() if value is not None]
    total = sum((w for w, _v in pairs), Decimal(0))
    if total <= 0:
        return None
    return round1(sum((w * v for w, v in pairs), Decimal(0)) / total)


def compute(subject: Subject, findings: list[Found]) -> Scores:
    """The scores of a unit from its data and the findings `rules.evaluate` gave for it."""
    components = {
        CONNECTIVITY: connectivity(subject, findings),
        DEVICES: devices(subject, findings),
        INFRASTRUCTURE: infrastructure(subject, findings),
        SOFTWARE: software(subject, findings),
    }
    values = {area: score_of(parts) for area, parts in components.items()}
    return Scores(**values, overall=overall(values, subject.config.weights), components=components)

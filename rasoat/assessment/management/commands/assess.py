"""`rasoat assess CAMPAIGN [--unit CODE]`: recompute the assessment and print it as JSON.

For each unit: {"unit": code, "scores": {...}, "findings": [...], "needs": [...]}; scores are null
for a unit without data. Campaigns whose appendix has the target indicators (2026.2) add
"indicators": [{"code", "numerator", "denominator"}] (empty for a unit without data).
Without --unit, a list of every assigned unit in registry order.
"""

import json
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rasoat.assessment import indicators, services
from rasoat.assessment.models import Finding, IndicatorCount, Need, UnitScore
from rasoat.assessment.services import SCORE_FIELDS
from rasoat.campaigns.models import Assignment, Campaign

CHUNK = 500


def number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def results(assignments: list[Assignment]) -> list[dict[str, Any]]:
    """The stored results of these assignments (with their units) in the command's JSON shape."""
    ids = [a.pk for a in assignments]
    scores = {s.assignment_id: s for s in UnitScore.objects.filter(assignment_id__in=ids)}
    findings: dict[int, list] = {}
    for f in Finding.objects.filter(assignment_id__in=ids).order_by("pk"):
        findings.setdefault(f.assignment_id, []).append(
            {
                "rule": f.rule,
                "severity": f.severity,
                "sheet": f.sheet,
                "row": f.row,
                "quantity": f.quantity,
                "message": f.message,
            }
        )
    needs: dict[int, list] = {}
    for n in Need.objects.filter(assignment_id__in=ids).order_by("pk"):
        needs.setdefault(n.assignment_id, []).append(
            {"kind": n.kind, "item": n.item, "quantity": n.quantity, "cost_mvnd": number(n.cost_mvnd)}
        )
    counted: dict[int, list] | None = None
    if assignments and indicators.for_campaign(assignments[0].campaign):
        order = {indicator.code: i for i, indicator in enumerate(indicators.INDICATORS)}
        counted = {}
        for c in IndicatorCount.objects.filter(assignment_id__in=ids):
            counted.setdefault(c.assignment_id, []).append(
                {"code": c.code, "numerator": c.numerator, "denominator": c.denominator}
            )
        for rows in counted.values():
            rows.sort(key=lambda row: order.get(row["code"], 99))
    output = []
    for a in assignments:
        score = scores.get(a.pk)
        output.append(
            {
                "unit": a.unit.code,
                "scores": {name: number(getattr(score, name)) if score else None for name in SCORE_FIELDS},
                "findings": findings.get(a.pk, []),
                "needs": needs.get(a.pk, []),
            }
        )
        if counted is not None:
            output[-1]["indicators"] = counted.get(a.pk, [])
    return output


class Command(BaseCommand):
    help = "Recompute a campaign's assessment (or one unit's) and print findings, scores and needs as JSON."

    def add_arguments(self, parser):
        parser.add_argument("campaign", help="The campaign code, e.g. RS2026.")
        parser.add_argument("--unit", help="Only this unit (its code); prints one object instead of a list.")

    def handle(self, *args, campaign, unit=None, **options):
        found = Campaign.objects.filter(code__iexact=campaign).first()
        if found is None:
            raise CommandError(f"no campaign {campaign!r}")
        assignments = (
            Assignment.objects.filter(campaign=found)
            .select_related("campaign", "unit")
            .order_by("unit__position", "unit__code")
        )
        if unit:
            assignment = assignments.filter(unit__code=unit).first()
            if assignment is None:
                raise CommandError(f"unit {unit!r} is not assigned in campaign {found.code!r}")
            services.assess_assignment(assignment)
            self.stdout.write(json.dumps(results([assignment])[0], ensure_ascii=False, indent=1))
            return
        services.assess_campaign(found)
        # Written unit by unit, a chunk of units at a time: a national campaign has millions of findings.
        self.stdout.write("[", ending="")
        everything = list(assignments)
        for start in range(0, len(everything), CHUNK):
            for index, entry in enumerate(results(everything[start : start + CHUNK]), start=start):
                separator = ",\n" if index else "\n"
                self.stdout.write(separator + json.dumps(entry, ensure_ascii=False, indent=1), ending="")
        self.stdout.write("\n]")

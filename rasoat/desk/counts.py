"""Stored error and warning counts per assignment (CheckCount), refreshed when the data changes.

Validating a unit's data reads all its rows; the board lists hundreds of units. So the counts are
computed once per change by the unit's recompute job (rasoat.jobs.tasks.recompute_unit, queued by every
change of the unit's data), not in the request that made the change (an import of 10,000 rows would
validate them twice), and the pages read them with a join. A unit nobody has touched yet has no row:
`ensure_counts` fills those for the few units of an editor's home page.
"""

from rasoat.campaigns.models import Assignment
from rasoat.desk.models import CheckCount
from rasoat.inventory.workflow import check_assignment


def refresh(assignment: Assignment) -> CheckCount:
    """Validate the assignment's stored data and store its number of errors and warnings."""
    check = check_assignment(assignment)
    count, _ = CheckCount.objects.update_or_create(
        assignment=assignment, defaults={"errors": len(check.errors), "warnings": len(check.warnings)}
    )
    return count


def ensure_counts(assignments: list[Assignment]) -> dict[int, CheckCount]:
    """The counts of the assignments by id, computing those that have none yet (never edited)."""
    counts = {
        c.assignment_id: c for c in CheckCount.objects.filter(assignment__in=[a.pk for a in assignments])
    }
    for assignment in assignments:
        if assignment.pk not in counts:
            counts[assignment.pk] = refresh(assignment)
    return counts

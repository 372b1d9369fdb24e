"""Stored error and warning counts per assignment (CheckCount), refreshed when the data changes.

Validating a unit's data reads all its rows; the board lists hundreds of units. So the counts are
computed once per change, inside the change's transaction (`inventory.signals.data_changed`), and the
pages read them with a join. A unit nobody has touched yet has no row: `ensure_counts` fills those
for the few units of an editor's home page.
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


def on_data_changed(sender, assignment: Assignment, **kwargs) -> None:
    """Receiver of `data_changed`: the counts follow the data."""
    refresh(assignment)


def ensure_counts(assignments: list[Assignment]) -> dict[int, CheckCount]:
    """The counts of the assignments by id, computing those that have none yet (never edited)."""
    counts = {
        c.assignment_id: c for c in CheckCount.objects.filter(assignment__in=[a.pk for a in assignments])
    }
    for assignment in assignments:
        if assignment.pk not in counts:
            counts[assignment.pk] = refresh(assignment)
    return counts

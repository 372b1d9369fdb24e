"""Business operations of the desk: deadline extensions and each unit's effective deadline."""

import datetime

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from rasoat.audit.services import log
from rasoat.campaigns.models import Assignment, Status
from rasoat.desk.models import DeadlineExtension
from rasoat.inventory.events import workflow_event
from rasoat.inventory.services import _lock
from rasoat.inventory.workflow import WorkflowError


def with_deadline(assignments: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """Annotate `extended_to`: the newest extension's deadline, None when the unit has none (one join)."""
    newest = DeadlineExtension.objects.filter(assignment=OuterRef("pk")).order_by("-at", "-pk")
    return assignments.annotate(extended_to=Subquery(newest.values("deadline")[:1]))


def deadline_of(assignment: Assignment) -> datetime.date:
    """The unit's deadline: its newest extension, else the campaign's (annotation used when present)."""
    if hasattr(assignment, "extended_to"):
        return assignment.extended_to or assignment.campaign.deadline
    newest = assignment.extensions.first()
    return newest.deadline if newest else assignment.campaign.deadline


def days_left(assignment: Assignment, today: datetime.date | None = None) -> int:
    """Days to the unit's deadline: positive before, 0 on the day, negative after."""
    return (deadline_of(assignment) - (today or timezone.localdate())).days


def extend_deadline(
    assignment: Assignment, actor, deadline: datetime.date, reason: str, *, address: str | None = None
) -> DeadlineExtension:
    """Give one unit a later deadline, with the reason; recorded, audited and announced."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("Give the reason for the extension."))
    with transaction.atomic():
        locked = _lock(assignment)
        if locked.status == Status.ACCEPTED:
            raise WorkflowError(_("The report is already accepted: no extension is needed."))
        before = deadline_of(locked)
        if deadline <= locked.campaign.deadline or deadline <= before:
            raise WorkflowError(
                _("The new deadline must be later than the current one (%(date)s).")
                % {"date": before.strftime("%d/%m/%Y")}
            )
        extension = DeadlineExtension.objects.create(
            assignment=locked, deadline=deadline, reason=reason, actor=actor
        )
        log(
            actor,
            "deadline.extended",
            locked,
            {"deadline": [before.isoformat(), deadline.isoformat()]},
            unit=locked.unit,
            address=address,
            note=reason,
        )
        workflow_event("extended", locked, actor, reason, address=address)
    return extension

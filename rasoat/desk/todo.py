"""What the "Việc cần làm" home shows: an editor's units with their next step, a reviewer's queue.

Each function runs a fixed number of queries whatever the number of units (the home page is the
most visited page of a campaign; tests pin the count with django_assert_num_queries).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rasoat.campaigns.models import Assignment, Campaign, Status, Transition
from rasoat.desk.counts import ensure_counts
from rasoat.desk.services import deadline_of, with_deadline

QUEUE_LENGTH = 10
OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.RETURNED)


@dataclass
class NextStep:
    """The one button an editor's unit row offers."""

    label: str
    url: str
    style: str


@dataclass
class UnitTodo:
    """One row of an editor's home."""

    assignment: Assignment
    deadline: datetime.date
    days_left: int
    errors: int | None
    warnings: int | None
    return_reason: str
    step: NextStep
    can_recall: bool

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)


def current_campaign() -> Campaign | None:
    """The campaign the home is about: the one with the latest deadline."""
    return Campaign.objects.first()


def _next_step(assignment: Assignment, errors: int | None, can_submit: bool) -> NextStep:
    args = [assignment.campaign.code, assignment.unit_id]
    status = assignment.status
    if status == Status.NOT_STARTED:
        return NextStep(_("Start entering data"), reverse("entry_overview", args=args), "primary")
    if status in (Status.IN_PROGRESS, Status.RETURNED):
        if errors:
            return NextStep(
                _("Correct %(count)d error(s)") % {"count": errors},
                reverse("workflow_submit", args=args),
                "danger",
            )
        if can_submit:
            return NextStep(_("Check and submit"), reverse("workflow_submit", args=args), "success")
        return NextStep(_("Continue entering data"), reverse("entry_overview", args=args), "primary")
    return NextStep(_("View the history"), reverse("workflow_history", args=args), "outline-secondary")


def editor_units(user, campaign: Campaign, today: datetime.date | None = None) -> list[UnitTodo]:
    """The units the user enters data for in the campaign, each with its status and next step."""
    today = today or timezone.localdate()
    assignments = list(
        with_deadline(
            Assignment.objects.visible_to(user, "data:edit")
            .filter(campaign=campaign)
            .select_related("campaign", "unit")
        )
    )
    if not assignments:
        return []
    counts = ensure_counts(assignments)
    by_pk = {a.pk: a for a in assignments}
    reasons: dict[int, str] = {}
    for transition in Transition.objects.filter(assignment__in=by_pk, to_status=Status.RETURNED).order_by(
        "at", "pk"
    ):
        reasons[transition.assignment_id] = transition.reason  # the newest wins
    rows = []
    for assignment in assignments:
        count = counts.get(assignment.pk)
        errors = count.errors if count else None
        deadline = deadline_of(assignment)
        can_submit = user.has_unit_perm("submission:submit", assignment.unit)
        show_reason = assignment.status in (Status.RETURNED, Status.IN_PROGRESS)
        rows.append(
            UnitTodo(
                assignment=assignment,
                deadline=deadline,
                days_left=(deadline - today).days,
                errors=errors,
                warnings=count.warnings if count else None,
                return_reason=reasons.get(assignment.pk, "") if show_reason else "",
                step=_next_step(assignment, errors, can_submit),
                can_recall=assignment.status == Status.SUBMITTED and can_submit,
            )
        )
    return rows


def _late(assignments: QuerySet[Assignment], today: datetime.date) -> QuerySet[Assignment]:
    """Units past their own deadline (the extension, else the campaign's) that have not submitted."""
    return with_deadline(assignments.filter(status__in=OPEN)).filter(
        Q(extended_to__lt=today) | Q(extended_to__isnull=True, campaign__deadline__lt=today)
    )


def reviewer_queue(user, campaign: Campaign, today: datetime.date | None = None) -> dict:
    """What waits for the reviewer: submitted reports (oldest first), late units, recent submissions."""
    today = today or timezone.localdate()
    scoped = Assignment.objects.visible_to(user, "submission:review").filter(campaign=campaign)
    waiting = scoped.filter(status=Status.SUBMITTED).select_related("unit", "check_count")
    late = _late(scoped, today).select_related("unit", "campaign")
    recent = (
        Transition.objects.filter(assignment__in=scoped.values("pk"), to_status=Status.SUBMITTED)
        .select_related("assignment__unit")
        .order_by("-at", "-pk")[:QUEUE_LENGTH]
    )
    late_rows = list(late.order_by("unit__position", "unit__code")[:QUEUE_LENGTH])
    for assignment in late_rows:
        assignment.days_late = (today - deadline_of(assignment)).days
    return {
        "waiting": list(waiting.order_by("submitted_at", "pk")[:QUEUE_LENGTH]),
        "waiting_count": waiting.count(),
        "late": late_rows,
        "late_count": late.count(),
        "recent": list(recent),
    }

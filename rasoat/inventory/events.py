"""The one place where a step of the review workflow is announced.

Every workflow action (submit, return, accept, reopen, recall, deadline extension) calls
`workflow_event` inside its transaction after the change. It writes the audit entry of the event and
notifies the people concerned (rasoat.notifications: in the interface, and by e-mail when configured),
here and nowhere else.
"""

from rasoat.campaigns.models import Assignment

KINDS = ("submitted", "returned", "accepted", "reopened", "recalled", "extended")


def workflow_event(kind: str, assignment: Assignment, actor, reason: str = "", *, address: str | None = None):
    """Record that `kind` happened to `assignment` (audit entry `workflow.<kind>`); returns the entry."""
    from rasoat.audit.services import log
    from rasoat.notifications.services import notify_workflow

    if kind not in KINDS:
        raise ValueError(f"unknown workflow event {kind!r}")
    notify_workflow(kind, assignment, actor, reason)
    return log(
        actor,
        f"workflow.{kind}",
        assignment,
        {"status": [None, assignment.status]},
        unit=assignment.unit,
        address=address,
        note=reason,
    )

"""`{% review_actions assignment %}`: the unit's review buttons (accept, return, reopen, recall,
extend) for the pages of one unit, each leading to its confirmation page."""

from django import template

from rasoat.campaigns.models import Status
from rasoat.desk.services import deadline_of

register = template.Library()


@register.inclusion_tag("desk/_review_actions.html", takes_context=True)
def review_actions(context, assignment, review_forms: bool = False):
    """The actions the signed-in user may take on `assignment` now, and its deadline extension.

    `review_forms`: the page has its own accept/return/reopen forms (the history); show the others only.
    """
    request = context["request"]
    user, unit, status = request.user, assignment.unit, assignment.status
    review = user.has_unit_perm("submission:review", unit)
    newest = assignment.extensions.first()
    return {
        "assignment": assignment,
        "campaign": assignment.campaign,
        "unit": unit,
        "next": request.get_full_path(),
        "can_accept": not review_forms and review and status == Status.SUBMITTED,
        "can_reopen": not review_forms
        and status == Status.ACCEPTED
        and user.has_unit_perm("submission:reopen", unit),
        "can_recall": status == Status.SUBMITTED and user.has_unit_perm("submission:submit", unit),
        "can_extend": review and status != Status.ACCEPTED,
        "extension": newest,
        "deadline": deadline_of(assignment) if newest is None else newest.deadline,
    }

"""Loading an assignment for a request through the scoping layer.

Out of the user's scope → 404 (the page does not confirm the unit exists); in scope but without the
permission the action needs → 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from rasoat.campaigns.models import Assignment
from rasoat.client_ip import client_address as client_address  # one definition, shared by views


def get_assignment(request, code: str, pk: int, perm: str | None = None) -> Assignment:
    """The assignment of unit `pk` in campaign `code` as `request.user` may see it.

    `perm` is checked on the unit after the visibility check ("data:edit", "submission:review", ...).
    """
    assignment = (
        Assignment.objects.visible_to(request.user, "data:view")
        .select_related("campaign", "unit", "unit__commune", "unit__parent")
        .filter(campaign__code=code, unit_id=pk)
        .first()
    )
    if assignment is None:
        raise Http404
    if perm is not None and not request.user.has_unit_perm(perm, assignment.unit):
        raise PermissionDenied
    return assignment

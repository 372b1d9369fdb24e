"""The review actions of one unit, each behind a confirmation page: accept, return, reopen, recall,
extend the deadline; and the bulk accept of the board.

A GET (or a POST without `confirmed`) shows what will happen and asks; a POST with `confirmed=1`
does it. The confirmation is a page, not a script, so it works without JavaScript and under the
Content-Security-Policy. An action that is not possible in the unit's current status sends the user
back with the reason, so a stale button never half-acts. Assignments come through
`inventory.access.get_assignment` (out of scope → 404, without the permission → 403).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from rasoat.campaigns.models import Assignment, Campaign, Status
from rasoat.desk.forms import ExtensionForm
from rasoat.desk.services import deadline_of, extend_deadline
from rasoat.inventory import workflow
from rasoat.inventory.access import client_address, get_assignment
from rasoat.inventory.workflow_forms import ReasonForm


@dataclass(frozen=True)
class Step:
    """One action: who may take it, from which status, and what it asks and says."""

    perm: str
    statuses: tuple[str, ...]
    title: str
    question: str
    button: str
    done: str
    refused: str
    needs_reason: bool
    run: Callable


STEPS = {
    "accept": Step(
        "submission:review",
        (Status.SUBMITTED,),
        gettext_lazy("Accept the report"),
        gettext_lazy("Accept the report of %(unit)s? The unit can no longer change it."),
        gettext_lazy("Accept"),
        gettext_lazy("The report was accepted."),
        gettext_lazy("Only a submitted report can be accepted."),
        False,
        lambda a, user, reason, address: workflow.accept(a, user, address=address),
    ),
    "return": Step(
        "submission:review",
        (Status.SUBMITTED,),
        gettext_lazy("Return the report"),
        gettext_lazy("Return the report of %(unit)s to the unit with this reason?"),
        gettext_lazy("Return"),
        gettext_lazy("The report was returned."),
        gettext_lazy("Only a submitted report can be returned."),
        True,
        lambda a, user, reason, address: workflow.return_submission(a, user, reason, address=address),
    ),
    "reopen": Step(
        "submission:reopen",
        (Status.ACCEPTED,),
        gettext_lazy("Reopen the accepted report"),
        gettext_lazy("Reopen the accepted report of %(unit)s and send it back to the unit with this reason?"),
        gettext_lazy("Reopen"),
        gettext_lazy("The accepted report was reopened."),
        gettext_lazy("Only an accepted report can be reopened."),
        True,
        lambda a, user, reason, address: workflow.reopen(a, user, reason, address=address),
    ),
    "recall": Step(
        "submission:submit",
        (Status.SUBMITTED,),
        gettext_lazy("Recall the report"),
        gettext_lazy(
            "Recall the submitted report of %(unit)s? It becomes a draft again and must be submitted again."
        ),
        gettext_lazy("Recall"),
        gettext_lazy("The report was recalled; it is a draft again."),
        gettext_lazy("Only a submitted report that is not yet reviewed can be recalled."),
        False,
        lambda a, user, reason, address: workflow.recall(a, user, address=address),
    ),
}


def _back(request, assignment: Assignment) -> str:
    """Where to go afterwards: the page the action was started from (same site only), else the history."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("workflow_history", args=[assignment.campaign.code, assignment.unit_id])


def _confirmed(request) -> bool:
    return request.method == "POST" and request.POST.get("confirmed") == "1"


def _step_view(request, code: str, pk: int, name: str):
    step = STEPS[name]
    assignment = get_assignment(request, code, pk, step.perm)
    back = _back(request, assignment)
    if assignment.status not in step.statuses:
        messages.error(request, str(step.refused))
        return redirect(back)
    # A reason posted from another page (the history's return form) is shown for confirmation; an
    # empty one is asked for again, with the message next to the field.
    form = ReasonForm(request.POST if request.method == "POST" and step.needs_reason else None)
    reason = form.cleaned_data["reason"] if step.needs_reason and form.is_bound and form.is_valid() else ""
    ready = not step.needs_reason or bool(reason)
    if _confirmed(request) and ready:
        try:
            step.run(assignment, request.user, reason, client_address(request))
        except workflow.WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, str(step.done))
        return redirect(back)
    return render(
        request,
        "desk/confirm.html",
        {
            "assignment": assignment,
            "campaign": assignment.campaign,
            "unit": assignment.unit,
            "title": step.title,
            "question": step.question % {"unit": assignment.unit.name},
            "button": step.button,
            "danger": name in ("return", "reopen", "recall"),
            "form": form if step.needs_reason else None,
            "next": back,
            "testid": f"confirm-{name}",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def accept(request, code: str, pk: int):
    """A reviewer accepts a submission, after confirming."""
    return _step_view(request, code, pk, "accept")


@login_required
@require_http_methods(["GET", "POST"])
def return_view(request, code: str, pk: int):
    """A reviewer sends a submission back with the reason the unit must read, after confirming."""
    return _step_view(request, code, pk, "return")


@login_required
@require_http_methods(["GET", "POST"])
def reopen(request, code: str, pk: int):
    """A reviewer reopens an accepted report with a reason, after confirming."""
    return _step_view(request, code, pk, "reopen")


@login_required
@require_http_methods(["GET", "POST"])
def recall(request, code: str, pk: int):
    """The unit's editor takes back a submitted report not yet reviewed, after confirming."""
    return _step_view(request, code, pk, "recall")


@login_required
@require_http_methods(["GET", "POST"])
def extend(request, code: str, pk: int):
    """A reviewer gives one unit a later deadline (gia hạn), with a reason, after confirming."""
    assignment = get_assignment(request, code, pk, "submission:review")
    back = _back(request, assignment)
    if assignment.status == Status.ACCEPTED:
        messages.error(request, _("The report is already accepted: no extension is needed."))
        return redirect(back)
    form = ExtensionForm(request.POST if request.method == "POST" else None)
    current = deadline_of(assignment)
    if form.is_bound and form.is_valid() and form.cleaned_data["deadline"] <= current:
        # Said before the confirmation step, so the page never asks to confirm what will be refused.
        form.add_error(
            "deadline",
            _("The new deadline must be later than the current one (%(date)s).")
            % {"date": current.strftime("%d/%m/%Y")},
        )
    if request.method == "POST" and form.is_valid() and _confirmed(request):
        try:
            extend_deadline(
                assignment,
                request.user,
                form.cleaned_data["deadline"],
                form.cleaned_data["reason"],
                address=client_address(request),
            )
        except workflow.WorkflowError as error:
            form.add_error("deadline", error.message)
        else:
            messages.success(
                request,
                _("The deadline of %(unit)s was extended to %(date)s.")
                % {"unit": assignment.unit.name, "date": form.cleaned_data["deadline"].strftime("%d/%m/%Y")},
            )
            return redirect(back)
    asking = form.is_bound and form.is_valid()
    return render(
        request,
        "desk/extend.html",
        {
            "assignment": assignment,
            "campaign": assignment.campaign,
            "unit": assignment.unit,
            "current": current,
            "extensions": list(assignment.extensions.select_related("actor")),
            "form": form,
            "asking": asking,
            "next": back,
        },
    )


@login_required
@require_POST
def bulk_accept(request, code: str):
    """Accept the selected units of the board at once (all or none), after confirming the list."""
    campaign = get_object_or_404(Campaign, code=code)
    if not request.user.has_any_perm("campaign:view"):
        raise Http404
    ids = [raw for raw in request.POST.getlist("unit") if raw.isdigit()]
    back = reverse("campaign_board", args=[campaign.code])
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        back = target
    if not request.user.has_any_perm("submission:review"):
        raise PermissionDenied
    # Only units the user may review are ever touched; others in the POST are simply not found.
    assignments = list(
        Assignment.objects.visible_to(request.user, "submission:review")
        .filter(campaign=campaign, unit_id__in=ids)
        .select_related("campaign", "unit")
    )
    if not assignments:
        messages.error(request, _("Select the units to accept first."))
        return redirect(back)
    if _confirmed(request):
        try:
            workflow.accept_many(assignments, request.user, address=client_address(request))
        except workflow.WorkflowError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The reports of %(count)d unit(s) were accepted: %(units)s.")
                % {"count": len(assignments), "units": ", ".join(a.unit.name for a in assignments)},
            )
        return redirect(back)
    return render(
        request,
        "desk/bulk_accept.html",
        {
            "campaign": campaign,
            "assignments": assignments,
            "not_submitted": [a for a in assignments if a.status != Status.SUBMITTED],
            "next": back,
        },
    )

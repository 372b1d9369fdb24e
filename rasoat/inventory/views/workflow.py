"""Views of the review workflow: submit, carry forward, history and diff, and the commune's
submit-all (return, accept, reopen and recall, behind a confirmation page, are in desk.views.actions).

Assignments are always loaded through `access.get_assignment` (out of scope → 404, in scope without
the permission → 403). The rules themselves live in `inventory.workflow`; a `WorkflowError` is shown
to the user as it is and nothing changes. Every POST ends in a redirect, so a reload never repeats it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rasoat.appendix.declaration import Appendix, Issue
from rasoat.campaigns.models import Assignment, Campaign, Snapshot, Status
from rasoat.inventory import storage, workflow
from rasoat.inventory.access import client_address, get_assignment
from rasoat.inventory.data import appendix_for
from rasoat.inventory.diff import SheetDiff, diff_snapshots
from rasoat.inventory.workflow_forms import CompareForm, ReasonForm, SubmitForm
from rasoat.orgs.models import Kind, Unit

DRAFT = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.RETURNED)
# carry_forward only starts a draft nobody has worked on in this campaign (not a returned one).
CARRY_FORWARD_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS)


# --- helpers ---------------------------------------------------------------------------------------


def _issue_rows(assignment: Assignment, appendix: Appendix, issues: list[Issue]) -> list[dict]:
    """Issues as the check table shows them: sheet title, row, column header and a link to the sheet."""
    rows = []
    for issue in issues:
        code = issue.sheet if issue.sheet and appendix.has_sheet(issue.sheet) else None
        sheet = appendix.sheet(code) if code else None
        column = (
            sheet.column(issue.column) if sheet and issue.column and sheet.has_column(issue.column) else None
        )
        if code == "B01":
            url = reverse("entry_general", args=[assignment.campaign.code, assignment.unit_id])
        elif code:
            url = reverse("entry_sheet", args=[assignment.campaign.code, assignment.unit_id, code])
        else:
            url = None
        rows.append(
            {
                "code": code or issue.sheet or "",
                "sheet": sheet.title if sheet else (issue.sheet or ""),
                "row": issue.row,
                "column": column.header if column else (issue.column or ""),
                "value": issue.value,
                "message": issue.message,
                "url": url,
            }
        )
    return rows


def draft_is_empty(assignment: Assignment) -> bool:
    """No table row and no value in a label/value sheet: one cheap query per sheet."""
    for sheet in appendix_for(assignment):
        if sheet.repeating:
            if storage.records(sheet, assignment=assignment).exists():
                return False
        else:
            values = storage.read_values(storage.single_record(sheet, assignment), sheet)
            if any(value not in (None, "") for value in values.values()):
                return False
    return True


def can_carry_forward(user, assignment: Assignment) -> bool:
    """Whether to offer "continue from the previous campaign": the user may edit, the campaign has a
    previous one where this unit submitted something, and the draft here is still empty."""
    campaign = assignment.campaign
    if campaign.previous_id is None or assignment.status not in CARRY_FORWARD_STATUSES:
        return False
    if not user.has_unit_perm("data:edit", assignment.unit):
        return False
    submitted_before = Snapshot.objects.filter(
        assignment__campaign_id=campaign.previous_id,
        assignment__unit_id=assignment.unit_id,
        kind=Snapshot.Kind.SUBMIT,
    ).exists()
    return submitted_before and draft_is_empty(assignment)


def _page(request, assignment: Assignment, **extra) -> dict:
    """What every workflow page of a unit shows in its header."""
    unit = assignment.unit
    return {
        "assignment": assignment,
        "campaign": assignment.campaign,
        "unit": unit,
        # The commune page is a 404 for someone who only sees this one unit: link it only when visible.
        "commune_link": unit.commune_id is not None and request.user.has_unit_perm("data:view", unit.commune),
        "can_submit_any": request.user.has_unit_perm("submission:submit", unit),
        **extra,
    }


def _history_url(assignment: Assignment) -> str:
    return reverse("workflow_history", args=[assignment.campaign.code, assignment.unit_id])


# --- submit ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def submit(request, code: str, pk: int):
    """The check of the stored data, then the submission (refused while any error remains)."""
    assignment = get_assignment(request, code, pk, "submission:submit")
    appendix = appendix_for(assignment)
    check = workflow.check_assignment(assignment)
    form = SubmitForm(request.POST if request.method == "POST" else None, has_warnings=bool(check.warnings))
    failure = None
    if request.method == "POST" and form.is_valid():
        try:
            workflow.submit(
                assignment,
                request.user,
                acknowledge_warnings=form.cleaned_data["acknowledge"],
                address=client_address(request),
            )
        except workflow.WorkflowError as error:
            failure = error.message
        else:
            messages.success(request, _("The report was submitted."))
            return redirect(_history_url(assignment))
    return render(
        request,
        "inventory/workflow_submit.html",
        _page(
            request,
            assignment,
            errors=_issue_rows(assignment, appendix, check.errors),
            warnings=_issue_rows(assignment, appendix, check.warnings),
            form=form,
            failure=failure,
            is_draft=assignment.status in DRAFT,
        ),
    )


# --- carry forward ---------------------------------------------------------------------------------


@login_required
@require_POST
def carry_forward(request, code: str, pk: int):
    """Start the unit's empty draft from its data of the previous campaign."""
    assignment = get_assignment(request, code, pk, "data:edit")
    # The button sits on the history page and on the entry overview; go back where it was pressed.
    back = "entry_overview" if request.POST.get("back") == "overview" else "workflow_history"
    try:
        counts = workflow.carry_forward(assignment, request.user, address=client_address(request))
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
        return redirect(back, code=assignment.campaign.code, pk=assignment.unit_id)
    messages.success(
        request,
        _("%(count)d row(s) were copied from the previous campaign. Check them, then confirm or edit them.")
        % {"count": sum(counts.values())},
    )
    return redirect("entry_overview", code=assignment.campaign.code, pk=assignment.unit_id)


# --- history and diff ------------------------------------------------------------------------------


def _default_pair(snapshots: list[Snapshot]) -> tuple[int, int] | None:
    """The last two submit snapshots (older, newer); else the last two snapshots of any kind."""
    submits = [s for s in snapshots if s.kind == Snapshot.Kind.SUBMIT]
    pool = submits if len(submits) >= 2 else snapshots
    if len(pool) < 2:
        return None
    # Snapshots come newest first.
    return pool[1].pk, pool[0].pk


def _snapshot_list(assignment: Assignment) -> list[Snapshot]:
    """The assignment's snapshots, newest first, without their (possibly large) data."""
    return list(assignment.snapshots.select_related("actor").defer("data", "row_ids"))


@login_required
def history(request, code: str, pk: int):
    """A unit's history in the campaign: status, transitions, snapshots and the actions allowed now."""
    assignment = get_assignment(request, code, pk, "data:view")
    user, unit = request.user, assignment.unit
    transitions = list(assignment.transitions.all())
    snapshots = _snapshot_list(assignment)
    pair = _default_pair(snapshots)
    compare = CompareForm(snapshots, initial={"a": pair[0], "b": pair[1]} if pair else None)
    # A return and a reopen both send the report back to the unit as "returned".
    sent_back = [t for t in transitions if t.to_status == Status.RETURNED]
    latest_return = sent_back[-1] if sent_back else None
    status = assignment.status
    # workbooks: the files imported into this unit (their before-import snapshots link them), in one
    # query through the reverse relations, so inventory does not import the workbooks app. A commune
    # workbook holds the other units' data too: its download is offered only to who may see the commune.
    imported = (
        Snapshot.objects.filter(assignment=assignment, import_source__isnull=False)
        .select_related("import_source__upload__unit", "import_source__upload__uploaded_by")
        .defer("data", "row_ids")
    )
    imported_uploads = list({s.import_source.upload_id: s.import_source.upload for s in imported}.values())
    for upload in imported_uploads:
        upload.can_download = bool(upload.file) and user.has_unit_perm("data:view", upload.unit)
    return render(
        request,
        "inventory/workflow_history.html",
        _page(
            request,
            assignment,
            transitions=transitions,
            snapshots=snapshots,
            compare=compare if len(snapshots) >= 2 else None,
            latest_return=latest_return,
            # While the unit works on a returned report, the reason is what it needs to read first.
            show_return_reason=latest_return is not None and status in (Status.RETURNED, Status.IN_PROGRESS),
            can_submit=status in DRAFT and user.has_unit_perm("submission:submit", unit),
            can_review=status == Status.SUBMITTED and user.has_unit_perm("submission:review", unit),
            can_reopen=status == Status.ACCEPTED and user.has_unit_perm("submission:reopen", unit),
            can_carry_forward=can_carry_forward(user, assignment),
            return_form=ReasonForm(auto_id="id_return_%s"),
            reopen_form=ReasonForm(auto_id="id_reopen_%s"),
            imported_uploads=imported_uploads,
        ),
    )


def _present(diffs: list[SheetDiff]) -> list[dict]:
    """Diffs as the template shows them: headers looked up, added/removed rows with their values."""
    sheets = []
    for sheet in diffs:
        changes = []
        for change in sheet.changes:
            changes.append(
                {
                    "kind": change.kind,
                    "row": change.row,
                    "fields": [
                        {"key": key, "header": sheet.headers.get(key, key), "old": old, "new": new}
                        for key, (old, new) in change.fields.items()
                    ],
                    "values": [
                        {"key": key, "header": sheet.headers.get(key, key), "value": value}
                        for key, value in change.values.items()
                        if value is not None
                    ],
                }
            )
        counts = {
            kind: sum(1 for c in changes if c["kind"] == kind) for kind in ("added", "removed", "changed")
        }
        sheets.append({"code": sheet.code, "title": sheet.title, "changes": changes, "counts": counts})
    return sheets


@login_required
def diff(request, code: str, pk: int):
    """The differences between two snapshots of this assignment (?a=older&b=newer), field by field."""
    assignment = get_assignment(request, code, pk, "data:view")
    snapshots = _snapshot_list(assignment)
    form = CompareForm(snapshots, request.GET)
    # A missing, malformed or foreign snapshot id is simply not a page of this unit.
    if not form.is_valid():
        raise Http404
    chosen = {
        s.pk: s for s in assignment.snapshots.filter(pk__in=[form.cleaned_data["a"], form.cleaned_data["b"]])
    }
    old, new = chosen[form.cleaned_data["a"]], chosen[form.cleaned_data["b"]]
    sheets = _present(diff_snapshots(appendix_for(assignment), old, new))
    return render(
        request,
        "inventory/workflow_diff.html",
        _page(
            request,
            assignment,
            old=old,
            new=new,
            old_label=form.labels[old.pk],
            new_label=form.labels[new.pk],
            sheets=sheets,
            compare=form,
        ),
    )


# --- the commune's submit-all ----------------------------------------------------------------------


@login_required
@require_POST
def commune_submit_all(request, code: str, pk: int):
    """Submit every draft of a commune's units at once: all of them, or none when any has a problem."""
    commune = get_object_or_404(
        Unit.objects.visible_to(request.user, "data:view").filter(kind=Kind.COMMUNE), pk=pk
    )
    campaign = get_object_or_404(Campaign, code=code)
    if not request.user.has_unit_perm("submission:submit", commune):
        raise PermissionDenied
    back = redirect("campaign_commune", code=campaign.code, pk=commune.pk)
    assignments = list(
        Assignment.objects.visible_to(request.user, "submission:submit")
        .filter(campaign=campaign, unit__commune=commune)
        .select_related("campaign", "unit")
    )
    drafts = [a for a in assignments if a.status in DRAFT]
    if not drafts:
        messages.info(request, _("No unit of this commune has a draft to submit."))
        return back
    acknowledge = request.POST.get("acknowledge") in ("on", "true", "1")
    try:
        workflow.submit_all(
            drafts, request.user, acknowledge_warnings=acknowledge, address=client_address(request)
        )
    except workflow.WorkflowError as error:
        messages.error(request, _("Nothing was submitted: every unit must be ready first."))
        problems = _unit_problems(drafts, acknowledge)
        for problem in problems:
            messages.error(request, problem)
        if not problems:
            messages.error(request, error.message)
        return back
    messages.success(
        request,
        _("The reports of %(count)d unit(s) were submitted: %(units)s.")
        % {"count": len(drafts), "units": ", ".join(a.unit.name for a in drafts)},
    )
    return back


def _unit_problems(assignments: list[Assignment], acknowledge: bool) -> list[str]:
    """One line per unit that stopped the submit-all, naming what it must do."""
    problems = []
    for assignment in assignments:
        check = workflow.check_assignment(assignment)
        if check.errors:
            problems.append(
                _("%(unit)s: %(count)d error(s) must be corrected before submitting.")
                % {"unit": assignment.unit, "count": len(check.errors)}
            )
        elif check.warnings and not acknowledge:
            problems.append(
                _("%(unit)s: confirm that you have checked the %(count)d warning(s).")
                % {"unit": assignment.unit, "count": len(check.warnings)}
            )
        else:
            problems.extend(workflow.submit_blockers(assignment))
    return problems

"""The audit log in words: action names, field headers and values as a reader understands them.

Entries keep their codes (`submission.accepted`, `ram_gb`) so that filters and exports stay stable;
the page shows them here: an action's name from ACTIONS; a field of the appendix by its header in the
declaration of the version its campaign uses; any other field by its model's verbose name; a status
by its label. An unknown code is shown as it is rather than hidden.
"""

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from rasoat.appendix.versions import UnknownAppendixVersion, get_appendix
from rasoat.campaigns.models import Campaign, Status

ACTIONS = {
    "appendix.carried_forward": _("Data carried forward from the previous campaign"),
    "appendix.confirmed": _("Carried-forward data confirmed"),
    "appendix.created": _("Row added"),
    "appendix.updated": _("Row changed"),
    "appendix.deleted": _("Row deleted"),
    "appendix.imported": _("Data imported from a workbook"),
    "appendix.loaded": _("Data loaded"),
    "appendix.replaced": _("Data replaced"),
    "appendix_version.copied": _("Appendix version copied"),
    "appendix_version.imported": _("Appendix version imported"),
    "appendix_version.saved": _("Appendix version saved"),
    "appendix_version.shipped": _("Shipped appendix version installed"),
    "assessment.configured": _("Assessment settings changed"),
    "assessment.recompute": _("Assessment recomputed"),
    "assessment.recomputed": _("Assessment recomputed"),
    "assessment.reference_date": _("Reference date changed"),
    "campaign.created": _("Campaign created"),
    "campaign.updated": _("Campaign changed"),
    "campaign.units_added": _("Units added to the campaign"),
    "campaign.units_removed": _("Units removed from the campaign"),
    "deadline.extended": _("Deadline extended"),
    "login.address_lifted": _("Sign-in block of an address lifted"),
    "login.lockout_lifted": _("Sign-in lockout lifted"),
    "membership.granted": _("Role granted"),
    "membership.revoked": _("Role revoked"),
    "registry.imported": _("Unit registry imported"),
    "report.docx": _("Word report generated"),
    "report.pdf": _("PDF report generated"),
    "summaries.rebuilt": _("Dashboard summaries rebuilt"),
    "submission.in_progress": _("Report became a draft"),
    "submission.submitted": _("Report submitted"),
    "submission.returned": _("Report returned"),
    "submission.accepted": _("Report accepted"),
    "submission.not_started": _("Report reset"),
    "unit.created": _("Unit created"),
    "unit.updated": _("Unit changed"),
    "unit.moved": _("Unit moved"),
    "unit.deactivated": _("Unit deactivated"),
    "unit.reactivated": _("Unit reactivated"),
    "user.created": _("User created"),
    "user.updated": _("User changed"),
    "user.activated": _("User activated"),
    "user.deactivated": _("User deactivated"),
    "user.password_changed": _("Password changed"),
    "user.password_reset": _("Password reset"),
    "user.otp_enrolled": _("Two-step sign-in set up"),
    "user.otp_disabled": _("Two-step sign-in turned off"),
    "user.otp_reset": _("Two-step sign-in reset"),
    "user.otp_recovery_used": _("Recovery code used"),
    "user.otp_recovery_regenerated": _("Recovery codes made again"),
    "workbook.imported": _("Workbook imported"),
    "workflow.submitted": _("Notice: report submitted"),
    "workflow.returned": _("Notice: report returned"),
    "workflow.accepted": _("Notice: report accepted"),
    "workflow.reopened": _("Notice: report reopened"),
    "workflow.recalled": _("Notice: report recalled"),
    "workflow.extended": _("Notice: deadline extended"),
}

FIELDS = {
    # Keys of `changes` that are no model field of the object.
    "status": _("status"),
    "rows": _("rows"),
    "deadline": _("deadline"),
}

STATUS_LABELS = dict(Status.choices)
APPENDIX_ACTIONS = ("appendix.created", "appendix.updated", "appendix.deleted")


def action_label(code: str) -> str:
    """The name of an action, or its code when it has none."""
    label = ACTIONS.get(code)
    return str(label) if label is not None else code


@dataclass
class Change:
    header: str
    old: object
    new: object


def _versions_of_records(entries) -> dict[tuple[str, str], str]:
    """{(object_type, object_id): appendix version} for the rows of the appendix among `entries`."""
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        if entry.action in APPENDIX_ACTIONS and entry.object_type:
            wanted.setdefault(entry.object_type, set()).add(entry.object_id)
    found = {}
    for label, ids in wanted.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        numeric = [int(pk) for pk in ids if pk.isdigit()]
        rows = model.objects.filter(pk__in=numeric).values_list(
            "pk", "assignment__campaign__appendix_version"
        )
        found.update({(label, str(pk)): version for pk, version in rows})
    return found


def _appendix_header(version: str | None, sheet_code: str, key: str) -> str | None:
    if not version or not sheet_code:
        return None
    try:
        appendix = get_appendix(version)
    except UnknownAppendixVersion:
        return None
    if not appendix.has_sheet(sheet_code):
        return None
    sheet = appendix.sheet(sheet_code)
    return sheet.column(key).header if sheet.has_column(key) else None


def _model_header(object_type: str, key: str) -> str | None:
    try:
        return str(apps.get_model(object_type)._meta.get_field(key).verbose_name)
    except (LookupError, ValueError, FieldDoesNotExist, AttributeError):
        return None


def _value(key: str, value):
    if key == "status" and value in STATUS_LABELS:
        return str(STATUS_LABELS[value])
    return value


def present(entries) -> None:
    """Set `action_label` and `readable_changes` on each entry of a page (a few queries per page)."""
    entries = list(entries)
    versions = _versions_of_records(entries)
    # A deleted row is gone: read its headers in the version of the newest campaign instead.
    fallback = Campaign.objects.values_list("appendix_version", flat=True).first()
    for entry in entries:
        entry.action_label = action_label(entry.action)
        version = versions.get((entry.object_type, entry.object_id), fallback)
        changes = []
        for key, pair in (entry.changes or {}).items():
            header = None
            if entry.action in APPENDIX_ACTIONS:
                header = _appendix_header(version, entry.note, key)
            header = header or _model_header(entry.object_type, key) or FIELDS.get(key) or key
            old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
            changes.append(Change(str(header), _value(key, old), _value(key, new)))
        entry.readable_changes = changes

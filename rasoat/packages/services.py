"""The submission package: attaching files, the campaign's requirement, completeness at submit,
snapshot links, and returning a submission with a reason that names the report."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rasoat.audit.services import log
from rasoat.campaigns.models import Assignment, Campaign, Snapshot, Status
from rasoat.orgs.models import Kind, Unit
from rasoat.packages import gate, signatures
from rasoat.packages.models import Attachment, PackageSetting, Requirement, SnapshotAttachment

DRAFT = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.RETURNED)
# Campaigns on these appendix versions (and later ones) ask for the signed report unless set otherwise.
REQUIRED_FROM_VERSION = (2026, 2)


def _version_tuple(code: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in code.split("."))
    except ValueError:
        return (0,)


def setting_for(campaign: Campaign) -> PackageSetting:
    """The campaign's setting; an unsaved default when none was stored: required from 2026.2 on."""
    stored = PackageSetting.objects.filter(campaign=campaign).first() if campaign.pk else None
    if stored is not None:
        return stored
    required = _version_tuple(campaign.appendix_version) >= REQUIRED_FROM_VERSION
    return PackageSetting(
        campaign=campaign, requirement=Requirement.REQUIRED if required else Requirement.NOT_ASKED
    )


def save_setting(campaign: Campaign, requirement: str, allow_unsigned: bool, actor, *, address=None) -> None:
    """Store the campaign's requirement (administrator), audited."""
    with transaction.atomic():
        before = setting_for(campaign)
        old = {"requirement": before.requirement, "allow_unsigned": before.allow_unsigned}
        row, _created = PackageSetting.objects.update_or_create(
            campaign=campaign, defaults={"requirement": requirement, "allow_unsigned": allow_unsigned}
        )
        new = {"requirement": row.requirement, "allow_unsigned": row.allow_unsigned}
        changes = {key: [old[key], new[key]] for key in new if old[key] != new[key]}
        if changes:
            log(actor, "package.setting_changed", campaign, changes, unit=None, address=address)


@dataclass
class AttachResult:
    """What `attach` did or would do; `as_json` is the output of `rasoat attach`."""

    filename: str
    kind: str
    verdict: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    attachment: Attachment | None = None
    replaced: Attachment | None = None

    def as_json(self) -> dict:
        keys = ("signer", "organisation", "signed_at", "intact", "trusted", "expired")
        return {
            "file": self.filename,
            "kind": self.kind,
            "signatures": [{key: s.get(key) for key in keys} for s in self.verdict.get("signatures", [])],
            "errors": [{"message": message} for message in self.errors],
        }


def current_attachments(campaign: Campaign, units) -> list[Attachment]:
    """The attachments of `units` in force now (reports not replaced, every other attachment)."""
    return list(
        Attachment.objects.filter(campaign=campaign, unit__in=units, superseded_by__isnull=True)
        .select_related("unit", "uploaded_by")
        .order_by("unit__position", "unit__code", "kind", "-uploaded_at")
    )


def current_report(campaign: Campaign, unit: Unit) -> Attachment | None:
    return (
        Attachment.objects.filter(
            campaign=campaign, unit=unit, kind=Attachment.Kind.REPORT, superseded_by__isnull=True
        )
        .order_by("-uploaded_at", "-pk")
        .first()
    )


def report_for(assignment: Assignment) -> Attachment | None:
    """The unit's own report, else its commune's combined report (which may cover all five units)."""
    own = current_report(assignment.campaign, assignment.unit)
    if own is None and assignment.unit.commune_id is not None:
        return current_report(assignment.campaign, assignment.unit.commune)
    return own


def package_problems(assignment: Assignment) -> list[str]:
    """Why the package stops the submission: no report while one is required, or a report that was
    changed after signing. Empty when the package is complete."""
    setting = setting_for(assignment.campaign)
    if setting.requirement == Requirement.NOT_ASKED:
        return []
    report = report_for(assignment)
    if report is None:
        if setting.requirement == Requirement.REQUIRED:
            return [
                _("%(unit)s: upload the signed report (PDF) before submitting.") % {"unit": assignment.unit}
            ]
        return []
    if report.status == signatures.MODIFIED:
        return [
            _("%(unit)s: the signed report “%(file)s” was changed after signing; upload the signed original.")
            % {"unit": assignment.unit, "file": report.original_name}
        ]
    return []


def link_snapshot(assignment: Assignment, snapshot: Snapshot) -> None:
    """Link the submission snapshot to the package in force (the unit's and its commune's files)."""
    units = [assignment.unit_id]
    if assignment.unit.commune_id is not None:
        units.append(assignment.unit.commune_id)
    SnapshotAttachment.objects.bulk_create(
        [
            SnapshotAttachment(snapshot=snapshot, attachment=attachment)
            for attachment in Attachment.objects.filter(
                campaign_id=assignment.campaign_id, unit_id__in=units, superseded_by__isnull=True
            )
        ]
    )


def package_assignments(campaign: Campaign, unit: Unit) -> list[Assignment]:
    """The assignments a package of `unit` serves: its own, or the five of a commune."""
    if unit.kind == Kind.COMMUNE:
        return list(
            Assignment.objects.filter(campaign=campaign)
            .filter(Q(unit=unit) | Q(unit__commune=unit))
            .select_related("unit")
        )
    return list(Assignment.objects.filter(campaign=campaign, unit=unit).select_related("unit"))


def may_change(campaign: Campaign, unit: Unit) -> bool:
    """Files are added while a report it serves is still a draft; a submitted package stays as it was."""
    return any(a.status in DRAFT for a in package_assignments(campaign, unit))


def _safe_name(filename: str) -> str:
    name = PurePath(filename.replace("\\", "/")).name.strip() or "tep"
    return name[:200]


def attach(
    campaign: Campaign,
    unit: Unit,
    filename: str,
    data: bytes,
    *,
    kind: str = Attachment.Kind.REPORT,
    actor=None,
    address: str | None = None,
    dry_run: bool = False,
) -> AttachResult:
    """Check a file and, unless `dry_run` or an error was found, store it in the unit's package.

    A new report replaces the one in force (which is kept, marked replaced); nothing is overwritten.
    Errors are returned in the result, never raised, and nothing is stored when there is one.
    """
    name = _safe_name(filename)
    result = AttachResult(filename=name, kind=kind)
    if kind not in Attachment.Kind.values:
        result.errors.append(_("Unknown kind of attachment: %(kind)s.") % {"kind": kind})
        return result
    if not package_assignments(campaign, unit):
        result.errors.append(
            _("%(unit)s is not in campaign %(campaign)s.") % {"unit": unit, "campaign": campaign.code}
        )
        return result
    if not may_change(campaign, unit):
        result.errors.append(
            _("%(unit)s: the report was submitted; files can be added once it is returned.") % {"unit": unit}
        )
        return result
    if kind == Attachment.Kind.OTHER:
        count = Attachment.objects.filter(campaign=campaign, unit=unit, kind=kind).count()
        if count >= gate.max_files():
            result.errors.append(
                _("%(unit)s already has %(count)d attachments, the most a package may hold.")
                % {"unit": unit, "count": count}
            )
            return result
    try:
        checked = gate.check_attachment(data, name, report=kind == Attachment.Kind.REPORT)
        if checked.is_pdf:
            result.verdict = signatures.verify_pdf(data)
    except gate.AttachmentRejected as rejected:
        result.errors.append(rejected.message)
        return result
    except signatures.UnreadablePdf:
        result.errors.append(
            _("“%(name)s” is damaged: its PDF structure cannot be read. Nothing was stored.") % {"name": name}
        )
        return result
    setting = setting_for(campaign)
    if (
        kind == Attachment.Kind.REPORT
        and result.verdict.get("status") == signatures.UNSIGNED
        and not setting.allow_unsigned
    ):
        result.errors.append(
            _("“%(name)s” has no digital signature, and this campaign asks for a digitally signed report.")
            % {"name": name}
        )
        return result
    if dry_run:
        return result
    result.attachment, result.replaced = _store(
        campaign, unit, name, data, kind, checked, result.verdict, actor, address
    )
    return result


def _store(campaign, unit, name, data, kind, checked, verdict, actor, address):
    digest = hashlib.sha256(data).hexdigest()
    authenticated = actor is not None and actor.is_authenticated
    with transaction.atomic():
        previous = None
        if kind == Attachment.Kind.REPORT:
            previous = (
                Attachment.objects.select_for_update()
                .filter(campaign=campaign, unit=unit, kind=kind, superseded_by__isnull=True)
                .first()
            )
        attachment = Attachment(
            campaign=campaign,
            unit=unit,
            kind=kind,
            original_name=name,
            content_type=checked.content_type,
            size=len(data),
            sha256=digest,
            uploaded_by=actor if authenticated else None,
            verdict=verdict,
        )
        attachment.file.save(
            f"{digest[:16]}{PurePath(name).suffix.lower()[:10]}", ContentFile(data), save=False
        )
        attachment.save()
        changes = {"file": [previous.original_name if previous else None, name], "sha256": [None, digest]}
        if previous is not None:
            previous.superseded_by = attachment
            previous.save(update_fields=["superseded_by"])
            log(actor, "package.replaced", attachment, changes, unit=unit, address=address)
        else:
            log(actor, "package.uploaded", attachment, changes, unit=unit, address=address)
        if verdict:
            log(
                actor,
                "package.verdict",
                attachment,
                {
                    "status": [None, verdict.get("status")],
                    "signatures": [None, len(verdict.get("signatures", []))],
                },
                unit=unit,
                address=address,
            )
    return attachment, previous


# The reasons a reviewer picks when the report itself is the problem (issue 13, review desk).
PRESET_REASONS = {
    "unsigned": gettext_lazy("the report is not digitally signed"),
    "differs": gettext_lazy("the figures in the report differ from the appendix"),
    "modified": gettext_lazy("the report was changed after signing"),
    "untrusted": gettext_lazy("the signature does not chain to a trusted certification authority"),
    "wrong_file": gettext_lazy("the file is not this unit's report"),
}


def return_reason(report: Attachment | None, preset: str, note: str) -> str:
    """The reason text that names the report: «file» — preset reason. note."""
    parts = []
    if preset in PRESET_REASONS:
        parts.append(str(PRESET_REASONS[preset]))
    note = (note or "").strip()
    if note:
        parts.append(note)
    if not parts:
        return ""
    named = (
        _("Report “%(file)s”: %(reason)s") % {"file": report.original_name, "reason": "; ".join(parts)}
        if report is not None
        else _("Report: %(reason)s") % {"reason": "; ".join(parts)}
    )
    return named

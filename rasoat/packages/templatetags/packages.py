"""`{% package_panel %}`: the package beside the data on a unit's review page (inventory's history)."""

from django import template

from rasoat.packages import services
from rasoat.packages.forms import ReturnForm
from rasoat.packages.models import Attachment, SnapshotAttachment
from rasoat.packages.presentation import present

register = template.Library()


@register.inclusion_tag("packages/_panel.html", takes_context=True)
def package_panel(context) -> dict:
    assignment = context["assignment"]
    campaign, unit = assignment.campaign, assignment.unit
    setting = services.setting_for(campaign)
    report = services.report_for(assignment)
    units = [unit] + ([unit.commune] if unit.commune_id else [])
    others = [
        present(a) for a in services.current_attachments(campaign, units) if a.kind == Attachment.Kind.OTHER
    ]
    return {
        "campaign": campaign,
        "unit": unit,
        "assignment": assignment,
        "setting": setting,
        "report": present(report) if report else None,
        "report_is_commune": report is not None and report.unit_id != unit.pk,
        "others": others,
        "can_review": context.get("can_review", False),
        "return_form": ReturnForm(auto_id="id_package_return_%s"),
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }


@register.inclusion_tag("packages/_snapshot_files.html", takes_context=True)
def snapshot_package(context, snapshot) -> dict:
    """The files a submission snapshot went with, for the snapshot table of the history page.

    The links of every snapshot on the page are read in one query at the first row (kept in the
    render context), so the history page runs the same number of queries whatever its length.
    """
    cache = context.render_context.get("packages_by_snapshot")
    if cache is None:
        ids = [s.pk for s in context.get("snapshots", [])] or [snapshot.pk]
        cache = {}
        links = (
            SnapshotAttachment.objects.filter(snapshot_id__in=ids)
            .select_related("attachment")
            .order_by("attachment__kind", "attachment__pk")
        )
        for link in links:
            cache.setdefault(link.snapshot_id, []).append(link.attachment)
        context.render_context["packages_by_snapshot"] = cache
    return {"campaign": context["campaign"], "attachments": cache.get(snapshot.pk, [])}


@register.filter
def may_download_packages(user) -> bool:
    """Whether the user holds "export:run" somewhere (the zip itself is limited to that scope)."""
    return bool(user and user.is_authenticated and user.has_any_perm("export:run"))

"""What the workbooks app answers to signals of apps above it in the data flow."""

from django.utils.translation import gettext as _

from rasoat.workbooks.models import Upload


def assignments_with_uploads(sender, *, campaign, assignments, **kwargs) -> dict[int, str]:
    """`campaigns.signals.holding_data`: the assignments a workbook was uploaded for in the campaign,
    pending or imported, for the unit itself or for its commune (a commune workbook carries the data
    of its five units)."""
    targets = {a.unit_id for a in assignments} | {a.unit.commune_id for a in assignments if a.unit.commune_id}
    uploaded = set(
        Upload.objects.filter(campaign=campaign, unit_id__in=targets)
        .exclude(state=Upload.State.CANCELLED)
        .order_by()
        .values_list("unit_id", flat=True)
    )
    return {
        a.pk: _("a workbook was uploaded for it")
        for a in assignments
        if a.unit_id in uploaded or (a.unit.commune_id and a.unit.commune_id in uploaded)
    }

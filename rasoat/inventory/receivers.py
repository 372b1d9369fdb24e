"""What the inventory app answers to signals of apps above it in the data flow."""

from django.utils.translation import gettext as _

from rasoat.inventory.models import ALL_MODELS


def assignments_with_rows(sender, *, campaign, assignments, **kwargs) -> dict[int, str]:
    """`campaigns.signals.holding_data`: the assignments with any record of the appendix (a B01
    record, even empty, or any row of any other sheet); one query per sheet, read inside the caller's lock."""
    ids = [assignment.pk for assignment in assignments]
    holding: set[int] = set()
    for model in ALL_MODELS:
        holding.update(
            model.objects.filter(assignment_id__in=ids).order_by().values_list("assignment_id", flat=True)
        )
    return {pk: _("it has data in the appendix") for pk in holding}

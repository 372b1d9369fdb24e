from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SummariesConfig(AppConfig):
    name = "rasoat.summaries"
    verbose_name = _("Summaries")

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from rasoat.campaigns.models import Assignment
        from rasoat.inventory.signals import data_changed
        from rasoat.summaries.services import on_assignment_deleted, on_data_changed

        # The summaries follow the data inside the change's own transaction: never stale.
        data_changed.connect(on_data_changed, dispatch_uid="summaries.refresh")
        # A campaign's rollups lose the groups of an assignment removed from it.
        pre_delete.connect(on_assignment_deleted, sender=Assignment, dispatch_uid="summaries.deleted")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SummariesConfig(AppConfig):
    name = "rasoat.summaries"
    verbose_name = _("Summaries")

    def ready(self) -> None:
        from django.db.models.signals import post_save, pre_delete, pre_save

        from rasoat.campaigns.models import Assignment, Campaign
        from rasoat.inventory.signals import data_changed
        from rasoat.summaries.services import (
            on_assignment_deleted,
            on_campaign_saved,
            on_campaign_saving,
            on_data_changed,
        )

        # The summaries follow the data inside the change's own transaction: never stale.
        data_changed.connect(on_data_changed, dispatch_uid="summaries.refresh")
        # A campaign's rollups lose the groups of an assignment removed from it.
        pre_delete.connect(on_assignment_deleted, sender=Assignment, dispatch_uid="summaries.deleted")
        # The counts by column follow the version a campaign is pinned to.
        pre_save.connect(on_campaign_saving, sender=Campaign, dispatch_uid="summaries.campaign_saving")
        post_save.connect(on_campaign_saved, sender=Campaign, dispatch_uid="summaries.campaign_saved")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbooksConfig(AppConfig):
    name = "rasoat.workbooks"
    verbose_name = _("Workbooks")

    def ready(self) -> None:
        from rasoat.campaigns.signals import holding_data
        from rasoat.workbooks.receivers import assignments_with_uploads

        # A unit a workbook was uploaded for (or for its commune) is never removed from its campaign.
        holding_data.connect(assignments_with_uploads, dispatch_uid="workbooks.holding_data")

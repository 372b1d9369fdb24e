from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "rasoat.inventory"
    verbose_name = _("Appendix data")

    def ready(self) -> None:
        from rasoat.campaigns.signals import holding_data
        from rasoat.inventory.receivers import assignments_with_rows

        # A unit with any record of the appendix is never removed from its campaign.
        holding_data.connect(assignments_with_rows, dispatch_uid="inventory.holding_data")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "rasoat.inventory"
    verbose_name = _("Appendix data")

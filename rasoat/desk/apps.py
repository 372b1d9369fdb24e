from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "rasoat.desk"
    verbose_name = _("Daily work")

    def ready(self) -> None:
        from rasoat.desk.counts import on_data_changed
        from rasoat.inventory.signals import data_changed

        # The error and warning counts that the home and the board show follow the data.
        data_changed.connect(on_data_changed, dispatch_uid="desk.counts")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "rasoat.desk"
    verbose_name = _("Daily work")
    # The error and warning counts (desk.CheckCount) are refreshed by the unit's recompute job
    # (rasoat.jobs.tasks.recompute_unit), with the assessment, not inside the request that changed data.

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentAppConfig(AppConfig):
    """The assessment follows the data through background jobs: rasoat.jobs answers
    `inventory.signals.data_changed` and `campaigns.signals.reference_date_changed` by marking the
    unit or campaign stale and queueing its recompute (rasoat.jobs.tasks), so no request waits for it."""

    name = "rasoat.assessment"
    verbose_name = _("Assessment")

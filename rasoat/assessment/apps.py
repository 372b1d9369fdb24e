from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentAppConfig(AppConfig):
    name = "rasoat.assessment"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        from rasoat.assessment.services import on_data_changed, on_reference_date_changed
        from rasoat.campaigns.signals import reference_date_changed
        from rasoat.inventory.signals import data_changed

        # Inside the transaction of every change of a unit's data: its assessment stays current.
        data_changed.connect(on_data_changed, dispatch_uid="assessment.recompute")
        # Findings depend on the reference date (ages, end of support): a new date re-evaluates all.
        reference_date_changed.connect(on_reference_date_changed, dispatch_uid="assessment.reference_date")

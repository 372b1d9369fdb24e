from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsAppConfig(AppConfig):
    name = "rasoat.jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from rasoat.campaigns.signals import reference_date_changed
        from rasoat.inventory.signals import data_changed
        from rasoat.jobs import services

        # Inside the transaction of every change of a unit's data: the unit is marked stale and its
        # recompute queued in the same transaction (the request never waits for the assessment).
        data_changed.connect(services.on_data_changed, dispatch_uid="jobs.unit_recompute")
        # Findings depend on the reference date: a new date queues the campaign's recompute.
        reference_date_changed.connect(
            services.on_reference_date_changed, dispatch_uid="jobs.campaign_recompute"
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "rasoat.orgs"
    verbose_name = _("Unit registry")

    def ready(self) -> None:
        # Connects the sign-in steps to Django's user_logged_in signal.
        from rasoat.orgs import gate  # noqa: F401

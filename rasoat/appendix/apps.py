from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppendixConfig(AppConfig):
    name = "rasoat.appendix"
    verbose_name = _("Appendix")
    default_auto_field = "django.db.models.BigAutoField"

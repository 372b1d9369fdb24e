from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PackagesConfig(AppConfig):
    name = "rasoat.packages"
    verbose_name = _("Submission packages")

    def ready(self) -> None:
        import logging

        # pyHanko logs a warning with a full traceback for every chain it cannot build: an expected
        # outcome here ("trusted source not established"), stored in the verdict, not a server fault.
        logging.getLogger("pyhanko.sign.validation.generic_cms").setLevel(logging.ERROR)
        from rasoat.inventory.signals import submitted, submitting
        from rasoat.packages.receivers import keep_package_with_snapshot, missing_report

        # Submitting asks whether the package is complete, then the snapshot keeps it (issue 13).
        submitting.connect(missing_report, dispatch_uid="packages.submitting")
        submitted.connect(keep_package_with_snapshot, dispatch_uid="packages.submitted")

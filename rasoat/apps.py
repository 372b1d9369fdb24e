import logging
from pathlib import Path

from django.apps import AppConfig

logger = logging.getLogger(__name__)


class RasoatConfig(AppConfig):
    """The project package as an app: base layout, static files, project catalogue, init/serve."""

    name = "rasoat"
    verbose_name = "rasoat"
    # Explicit, because an editable install can expose the package through two import paths.
    path = str(Path(__file__).resolve().parent)

    def ready(self) -> None:
        # A process starting (a gunicorn worker replacing a killed one, a command) removes the
        # temporary files of processes that died without cleaning up (rasoat.tempfiles).
        from rasoat import tempfiles

        try:
            tempfiles.sweep()
        except OSError:
            logger.warning("could not sweep the temporary folder %s", tempfiles.root(), exc_info=True)

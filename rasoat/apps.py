from pathlib import Path

from django.apps import AppConfig


class RasoatConfig(AppConfig):
    """The project package as an app: base layout, static files, project catalogue, init/serve."""

    name = "rasoat"
    verbose_name = "rasoat"
    # Explicit, because an editable install can expose the package through two import paths.
    path = str(Path(__file__).resolve().parent)

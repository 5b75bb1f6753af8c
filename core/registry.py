"""Registries filled by each app: statistics and report sections, list exporters.

Each app may have a `registry` module; `autodiscover()` imports it once at start-up.
"""

from __future__ import annotations

import importlib

from django.apps import apps


def autodiscover() -> None:
    for config in apps.get_app_configs():
        try:
            importlib.import_module(f"{config.name}.registry")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.registry":
                raise
    from core import registrations  # noqa: F401  (core's own entries, after every app's)

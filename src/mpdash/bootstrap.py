"""Setting up a process of mpdash: Django, mpdash's Celery app, the database schema.

Used by the ``mpdash`` commands (:mod:`.cli`) and ``mpdash demo`` (:mod:`.demo`).
"""

from __future__ import annotations

import os
from pathlib import Path


def setup(data_dir: str | None = None) -> None:
    if data_dir:
        os.environ["MPDASH_DATA_DIR"] = str(Path(data_dir).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mpdash.settings")
    Path(os.environ.get("MPDASH_DATA_DIR", ".mpdash")).mkdir(parents=True, exist_ok=True)
    import django  # after the environment above: settings read it when Django loads them

    django.setup()
    import mpdash.celery  # noqa: F401  (tasks sent from this process use mpdash's Celery app; needs the settings)


def migrate() -> None:
    from django.core.management import call_command  # needs django.setup() first

    call_command("migrate", interactive=False, verbosity=0)

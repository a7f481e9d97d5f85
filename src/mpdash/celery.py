"""The Celery application: every background job of mpdash runs here."""

from __future__ import annotations

import os

from celery import Celery

from .broker import install as install_broker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mpdash.settings")
install_broker()  # filesystem:// uses mpdash.broker (atomic message files)

app = Celery("mpdash")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["mpdash.integration", "mpdash.orders", "mpdash.alarms", "mpdash.dashboard"])


def _ensure_broker_folders() -> None:
    opts = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if opts.get(key):
            os.makedirs(opts[key], exist_ok=True)


_ensure_broker_folders()

"""The Celery application: every background job of mpdash runs here."""

from __future__ import annotations

import gc
import os

from celery import Celery
from celery.signals import worker_init, worker_process_init

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


# Collect reference cycles less often in workers. A flow holds thousands of live objects
# (a page of orders, their models and payloads), and each of Python's default collections
# walks them again: bench/order_ingest.py spends about 15% less CPU with these thresholds.
GC_THRESHOLDS = (50_000, 20, 100)


def tune_gc() -> None:
    gc.set_threshold(*GC_THRESHOLDS)


def preload() -> None:
    """Import what every flow needs (the marketplace packages, the flow engine) in the main
    process, before the pool forks: the first task of each pool process then starts at
    once instead of spending a few hundred milliseconds importing."""
    import django

    django.setup()
    from .integration import batches, catalog_flows, order_flows, sync_flow  # noqa: F401
    import filelock  # noqa: F401 - imported by the call budget's first bucket
    import pyrate_limiter  # noqa: F401

    from .marketplaces import http, registry

    for name in registry.MARKETPLACES:
        registry.adapter_class(name)
    http.tls_context()


@worker_init.connect
def _tune_worker(**_kwargs) -> None:  # the main process (tasks run here with the solo pool)
    tune_gc()
    preload()


@worker_process_init.connect
def _tune_worker_process(**_kwargs) -> None:  # each process of the prefork pool
    tune_gc()

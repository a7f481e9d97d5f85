"""Worker processes collect reference cycles less often (GC_THRESHOLDS), set by Celery's signals."""

from __future__ import annotations

import gc
import weakref

from celery.signals import worker_init, worker_process_init

from mpdash import celery as mpdash_celery


def _receivers(signal) -> list:
    return [ref() if isinstance(ref, weakref.ReferenceType) else ref for _, ref in signal.receivers]


def test_worker_signals_set_the_thresholds():
    assert mpdash_celery._tune_worker in _receivers(worker_init)
    assert mpdash_celery._tune_worker_process in _receivers(worker_process_init)
    before = gc.get_threshold()
    try:
        for handler in (mpdash_celery._tune_worker, mpdash_celery._tune_worker_process):
            gc.set_threshold(700, 10, 10)
            handler()
            assert gc.get_threshold() == mpdash_celery.GC_THRESHOLDS
    finally:
        gc.set_threshold(*before)

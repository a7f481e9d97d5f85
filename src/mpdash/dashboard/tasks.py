"""Celery tasks of the dashboard app.

``run_csv_job`` lives in :mod:`.csv_actions`, which queues it for a large CSV upload;
this module names it for Celery's autodiscovery.
"""

from .csv_actions import run_csv_job

__all__ = ["run_csv_job"]

"""Gunicorn settings that mpdash's ``web`` command loads (``-c python:mpdash.gunicorn_conf``)."""


def child_exit(server, worker):
    # prometheus_client's multiprocess mode: forget a dead worker's live gauges.
    from mpdash.app_metrics import mark_process_dead

    mark_process_dead(worker.pid)

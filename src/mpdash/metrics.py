"""Prometheus metrics (issue 16): what happened, counted where it happens, and what stands,
read from the database when Prometheus scrapes.

Counted by one-line hooks (every process: gunicorn workers, Celery workers, beat):

- ``mpdash_flow_runs_total{channel,flow,status}`` and ``mpdash_flow_run_duration_seconds``
  (histogram by channel and flow), from :mod:`mpdash.integration.runs` when a run finishes;
- ``mpdash_marketplace_calls_total{marketplace,operation,outcome}`` and
  ``mpdash_marketplace_call_duration_seconds`` (histogram), from the shared HTTP client
  (:mod:`mpdash.marketplaces.http`) for every call, answered or not;
- ``mpdash_call_budget_wait_seconds{budget}`` (histogram of time spent waiting for a slot)
  and ``mpdash_call_budget_exhausted_total{budget}``, from :mod:`mpdash.marketplaces.ratelimit`;
- ``mpdash_orders_ingested_total{channel}``, from the order store, for each new local order.

Read at scrape time (one grouped query each): ``mpdash_records_pending``,
``mpdash_records_in_flight``, ``mpdash_records_penalised`` (by channel and kind) and
``mpdash_oldest_open_batch_age_seconds`` (by channel).

Multiprocess: every process writes its counters to files under ``PROMETHEUS_MULTIPROC_DIR``
(settings puts it under the data directory; it must be set before prometheus_client is
imported, which settings does) and ``/metrics`` sums them (prometheus_client's
MultiProcessCollector). Gunicorn calls :func:`mark_process_dead` for a worker that exits.

The hooks that need Django (runs and orders, labelled by channel), the gauges read at scrape
time and the ``/metrics`` view are in :mod:`mpdash.app_metrics`; this module is plain Python.

A hook never raises: a metric that cannot be written is not worth a failed flow run.
"""

from __future__ import annotations

import logging
import re

from prometheus_client import Counter, Histogram

logger = logging.getLogger(__name__)

_RUN_BUCKETS = (0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
_CALL_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 60)
_WAIT_BUCKETS = (0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10)

FLOW_RUNS = Counter("mpdash_flow_runs", "Flow runs finished, by channel, flow and status", ["channel", "flow", "status"])
RUN_DURATION = Histogram("mpdash_flow_run_duration_seconds", "Duration of finished flow runs", ["channel", "flow"],
                         buckets=_RUN_BUCKETS)
CALLS = Counter("mpdash_marketplace_calls", "Marketplace HTTP calls, by marketplace, operation and outcome",
                ["marketplace", "operation", "outcome"])
CALL_DURATION = Histogram("mpdash_marketplace_call_duration_seconds", "Latency of marketplace HTTP calls",
                          ["marketplace", "operation"], buckets=_CALL_BUCKETS)
BUDGET_WAIT = Histogram("mpdash_call_budget_wait_seconds", "Time spent waiting for a slot of a call budget",
                        ["budget"], buckets=_WAIT_BUCKETS)
BUDGET_EXHAUSTED = Counter("mpdash_call_budget_exhausted", "Calls that found their call budget exhausted (delayed, not failed)",
                           ["budget"])
ORDERS = Counter("mpdash_orders_ingested", "New local orders stored from a marketplace", ["channel"])



def _safely(hook):
    def wrapped(*args, **kwargs):
        try:
            hook(*args, **kwargs)
        except Exception:  # pragma: no cover - a metric is never worth a failure
            logger.debug("metric hook %s failed", hook.__name__, exc_info=True)
    wrapped.__name__ = hook.__name__
    wrapped.__doc__ = hook.__doc__
    return wrapped


# --- hooks --------------------------------------------------------------------------------------

_ID_SEGMENT = re.compile(r"\d|^[0-9a-fA-F-]{16,}$|^.{25,}$")


def operation_of(method: str, path: str) -> str:
    """``PUT /listings/merchantid/{id}/inventory-uploads``: ids, numbers and long tokens in
    the path become ``{id}`` so that the label has one value per endpoint, not per record."""
    path = path.split("?", 1)[0]
    parts = ["{id}" if _ID_SEGMENT.search(p) else p for p in path.strip("/").split("/") if p]
    return f"{method.upper()} /{'/'.join(parts)}"


def _marketplace_of(client) -> str:
    parts = type(client).__module__.split(".")
    return parts[2] if len(parts) > 3 and parts[:2] == ["mpdash", "marketplaces"] else type(client).__name__


def _outcome(status: int | None, error: str) -> str:
    if status is None:
        return "timeout" if error.startswith("timeout") else "connection_error"
    if status == 429:
        return "rate_limited"
    if status >= 500:
        return "server_error"
    if status >= 400:
        return "rejected"
    return "ok"


@_safely
def call_finished(client, method: str, url: str, status: int | None, duration_ms: float, error: str) -> None:
    base = client.base_url.rstrip("/")
    path = url[len(base):] if url.startswith(base) else url
    marketplace, operation = _marketplace_of(client), operation_of(method, path)
    CALLS.labels(marketplace, operation, _outcome(status, error or "")).inc()
    CALL_DURATION.labels(marketplace, operation).observe(duration_ms / 1000)


@_safely
def budget_waited(budget: str, seconds: float, got_slot: bool) -> None:
    BUDGET_WAIT.labels(budget).observe(seconds)
    if not got_slot:
        BUDGET_EXHAUSTED.labels(budget).inc()

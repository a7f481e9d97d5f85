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

A hook never raises: a metric that cannot be written is not worth a failed flow run.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import secrets

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

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

_slugs: dict[int, str] = {}


def _safely(hook):
    def wrapped(*args, **kwargs):
        try:
            hook(*args, **kwargs)
        except Exception:  # pragma: no cover - a metric is never worth a failure
            logger.debug("metric hook %s failed", hook.__name__, exc_info=True)
    wrapped.__name__ = hook.__name__
    wrapped.__doc__ = hook.__doc__
    return wrapped


def _channel_slug(channel_id: int) -> str:
    slug = _slugs.get(channel_id)
    if slug is None:
        from mpdash.channels.models import SalesChannel

        slug = SalesChannel.objects.filter(pk=channel_id).values_list("slug", flat=True).first() or str(channel_id)
        _slugs[channel_id] = slug
    return slug


# --- hooks --------------------------------------------------------------------------------------

@_safely
def run_finished(channel_id: int, flow: str, status: str, duration_ms: int | None) -> None:
    channel = _channel_slug(channel_id)
    FLOW_RUNS.labels(channel, flow, status).inc()
    if duration_ms is not None:
        RUN_DURATION.labels(channel, flow).observe(duration_ms / 1000)


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


@_safely
def orders_ingested(channel, count: int = 1) -> None:
    """Counted when the transaction that stored them commits: a rolled-back order is no order."""
    from django.db import transaction

    if count:
        child = ORDERS.labels(getattr(channel, "slug", None) or _channel_slug(channel.pk))
        transaction.on_commit(lambda: child.inc(count))


# --- read at scrape time -------------------------------------------------------------------------

class DatabaseCollector:
    """What stands now, per channel and kind: pending, in flight, penalised; the oldest open batch."""

    def collect(self):
        from django.db.models import Count, Min, Q
        from django.utils import timezone

        from mpdash.channels.models import SalesChannel
        from mpdash.integration.models import BatchRequest, FailedIntegration, PendingChange
        from mpdash.integration.runs import OPEN_BATCH_STATUSES

        slugs = dict(SalesChannel.objects.values_list("pk", "slug"))
        pending = GaugeMetricFamily("mpdash_records_pending", "Records changed here and not yet sent (not in flight)",
                                    labels=["channel", "kind"])
        in_flight = GaugeMetricFamily("mpdash_records_in_flight", "Records sent and awaiting the marketplace's answer",
                                      labels=["channel", "kind"])
        for row in (PendingChange.objects.values("channel_id", "kind")
                    .annotate(waiting=Count("id", filter=Q(batch__isnull=True)), sent=Count("id", filter=Q(batch__isnull=False)))):
            labels = [slugs.get(row["channel_id"], str(row["channel_id"])), row["kind"]]
            pending.add_metric(labels, row["waiting"])
            in_flight.add_metric(labels, row["sent"])
        penalised = GaugeMetricFamily("mpdash_records_penalised", "Records with a penalty (failed, waiting for a retry)",
                                      labels=["channel", "kind"])
        for row in FailedIntegration.objects.values("channel_id", "kind").annotate(n=Count("id")):
            penalised.add_metric([slugs.get(row["channel_id"], str(row["channel_id"])), row["kind"]], row["n"])
        oldest = GaugeMetricFamily("mpdash_oldest_open_batch_age_seconds",
                                   "Age of the oldest batch request still waiting for the marketplace", labels=["channel"])
        now = timezone.now()
        for row in (BatchRequest.objects.filter(status__in=OPEN_BATCH_STATUSES).values("channel_id")
                    .annotate(first=Min("created_at"))):
            oldest.add_metric([slugs.get(row["channel_id"], str(row["channel_id"]))], (now - row["first"]).total_seconds())
        return [pending, in_flight, penalised, oldest]


def registry() -> CollectorRegistry:
    reg = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(reg)
    else:  # pragma: no cover - settings always sets the directory
        from prometheus_client import REGISTRY

        reg = REGISTRY
    reg.register(DatabaseCollector())
    return reg


def exposition() -> tuple[bytes, str]:
    return generate_latest(registry()), CONTENT_TYPE_LATEST


def mark_process_dead(pid: int) -> None:
    """For gunicorn's ``child_exit``: drop a dead worker's live gauges (counters stay summed)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)


# --- who may scrape --------------------------------------------------------------------------------

def metrics_view(request):
    """``GET /metrics``: the Prometheus text format; 403 unless :func:`allowed`."""
    from django.http import HttpResponse

    if not allowed(request):
        return HttpResponse("metrics: set MPDASH_METRICS_TOKEN and send it as a Bearer token, or scrape from an "
                            "address in MPDASH_METRICS_ALLOWED_IPS\n", status=403, content_type="text/plain")
    body, content_type = exposition()
    return HttpResponse(body, content_type=content_type)


def allowed(request) -> bool:
    """A scrape needs ``Authorization: Bearer <MPDASH_METRICS_TOKEN>`` when a token is set, or
    comes from ``MPDASH_METRICS_ALLOWED_IPS`` (addresses or networks; default loopback only)."""
    from django.conf import settings

    token = settings.MPDASH_METRICS_TOKEN
    if token:
        given = request.META.get("HTTP_AUTHORIZATION", "")
        return given.startswith("Bearer ") and secrets.compare_digest(given[7:].strip(), token)
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.MPDASH_METRICS_ALLOWED_IPS)

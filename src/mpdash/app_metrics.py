"""The metrics that need Django (see :mod:`mpdash.metrics` for the list and the multiprocess
set-up): hooks labelled by channel, the gauges read from the database when Prometheus scrapes,
and the ``/metrics`` view with who may scrape it. :mod:`mpdash.metrics` itself stays plain
Python, so the marketplace clients can count their calls without importing Django.
"""

from __future__ import annotations

import ipaddress
import os
import secrets

from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from .metrics import FLOW_RUNS, ORDERS, RUN_DURATION, _safely

_slugs: dict[int, str] = {}


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
        for row in (BatchRequest.objects.filter(status__in=(BatchRequest.Status.INITIALIZED, *BatchRequest.OPEN_STATUSES)).values("channel_id")
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

"""Flow runs and their log lines: the delivery records behind the Logs screen."""

from __future__ import annotations

from typing import Any, Iterable

from django.db.models import F
from django.utils import timezone

from mpdash import app_metrics, fast_insert
from mpdash.redaction import redact

from .models import BatchRequest, FlowLogLine, FlowRun

OPEN_BATCH_STATUSES = (BatchRequest.Status.INITIALIZED, *BatchRequest.OPEN_STATUSES)


def start_run(channel, flow: str, trigger: str, worker: str = "") -> FlowRun:
    return FlowRun.objects.create(
        channel=channel,
        flow=flow,
        trigger=trigger,
        status=FlowRun.Status.RUNNING,
        phase="sending",
        started_at=timezone.now(),
        worker=worker,
    )


def add_lines(run: FlowRun, lines: Iterable[tuple[str, str, str, Any]]) -> None:
    """Append ``(object_key, outcome, message, answer)`` lines to a run."""
    fast_insert.insert_values(
        FlowLogLine,
        ("run_id", "object_key", "outcome", "message", "answer"),
        [(run.pk, key, outcome, message[:4000], redact(answer)) for key, outcome, message, answer in lines],
    )


def bump(run_id: int, **counts: int) -> None:
    FlowRun.objects.filter(pk=run_id).update(**{k: F(k) + v for k, v in counts.items() if v})


def finish_if_complete(run_id: int, message: str | None = None, failed: bool = False, cut_short: bool = False) -> None:
    """Close the run once it sends nothing more and no batch of it awaits an answer.

    ``cut_short``: the marketplace's rate limit stopped the run before it had done
    everything; the rest goes on in a new run, so this one ends ``partial``."""
    run = FlowRun.objects.get(pk=run_id)
    if run.finished_at:
        return
    if run.phase == "sending" and not failed:
        return
    if BatchRequest.objects.filter(run_id=run_id, status__in=OPEN_BATCH_STATUSES).exists() and not failed:
        if run.phase != "awaiting":
            FlowRun.objects.filter(pk=run_id).update(phase="awaiting")
        return
    now = timezone.now()
    if failed:
        status = FlowRun.Status.FAIL
    elif run.failed and run.succeeded:
        status = FlowRun.Status.PARTIAL
    elif run.failed and not run.succeeded:
        status = FlowRun.Status.FAIL
    elif cut_short:
        status = FlowRun.Status.PARTIAL
    else:
        status = FlowRun.Status.SUCCESS
    update = {"status": status, "finished_at": now, "phase": ""}
    if run.started_at:
        update["duration_ms"] = int((now - run.started_at).total_seconds() * 1000)
    if message is not None:
        update["message"] = message[:4000]
    if FlowRun.objects.filter(pk=run_id, finished_at__isnull=True).update(**update):
        app_metrics.run_finished(run.channel_id, run.flow, status, update.get("duration_ms"))


def record_maintenance_run(channel, flow: str, message: str, *, trigger: str = FlowRun.Trigger.SYSTEM) -> FlowRun:
    """Log a one-step maintenance flow (e.g. Schema Update) like any other run."""
    now = timezone.now()
    run = FlowRun.objects.create(
        channel=channel,
        flow=flow,
        trigger=trigger,
        status=FlowRun.Status.SUCCESS,
        started_at=now,
        finished_at=now,
        duration_ms=0,
        message=message,
    )
    add_lines(run, [("", FlowLogLine.Outcome.INFO, message, None)])
    app_metrics.run_finished(channel.pk, flow, run.status, 0)
    return run

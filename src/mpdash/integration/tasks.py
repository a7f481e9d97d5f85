"""Celery tasks. Each is a thin entry into plain functions that the tests call too."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .models import BatchRequest, FlowState

logger = logging.getLogger("mpdash.integration.tasks")


@shared_task(name="mpdash.run_flow", ignore_result=True)
def run_flow(channel_id: int, flow: str, trigger: str = "schedule") -> list[int]:
    from .dispatch import execute

    # Clear the dispatch marker first: a change arriving from now on queues a new run.
    FlowState.objects.filter(channel_id=channel_id, flow=flow).update(dispatch_requested_at=None)
    # Runs queued by changes (event) or by the engine itself (system) gather batches that are
    # not full; manual and scheduled runs send what is ready at once.
    return execute(channel_id, flow, trigger, gather=trigger in ("event", "system"))


@shared_task(name="mpdash.poll_batch", ignore_result=True)
def poll_batch(batch_id: int) -> None:
    from . import batches

    batch = BatchRequest.objects.select_related("channel", "run").filter(pk=batch_id).first()
    if batch is None:
        return
    if not batches.poll(batch):
        poll_batch.apply_async(args=[batch_id], countdown=settings.MPDASH_BATCH_POLL_SECONDS)


@shared_task(name="mpdash.poll_batches", ignore_result=True)
def poll_batches(channel_id: int, kind: str) -> int:
    """The poller of one (channel, kind): its due batches, oldest first, within the budget."""
    from . import batches

    return batches.poll_due(channel_id, kind)


@shared_task(name="mpdash.poll_open_batches", ignore_result=True)
def poll_open_batches() -> int:
    """Safety net for pollers lost with a worker: run the poller of every (channel, kind)
    with a batch open for a while."""
    from . import batches

    cutoff = timezone.now() - timezone.timedelta(seconds=max(10.0, settings.MPDASH_BATCH_POLL_SECONDS * 3))
    done = 0
    pairs = (
        BatchRequest.objects.filter(status__in=BatchRequest.OPEN_STATUSES, sent_at__lt=cutoff)
        .order_by()
        .values_list("channel_id", "kind")
        .distinct()
    )
    for channel_id, kind in list(pairs):
        done += batches.poll_due(channel_id, kind)
    return done


@shared_task(name="mpdash.recover", ignore_result=True)
def recover() -> int:
    """Free records of batches interrupted by a dead worker, and close runs it left open."""
    from . import batches, runs
    from .models import FlowRun

    recovered = batches.recover_interrupted()
    cutoff = timezone.now() - timezone.timedelta(seconds=settings.MPDASH_FLOW_LEASE_SECONDS)
    for run in FlowRun.objects.filter(phase="sending", started_at__lt=cutoff, finished_at__isnull=True):
        state = FlowState.objects.filter(channel_id=run.channel_id, flow=run.flow).first()
        if state and state.lease_owner == run.worker and state.lease_expires_at and state.lease_expires_at > timezone.now():
            continue
        FlowRun.objects.filter(pk=run.pk, phase="sending").update(phase="awaiting")
        runs.finish_if_complete(run.pk, message="interrupted: the worker stopped during the run", failed=True)
    return recovered


@shared_task(name="mpdash.check_product_approvals", ignore_result=True)
def check_product_approvals(channel_id: int) -> int:
    from .product_flow import check_approvals

    return check_approvals(channel_id)

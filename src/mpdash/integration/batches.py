"""Batch requests: finishing them when the marketplace answers, failing them when it doesn't."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mpdash.marketplaces.base import BatchStatus, ItemResult

from . import penalties, runs
from .dispatch import request_flow
from .flows import RESULT_HANDLERS
from .models import BatchItem, BatchRequest, FlowLogLine, FlowState, PendingChange

logger = logging.getLogger("mpdash.integration.batches")


def finalize(batch: BatchRequest, results: list[ItemResult], *, exchange=None, whole_failure: str = "") -> bool:
    """Apply the marketplace's per-item answer to a batch. Returns False if another
    worker finalised it first (finalising is claimed with a conditional UPDATE)."""
    now = timezone.now()
    channel = batch.channel
    with transaction.atomic():
        final_status = BatchRequest.Status.FAIL if whole_failure else BatchRequest.Status.DONE
        claimed = BatchRequest.objects.filter(
            pk=batch.pk, status__in=(BatchRequest.Status.INITIALIZED, *BatchRequest.OPEN_STATUSES)
        ).update(status=final_status, answered_at=now, error=whole_failure[:4000])
        if not claimed:
            return False
        if exchange is not None:
            BatchRequest.objects.filter(pk=batch.pk).update(exchange=exchange)
        items = list(BatchItem.objects.filter(batch=batch).values_list("product_id", "sku", "pending_version"))
        by_sku = {r.sku: r for r in results}
        ok, failed, lines = [], [], []
        for product_id, sku, version in items:
            result = by_sku.get(sku)
            if whole_failure:
                result = ItemResult(sku, False, whole_failure)
            elif result is None:
                result = ItemResult(sku, False, "the marketplace's answer did not mention this record")
            if result.ok:
                ok.append((product_id, version))
                lines.append((sku, FlowLogLine.Outcome.SUCCESS, result.message or "accepted", result.answer))
            else:
                failed.append((product_id, sku, result.message or "rejected by the marketplace"))
                lines.append((sku, FlowLogLine.Outcome.FAIL, result.message or "rejected", result.answer))
        # Delivered: drop the pending row unless the value changed again while in flight.
        by_version: dict[int, list[int]] = {}
        for product_id, version in ok:
            by_version.setdefault(version, []).append(product_id)
        for version, product_ids in by_version.items():  # one DELETE per distinct version, not per record
            for chunk in penalties.chunks(product_ids, 500):
                PendingChange.objects.filter(
                    channel=channel, kind=batch.kind, product_id__in=chunk, version=version, batch=batch
                ).delete()
        penalties.clear(channel, batch.kind, [p for p, _ in ok])
        penalties.penalise(channel, batch.kind, failed, now)
        handler = RESULT_HANDLERS.get(batch.kind)
        if handler is not None:
            handler(batch, results, whole_failure)
        newer = PendingChange.objects.filter(batch=batch).update(batch=None)
        if batch.run_id:
            runs.add_lines(batch.run, lines)
            runs.bump(batch.run_id, succeeded=len(ok), failed=len(failed))
    if batch.run_id:
        runs.finish_if_complete(batch.run_id)
    if newer:
        request_flow(channel.pk, batch.flow, "event")
    return True


def poll(batch: BatchRequest) -> bool:
    """Ask the marketplace about one open batch. Returns True when the batch is finished."""
    from mpdash.marketplaces.errors import MarketplaceError

    if batch.status not in BatchRequest.OPEN_STATUSES:
        return True
    channel = batch.channel
    if expire_if_overdue(batch):
        return True
    adapter = channel.adapter()
    try:
        skus = list(BatchItem.objects.filter(batch=batch).order_by("id").values_list("sku", flat=True))
        status: BatchStatus = adapter.poll(batch.kind, batch.remote_batch_id, skus=skus)
    except MarketplaceError as exc:
        BatchRequest.objects.filter(pk=batch.pk).update(polls=batch.polls + 1, error=f"poll failed: {exc}"[:4000])
        logger.warning("poll of batch %s failed: %s", batch.local_batch_id, exc)
        return False
    finally:
        adapter.close()
    if not status.done:
        BatchRequest.objects.filter(pk=batch.pk, status__in=BatchRequest.OPEN_STATUSES).update(
            status=BatchRequest.Status.ONGOING, polls=batch.polls + 1
        )
        return False
    finalize(batch, status.results, exchange=status.exchange, whole_failure=status.failed_whole)
    return True


def expire_if_overdue(batch: BatchRequest, now=None) -> bool:
    now = now or timezone.now()
    hours = batch.channel.sent_to_remote_hours()
    if batch.sent_at and batch.sent_at < now - timedelta(hours=hours):
        finalize(batch, [], whole_failure=f"no answer from the marketplace within {hours:g} hours (sent_to_remote.EXPIRATION_HOUR)")
        return True
    return False


def recover_interrupted(now=None) -> int:
    """Batches left 'initialized' by a worker that died before the marketplace confirmed
    receipt: release their records (no penalty, they were never confirmed sent) so the
    next run sends their current values."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.MPDASH_FLOW_LEASE_SECONDS)
    recovered = 0
    for batch in BatchRequest.objects.filter(status=BatchRequest.Status.INITIALIZED, created_at__lt=cutoff).select_related("channel"):
        state = FlowState.objects.filter(channel_id=batch.channel_id, flow=batch.flow).first()
        if state and state.lease_expires_at and state.lease_expires_at > now and batch.run and state.lease_owner == batch.run.worker:
            continue  # its run is alive and still holds the lease
        with transaction.atomic():
            claimed = BatchRequest.objects.filter(pk=batch.pk, status=BatchRequest.Status.INITIALIZED).update(
                status=BatchRequest.Status.FAIL, answered_at=now, error="interrupted before the marketplace confirmed receipt; its records will be sent again"
            )
            if not claimed:
                continue
            PendingChange.objects.filter(batch=batch).update(batch=None)
        if batch.run_id:
            runs.finish_if_complete(batch.run_id)
        recovered += 1
        request_flow(batch.channel_id, batch.flow, "system")
    return recovered


@shared_task(name="mpdash.poll_batch", ignore_result=True)
def poll_batch(batch_id: int) -> None:
    batch = BatchRequest.objects.select_related("channel", "run").filter(pk=batch_id).first()
    if batch is None:
        return
    if not poll(batch):
        poll_batch.apply_async(args=[batch_id], countdown=settings.MPDASH_BATCH_POLL_SECONDS)


@shared_task(name="mpdash.poll_open_batches", ignore_result=True)
def poll_open_batches() -> int:
    """Safety net for polls lost with a worker: poll every open batch not polled lately."""
    cutoff = timezone.now() - timezone.timedelta(seconds=max(10.0, settings.MPDASH_BATCH_POLL_SECONDS * 3))
    done = 0
    for batch in BatchRequest.objects.select_related("channel", "run").filter(
        status__in=BatchRequest.OPEN_STATUSES, sent_at__lt=cutoff
    )[:500]:
        done += poll(batch)
    return done

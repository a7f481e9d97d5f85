"""Batch requests: finishing them when the marketplace answers, failing them when it doesn't."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mpdash import sql_keys
from mpdash.marketplaces.base import BatchStatus, ItemResult

from . import penalties, runs
from .dispatch import request_flow
from .flows import RESULT_HANDLERS
from .models import BatchItem, BatchRequest, FlowLogLine, FlowState, PendingChange

logger = logging.getLogger("mpdash.integration.batches")

# Record kinds the generic stock/price flow sends (sync_flow.run_outbound_sync).
OUTBOUND_KINDS = ("productstock", "productprice")
POLL_GROWTH = 1.5  # each unanswered poll waits this much longer than the one before
POLL_MAX_INTERVAL = 60.0  # seconds


def finalize(batch: BatchRequest, results: list[ItemResult], *, exchange=None, whole_failure: str = "",
             wake_flow: bool = True) -> bool:
    """Apply the marketplace's per-item answer to a batch. Returns False if another
    worker finalised it first (finalising is claimed with a conditional UPDATE).
    ``wake_flow=False``: the caller is the batch's flow itself, waiting for the slot this
    frees, so no run is asked for."""
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
            for chunk in sql_keys.chunks(product_ids):
                sql_keys.among(
                    PendingChange.objects.filter(channel=channel, kind=batch.kind, version=version, batch=batch), "product_id", chunk
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
    if not wake_flow:
        return True
    if batch.kind in OUTBOUND_KINDS:
        # A slot at the marketplace is free: what waited for it (or changed meanwhile) goes now.
        if PendingChange.objects.filter(channel=channel, kind=batch.kind, batch__isnull=True, available_at__lte=now).exists():
            request_flow(channel.pk, batch.flow, "event", countdown=0)
    elif newer:
        request_flow(channel.pk, batch.flow, "event")
    return True


def poll(batch: BatchRequest, *, adapter=None, raise_rate_limited: bool = False, wake_flow: bool = True) -> bool:
    """Ask the marketplace about one open batch. Returns True when the batch is finished.

    ``adapter``: one to reuse (the caller closes it). ``raise_rate_limited``: a poll refused
    by the call budget or the marketplace's rate limit raises :class:`RateLimited` instead of
    counting as a poll (the poller then stops its round and comes back when allowed)."""
    from mpdash.marketplaces.errors import Action, MarketplaceError

    if batch.status not in BatchRequest.OPEN_STATUSES:
        return True
    channel = batch.channel
    if expire_if_overdue(batch):
        return True
    own_adapter = adapter is None
    adapter = adapter or channel.adapter()
    try:
        skus = list(BatchItem.objects.filter(batch=batch).order_by("id").values_list("sku", flat=True))
        status: BatchStatus = adapter.poll(batch.kind, batch.remote_batch_id, skus=skus)
    except MarketplaceError as exc:
        if raise_rate_limited and exc.action is Action.RETRY_LATER:
            raise
        BatchRequest.objects.filter(pk=batch.pk).update(polls=batch.polls + 1, error=f"poll failed: {exc}"[:4000])
        logger.warning("poll of batch %s failed: %s", batch.local_batch_id, exc)
        return False
    finally:
        if own_adapter:
            adapter.close()
    if not status.done:
        BatchRequest.objects.filter(pk=batch.pk, status__in=BatchRequest.OPEN_STATUSES).update(
            status=BatchRequest.Status.ONGOING, polls=batch.polls + 1
        )
        return False
    finalize(batch, status.results, exchange=status.exchange, whole_failure=status.failed_whole, wake_flow=wake_flow)
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


# --- the poller: one per (channel, kind) -------------------------------------------------------
def first_poll_seconds() -> float:
    """Seconds from sending to the first poll: soon, since an upload is often done in well under
    the poll interval (``MPDASH_BATCH_FIRST_POLL_SECONDS``, default the smaller of 0.5 s and it)."""
    interval = float(settings.MPDASH_BATCH_POLL_SECONDS)
    return float(getattr(settings, "MPDASH_BATCH_FIRST_POLL_SECONDS", None) or min(0.5, interval))


def poll_due_at(batch: BatchRequest):
    """When the batch's next poll is due: the first soon after sending, then every poll
    interval, growing by POLL_GROWTH while it is not done (up to POLL_MAX_INTERVAL)."""
    seconds = first_poll_seconds()
    interval = float(settings.MPDASH_BATCH_POLL_SECONDS)
    for _ in range(batch.polls):
        seconds += interval
        interval = min(interval * POLL_GROWTH, POLL_MAX_INTERVAL)
    return (batch.sent_at or batch.created_at) + timedelta(seconds=seconds)


def _poller(kind: str) -> str:
    return f"poll:{kind}"


def request_poll(channel_id: int, kind: str, countdown: float = 0.0) -> bool:
    """Queue the (channel, kind) poller to run in ``countdown`` seconds, unless it is already
    queued to run by then. Returns True when a task was queued (after the commit)."""
    from .leases import flow_state

    state = flow_state(channel_id, _poller(kind))
    now = timezone.now()
    at = now + timedelta(seconds=max(0.0, countdown))
    # dispatch_requested_at holds when the queued poller runs; an earlier wish queues another.
    queued = FlowState.objects.filter(pk=state.pk).filter(
        Q(dispatch_requested_at__isnull=True)
        | Q(dispatch_requested_at__gt=at + timedelta(seconds=0.05))
        | Q(dispatch_requested_at__lt=now - timedelta(seconds=60))
    ).update(dispatch_requested_at=at)
    if not queued:
        return False
    transaction.on_commit(lambda: poll_batches.apply_async(args=[channel_id, kind], countdown=max(0.0, countdown)))
    return True


def poll_due(channel_id: int, kind: str, *, by_waiting_run: bool = False) -> int:
    """Poll the channel's open batches of ``kind`` that are due, oldest first, until one is
    refused by the call budget; then queue the poller for the next due poll. One poller per
    (channel, kind) at a time (a lease); a request meanwhile makes the holder go round again.
    Returns how many batches finished.

    ``by_waiting_run``: called by a sync run that has reached the marketplace's limit of
    unfinished uploads, polling in the poller's place so it can send on at once instead of
    ending and being woken by the poller. It polls only if no poller is at work (it neither
    waits for one nor asks it to go round again), asks for no run when a batch finishes (it
    is that run), and leaves the queued poller queued."""
    from .leases import Lease

    if not by_waiting_run:
        FlowState.objects.filter(channel_id=channel_id, flow=_poller(kind)).update(dispatch_requested_at=None)
    lease = Lease(channel_id, _poller(kind))
    if not (lease.try_acquire() if by_waiting_run else lease.acquire_or_request_rerun()):
        return 0
    finished, next_due = 0, None
    try:
        while True:
            round_finished, next_due = _poll_round(channel_id, kind, lease, wake_flow=not by_waiting_run)
            finished += round_finished
            if lease.release():
                break
    except BaseException:
        lease.force_release()
        raise
    if next_due is not None and not (by_waiting_run and finished):
        # (A run that freed a slot asks for the poller itself after its last batch.)
        request_poll(channel_id, kind, countdown=(next_due - timezone.now()).total_seconds())
    return finished


def _poll_round(channel_id: int, kind: str, lease, *, wake_flow: bool = True):
    from mpdash.marketplaces.errors import RateLimited

    open_batches = list(
        BatchRequest.objects.select_related("channel", "run")
        .filter(channel_id=channel_id, kind=kind, status__in=BatchRequest.OPEN_STATUSES)
        .order_by("sent_at", "id")
    )
    if not open_batches:
        return 0, None
    finished, next_due = 0, None
    adapter = open_batches[0].channel.adapter()
    try:
        for index, batch in enumerate(open_batches):
            due = poll_due_at(batch)
            if due > timezone.now():
                next_due = due if next_due is None else min(next_due, due)
                continue
            try:
                done = poll(batch, adapter=adapter, raise_rate_limited=True, wake_flow=wake_flow)
            except RateLimited as exc:
                # Waiting is not failing: this poll and the ones after it come back when allowed.
                retry = timezone.now() + timedelta(seconds=max(0.2, float(exc.retry_after or 1.0)))
                next_due = retry if next_due is None else min(next_due, retry)
                break
            if done:
                finished += 1
            else:
                batch.polls += 1
                due = poll_due_at(batch)
                next_due = due if next_due is None else min(next_due, due)
            lease.renew()
    finally:
        adapter.close()
    return finished, next_due


@shared_task(name="mpdash.poll_batches", ignore_result=True)
def poll_batches(channel_id: int, kind: str) -> int:
    """The poller of one (channel, kind): its due batches, oldest first, within the budget."""
    return poll_due(channel_id, kind)


@shared_task(name="mpdash.poll_open_batches", ignore_result=True)
def poll_open_batches() -> int:
    """Safety net for pollers lost with a worker: run the poller of every (channel, kind)
    with a batch open for a while."""
    cutoff = timezone.now() - timezone.timedelta(seconds=max(10.0, settings.MPDASH_BATCH_POLL_SECONDS * 3))
    done = 0
    pairs = (
        BatchRequest.objects.filter(status__in=BatchRequest.OPEN_STATUSES, sent_at__lt=cutoff)
        .order_by()
        .values_list("channel_id", "kind")
        .distinct()
    )
    for channel_id, kind in list(pairs):
        done += poll_due(channel_id, kind)
    return done

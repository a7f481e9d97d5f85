"""The generic outbound sync flow (stock, price): pending records → marketplace.

Each step takes at most one marketplace batch of records that are pending, not in
flight and not held by a penalty, in the order they changed. Penalised records are
simply not available, so however many of them there are, a healthy change is picked up
by the very next run.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mpdash.marketplaces.errors import Action, MarketplaceError

from . import batches, penalties, records, runs
from .batches import poll_batch
from .dispatch import request_flow
from .flows import RunContext, StopRun  # (the flow modules import StopRun from here too)
from .models import BatchItem, BatchRequest, FlowLogLine, FlowRun, PendingChange

logger = logging.getLogger("mpdash.integration.sync")


def ready_rows(channel, kind: str, limit: int):
    rows = PendingChange.objects.filter(channel=channel, kind=kind, batch__isnull=True, available_at__lte=timezone.now())
    if channel.adapter_class.flow("product_create") and channel.flow_enabled("product_create"):
        # This channel creates its products itself: stock and price wait until the
        # marketplace has the product (the create carries both anyway), instead of
        # failing on an unknown product and being penalised.
        from django.db.models import Exists, OuterRef

        from .models import ProductIntegration

        rows = rows.filter(
            Exists(ProductIntegration.objects.filter(channel=channel, product_id=OuterRef("product_id"), created_remotely=True))
        )
    return list(rows.order_by("changed_at", "id").values_list("id", "product_id", "version")[:limit])


def run_outbound_sync(ctx: RunContext) -> str:
    channel, adapter, spec, run = ctx.channel, ctx.adapter, ctx.spec, ctx.run
    kind = spec.kind
    size = adapter.batch_size(kind)
    max_batches = int(getattr(settings, "MPDASH_MAX_BATCHES_PER_RUN", 200))
    sent_batches = 0
    for _ in range(max_batches):
        ctx.lease.renew()
        rows = ready_rows(channel, kind, size)
        if not rows:
            break
        runs.bump(run.pk, selected=len(rows))
        if send_one_batch(ctx, kind, rows):
            sent_batches += 1
    else:
        # More is pending than one run may send: ask for another run right away.
        request_flow(channel.pk, spec.name, FlowRun.Trigger.SYSTEM)
    return f"{sent_batches} request(s) sent" if sent_batches else "nothing pending"


def send_one_batch(ctx: RunContext, kind: str, rows, *, load=None, send=None, on_problems=None, on_sent=None) -> bool:
    """Claim, send and record one batch. ``load(channel, kind, product_ids)`` and
    ``send(adapter, kind, records)`` default to the stock/price ones; a flow with other
    records (products) passes its own, and hooks to keep its own state."""
    channel, adapter, run = ctx.channel, ctx.adapter, ctx.run
    load = load or records.load
    send = send or records.send
    product_ids = [product_id for _, product_id, _ in rows]
    found, skus, versions, problems = load(channel, kind, product_ids)
    if problems:
        penalties.penalise(channel, kind, [(pid, skus.get(pid, str(pid)), message) for pid, message in problems.items()])
        runs.add_lines(run, [(skus.get(pid, str(pid)), FlowLogLine.Outcome.FAIL, message, None) for pid, message in problems.items()])
        runs.bump(run.pk, failed=len(problems))
        if on_problems:
            on_problems(problems)
    if not found:
        return False
    with transaction.atomic():
        batch = BatchRequest.objects.create(
            channel=channel, flow=ctx.spec.name, kind=kind, run=run, item_count=len(found)
        )
        BatchItem.objects.bulk_create(
            [BatchItem(batch=batch, product_id=pid, sku=rec.sku, pending_version=versions[pid]) for pid, rec in found.items()],
            batch_size=1000,
        )
        for chunk in penalties.chunks(list(found), 500):
            PendingChange.objects.filter(channel=channel, kind=kind, product_id__in=chunk, batch__isnull=True).update(batch=batch)
        # Send only what this batch claimed: a row claimed meanwhile by another batch (a
        # run that took over after this one stalled past its lease) is not ours to send.
        claimed = set(PendingChange.objects.filter(batch=batch).values_list("product_id", flat=True))
        if len(claimed) < len(found):
            BatchItem.objects.filter(batch=batch).exclude(product_id__in=claimed).delete()
            found = {pid: rec for pid, rec in found.items() if pid in claimed}
            BatchRequest.objects.filter(pk=batch.pk).update(item_count=len(found))
    if not found:
        release(batch, "nothing left to send: every record was claimed by another run")
        return False
    ctx.lease.renew()  # fencing: never send after losing the lease
    record_list = list(found.values())
    try:
        submission = send(adapter, kind, record_list)
    except MarketplaceError as exc:
        handle_send_error(ctx, batch, found, exc)
        return False
    except Exception as exc:
        # A bug or an unexpected answer: fail this batch, penalise nothing, stop the run.
        release(batch, f"unexpected error while sending: {exc.__class__.__name__}: {exc}")
        raise
    now = timezone.now()
    BatchRequest.objects.filter(pk=batch.pk).update(
        remote_batch_id=submission.remote_id or "",
        status=BatchRequest.Status.SENT_TO_REMOTE,
        sent_at=now,
        exchange=submission.exchange,
    )
    sent_items = []
    for item in BatchItem.objects.filter(batch=batch):
        item.sent = submission.sent.get(item.sku)
        sent_items.append(item)
    BatchItem.objects.bulk_update(sent_items, ["sent"], batch_size=1000)
    runs.add_lines(
        run,
        [(rec.sku, FlowLogLine.Outcome.SENT, f"sent in batch {batch.local_batch_id}", submission.sent.get(rec.sku)) for rec in record_list],
    )
    runs.bump(run.pk, sent=len(record_list))
    if on_sent:
        on_sent(batch, found, submission)
    batch.refresh_from_db()
    if submission.results is not None:
        batches.finalize(batch, submission.results, exchange=submission.exchange)
    else:
        transaction.on_commit(
            lambda: poll_batch.apply_async(args=[batch.pk], countdown=settings.MPDASH_BATCH_POLL_SECONDS)
        )
    return True


def release(batch: BatchRequest, error: str, exchange=None) -> None:
    with transaction.atomic():
        BatchRequest.objects.filter(pk=batch.pk).update(
            status=BatchRequest.Status.FAIL, error=error[:4000], answered_at=timezone.now(), exchange=exchange
        )
        PendingChange.objects.filter(batch=batch).update(batch=None)


def handle_send_error(ctx: RunContext, batch: BatchRequest, found: dict, exc: MarketplaceError) -> None:
    exchange = {"error": str(exc), "status_code": exc.status_code, "body": exc.body}
    if exc.action is Action.RETRY_LATER:
        release(batch, f"rate limited: {exc}", exchange)
        raise StopRun(f"rate limited by the marketplace; trying again in {getattr(exc, 'retry_after', 1):.0f} s", retry_after=getattr(exc, "retry_after", 1.0))
    if exc.action is Action.FAIL_RUN:
        release(batch, str(exc), exchange)
        raise StopRun(str(exc), failed=True)
    # PENALISE: the marketplace failed this request; hold its records under their penalty.
    release(batch, str(exc), exchange)
    items = [(pid, rec.sku, str(exc)) for pid, rec in found.items()]
    penalties.penalise(ctx.channel, batch.kind, items)
    runs.add_lines(ctx.run, [(sku, FlowLogLine.Outcome.FAIL, msg, exchange) for _, sku, msg in items])
    runs.bump(ctx.run.pk, failed=len(items))
    raise StopRun(f"the marketplace failed a request ({exc}); {len(items)} record(s) penalised, the rest wait for the next run")


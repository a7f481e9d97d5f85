"""The generic outbound sync flow (stock, price): pending records → marketplace.

Each step takes at most one marketplace batch of records that are pending, not in
flight and not held by a penalty, in the order they changed. Penalised records are
simply not available, so however many of them there are, a healthy change is picked up
by the very next run.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mpdash import fast_insert, sql_keys
from mpdash.marketplaces.errors import Action, MarketplaceError

from . import batches, penalties, records, runs
from .batches import first_poll_seconds, request_poll
from .dispatch import request_flow
from .flows import RunContext, StopRun  # (the flow modules import StopRun from here too)
from .models import BatchItem, BatchRequest, FlowLogLine, FlowRun, PendingChange

logger = logging.getLogger("mpdash.integration.sync")


def _ready(channel, kind: str):
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
    return rows


def ready_rows(channel, kind: str, limit: int):
    return list(_ready(channel, kind).order_by("changed_at", "id").values_list("id", "product_id", "version")[:limit])


def free_slots(channel, adapter_class) -> int | None:
    """How many more requests may go out before the marketplace's limit of unfinished ones
    (``max_open_batches`` over ``open_batch_kinds``); None when it has no such limit."""
    limit = adapter_class.max_open_batches
    if limit is None:
        return None
    in_flight = BatchRequest.objects.filter(
        channel=channel,
        kind__in=adapter_class.open_batch_kinds,
        status__in=(BatchRequest.Status.INITIALIZED, *BatchRequest.OPEN_STATUSES),
    ).count()
    return max(0, limit - in_flight)


def seconds_until_due(channel, kind: str, now=None) -> float:
    """When a batch that is not full may go: once the ready changes have been quiet for the
    debounce, and at the latest ``MPDASH_BATCH_MAX_WAIT_SECONDS`` after the oldest of them
    (a steady writer is never quiet). 0 means now."""
    from django.db.models import Max, Min

    now = now or timezone.now()
    span = _ready(channel, kind).aggregate(first=Min("changed_at"), last=Max("changed_at"))
    if span["last"] is None:
        return 0.0
    debounce = float(settings.MPDASH_CHANGE_DEBOUNCE_SECONDS)
    max_wait = float(getattr(settings, "MPDASH_BATCH_MAX_WAIT_SECONDS", 2 * debounce))
    due = min((span["last"] - now).total_seconds() + debounce, (span["first"] - now).total_seconds() + max_wait)
    return max(0.0, due)


def run_outbound_sync(ctx: RunContext) -> str:
    """Send full batches at once; a batch that is not full once its changes are due
    (:func:`seconds_until_due`); never more unfinished requests than the marketplace allows.
    What has to wait is asked for again: by a timer when it falls due, and by the poller
    when a request finishes and frees a slot."""
    kind = ctx.spec.kind
    size = ctx.adapter.batch_size(kind)
    max_batches = int(getattr(settings, "MPDASH_MAX_BATCHES_PER_RUN", 200))
    try:
        return _send_batches(ctx, kind, size, max_batches)
    finally:
        if ctx.awaiting_poll is not None:
            # One poller request for the run, after its last batch: polls finishing batches
            # meanwhile would compete with the run's writes (on SQLite, for the one write lock).
            elapsed = (timezone.now() - ctx.awaiting_poll).total_seconds()
            request_poll(ctx.channel.pk, kind, countdown=max(0.0, first_poll_seconds() - elapsed))


def _send_batches(ctx: RunContext, kind: str, size: int, max_batches: int) -> str:
    channel, adapter, spec, run = ctx.channel, ctx.adapter, ctx.spec, ctx.run
    sent_batches = 0
    waiting = ""
    for _ in range(max_batches):
        ctx.lease.renew()
        rows = ready_rows(channel, kind, size)
        if not rows:
            break
        if free_slots(channel, type(adapter)) == 0:
            if batches.poll_due(channel.pk, kind, by_waiting_run=True):
                # No poller was at work and a due poll finished a request: its slot is ours.
                ctx.awaiting_poll = ctx.awaiting_poll or timezone.now()
                continue
            # The poller asks for the next run when one of them finishes.
            waiting = f"; the rest waits: {adapter.max_open_batches} request(s) unfinished at the marketplace, its limit"
            break
        if len(rows) < size and ctx.gather:
            due = seconds_until_due(channel, kind)
            if due > 0:
                # Not full and still changing: more may join this batch.
                request_flow(channel.pk, spec.name, FlowRun.Trigger.SYSTEM, countdown=due)
                waiting = f"; {len(rows)} change(s) go in {due:.1f} s unless a full batch gathers first"
                break
        runs.bump(run.pk, selected=len(rows))
        if send_one_batch(ctx, kind, rows, poll_at_once=False):
            sent_batches += 1
    else:
        # More is pending than one run may send: ask for another run right away.
        request_flow(channel.pk, spec.name, FlowRun.Trigger.SYSTEM, countdown=0)
    done = f"{sent_batches} request(s) sent" if sent_batches else "nothing sent"
    if not sent_batches and not waiting:
        return "nothing pending"
    return done + waiting


def send_one_batch(ctx: RunContext, kind: str, rows, *, load=None, send=None, on_problems=None, on_sent=None,
                   poll_at_once: bool = True) -> bool:
    """Claim, send and record one batch. ``load(channel, kind, product_ids)`` and
    ``send(adapter, kind, records)`` default to the stock/price ones; a flow with other
    records (products) passes its own, and hooks to keep its own state. ``poll_at_once``:
    ask the poller for this batch now; else the run asks once, when it ends
    (``ctx.awaiting_poll`` keeps when the first such batch went out)."""
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
        fast_insert.insert_values(
            BatchItem,
            ("batch_id", "product_id", "sku", "pending_version"),
            [(batch.pk, pid, rec.sku, versions[pid]) for pid, rec in found.items()],
        )
        for chunk in sql_keys.chunks(found):
            sql_keys.among(PendingChange.objects.filter(channel=channel, kind=kind, batch__isnull=True), "product_id", chunk).update(
                batch=batch
            )
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
    message = f"sent in batch {batch.local_batch_id}"
    lines = [(rec.sku, FlowLogLine.Outcome.SENT, message, submission.sent.get(rec.sku)) for rec in record_list]
    with transaction.atomic():  # one write transaction (on SQLite: one wait for the lock, one commit)
        BatchRequest.objects.filter(pk=batch.pk).update(
            remote_batch_id=submission.remote_id or "",
            status=BatchRequest.Status.SENT_TO_REMOTE,
            sent_at=now,
            exchange=submission.exchange,
        )
        _record_sent(batch, submission.sent)
        runs.add_lines(run, lines)
        runs.bump(run.pk, sent=len(record_list))
    if on_sent:
        on_sent(batch, found, submission)
    batch.refresh_from_db()
    if submission.results is not None:
        batches.finalize(batch, submission.results, exchange=submission.exchange)
    elif poll_at_once:
        request_poll(channel.pk, kind, countdown=first_poll_seconds())
    elif ctx.awaiting_poll is None:
        ctx.awaiting_poll = now
    return True


def _record_sent(batch: BatchRequest, sent: dict) -> None:
    """Keep what went out for each item: one UPDATE joining the batch's items to the JSON
    object ``{sku: what was sent}`` passed as one value (an UPDATE per item costs a round
    trip each, ``bulk_update`` a CASE per row)."""
    from django.db import connections, router

    if not sent:
        return
    connection = connections[router.db_for_write(BatchItem)]
    table = connection.ops.quote_name(BatchItem._meta.db_table)
    body = json.dumps(sent, cls=BatchItem._meta.get_field("sent").encoder)
    if connection.vendor == "postgresql":
        sql = (f"UPDATE {table} AS t SET sent = NULLIF(m.value, 'null'::jsonb) FROM jsonb_each(%s::jsonb) AS m"
               " WHERE t.batch_id = %s AND t.sku = m.key")
    else:
        # json_each gives an object or array as its JSON text, a scalar as an SQL value:
        # each is stored as the JSON text it was. The lookup is correlated, which SQLite
        # answers from an automatic index on the CTE (an UPDATE … FROM would scan the
        # batch's items once per sent item).
        sql = (f"WITH m(sku, sent) AS MATERIALIZED (SELECT key, CASE type WHEN 'object' THEN value WHEN 'array' THEN value"
               " WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'null' THEN NULL ELSE json_quote(value) END"
               " FROM json_each(%s))"
               f" UPDATE {table} SET sent = (SELECT m.sent FROM m WHERE m.sku = {table}.sku)"
               " WHERE batch_id = %s AND sku IN (SELECT sku FROM m)")
    with connection.cursor() as cursor:
        cursor.execute(sql, [body, batch.pk])


def release(batch: BatchRequest, error: str, exchange=None) -> None:
    with transaction.atomic():
        BatchRequest.objects.filter(pk=batch.pk).update(
            status=BatchRequest.Status.FAIL, error=error[:4000], answered_at=timezone.now(), exchange=exchange
        )
        PendingChange.objects.filter(batch=batch).update(batch=None)


def withdraw(batch: BatchRequest) -> None:
    """Undo a batch the marketplace never took (it asked us to wait): its records are
    pending again as they were, and no failed request is left behind."""
    with transaction.atomic():
        PendingChange.objects.filter(batch=batch).update(batch=None)
        BatchRequest.objects.filter(pk=batch.pk).delete()


def handle_send_error(ctx: RunContext, batch: BatchRequest, found: dict, exc: MarketplaceError) -> None:
    exchange = {"error": str(exc), "status_code": exc.status_code, "body": exc.body}
    if exc.action is Action.RETRY_LATER:
        # Waiting is not failing: our own call budget, a 429 or "too many pending" says
        # nothing about the records. The request never happened; its records stay pending
        # with no penalty and no failed batch, and the run comes back when allowed.
        withdraw(batch)
        retry_after = float(getattr(exc, "retry_after", 1.0) or 1.0)
        raise StopRun(
            f"rate limited ({exc}); {len(found)} record(s) stay pending, trying again in {retry_after:.1f} s",
            retry_after=retry_after,
        )
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


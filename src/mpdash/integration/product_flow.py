"""Product flows: create, update and delete products on a marketplace.

They ride the same machinery as stock and price (pending rows written by database
triggers, batch requests, penalties, the flow lease); what differs is how records are
loaded (through the Mapper) and what an answer means for the product's
:class:`ProductIntegration` (in flight → pending approval → on sale, or rejected with
the marketplace's reasons).

* ``product_create`` sends pending products the marketplace does not have yet;
  ``product_update`` those it has. One pending row serves both, so a product created
  and edited before the create finished is updated afterwards, never created twice.
* ``delete_product`` takes products removed from the catalog (or deactivated) off sale.
* Approval is checked by a small task that re-queues itself while products wait.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from mpdash.catalog.models import CatalogItem, Product
from mpdash.channels.mapper import map_products
from mpdash.marketplaces.base import NOT_FOUND, ON_SALE, PENDING_APPROVAL, REJECTED, ItemResult, StockRecord

from . import runs
from .dispatch import request_flow
from .leases import flow_state
from .models import FlowLogLine, FlowRun, FlowState, PendingChange, ProductIntegration
from .sync_flow import send_one_batch

logger = logging.getLogger("mpdash.integration.products")

CREATE, UPDATE, DELETE = "product_create", "product_update", "delete_product"
APPROVAL_CHECK = "product_approvals"  # FlowState key of the approval-check task
State = ProductIntegration.State
STATE_BY_RESULT = {ON_SALE: State.ON_SALE, PENDING_APPROVAL: State.PENDING_APPROVAL, REJECTED: State.REJECTED}


def in_flight_message(batch) -> str:
    return f"The relevant record is processing in another queue, LocalBatchId: {batch.local_batch_id}"


# --- selecting ---------------------------------------------------------------------------
def _ready_rows(channel, kind: str, limit: int, *, created: bool | None):
    qs = PendingChange.objects.filter(channel=channel, kind=kind, batch__isnull=True, available_at__lte=timezone.now())
    if created is not None:
        known = Exists(
            ProductIntegration.objects.filter(channel=channel, product_id=OuterRef("product_id"), created_remotely=True)
        )
        qs = qs.filter(known) if created else qs.exclude(known)
    return list(qs.order_by("changed_at", "id").values_list("id", "product_id", "version")[:limit])


def _versions(channel, kind: str, product_ids) -> dict[int, int]:
    return dict(
        PendingChange.objects.filter(channel=channel, kind=kind, product_id__in=product_ids).values_list("product_id", "version")
    )


# --- create / update -----------------------------------------------------------------------
def load_products(channel, kind: str, product_ids, *, adapter, update: bool):
    versions = _versions(channel, kind, product_ids)
    products = list(Product.objects.filter(pk__in=product_ids).select_related("category"))
    skus = {p.pk: p.sku for p in products}
    integrations = {i.product_id: i for i in ProductIntegration.objects.filter(channel=channel, product_id__in=product_ids)}
    found, problems = {}, {}
    for mapped in map_products(channel, products, require_stock=not update):
        if mapped.product_id not in versions:
            continue  # delivered meanwhile
        errors = list(mapped.errors)
        if mapped.record is not None and not errors:
            errors += adapter.check_product(mapped.record)
        if errors:
            problems[mapped.product_id] = "; ".join(errors)
            continue
        integration = integrations.get(mapped.product_id)
        if integration and integration.remote_sku:
            mapped.record.remote_sku = integration.remote_sku
        found[mapped.product_id] = mapped.record
    found = fit_request(adapter, found, update=update)  # the rest stays pending for the next request
    return found, skus, versions, problems


ENVELOPE_BYTES = 4096  # room for the request's wrapper around the items


def fit_request(adapter, records: dict, *, update: bool = False) -> dict:
    """The longest prefix of ``records`` whose payload stays within the marketplace's
    request size and batch size. A single record too big on its own is kept (the
    adapter's check reports it) so it cannot block the queue."""
    limit = adapter.max_request_bytes - ENVELOPE_BYTES
    count_limit = adapter.batch_size("product")
    kept, total = {}, 0
    for product_id, record in records.items():
        size = len(json.dumps(adapter.build_product_payload(record, update=update), ensure_ascii=False, default=str).encode()) + 2
        if kept and (total + size > limit or len(kept) >= count_limit):
            break
        kept[product_id] = record
        total += size
    return kept


def _send_products(adapter, kind, records, *, update: bool):
    return adapter.send_products(records, update=update)


def _mark_failed(channel, problems: dict[int, str]) -> None:
    for product_id, message in problems.items():
        ProductIntegration.objects.update_or_create(
            channel=channel, product_id=product_id, defaults={"state": State.FAILED, "reasons": message.split("; ")}
        )


def _mark_in_flight(channel, batch, found, submission) -> None:
    from django.db.models import OuterRef, Subquery

    ids = list(found)
    existing = set(ProductIntegration.objects.filter(channel=channel, product_id__in=ids).values_list("product_id", flat=True))
    versions = dict(Product.objects.filter(pk__in=[i for i in ids if i not in existing]).values_list("pk", "version"))
    ProductIntegration.objects.bulk_create(
        [
            ProductIntegration(channel=channel, product_id=pid, state=State.IN_FLIGHT, last_batch=batch, sent_version=versions.get(pid))
            for pid in ids if pid not in existing
        ],
        batch_size=500, ignore_conflicts=True,
    )
    version = Subquery(Product.objects.filter(pk=OuterRef("product_id")).values("version")[:1])
    for start in range(0, len(ids), 500):
        rows = ProductIntegration.objects.filter(channel=channel, product_id__in=[i for i in ids[start:start + 500] if i in existing])
        rows.update(last_batch=batch, sent_version=version, reasons=[])
        # An update leaves the product where it is (on sale, ...); a create is in flight.
        rows.filter(created_remotely=False).update(state=State.IN_FLIGHT)


def run_product_sync(ctx) -> str:
    update = ctx.spec.name == UPDATE
    channel, adapter = ctx.channel, ctx.adapter
    size = adapter.batch_size("product")
    sent = 0
    for _ in range(int(getattr(settings, "MPDASH_MAX_BATCHES_PER_RUN", 200))):
        ctx.lease.renew()
        rows = _ready_rows(channel, "product", size, created=update)
        if not rows:
            break
        runs.bump(ctx.run.pk, selected=len(rows))
        if send_one_batch(
            ctx, "product", rows,
            load=partial(load_products, adapter=adapter, update=update),
            send=partial(_send_products, update=update),
            on_problems=partial(_mark_failed, channel),
            on_sent=partial(_mark_in_flight, channel),
        ):
            sent += 1
    else:
        request_flow(channel.pk, ctx.spec.name, FlowRun.Trigger.SYSTEM)
    return f"{sent} request(s) sent" if sent else "nothing pending"


# --- delete ------------------------------------------------------------------------------
def load_deletions(channel, kind: str, product_ids):
    """Products to take off sale; those back in the catalog (and active), or never on
    the marketplace, need nothing and their pending rows are dropped."""
    versions = _versions(channel, kind, product_ids)
    listed = set(
        CatalogItem.objects.filter(catalog_id=channel.catalog_id, product_id__in=product_ids, product__is_active=True)
        .values_list("product_id", flat=True)
    )
    integrations = {
        i.product_id: i
        for i in ProductIntegration.objects.filter(channel=channel, product_id__in=product_ids).select_related("product")
    }
    skus = dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "sku"))
    found, nothing_to_do = {}, []
    for product_id in product_ids:
        integration = integrations.get(product_id)
        known = integration is not None and (
            integration.created_remotely
            # not listed yet, but it will be once approved: take it off as if it were
            or (channel.adapter_class.listed_on_approval and integration.state == State.PENDING_APPROVAL)
        )
        if product_id in listed or not known or integration.state == State.DELETED:
            nothing_to_do.append(product_id)
            continue
        if product_id in versions:
            found[product_id] = StockRecord(sku=skus[product_id], quantity=0, remote_sku=integration.remote_sku or None)
    if nothing_to_do:
        PendingChange.objects.filter(channel=channel, kind=kind, product_id__in=nothing_to_do, batch__isnull=True).delete()
    return found, skus, versions, {}


def run_product_delete(ctx) -> str:
    channel, adapter = ctx.channel, ctx.adapter
    size = adapter.batch_size("product_delete")
    sent = 0
    for _ in range(int(getattr(settings, "MPDASH_MAX_BATCHES_PER_RUN", 200))):
        ctx.lease.renew()
        rows = _ready_rows(channel, "product_delete", size, created=None)
        if not rows:
            break
        runs.bump(ctx.run.pk, selected=len(rows))
        if send_one_batch(
            ctx, "product_delete", rows, load=load_deletions,
            send=lambda adapter, kind, records: adapter.delete_products(records),
        ):
            sent += 1
    return f"{sent} request(s) sent" if sent else "nothing pending"


# --- answers -----------------------------------------------------------------------------
def apply_results(batch, results: list[ItemResult], whole_failure: str = "") -> None:
    """Called by batches.finalize for product batches, inside its transaction."""
    channel = batch.channel
    listed_on_approval = channel.adapter_class.listed_on_approval
    by_sku = {r.sku: r for r in results}
    items = list(batch.items.values_list("product_id", "sku"))
    waiting = False
    ids = [product_id for product_id, _ in items]
    rows = {r.product_id: r for r in ProductIntegration.objects.filter(channel=channel, product_id__in=ids)}
    missing = [ProductIntegration(channel=channel, product_id=pid) for pid in ids if pid not in rows]
    ProductIntegration.objects.bulk_create(missing, batch_size=500, ignore_conflicts=True)
    if missing:
        rows = {r.product_id: r for r in ProductIntegration.objects.filter(channel=channel, product_id__in=ids)}
    for product_id, sku in items:
        result = by_sku.get(sku)
        row = rows[product_id]
        if batch.kind == "product_delete":
            if result is not None and result.ok and not whole_failure:
                row.state, row.reasons = State.DELETED, []
            else:
                row.reasons = [whole_failure or (result.message if result else "no answer for this product")]
            continue
        if (whole_failure or result is None or not result.ok) and row.created_remotely:
            # A failed update: the product stays as it is on the marketplace; the update is penalised.
            why = whole_failure or (result.message if result else "the marketplace's answer did not mention this product")
            row.reasons = ["update failed: " + r for r in why.split(" | ") if r]
        elif whole_failure or result is None:
            row.state, row.reasons = State.FAILED, [whole_failure or "the marketplace's answer did not mention this product"]
        elif result.ok:
            row.state = STATE_BY_RESULT.get(result.state, State.PENDING_APPROVAL)
            # On a marketplace that lists a product only once it approves it, a new product
            # exists there from its approval on (see check_approvals).
            row.created_remotely = row.created_remotely or row.state == State.ON_SALE or not listed_on_approval
            row.accepted_version = row.sent_version
            row.remote_sku = result.remote_sku or row.remote_sku
            row.reasons = []
            waiting = waiting or row.state == State.PENDING_APPROVAL
        else:
            row.state = State.REJECTED if result.state == REJECTED or not result.state else State.FAILED
            row.reasons = [r for r in (result.message or "rejected").split(" | ") if r]
    _save_grouped(rows.values())
    if any(r.created_remotely for r in rows.values()) and batch.kind == "product":
        _release_held_changes(channel)
    if waiting:
        queue_approval_check(channel.pk)


def _release_held_changes(channel) -> None:
    """Stock and price changes held until the marketplace had the product may go now."""
    for spec in channel.adapter_class.flows:
        if spec.kind in ("productstock", "productprice") and channel.flow_enabled(spec.name):
            request_flow(channel.pk, spec.name, FlowRun.Trigger.SYSTEM)


def _save_grouped(rows) -> None:
    """Write rows with one UPDATE per distinct set of values (Django's bulk_update builds a
    CASE per row and field, which costs seconds for a batch of 1,000)."""
    import json

    groups: dict[tuple, list[int]] = {}
    for row in rows:
        key = (row.state, json.dumps(row.reasons, ensure_ascii=False), row.created_remotely, row.accepted_version, row.remote_sku)
        groups.setdefault(key, []).append(row.pk)
    now = timezone.now()
    for (state, reasons, created, accepted, remote_sku), pks in groups.items():
        for start in range(0, len(pks), 500):
            ProductIntegration.objects.filter(pk__in=pks[start:start + 500]).update(
                state=state, reasons=json.loads(reasons), created_remotely=created, accepted_version=accepted,
                remote_sku=remote_sku, updated_at=now,
            )


def queue_approval_check(channel_id: int, countdown: float | None = None) -> bool:
    state = flow_state(channel_id, APPROVAL_CHECK)
    now = timezone.now()
    queued = FlowState.objects.filter(pk=state.pk).filter(
        Q(dispatch_requested_at__isnull=True) | Q(dispatch_requested_at__lt=now - timedelta(minutes=10))
    ).update(dispatch_requested_at=now)
    if queued:
        delay = settings.MPDASH_APPROVAL_POLL_SECONDS if countdown is None else countdown
        transaction.on_commit(lambda: check_product_approvals.apply_async(args=[channel_id], countdown=delay))
    return bool(queued)


@shared_task(name="mpdash.check_product_approvals", ignore_result=True)
def check_product_approvals(channel_id: int) -> int:
    return check_approvals(channel_id)


def check_approvals(channel_id: int, limit: int = 500) -> int:
    """Ask the marketplace about products waiting for approval; log what changed on the
    run that sent them. Returns how many still wait."""
    from mpdash.channels.models import SalesChannel
    from mpdash.marketplaces.errors import MarketplaceError

    FlowState.objects.filter(channel_id=channel_id, flow=APPROVAL_CHECK).update(dispatch_requested_at=None)
    channel = SalesChannel.objects.filter(pk=channel_id).first()
    if channel is None:
        return 0
    rows = list(
        ProductIntegration.objects.filter(channel=channel, state=State.PENDING_APPROVAL)
        .select_related("product", "last_batch")
        .order_by("updated_at")[:limit]
    )
    if not rows:
        return 0
    adapter = channel.adapter()
    try:
        statuses = adapter.product_statuses([r.product.sku for r in rows])
    except MarketplaceError as exc:
        logger.warning("approval check of channel %s failed: %s", channel_id, exc)
        queue_approval_check(channel_id)
        return len(rows)
    finally:
        adapter.close()
    lines_by_run: dict[int, list] = {}
    still, listed = 0, False
    for row in rows:
        status = statuses.get(row.product.sku)
        if status is None or status.state == PENDING_APPROVAL:
            still += 1
            continue
        if status.state == NOT_FOUND:
            row.state, row.reasons = State.FAILED, ["the marketplace no longer knows this product; it will be created again"]
            row.created_remotely = False
        else:
            row.state = STATE_BY_RESULT[status.state]
            row.reasons = list(status.reasons)
            if row.state == State.ON_SALE and not row.created_remotely:  # listed on approval: it exists now
                row.created_remotely = listed = True
        row.remote_sku = status.remote_sku or row.remote_sku
        row.save()
        if row.last_batch and row.last_batch.run_id:
            outcome = FlowLogLine.Outcome.SUCCESS if row.state == State.ON_SALE else FlowLogLine.Outcome.FAIL
            text = row.get_state_display() + (f": {'; '.join(row.reasons)}" if row.reasons else "")
            lines_by_run.setdefault(row.last_batch.run_id, []).append((row.product.sku, outcome, text, None))
    for run_id, lines in lines_by_run.items():
        run = FlowRun.objects.filter(pk=run_id).first()
        if run:
            runs.add_lines(run, lines)
    if listed:
        _release_held_changes(channel)
    if still:
        queue_approval_check(channel_id)
    return still


# --- operator actions --------------------------------------------------------------------
def resend(channel, skus: list[str]) -> dict:
    """Mark products for re-send (create or update, whichever each needs), lifting their
    penalties. Products already in flight are reported, not sent twice."""
    from . import penalties
    from .change_tracking import mark_products

    products = dict(Product.objects.filter(sku__in=skus).values_list("sku", "pk"))
    unknown = [s for s in skus if s not in products]
    in_catalog = set(
        CatalogItem.objects.filter(catalog_id=channel.catalog_id, product_id__in=products.values()).values_list("product_id", flat=True)
    )
    not_in_catalog = [s for s, pk in products.items() if pk not in in_catalog]
    busy = {
        row.product_id: row.batch
        for row in PendingChange.objects.filter(channel=channel, kind="product", product_id__in=list(in_catalog), batch__isnull=False)
        .select_related("batch")
    }
    sku_of = {pk: s for s, pk in products.items()}
    in_flight = {sku_of[pid]: in_flight_message(batch) for pid, batch in busy.items()}
    ready = [pid for pid in in_catalog if pid not in busy]
    penalties.lift(channel, [sku_of[pid] for pid in ready], kinds=["product"])
    marked = mark_products(channel.pk, ready, "product")
    if ready:
        for flow in (CREATE, UPDATE):
            if channel.adapter_class.flow(flow) and channel.flow_enabled(flow):
                request_flow(channel.pk, flow, FlowRun.Trigger.MANUAL)
    return {"marked": marked, "unknown": unknown, "not_in_catalog": not_in_catalog, "in_flight": in_flight}

"""Outbound order flows: what changed here goes to the marketplace, one record at a time.

* **send_update_orders**: an order's local status (preparing, shipped, delivered),
  invoice and tracking. Never while a return is open on the order, never backwards
  (what the marketplace was last told is kept in ``Order.remote_state``); the adapter
  takes the intermediate steps the marketplace requires.
* **send_cancel_order_items**: cancellations made here. Cancellations read from the
  marketplace are never sent back (no echo): only requests marked pending are sent.
* **approve_refund** / **reject_refund**: the operator's decision on a return claim.

Every record is its own request. A refusal penalises the record (kinds ``order_update``,
``order_cancel``, ``refund_decision`` of the channel's ``failed_integration``, falling
back to ``DEFAULT``) and it is tried again when the penalty allows; a rate limit stops the
run without penalty and the engine comes back when the marketplace allows.
"""

from __future__ import annotations

import logging
from typing import Callable, Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mpdash.marketplaces.base import ItemResult, OrderUpdate
from mpdash.marketplaces.common_config import current_config
from mpdash.marketplaces.errors import Action, MarketplaceError

from . import penalties, runs
from .models import FailedIntegration, FlowLogLine
from .sync_flow import StopRun

logger = logging.getLogger("mpdash.integration.order_actions")

BATCH = 200  # records one run takes before it looks again (a long backlog spans runs)


class Skip(Exception):
    """Nothing to send for this record now; it stays pending."""


class Done(Exception):
    """Nothing to send for this record, ever: it is settled without a request."""


def _blocked_ids(channel, kind: str) -> set[int]:
    """Records under a penalty that does not allow a retry yet (or ever)."""
    now = timezone.now()
    return set(
        FailedIntegration.objects.filter(channel=channel, kind=kind)
        .filter(Q(next_retry_at__isnull=True) | Q(next_retry_at__gt=now))
        .values_list("object_id", flat=True)
    )


def run_actions(ctx, *, kind: str, candidates: Iterable, key_of: Callable, act: Callable, settle: Callable,
                fail: Callable | None = None) -> str:
    """Send each candidate with ``act(obj) -> ItemResult``; ``settle(obj, result)`` on success.

    ``act`` raises :class:`Skip` (stays pending) or :class:`Done` (settled, nothing sent).
    """
    channel = ctx.channel
    blocked = _blocked_ids(channel, kind)
    counts = {"sent": 0, "failed": 0, "skipped": 0, "held": 0}
    for obj in candidates:
        if obj.pk in blocked:
            counts["held"] += 1
            continue
        ctx.lease.renew()
        key = str(key_of(obj))
        runs.bump(ctx.run.pk, selected=1)
        try:
            result: ItemResult = act(obj)
        except Skip as why:
            counts["skipped"] += 1
            runs.bump(ctx.run.pk, skipped=1)
            runs.add_lines(ctx.run, [(key, FlowLogLine.Outcome.SKIPPED, str(why), None)])
            continue
        except Done as why:
            with transaction.atomic():
                settle(obj, None)
            counts["skipped"] += 1
            runs.bump(ctx.run.pk, skipped=1)
            runs.add_lines(ctx.run, [(key, FlowLogLine.Outcome.SKIPPED, str(why), None)])
            continue
        except MarketplaceError as exc:
            if exc.action is Action.RETRY_LATER:
                raise StopRun(f"rate limited by the marketplace after {counts['sent']} sent: {exc}",
                              retry_after=getattr(exc, "retry_after", 1.0)) from exc
            if exc.action is Action.FAIL_RUN:
                raise StopRun(str(exc), failed=True) from exc
            result = ItemResult(key, False, str(exc), exc.body)
        except (ValueError, LookupError) as exc:  # local data the marketplace cannot take (named in the message)
            result = ItemResult(key, False, str(exc))
        if result.ok:
            with transaction.atomic():
                settle(obj, result)
                penalties.clear(channel, kind, [obj.pk])
            counts["sent"] += 1
            runs.bump(ctx.run.pk, sent=1, succeeded=1)
            runs.add_lines(ctx.run, [(key, FlowLogLine.Outcome.SUCCESS, result.message or "sent", result.answer)])
        else:
            with transaction.atomic():
                penalties.penalise(channel, kind, [(obj.pk, key, result.message)])
                if fail is not None:
                    fail(obj, result)
            counts["failed"] += 1
            runs.bump(ctx.run.pk, sent=1, failed=1)
            runs.add_lines(ctx.run, [(key, FlowLogLine.Outcome.FAIL, result.message, result.answer)])
    held = f", {counts['held']} waiting under a penalty" if counts["held"] else ""
    return f"{counts['sent'] - counts['failed']} sent, {counts['failed']} failed, {counts['skipped']} skipped{held}"


# --- send_update_orders ---------------------------------------------------------------------------
# The marketplace-facing steps, in order; a local status maps to the furthest step it implies.
STEPS = ("picking", "invoiced", "shipped", "delivered")


def _target_step(order) -> str | None:
    from mpdash.orders.models import OrderStatus as S

    if order.status >= S.DELIVERED and order.status != S.REFUNDED:
        return "delivered"
    if S.SHIPPED <= order.status < S.DELIVERED:
        return "shipped"
    if order.status == S.PREPARING or (order.status == S.APPROVED and order.invoice_number):
        return "invoiced" if order.invoice_number else "picking"
    return None


def remote_key(mapping: dict, local_id) -> str:
    """The marketplace key a config mapping (marketplace key → our id) gives ``local_id``; "" when none."""
    if local_id is None:
        return ""
    return next((str(remote) for remote, local in (mapping or {}).items()
                 if remote != "default" and str(local) == str(local_id)), "")


def _marketplace_cargo(channel, order) -> str:
    """The marketplace's name for the order's carrier (reverse of cargo_company_mapping)."""
    if order.cargo_company_id is None:
        return ""
    found = remote_key(channel.plain_config().get("cargo_company_mapping"), order.cargo_company_id)
    return found or (order.cargo_company.slug if order.cargo_company else "")


def _open_return(order) -> bool:
    from mpdash.orders.models import CancellationRequest, CancellationType

    return CancellationRequest.objects.filter(
        order=order, cancellation_type=CancellationType.REFUND,
        status__in=[CancellationRequest.Status.OPEN, CancellationRequest.Status.WAITING_APPROVAL],
    ).exists()


def order_update_for(order) -> OrderUpdate:
    """What the marketplace must hear about ``order``; :class:`Skip`/:class:`Done` when nothing."""
    from mpdash.orders.statuses import FINAL

    if order.status in FINAL:
        raise Done(f"order {order.number} is {order.get_status_display()}: cancellations and refunds travel by their own flows")
    if _open_return(order):
        raise Skip(f"a return is open on order {order.number}; its updates wait until the return is decided")
    step = _target_step(order)
    sent = order.remote_state or {}
    last = sent.get("status")
    config = order.channel.plain_config()
    shipping = bool(config.get("send_shipping_info"))
    news = (
        (step and (last not in STEPS or STEPS.index(step) > STEPS.index(last)))
        or (order.invoice_number and order.invoice_number != sent.get("invoice_number"))
        or (order.invoice_link and order.invoice_link != sent.get("invoice_link"))
        or (shipping and order.tracking_number and order.tracking_number != sent.get("tracking_number"))
    )
    if not news:
        raise Done(f"nothing new for the marketplace (last told: {last or 'nothing'})")
    # Never backwards: an earlier local step than the one already sent is sent as that one.
    if last in STEPS and (step is None or STEPS.index(step) < STEPS.index(last)):
        step = last
    if step is None:
        step = "invoiced" if order.invoice_number else "picking"
    return OrderUpdate(
        package_id=order.package_id, status=step,
        line_ids=[(i.remote_line_id, i.quantity) for i in order.items.all() if i.remote_line_id and i.status not in FINAL],
        invoice_number=order.invoice_number, invoice_date=order.invoice_date, invoice_link=order.invoice_link,
        cargo_company=_marketplace_cargo(order.channel, order) if shipping else "",
        tracking_number=order.tracking_number if shipping else "", tracking_url=order.tracking_url if shipping else "",
    )


def run_send_update_orders(ctx) -> str:
    from mpdash.orders.models import Order

    channel = ctx.channel
    candidates = list(
        Order.objects.filter(channel=channel, remote_pending=True).select_related("channel", "cargo_company")
        .order_by("remote_changed_at", "pk")[:BATCH]
    )
    seen = {o.pk: o.remote_changed_at for o in candidates}
    told: dict[int, OrderUpdate] = {}

    def act(order):
        update = order_update_for(order)
        told[order.pk] = update
        return ctx.adapter.send_order_update(update)

    def settle(order, result):
        state = dict(order.remote_state or {})
        update = told.get(order.pk)
        if update is not None:
            state.update({"status": update.status, "invoice_number": update.invoice_number,
                          "invoice_link": update.invoice_link, "tracking_number": update.tracking_number,
                          "sent_at": timezone.now().isoformat()})
        # Only a change made after this run read the order keeps it pending.
        Order.objects.filter(pk=order.pk, remote_changed_at=seen[order.pk]).update(remote_pending=False, remote_state=state)
        Order.objects.filter(pk=order.pk).exclude(remote_changed_at=seen[order.pk]).update(remote_state=state)

    return run_actions(ctx, kind="order_update", candidates=candidates, key_of=lambda o: o.number, act=act, settle=settle)


# --- send_cancel_order_items -----------------------------------------------------------------------
def _pending_requests(channel, **filters):
    from mpdash.orders.models import CancellationRequest, RemoteStatus

    return list(
        CancellationRequest.objects.filter(channel=channel, remote_status__in=[RemoteStatus.PENDING, RemoteStatus.FAILED], **filters)
        .select_related("order", "reason", "decision_reason").prefetch_related("items__order_item")
        .order_by("modified_at", "pk")[:BATCH]
    )


def _settle_request(status: str | None = None):
    from mpdash.orders.models import CancellationRequest, RemoteStatus

    def settle(request, result):
        fields = {"remote_status": RemoteStatus.SENT, "remote_message": (result.message if result else "")[:4000]}
        if status:
            fields["status"] = status
        CancellationRequest.objects.filter(pk=request.pk).update(modified_at=timezone.now(), **fields)

    return settle


def _fail_request(request, result):
    from mpdash.orders.models import CancellationRequest, RemoteStatus

    CancellationRequest.objects.filter(pk=request.pk).update(remote_status=RemoteStatus.FAILED, remote_message=result.message[:4000])


def _send_reason_id(channel, request) -> str:
    """The marketplace reason sent with a cancellation: the local reason's mapping, else the config's."""
    config = channel.plain_config()
    mapped = remote_key(config.get("cancellation_reason_mapping"), request.reason_id)
    if mapped:
        return mapped
    value = current_config(config).get("send_cancel_reason_id")
    return "" if value in (None, "") else str(value)


def run_send_cancel_order_items(ctx) -> str:
    from mpdash.orders.models import CancellationType

    channel = ctx.channel
    requests = [r for r in _pending_requests(channel, cancellation_type=CancellationType.CANCEL)
                if (r.extra_field or {}).get("origin") != "marketplace"]

    def act(request):
        lines = [(row.order_item.remote_line_id, row.quantity) for row in request.items.all() if row.order_item.remote_line_id]
        if not lines:
            raise Done(f"cancellation {request.pk} names no marketplace lines: nothing to send")
        return ctx.adapter.cancel_lines(request.order.package_id, lines, _send_reason_id(channel, request))

    return run_actions(ctx, kind="order_cancel", candidates=requests, key_of=lambda r: f"{r.order.number}/{r.pk}",
                       act=act, settle=_settle_request(), fail=_fail_request)


# --- approve_refund / reject_refund ----------------------------------------------------------------
def _claim_of(request):
    from mpdash.marketplaces.base import RemoteClaim

    from .inbound import from_payload

    data = (request.extra_field or {}).get("claim")
    if not data:
        raise Done(f"refund {request.pk} was not read from a marketplace claim: nothing to send")
    return from_payload(RemoteClaim, data)


def _line_ids(request) -> list[str]:
    return [row.order_item.remote_line_id for row in request.items.all() if row.order_item.remote_line_id]


def load_image(url: str) -> bytes:
    """An image of a rejection: files uploaded on the screens are read from disk, others fetched."""
    import os

    import httpx
    from django.conf import settings

    if url.startswith(settings.MEDIA_URL) or "/media/" in url:
        name = url.split(settings.MEDIA_URL, 1)[-1] if settings.MEDIA_URL in url else url.split("/media/", 1)[-1]
        path = os.path.normpath(os.path.join(settings.MEDIA_ROOT, name))
        if path.startswith(os.path.normpath(settings.MEDIA_ROOT)) and os.path.exists(path):
            with open(path, "rb") as f:
                return f.read()
    try:
        response = httpx.get(url, timeout=httpx.Timeout(10.0), follow_redirects=True)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise ValueError(f"image {url} could not be read ({exc}); replace it or remove it from the decision") from None
    return response.content


def _run_decision(ctx, decision: str) -> str:
    from mpdash.orders.models import CancellationRequest, CancellationType

    channel = ctx.channel
    requests = _pending_requests(channel, cancellation_type=CancellationType.REFUND, decision=decision,
                                 status=CancellationRequest.Status.WAITING_APPROVAL)

    def act(request):
        claim = _claim_of(request)
        if decision == CancellationRequest.Decision.APPROVE:
            return ctx.adapter.approve_claim(claim, _line_ids(request))
        reason = request.decision_reason
        config = channel.plain_config()
        remote_reason = (remote_key(config.get("refund_reason_mapping"), reason.pk if reason else None)
                         or str(config.get("claim_issue_reason_id") or "") or (reason.code if reason else ""))
        images = [load_image(url) for url in request.decision_images or []]
        return ctx.adapter.reject_claim(claim, _line_ids(request), remote_reason, request.decision_description, images)

    outcome = CancellationRequest.Status.APPROVED if decision == CancellationRequest.Decision.APPROVE else CancellationRequest.Status.REJECTED
    return run_actions(ctx, kind="refund_decision", candidates=requests, key_of=lambda r: f"{r.order.number}/{r.marketplace_claim_id or r.pk}",
                       act=act, settle=_settle_request(outcome), fail=_fail_request)


def run_approve_refund(ctx) -> str:
    return _run_decision(ctx, "approve")


def run_reject_refund(ctx) -> str:
    return _run_decision(ctx, "reject")


# --- products the marketplace holds under another seller code (on demand) ---------------------------
SELLER_CODES = "send_delete_product_seller_code"


def run_delete_seller_codes(ctx) -> str:
    """Products refused because the marketplace lists their barcode under another seller code
    (the adapter reads that code from their reasons): the code is deleted there, and the
    product is sent again (a create under its current code)."""
    from .models import ProductIntegration
    from .product_flow import resend

    rows = [r for r in ProductIntegration.objects.filter(
        channel=ctx.channel, state__in=[ProductIntegration.State.REJECTED, ProductIntegration.State.FAILED]
    ).select_related("product").order_by("pk")[:BATCH] if ctx.adapter.clashing_seller_code(r.reasons or [])]

    def act(row):
        return ctx.adapter.delete_seller_code(ctx.adapter.clashing_seller_code(row.reasons))

    def settle(row, result):
        ProductIntegration.objects.filter(pk=row.pk).update(state=ProductIntegration.State.NEW, reasons=[])
        resend(ctx.channel, [row.product.sku])

    return run_actions(ctx, kind="seller_code", candidates=rows, key_of=lambda r: r.product.sku, act=act, settle=settle)


# --- split_packages and update_warehouse (triggered from outside) ----------------------------------
def _run_triggered(ctx, flow: str, act: Callable, key_of: Callable) -> str:
    """Carry out the queued :class:`TriggerRequest` of ``flow`` one by one."""
    from .models import TriggerRequest

    requests = list(TriggerRequest.objects.filter(channel=ctx.channel, flow=flow,
                                                  status__in=[TriggerRequest.Status.QUEUED, TriggerRequest.Status.FAILED])[:BATCH])

    def finish(status):
        def settle(request, result):
            TriggerRequest.objects.filter(pk=request.pk).update(
                status=status, result=(result.message if result else "")[:4000], finished_at=timezone.now())
        return settle

    return run_actions(ctx, kind="trigger", candidates=requests,
                       key_of=lambda r: f"{key_of(r)} ({r.correlation_id})", act=act,
                       settle=finish(TriggerRequest.Status.DONE),
                       fail=lambda request, result: finish(TriggerRequest.Status.FAILED)(request, result))


def run_split_packages(ctx) -> str:
    """Split packages as the OMS asked; the new packages arrive with the next get_orders."""
    def act(request):
        groups = [[(line["line_id"], int(line["quantity"])) for line in group] for group in request.payload["groups"]]
        return ctx.adapter.split_package(request.payload["package_id"], groups)

    return _run_triggered(ctx, "split_packages", act, lambda r: r.payload.get("package_id"))


def run_update_warehouse(ctx) -> str:
    """Ship packages from the warehouse the OMS named (its erp code, mapped in the channel config)."""
    def act(request):
        return ctx.adapter.update_warehouse(request.payload["package_id"], request.payload["erp_code"])

    return _run_triggered(ctx, "update_warehouse", act, lambda r: r.payload.get("order_number"))

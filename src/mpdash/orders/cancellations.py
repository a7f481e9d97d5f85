"""Cancellations and refunds: requests, their items, plans (at most six per order) and the
operator's decision on refunds.

Rules (from the seeds and the back office):

- an order that has not reached the ERP cannot be cancelled: "Unreported order of ERP can
  not be canceled";
- a cancelled quantity never exceeds what is left of an item (its quantity minus what
  other requests, not rejected, already cover); final items cannot be cancelled;
- at most 6 cancellation plans per order (also a database constraint);
- a marketplace claim line is stored once: a request that names a claim line already
  stored returns the stored request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from . import outbound, statuses, webhooks
from .errors import CancellationError, CancellationPlanLimit, RefundDecisionError
from .quantities import cancellable_quantity
from .models import (
    DESCRIPTION_MAX,
    MAX_PLANS_PER_ORDER,
    CancellationPlan,
    CancellationReason,
    CancellationRequest,
    CancellationRequestItem,
    CancellationType,
    Order,
    OrderItem,
    OrderStatus,
)

UNREPORTED = "Unreported order of ERP can not be canceled"
Status = CancellationRequest.Status


@dataclass
class Line:
    """One item (and how many units) to cancel or refund."""

    order_item: OrderItem | int
    quantity: int = 1
    claim_line_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def check_reported(order: Order) -> None:
    if not order.sent_to_erp:
        raise CancellationError(UNREPORTED, field="order")


def check_text(description: str, images: Iterable[str], *, field_prefix: str = "") -> list[str]:
    if description and len(description) > DESCRIPTION_MAX:
        raise CancellationError(
            f"at most {DESCRIPTION_MAX} characters (got {len(description)})", field=f"{field_prefix}description"
        )
    out = []
    validate = URLValidator(schemes=["http", "https"])
    for url in images or []:
        try:
            validate(url)
        except DjangoValidationError:
            raise CancellationError(f"{url!r} is not an http(s) URL", field=f"{field_prefix}images") from None
        out.append(url)
    return out


def check_reason(reason: CancellationReason | None, cancellation_type: str, *, field_name: str = "reason") -> None:
    if reason is not None and reason.cancellation_type != cancellation_type:
        raise CancellationError(
            f"reason {reason.pk} ({reason.code}) is a {reason.cancellation_type} reason, not a {cancellation_type} reason",
            field=field_name,
        )


def add_plan(order: Order, *, plan_type: str, request: CancellationRequest | None = None, refund_amount=0) -> CancellationPlan:
    """The order's next cancellation plan; :class:`CancellationPlanLimit` past the sixth."""
    for _ in range(5):
        last = CancellationPlan.objects.filter(order=order).aggregate(n=Max("sequence"))["n"] or 0
        if last >= MAX_PLANS_PER_ORDER:
            raise CancellationPlanLimit(
                f"at most {MAX_PLANS_PER_ORDER} cancellation plans can be created for an order; "
                f"order {order.number} has {last}",
                field="order",
            )
        try:
            with transaction.atomic():
                return CancellationPlan.objects.create(
                    order=order, request=request, plan_type=plan_type, sequence=last + 1, refund_amount=refund_amount
                )
        except IntegrityError:
            continue  # another writer took this sequence number: read again
    raise CancellationError(f"could not number a cancellation plan for order {order.number}: too much contention")


def _existing_for_claim(order: Order, lines: list[Line]) -> CancellationRequest | None:
    ids = [str(l.claim_line_id) for l in lines if l.claim_line_id]
    if not ids:
        return None
    hit = (
        CancellationRequestItem.objects.filter(channel_id=order.channel_id, marketplace_claim_line_id__in=ids)
        .select_related("request")
        .first()
    )
    return hit.request if hit else None


def _resolve_lines(order: Order, lines: list[Line]) -> list[tuple[OrderItem, Line]]:
    if not lines:
        raise CancellationError("name at least one item to cancel", field="items")
    items = {i.pk: i for i in order.items.all()}
    out, seen = [], set()
    for index, line in enumerate(lines):
        item_id = line.order_item.pk if isinstance(line.order_item, OrderItem) else int(line.order_item)
        item = items.get(item_id)
        if item is None:
            raise CancellationError(f"items[{index}]: item {item_id} is not an item of order {order.number}", field="items")
        if item_id in seen:
            raise CancellationError(f"items[{index}]: item {item_id} is named twice", field="items")
        seen.add(item_id)
        if line.quantity < 1:
            raise CancellationError(f"items[{index}]: quantity must be at least 1", field="items")
        left = cancellable_quantity(item)
        if line.quantity > left:
            raise CancellationError(
                f"items[{index}]: quantity {line.quantity} of item {item_id} ({item.sku}) exceeds the {left} "
                f"unit(s) that can still be cancelled",
                field="items",
            )
        out.append((item, line))
    return out


def request_cancellation(
    order: Order,
    lines: list[Line],
    *,
    cancellation_type: str = CancellationType.CANCEL,
    reason: CancellationReason | None = None,
    description: str = "",
    images: Iterable[str] = (),
    claim_id: str = "",
    status: str = Status.OPEN,
    source: str = "",
    require_erp: bool = True,
    extra_field: dict | None = None,
) -> tuple[CancellationRequest, bool]:
    """Store a cancellation or refund request with its items and a plan; ``(request, created)``.

    Cancel requests created ``approved`` or ``completed`` take effect at once: fully
    cancelled items become 100 cancelled, and the order too when no item is left. Fires
    ``order.cancelled`` (cancel) or ``refund.requested`` (refund) in the same transaction.
    """
    existing = _existing_for_claim(order, lines)
    if existing is not None:
        return existing, False
    if require_erp:
        check_reported(order)
    images = check_text(description, images)
    check_reason(reason, cancellation_type)
    try:
        with transaction.atomic():
            Order.objects.select_for_update().filter(pk=order.pk).first()  # one writer per order at a time
            resolved = _resolve_lines(order, lines)
            request = CancellationRequest.objects.create(
                channel_id=order.channel_id,
                order=order,
                cancellation_type=cancellation_type,
                status=status,
                reason=reason,
                description=description or "",
                images=images,
                marketplace_claim_id=str(claim_id or ""),
                extra_field=extra_field or {},
            )
            CancellationRequestItem.objects.bulk_create(
                [
                    CancellationRequestItem(
                        request=request,
                        order_item=item,
                        quantity=line.quantity,
                        channel_id=order.channel_id,
                        marketplace_claim_line_id=str(line.claim_line_id or ""),
                    )
                    for item, line in resolved
                ]
            )
            add_plan(order, plan_type=cancellation_type, request=request, refund_amount=_amount(resolved))
            if cancellation_type == CancellationType.CANCEL and status in (Status.APPROVED, Status.COMPLETED):
                apply_cancellation(request, source=source)
            webhooks.emit("order.cancelled" if cancellation_type == CancellationType.CANCEL else "refund.requested", request)
    except IntegrityError:
        existing = _existing_for_claim(order, lines)
        if existing is not None:
            return existing, False
        raise
    return request, True


def _amount(resolved: list[tuple[OrderItem, Line]]):
    return sum((item.price * line.quantity for item, line in resolved), start=0)


def apply_cancellation(request: CancellationRequest, *, source: str = "") -> None:
    """Mark fully cancelled items (and the order, once nothing is left) 100 cancelled."""
    order = request.order
    for row in request.items.select_related("order_item"):
        item = row.order_item
        if not statuses.is_final(item.status) and cancellable_quantity(item) == 0:
            statuses.set_status(item, OrderStatus.CANCELLED, source=source, note=f"cancellation request {request.pk}")
    if not order.items.exclude(status__in=statuses.FINAL).exists() and not statuses.is_final(order.status):
        statuses.set_status(order, OrderStatus.CANCELLED, source=source, note=f"cancellation request {request.pk}")


def cancel_items(order: Order, lines: list[Line], *, reason: CancellationReason | None = None, description: str = "",
                 source: str = "api") -> CancellationRequest:
    """A local (brand-side) partial or full cancellation, approved at once."""
    with transaction.atomic():
        request, _ = request_cancellation(
            order, lines, cancellation_type=CancellationType.CANCEL, reason=reason, description=description,
            status=Status.APPROVED, source=source, extra_field={"origin": "local"},
        )
        outbound.cancellation_to_send(request)
    return request


def decide_refund(
    request: CancellationRequest,
    decision: str,
    *,
    reason: CancellationReason | None = None,
    description: str = "",
    images: Iterable[str] = (),
    decided_by: str = "",
) -> CancellationRequest:
    """Record the operator's approve/reject decision on an open refund request.

    The request moves to ``waiting_approval``; the flow that sends the decision to the
    marketplace picks it up from there. Rejecting needs a reason.
    """
    if request.cancellation_type != CancellationType.REFUND:
        raise RefundDecisionError(f"request {request.pk} is a {request.cancellation_type} request, not a refund", field="id")
    if decision not in CancellationRequest.Decision.values:
        raise RefundDecisionError(f"decision must be one of {', '.join(CancellationRequest.Decision.values)}", field="decision")
    if decision == CancellationRequest.Decision.REJECT and reason is None:
        raise RefundDecisionError("a rejection needs a reason", field="reason")
    check_reason(reason, CancellationType.REFUND)
    images = check_text(description, images)
    with transaction.atomic():
        locked = CancellationRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != Status.OPEN:
            raise RefundDecisionError(
                f"refund request {request.pk} is {locked.status}; only open requests can be approved or rejected"
            )
        locked.decision = decision
        locked.decision_reason = reason
        locked.decision_description = description or ""
        locked.decision_images = images
        locked.decided_at = timezone.now()
        locked.decided_by = decided_by[:150]
        locked.status = Status.WAITING_APPROVAL
        locked.save()
        outbound.refund_decided(locked)
    return locked

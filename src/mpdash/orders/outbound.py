"""What the marketplace must be told about local changes, and the signal that asks for it.

The commerce core does not know flows. It records what needs sending (an order's
``remote_pending``, a request's ``remote_status``) and sends :data:`marketplace_work`
after the transaction commits; the integration app listens and queues the flow. A lost
signal loses nothing: the scheduled run of the flow finds the same records.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from .models import CancellationRequest, Order, RemoteStatus

# Sent with ``channel_id`` and ``flow`` (send_update_orders, send_cancel_order_items,
# approve_refund, reject_refund) once the change is committed.
marketplace_work = Signal()


def _notify(channel_id: int, flow: str) -> None:
    transaction.on_commit(lambda: marketplace_work.send(sender=Order, channel_id=channel_id, flow=flow))


def order_changed(order: Order) -> None:
    """A local status, invoice or tracking change the marketplace should hear about."""
    Order.objects.filter(pk=order.pk).update(remote_pending=True, remote_changed_at=timezone.now())
    _notify(order.channel_id, "send_update_orders")


def cancellation_to_send(request: CancellationRequest) -> None:
    """A cancellation made here (not one read from the marketplace): send it."""
    CancellationRequest.objects.filter(pk=request.pk).update(remote_status=RemoteStatus.PENDING, remote_message="")
    _notify(request.channel_id, "send_cancel_order_items")


def refund_decided(request: CancellationRequest) -> None:
    """The operator approved or rejected a refund: send the decision."""
    CancellationRequest.objects.filter(pk=request.pk).update(remote_status=RemoteStatus.PENDING, remote_message="")
    _notify(request.channel_id, "approve_refund" if request.decision == CancellationRequest.Decision.APPROVE else "reject_refund")

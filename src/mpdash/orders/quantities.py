"""What is left of an order item to cancel or refund.

Read by the cancellation rules (:mod:`.cancellations`), the API's serializers and the
inbound flows; it sits below all of them, so the serializers (which the webhooks use
for their payloads) need not import the cancellations, which emit webhooks.
"""

from __future__ import annotations

from django.db.models import Sum

from . import statuses
from .models import CancellationRequest, CancellationRequestItem, OrderItem


def cancellable_quantity(item: OrderItem, *, exclude_request: CancellationRequest | None = None) -> int:
    """Units of ``item`` that no (non-rejected) request covers yet; 0 for a final item."""
    if statuses.is_final(item.status):
        return 0
    taken = CancellationRequestItem.objects.filter(order_item=item).exclude(request__status=CancellationRequest.Status.REJECTED)
    if exclude_request is not None:
        taken = taken.exclude(request=exclude_request)
    return max(0, item.quantity - (taken.aggregate(n=Sum("quantity"))["n"] or 0))

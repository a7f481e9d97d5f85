"""Status rules: statuses only move forward.

The forward chain follows the status codes (200 waiting … 400 approved, 450 preparing,
500 shipped … 550 delivered). Cancellation and refund are branches:

- 50 cancellation_waiting: from any forward status before delivered; it ends in 100
  cancelled or 600 refunded, or, when the cancellation is refused, back in a forward
  status no earlier than the one the order had before it;
- 100 cancelled: from any forward status before delivered, or from 50;
- 600 refunded: from any status that is not final;
- 100 and 600 are final.

:func:`check_transition` raises :class:`StatusTransitionError` with a message naming both
statuses; :func:`set_status` applies a change under a row lock and records it.
"""

from __future__ import annotations

from django.db import transaction

from .errors import StatusTransitionError
from .models import Order, OrderItem, OrderStatus, StatusChange

S = OrderStatus
FORWARD: tuple[int, ...] = (
    S.WAITING, S.PAYMENT_WAITING, S.CONFIRMATION_WAITING, S.APPROVED, S.PREPARING, S.SHIPPED,
    S.SHIPPED_AND_INFORMED, S.READY_FOR_PICKUP, S.ATTEMPTED_DELIVERY, S.REVIEW_STARTED, S.REVIEW_WAITING,
    S.WAITING_FOR_PAYMENT, S.PAID, S.DELIVERED,
)
FINAL: frozenset[int] = frozenset({S.CANCELLED, S.REFUNDED})
_RANK = {code: rank for rank, code in enumerate(FORWARD)}


def label(code: int | None) -> str:
    try:
        return f"{int(code)} ({OrderStatus(int(code)).label})"
    except (TypeError, ValueError):
        return str(code)


def is_final(code: int) -> bool:
    return code in FINAL


def check_transition(current: int, new: int, *, resumes_from: int | None = None) -> None:
    """Raise :class:`StatusTransitionError` unless ``current`` → ``new`` is allowed.

    ``resumes_from``: for a change out of 50 cancellation_waiting, the forward status the
    record had before; the record may not come back to an earlier one.
    """
    try:
        new = OrderStatus(int(new))
    except (TypeError, ValueError):
        raise StatusTransitionError(f"{new!r} is not a status code; use one of {', '.join(map(str, S.values))}") from None
    if current is None or current == new:
        return
    if current in FINAL:
        raise StatusTransitionError(f"status {label(current)} is final; it cannot change to {label(new)}")
    if new == S.REFUNDED:
        return
    if new in (S.CANCELLED, S.CANCELLATION_WAITING):
        if current == S.CANCELLATION_WAITING or _RANK[current] < _RANK[S.DELIVERED]:
            return
        raise StatusTransitionError(f"status {label(current)} cannot be cancelled ({label(new)}); refund it instead")
    if current == S.CANCELLATION_WAITING:
        if resumes_from is None or resumes_from not in _RANK or _RANK[new] >= _RANK[resumes_from]:
            return
        raise StatusTransitionError(
            f"status cannot move backwards: a refused cancellation resumes at {label(resumes_from)} or later, "
            f"not {label(new)}"
        )
    if _RANK[new] < _RANK[current]:
        raise StatusTransitionError(f"status cannot move backwards from {label(current)} to {label(new)}")


def _resumes_from(obj: Order | OrderItem) -> int | None:
    """The last forward status before the record entered cancellation_waiting."""
    changes = StatusChange.objects.filter(order_id=obj.order_id if isinstance(obj, OrderItem) else obj.pk)
    changes = changes.filter(item=obj) if isinstance(obj, OrderItem) else changes.filter(item__isnull=True)
    change = changes.filter(new_status=S.CANCELLATION_WAITING).order_by("-created_at", "-id").first()
    return change.old_status if change else None


def set_status(obj: Order | OrderItem, new: int, *, source: str = "", note: str = "") -> bool:
    """Move an order or item to ``new`` (checked, locked, recorded). False when it already had it."""
    model = type(obj)
    new = int(new)
    with transaction.atomic():
        current = model.objects.select_for_update().values_list("status", flat=True).get(pk=obj.pk)
        if current == new:
            obj.status = current
            return False
        resumes = _resumes_from(obj) if current == S.CANCELLATION_WAITING else None
        check_transition(current, new, resumes_from=resumes)
        obj.status = new
        obj.save(update_fields=["status", "modified_at"])
        StatusChange.objects.create(
            order_id=obj.order_id if isinstance(obj, OrderItem) else obj.pk,
            item=obj if isinstance(obj, OrderItem) else None,
            old_status=current,
            new_status=new,
            source=source[:64],
            note=note[:500],
        )
    return True


def set_order_status(order: Order, new: int, *, source: str = "", note: str = "") -> list[int]:
    """Move the order to ``new``, and with it each item that can move forward to ``new``.

    The order's own move is checked first: a backwards change raises and changes nothing.
    Items already final or already past ``new`` keep their status. Returns the ids of the
    items moved.
    """
    moved: list[int] = []
    with transaction.atomic():
        set_status(order, new, source=source, note=note)
        for item in order.items.all():
            try:
                if set_status(item, new, source=source, note=note):
                    moved.append(item.pk)
            except StatusTransitionError:
                continue
    return moved

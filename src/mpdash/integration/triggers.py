"""External triggers: ``POST /flow-trigger/{channel_slug}/{flow}`` with ``{"payload": {...}}``.

A flow that takes work from outside declares how its payload is checked here. A request
is validated completely before anything is stored: an unknown channel or flow, a flag
that is off, an inactive channel or a bad body is answered with a 4xx naming the problem,
and nothing is queued. An accepted request is stored (so it survives restarts), the flow
is queued, and the caller gets a correlation id to follow it.
"""

from __future__ import annotations

from typing import Any, Callable

from django.db import transaction

from .models import FlowRun, TriggerRequest


class TriggerError(Exception):
    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field

    def as_body(self) -> dict[str, Any]:
        return {"detail": self.message, **({"field": self.field} if self.field else {})}


def _required_text(value: Any, field: str, what: str) -> str:
    """A non-empty text (or number) at ``field``; a 400 naming the field and what it is otherwise."""
    if value is None or str(value).strip() == "" or isinstance(value, (dict, list, bool)):
        raise TriggerError(400, f"{field} is required: {what}", field)
    return str(value).strip()


def check_split_packages(payload: dict, channel) -> dict[str, Any]:
    """``{"package_id": "...", "groups": [[{"line_id": "...", "quantity": 1}, ...], ...]}``: two groups or more."""
    package_id = _required_text(payload.get("package_id"), "payload.package_id", "the marketplace's package id, as a string")
    groups = payload.get("groups")
    if not isinstance(groups, list) or len(groups) < 2:
        raise TriggerError(400, "payload.groups must list at least two groups of lines, each a list of "
                                '{"line_id": ..., "quantity": ...}', "payload.groups")
    clean = []
    for g, group in enumerate(groups):
        if not isinstance(group, list) or not group:
            raise TriggerError(400, f"payload.groups[{g}] must be a non-empty list of lines", f"payload.groups[{g}]")
        lines = []
        for i, line in enumerate(group):
            where = f"payload.groups[{g}][{i}]"
            if not isinstance(line, dict) or not str(line.get("line_id") or "").strip():
                raise TriggerError(400, f'{where} must be {{"line_id": "...", "quantity": n}}', where)
            quantity = line.get("quantity", 1)
            if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
                raise TriggerError(400, f"{where}.quantity must be a whole number of at least 1", f"{where}.quantity")
            lines.append({"line_id": str(line["line_id"]).strip(), "quantity": quantity})
        clean.append(lines)
    return {"package_id": package_id, "groups": clean}


def check_update_warehouse(payload: dict, channel) -> dict[str, Any]:
    """``{"order_number": "...", "stock_location": {"erp_code": "..."}}`` (the seed's body): the
    order (our number, or the marketplace's package id) must be stored on this channel."""
    from mpdash.orders.models import Order

    number = _required_text(payload.get("order_number"), "payload.order_number", "the order's number")
    location = payload.get("stock_location")
    code = _required_text(location.get("erp_code") if isinstance(location, dict) else None,
                          "payload.stock_location.erp_code", '{"stock_location": {"erp_code": "..."}}')
    order = (Order.objects.filter(channel=channel, number=number).first()
             or Order.objects.filter(channel=channel, package_id=number).first())
    if order is None:
        raise TriggerError(400, f"payload.order_number: no order {number!r} on channel {channel.slug}",
                           "payload.order_number")
    return {"order_number": order.number, "package_id": order.package_id, "erp_code": code}


# Flows that take work from outside, and how their payload is checked.
PAYLOADS: dict[str, Callable[[dict, Any], dict[str, Any]]] = {
    "split_packages": check_split_packages,
    "update_warehouse": check_update_warehouse,
}


def accept(channel_slug: str, flow: str, body: Any, *, user: str = "") -> TriggerRequest:
    """Validate a trigger and queue it; :class:`TriggerError` (nothing stored) otherwise."""
    from mpdash.channels.models import SalesChannel

    from .dispatch import FlowNotAvailable, check_runnable, request_flow

    channel = SalesChannel.objects.filter(slug=channel_slug).first()
    if channel is None:
        raise TriggerError(404, f"no sales channel with slug {channel_slug!r}")
    spec = channel.adapter_class.flow(flow)
    if spec is None:
        known = ", ".join(sorted(f for f in PAYLOADS if channel.adapter_class.flow(f)))
        raise TriggerError(404, f"{channel.adapter_class.label} has no flow {flow!r}; flows taking triggers: {known or 'none'}")
    if flow not in PAYLOADS:
        raise TriggerError(400, f"the {flow} flow does not take triggers from outside; it runs on its schedule "
                                "(start it from the dashboard's Trigger screen)")
    try:
        check_runnable(channel, flow)
    except FlowNotAvailable as exc:
        raise TriggerError(409, str(exc)) from None
    if not isinstance(body, dict) or not isinstance(body.get("payload"), dict):
        raise TriggerError(400, 'the body must be a JSON object {"payload": {...}}', "payload")
    payload = PAYLOADS[flow](body["payload"], channel)
    with transaction.atomic():
        request = TriggerRequest.objects.create(channel=channel, flow=flow, payload=payload, requested_by=user[:150])
        request_flow(channel.pk, flow, FlowRun.Trigger.EVENT, countdown=0)
    return request

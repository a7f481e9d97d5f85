"""Inbound order flows: marketplace packages → local orders, and their later changes.

Generic: the marketplace adapter lists :class:`RemoteOrder` records; this module turns
them into orders of the commerce core (:func:`mpdash.orders.store.store_order`, which is
exactly-once per package) and applies status and tracking changes. Reading windows,
cursors, retries and the reconciliation sweep are in :mod:`.inbound`.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from mpdash.marketplaces.base import RemoteOrder
from mpdash.orders.models import Order, OrderItem, OrderStatus

from . import inbound

# Normalised marketplace package status → back-office status.
STATUS = {
    "created": OrderStatus.APPROVED,
    "picking": OrderStatus.PREPARING,
    "invoiced": OrderStatus.PREPARING,
    "shipped": OrderStatus.SHIPPED,
    "delivered": OrderStatus.DELIVERED,
    "cancelled": OrderStatus.CANCELLED,
    "unpacked": OrderStatus.CANCELLED,
    "returned": OrderStatus.REFUNDED,
}
NOT_YET = {"awaiting": "awaiting the marketplace's payment or fraud check; created once it is confirmed"}


def _address(remote) -> dict | None:
    if remote is None:
        return None
    return {
        "first_name": remote.first_name, "last_name": remote.last_name, "line": remote.line, "city": remote.city,
        "township": remote.township, "district": remote.district, "neighbourhood": remote.neighbourhood,
        "postcode": remote.postcode, "region": remote.region, "country": remote.country or "TR", "phone": remote.phone, "email": remote.email,
        "company_name": remote.company, "tax_office": remote.tax_office, "tax_number": remote.tax_number,
        "identity_number": remote.identity_number,
    }


def _fixed_company(company_id):
    """Our shipping company the adapter chose from the channel's cargo_company_id (None: map the carrier)."""
    from mpdash.orders.errors import CargoCompanyNotFound
    from mpdash.orders.models import ShippingCompany

    if not company_id:
        return None
    company = ShippingCompany.objects.filter(pk=company_id).first()
    if company is None:
        raise CargoCompanyNotFound(f"CargoCompany does not exist: the channel's cargo_company_id {company_id} is not a "
                                   "shipping company id")
    return company


def _order_data(channel, remote: RemoteOrder, config: dict) -> dict:
    """The arguments of :func:`mpdash.orders.store.store_order` for a marketplace package."""
    billing = remote.billing_address
    if remote.micro_export and config.get("billing_address_same_as_shipping"):
        billing = remote.shipping_address
    name = remote.customer_name.split(" ", 1) if remote.customer_name else ["", ""]
    status = STATUS.get(remote.status, OrderStatus.APPROVED)
    return dict(
        package_id=remote.package_id,
        marketplace_order_number=remote.order_number,
        items=[
            {
                "sku": line.sku, "price": line.price, "quantity": line.quantity, "remote_line_id": line.line_id,
                "name": line.name, "discount_amount": line.discount, "retail_price": line.list_price,
                "tax_rate": line.tax_rate, "status": status,
                "extra_field": {"remote_sku": line.remote_sku, "marketplace_status": line.status},
            }
            for line in remote.lines
        ],
        customer={
            "email": remote.customer_email, "first_name": name[0], "last_name": name[1] if len(name) > 1 else "",
            "phone": remote.customer_phone, "marketplace_customer_id": remote.customer_id,
        },
        shipping_address=_address(remote.shipping_address),
        billing_address=_address(billing),
        cargo_company=_fixed_company(remote.cargo_company_id) or remote.cargo_company or None,
        source=f"{channel.marketplace}:get_orders",
        status=status,
        currency=remote.currency,
        amount=remote.amount,
        discount_amount=remote.discount,
        shipping_amount=remote.shipping_amount,
        tracking_number=remote.tracking_number,
        tracking_url=remote.tracking_url,
        date_placed=remote.placed_at,
        extra_field={
            "marketplace": channel.marketplace, "package_id": remote.package_id, "order_number": remote.order_number,
            "label_url": remote.label_url, "marketplace_status": remote.status, "raw": remote.raw,
        },
    )


def store_remote_order(channel, remote: RemoteOrder) -> bool:
    """Create the local order of a marketplace package once; True when created now."""
    from mpdash.orders.store import find_order, store_order

    if remote.status in NOT_YET:
        if find_order(channel, remote.package_id) is None:
            raise inbound.Skip(NOT_YET[remote.status])
        return False
    _, created = store_order(channel, **_order_data(channel, remote, channel.plain_config()))
    return created


def store_remote_orders(channel, remotes: list[RemoteOrder]) -> dict[int, bool]:
    """A page of packages at once: ``{index: created}`` for the packages settled.

    New packages are written together (:func:`mpdash.orders.store.store_orders`); packages
    that already have their order are settled as known. The rest (awaiting payment, failing
    to resolve, a number clash, a package twice on the page) are left out, for
    :func:`store_remote_order` to settle one by one, with its messages.
    """
    from mpdash.orders.models import Order
    from mpdash.orders.store import prepare_order, store_orders

    known = set(Order.objects.filter(channel=channel, package_id__in={r.package_id for r in remotes})
                .values_list("package_id", flat=True))
    config = channel.plain_config()
    settled: dict[int, bool] = {}
    prepared = []
    for index, remote in enumerate(remotes):
        if remote.package_id in known:
            settled[index] = False
        elif remote.status not in NOT_YET:
            try:
                prepared.append((index, prepare_order(channel, **_order_data(channel, remote, config))))
            except Exception:  # noqa: BLE001 - settled one by one, which holds it with the reason
                continue
    written = store_orders(channel, [p for _, p in prepared])
    settled.update((index, True) for index, p in prepared if p.package_id in written)
    return settled


def run_get_orders(ctx) -> str:
    return inbound.read(
        ctx,
        lister=ctx.adapter.list_orders,
        prepare=ctx.adapter.prepare_packages,
        store=lambda remote: store_remote_order(ctx.channel, remote),
        store_many=lambda remotes: store_remote_orders(ctx.channel, remotes),
        key_of=lambda remote: remote.package_id,
        floor_hours=12,
        start_key="order_start_date",
    )


# --- shipped / delivered on the marketplace ---------------------------------------------------
def apply_remote_update(channel, remote: RemoteOrder) -> bool:
    """Move a local order forward to what the marketplace reports (never backwards)."""
    from mpdash.orders.statuses import check_transition, set_order_status

    order = Order.objects.filter(channel=channel, package_id=remote.package_id).first()
    if order is None:
        # Not ingested yet (e.g. created and shipped between two get_orders runs): create it.
        return store_remote_order(channel, remote)
    target = STATUS.get(remote.status)
    changed = False
    with transaction.atomic():
        if remote.tracking_number and remote.tracking_number != order.tracking_number:
            order.tracking_number = remote.tracking_number
            order.tracking_url = remote.tracking_url or order.tracking_url
            order.save(update_fields=["tracking_number", "tracking_url"])
            OrderItem.objects.filter(order=order).update(tracking_number=remote.tracking_number)
            changed = True
        if target is not None and target != order.status:
            try:
                check_transition(order.status, target)
            except Exception:
                raise inbound.Skip(f"local status {order.get_status_display()} is ahead of the marketplace's {remote.status}") from None
            set_order_status(order, target, source=f"{channel.marketplace}:get_updated_orders")
            changed = True
    if not changed:
        raise inbound.Skip("already up to date")
    return True


def run_get_updated_orders(ctx) -> str:
    return inbound.read(
        ctx,
        lister=ctx.adapter.list_updated_orders,
        store=lambda remote: apply_remote_update(ctx.channel, remote),
        key_of=lambda remote: remote.package_id,
        floor_hours=24,
    )


# --- cancellations and unpacked packages from the marketplace ------------------------------------
def _config_reason(channel, key: str, cancellation_type: str):
    """The local reason a config key names; a clear error when it names none."""
    from mpdash.orders.models import CancellationReason

    value = channel.plain_config().get(key)
    if value in (None, ""):
        raise ValueError(
            f"channel config {key} is empty: set it to a {cancellation_type} reason id "
            f"(see /api/v1/channel/{channel.pk}/cancellation_reasons/?cancellation_type={cancellation_type})"
        )
    reason = CancellationReason.objects.filter(pk=value, cancellation_type=cancellation_type).first()
    if reason is None:
        raise ValueError(
            f"channel config {key}: {value!r} is not a {cancellation_type} reason id "
            f"(see /api/v1/channel/{channel.pk}/cancellation_reasons/?cancellation_type={cancellation_type})"
        )
    return reason


def mapped_reason(channel, codes: list[str], *, mapping_key: str, fallback_key: str, cancellation_type: str):
    """The local reason for marketplace reason codes: the first mapped code, else the fallback key."""
    from mpdash.orders.models import CancellationReason

    mapping = channel.plain_config().get(mapping_key) or {}
    for code in codes:
        if code and str(code) in mapping:
            reason = CancellationReason.objects.filter(pk=mapping[str(code)], cancellation_type=cancellation_type).first()
            if reason is None:
                raise ValueError(
                    f"channel config {mapping_key}[{code!r}]: {mapping[str(code)]!r} is not a {cancellation_type} reason id"
                )
            return reason
    return _config_reason(channel, fallback_key, cancellation_type)


def _orders_and_items(channel, package_id: str, line_ids: list[str], what: str):
    """{order: [items]} a marketplace record names, by package or by line ids."""
    if package_id:
        order = Order.objects.filter(channel=channel, package_id=package_id).first()
        if order is None:
            raise LookupError(f"package {package_id} is not stored locally yet; the {what} is retried once get_orders stores it")
        items = list(order.items.all())
        if line_ids:
            items = [i for i in items if i.remote_line_id in set(map(str, line_ids))]
        return {order: items}
    if not line_ids:
        raise LookupError(f"the marketplace's {what} names neither a package nor lines")
    found: dict = {}
    for item in OrderItem.objects.filter(order__channel=channel, remote_line_id__in=[str(x) for x in line_ids]).select_related("order"):
        found.setdefault(item.order, []).append(item)
    if not found:
        raise LookupError(f"no local order has the lines {', '.join(map(str, line_ids))} yet; the {what} is retried "
                          "once get_orders stores it")
    return found


def store_remote_cancellation(channel, remote, *, flow: str) -> bool:
    """Cancel locally what the marketplace cancelled (or unpacked), once per marketplace line."""
    from mpdash.orders import cancellations
    from mpdash.orders.models import CancellationType

    codes = [c.strip() for c in (remote.reason_code or "").split(",")]
    own_key = next((channel.adapter_class.cancellation_reason_keys[c] for c in codes
                    if c in channel.adapter_class.cancellation_reason_keys), None)
    if flow == "unpacked_orders":
        reason = _config_reason(channel, "cancellation_reason_id", CancellationType.CANCEL)
    elif own_key and channel.plain_config().get(own_key) not in (None, ""):
        reason = _config_reason(channel, own_key, CancellationType.CANCEL)
    else:
        reason = mapped_reason(channel, codes, mapping_key="cancellation_reason_mapping",
                               fallback_key="cancellation_reason_id", cancellation_type=CancellationType.CANCEL)
    created = False
    for order, items in _orders_and_items(channel, remote.package_id, remote.line_ids, "cancellation").items():
        lines = [
            cancellations.Line(item, left, claim_line_id=f"{flow}:{order.package_id}:{item.remote_line_id or item.pk}")
            for item in items
            if (left := cancellations.cancellable_quantity(item)) > 0
        ]
        if not lines:
            continue
        _, made = cancellations.request_cancellation(
            order, lines, cancellation_type=CancellationType.CANCEL, reason=reason,
            description=(remote.reason_text or "")[:500], status=cancellations.Status.APPROVED,
            source=f"{channel.marketplace}:{flow}",
            extra_field={"origin": "marketplace", "flow": flow, "reason_code": remote.reason_code, "raw": remote.raw},
        )
        created = created or made
    return created  # False: already cancelled locally


def run_get_cancel_orders(ctx) -> str:
    return inbound.read(
        ctx, lister=ctx.adapter.list_cancellations,
        store=lambda remote: store_remote_cancellation(ctx.channel, remote, flow="get_cancel_orders"),
        key_of=lambda remote: remote.package_id or remote.order_number or ",".join(remote.line_ids), floor_hours=12,
    )


def run_unpacked_orders(ctx) -> str:
    return inbound.read(
        ctx, lister=ctx.adapter.list_unpacked,
        store=lambda remote: store_remote_cancellation(ctx.channel, remote, flow="unpacked_orders"),
        key_of=lambda remote: remote.package_id or ",".join(remote.line_ids), floor_hours=12,
    )


# --- customers' cancellation requests, answered by the seller ------------------------------------
CANCEL_REQUESTS = "get_cancellation_request"


def answer_cancel_request(ctx, request) -> bool:
    """A customer asks to cancel accepted lines: denied there when the order is invoiced here;
    otherwise approved there and the lines cancelled here (once per request line). The
    marketplace lists the cancelled package afterwards too; get_cancel_orders finds the
    lines cancelled already."""
    from mpdash.orders import cancellations
    from mpdash.orders.models import CancellationType

    channel = ctx.channel
    if request.status != "waiting_action":
        raise inbound.Skip(f"cancellation request {request.claim_id} is {request.status}; only requests waiting for "
                           "the seller are answered")
    found = _orders_and_items(channel, request.package_id, [x.line_id for x in request.lines], "cancellation request")
    order, items = next(iter(found.items()))
    invoiced = bool(order.invoice_number or order.invoice_link)
    result = ctx.adapter.answer_cancel_request(request, approve=not invoiced)
    if not result.ok:
        raise ValueError(result.message)
    if invoiced:
        return True  # denied: the order stays as it is
    by_line = {i.remote_line_id: i for i in items}
    lines = [cancellations.Line(by_line[str(x.line_id)], min(int(x.quantity or 1), left),
                                claim_line_id=f"{CANCEL_REQUESTS}:{request.claim_id}:{x.claim_line_id}")
             for x in request.lines
             if str(x.line_id) in by_line and (left := cancellations.cancellable_quantity(by_line[str(x.line_id)])) > 0]
    if not lines:
        return False
    reason = mapped_reason(channel, [x.reason_code for x in request.lines], mapping_key="cancellation_reason_mapping",
                           fallback_key="cancellation_reason_id", cancellation_type=CancellationType.CANCEL)
    _, created = cancellations.request_cancellation(
        order, lines, cancellation_type=CancellationType.CANCEL, reason=reason,
        description="; ".join(filter(None, (x.reason_text for x in request.lines)))[:500], claim_id=str(request.claim_id),
        status=cancellations.Status.APPROVED, source=f"{channel.marketplace}:{CANCEL_REQUESTS}", require_erp=False,
        extra_field={"origin": "marketplace", "flow": CANCEL_REQUESTS, "answer": result.message, "raw": request.raw},
    )
    return created


def run_get_cancellation_request(ctx) -> str:
    return inbound.read(ctx, lister=ctx.adapter.list_cancel_requests, store=lambda r: answer_cancel_request(ctx, r),
                        key_of=lambda r: r.claim_id, floor_hours=24)


# --- return claims → refund requests --------------------------------------------------------------
CLAIM_OUTCOME = {"accepted": "approved", "rejected": "rejected", "cancelled": "rejected"}


def store_remote_claim(channel, claim) -> bool:
    """An OPEN refund request per claim waiting for the seller; later claim news updates it."""
    from datetime import timedelta

    from mpdash.orders import cancellations
    from mpdash.orders.models import CancellationRequest, CancellationType

    from .inbound import to_payload

    existing = CancellationRequest.objects.filter(
        channel=channel, cancellation_type=CancellationType.REFUND, marketplace_claim_id=str(claim.claim_id)
    ).first()
    if existing is not None:
        outcome = CLAIM_OUTCOME.get(claim.status)
        if outcome and existing.status in (cancellations.Status.OPEN, cancellations.Status.WAITING_APPROVAL):
            CancellationRequest.objects.filter(pk=existing.pk).update(status=outcome, modified_at=timezone.now())
            return True
        return False  # already stored, nothing new
    if claim.status != "waiting_action":
        raise inbound.Skip(f"claim {claim.claim_id} is {claim.status} on the marketplace; only claims waiting for the "
                           "seller open a refund request")
    line_ids = [line.line_id for line in claim.lines]
    found = _orders_and_items(channel, claim.package_id, line_ids, "return claim")
    order, items = next(iter(found.items()))
    days = channel.plain_config().get("orders_refundable_days")
    if days not in (None, "") and claim.created_at is not None and order.date_placed < claim.created_at - timedelta(days=int(days)):
        raise inbound.Skip(
            f"order {order.number} was placed {order.date_placed:%Y-%m-%d}, more than orders_refundable_days={days} "
            f"days before the claim ({claim.created_at:%Y-%m-%d}); not imported"
        )
    by_line = {i.remote_line_id: i for i in items}
    # One request item per order line: a marketplace that names every returned unit
    # (one claim item per unit) gives several claim lines for one order line.
    grouped: dict[str, tuple[int, list[str]]] = {}
    for line in claim.lines:
        if str(line.line_id) not in by_line:
            raise LookupError(f"claim {claim.claim_id}: line {line.line_id} is not a line of order {order.number}")
        quantity, ids = grouped.get(str(line.line_id), (0, []))
        grouped[str(line.line_id)] = (quantity + int(line.quantity or 1), ids + [str(line.claim_line_id)])
    lines = [
        cancellations.Line(by_line[line_id], quantity, claim_line_id=",".join(sorted(ids))[:128])
        for line_id, (quantity, ids) in grouped.items()
    ]
    reason = mapped_reason(channel, [line.reason_code for line in claim.lines], mapping_key="refund_reason_mapping",
                           fallback_key="default_reason_id", cancellation_type=CancellationType.REFUND)
    note = "; ".join(filter(None, [line.reason_text for line in claim.lines] + [line.customer_note for line in claim.lines]))
    _, created = cancellations.request_cancellation(
        order, lines, cancellation_type=CancellationType.REFUND, reason=reason, description=note[:500],
        claim_id=str(claim.claim_id), status=cancellations.Status.OPEN, source=f"{channel.marketplace}:get_refund_orders",
        require_erp=False, extra_field={"origin": "marketplace", "claim": to_payload(claim)},
    )
    return created


def run_get_refund_orders(ctx) -> str:
    return inbound.read(
        ctx, lister=ctx.adapter.list_claims, store=lambda claim: store_remote_claim(ctx.channel, claim),
        key_of=lambda claim: claim.claim_id, floor_hours=24, start_key="refund_start_date",
    )

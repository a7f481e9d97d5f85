"""What Amazon says about orders after they were read: Orders 2026-01-01 (packages and their
delivery) into our records, and the Reports API's returns report into return claims.

Returns: the flat-file returns report of merchant-fulfilled orders is tab-separated with a
header row; columns are found by name, whatever their order [UNVERIFIED: the names below are
those of Seller Central's "Returns reports" help page; the Reports model is not among the
shared specs]. A return is one Amazon RMA id; each row is one SKU of it.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ..base import RemoteAddress, RemoteClaim, RemoteClaimLine, RemoteOrder, RemoteOrderLine
from ..kit import to_decimal
from .config import PACKAGE_DELIVERED
from .models import Address, Order2026

# Orders 2026-01-01 fulfillmentStatus -> ours (delivered comes from the packages).
FULFILLMENT_STATUS = {"PENDING_AVAILABILITY": "created", "PENDING": "created", "UNSHIPPED": "created",
                      "PARTIALLY_SHIPPED": "picking", "SHIPPED": "shipped", "CANCELLED": "cancelled",
                      "UNFULFILLABLE": "cancelled"}
# Return request status -> the claim's [UNVERIFIED: the values Amazon prints]. An authorised or
# pending return waits for the seller (to receive it and refund); a closed or refunded one is done.
RETURN_STATUS = {"approved": "waiting_action", "authorized": "waiting_action", "pending": "waiting_action",
                 "requested": "waiting_action", "closed": "accepted", "refunded": "accepted", "completed": "accepted",
                 "rejected": "rejected", "denied": "rejected", "cancelled": "cancelled", "canceled": "cancelled"}
_COLUMNS = {"order": "orderid", "requested": "returnrequestdate", "status": "returnrequeststatus",
            "rma": "amazonrmaid", "sku": "merchantsku", "quantity": "returnquantity", "reason": "returnreason",
            "name": "itemname", "comment": "customercomments"}


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def money(value: Any) -> Decimal:
    """An amount of a v0 Money model or a 2026 ``{amount, currencyCode}`` dict (0 when absent)."""
    amount = value.get("amount") if isinstance(value, dict) else getattr(value, "amount", None)
    return to_decimal(amount) or Decimal("0")


def address(found: Address | None, email: str) -> RemoteAddress | None:
    if found is None:
        return None
    first, _, last = (found.name or "").partition(" ")
    line = ", ".join(p for p in (found.line1, found.line2, found.line3) if p)
    # StateOrRegion is the address's region (a US state); a city missing from the answer falls
    # back to it, since the order core needs a city.
    return RemoteAddress(first_name=first, last_name=last, line=line, city=found.city or found.state,
                         region=found.state or "",
                         township=found.county or "", district=found.district or "",
                         postcode=found.postcode, country=(found.country or "TR").upper(), phone=found.phone,
                         email=email, company=found.company)


def _address_2026(data: dict[str, Any]) -> Address | None:
    if not data:
        return None
    return Address(Name=data.get("name", ""), AddressLine1=data.get("addressLine1", ""),
                   AddressLine2=data.get("addressLine2", ""), AddressLine3=data.get("addressLine3", ""),
                   City=data.get("city", ""), County=data.get("districtOrCounty", ""),
                   StateOrRegion=data.get("stateOrRegion", ""), PostalCode=data.get("postalCode", ""),
                   CountryCode=data.get("countryCode", ""), Phone=data.get("phone", ""),
                   CompanyName=data.get("companyName", ""))


def remote_order(order: Order2026, currency: str) -> RemoteOrder:
    """An Orders 2026-01-01 order (asked with BUYER, RECIPIENT, PROCEEDS, FULFILLMENT, PACKAGES)."""
    status = FULFILLMENT_STATUS.get(order.fulfillment.get("fulfillmentStatus", ""), "shipped")
    if order.packages and all(p.state and p.state.status == PACKAGE_DELIVERED for p in order.packages):
        status = "delivered"
    lines = []
    for item in order.items:
        product = item.get("product") or {}
        quantity = int(item.get("quantityOrdered") or 0)
        unit = money((product.get("price") or {}).get("unitPrice"))
        lines.append(RemoteOrderLine(line_id=str(item["orderItemId"]), sku=product.get("sellerSku", ""),
                                     quantity=quantity, price=unit, list_price=unit,
                                     remote_sku=product.get("asin") or None, name=product.get("title", "")))
    email = order.buyer.get("buyerEmail", "")
    shipping = address(_address_2026((order.recipient or {}).get("deliveryAddress") or {}), email)
    total = (order.proceeds or {}).get("grandTotal") or {}
    last = order.packages[-1] if order.packages else None
    return RemoteOrder(
        package_id=order.order_id, order_number=order.order_id, status=status, placed_at=parse_time(order.created),
        modified_at=parse_time(order.updated), currency=total.get("currencyCode") or currency, amount=money(total),
        lines=lines, customer_name=order.buyer.get("buyerName", "") or (shipping.first_name if shipping else ""),
        customer_email=email, customer_phone=shipping.phone if shipping else "", shipping_address=shipping,
        billing_address=shipping, micro_export=bool(shipping and shipping.country != "TR"),
        cargo_company=last.carrier if last else "", tracking_number=last.tracking_number if last else "",
        raw={"order2026": order.model_dump(by_alias=True)},
    )


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _report_time(text: str) -> datetime | None:
    text = (text or "").strip()
    for parse in (lambda t: parse_time(t), lambda t: datetime.strptime(t, "%d-%b-%Y").replace(tzinfo=UTC),
                  lambda t: datetime.strptime(t, "%Y-%m-%d").replace(tzinfo=UTC)):
        try:
            moment = parse(text)
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def returns_claims(text: str) -> list[RemoteClaim]:
    """One claim per return in a flat-file returns report; line ids are the SKUs until the
    adapter matches them to the order's items."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter="\t"))
    if not rows:
        return []
    header = {_key(name): n for n, name in enumerate(rows[0])}
    missing = [name for name in ("order", "sku", "quantity") if _COLUMNS[name] not in header]
    if missing:
        raise ValueError(f"Amazon's returns report has no {', '.join(_COLUMNS[m] for m in missing)} column "
                         f"(its columns: {', '.join(rows[0])})")

    def cell(row: list[str], name: str) -> str:
        index = header.get(_COLUMNS[name])
        return row[index].strip() if index is not None and index < len(row) else ""

    claims: dict[str, RemoteClaim] = {}
    for row in rows[1:]:
        if not any(row) or not cell(row, "order"):
            continue
        requested = _report_time(cell(row, "requested"))
        claim_id = cell(row, "rma") or ":".join(filter(None, (cell(row, "order"), f"{requested:%Y%m%d}"
                                                                if requested else "")))
        claim = claims.setdefault(claim_id, RemoteClaim(
            claim_id=claim_id, package_id=cell(row, "order"), order_number=cell(row, "order"),
            status=RETURN_STATUS.get(cell(row, "status").lower(), "waiting_action"), created_at=requested,
            modified_at=requested, raw={"rows": []}))
        claim.raw["rows"].append(dict(zip(rows[0], row)))
        sku = cell(row, "sku")
        claim.lines.append(RemoteClaimLine(claim_line_id=f"{claim_id}:{sku}", line_id=sku, sku=sku,
                                           quantity=int(cell(row, "quantity") or 1), reason_code=cell(row, "reason"),
                                           reason_text=cell(row, "reason"), customer_note=cell(row, "comment")))
    return list(claims.values())

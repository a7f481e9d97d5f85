"""The simulated Walmart seller account: items, feeds, purchase orders and returns.

Wire shapes follow Walmart's OpenAPI documents (the runtime never reads them: the rules are
written out here); the tests hold every answer against the documents.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from mpdash.marketplaces import simkit
from mpdash.marketplaces.simkit import options as opt

from ..config import CANCEL_REASONS, FEED_MAX_BYTES, FEED_MAX_ITEMS

TAXONOMY = [
    {"category": "Clothing", "subcategory": [{"subCategoryName": "Clothing", "subCategoryId": "clothing_other"},
                                             {"subCategoryName": "Dresses", "subCategoryId": "dresses"}]},
    {"category": "Home", "subcategory": [{"subCategoryName": "Home Decor", "subCategoryId": "home_decor"}]},
]
COLOURS = ["Black", "White", "Red", "Blue", "Green"]
# The Visible part of the item spec per category (a small part of Walmart's MP_ITEM spec).
SPEC: dict[str, dict[str, Any]] = {
    "Clothing": {"type": "object", "required": ["shortDescription", "mainImageUrl", "color", "clothingSize"],
                 "properties": {
                     "shortDescription": {"type": "string", "title": "Site Description"},
                     "mainImageUrl": {"type": "string", "title": "Main Image URL"},
                     "productSecondaryImageURL": {"type": "array", "items": {"type": "string"}},
                     "color": {"type": "string", "title": "Color", "enum": COLOURS},
                     "clothingSize": {"type": "string", "title": "Clothing Size"},
                     "gender": {"type": "string", "title": "Gender", "enum": ["Female", "Male", "Unisex"]},
                     "fabricContent": {"type": "array", "title": "Fabric Content", "items": {"type": "string"}}}},
    "Home": {"type": "object", "required": ["shortDescription", "mainImageUrl"],
             "properties": {"shortDescription": {"type": "string"}, "mainImageUrl": {"type": "string"},
                            "color": {"type": "string", "title": "Color", "enum": COLOURS}}},
}
ORDERABLE = ("sku", "productIdentifiers", "productName", "brand", "price", "ShippingWeight")
US_PLACES = (("Bentonville", "AR", "72712"), ("Austin", "TX", "78701"), ("Portland", "OR", "97205"),
             ("Columbus", "OH", "43215"), ("Denver", "CO", "80202"))


def ms(epoch: float) -> int:
    return int(epoch * 1000)


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def qty(n: int) -> dict[str, str]:
    return {"unitOfMeasurement": "EACH", "amount": str(int(n))}


def units(line: dict[str, Any], *statuses: str) -> int:
    return sum(int(s["statusQuantity"]["amount"]) for s in line["orderLineStatuses"]["orderLineStatus"]
               if s["status"] in statuses)


def ingestion(sku: str, index: int, status: str = "SUCCESS", error: str = "", code: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"martId": 0, "sku": sku, "wpid": "", "index": index, "ingestionStatus": status,
                           "ingestionErrors": {"ingestionError": []}}
    if error:
        out["ingestionErrors"]["ingestionError"] = [{"type": status if status != "SUCCESS" else "DATA_ERROR",
                                                     "code": code or "ERR_EXT_DATA_0101", "description": error}]
    return out


class WalmartState(simkit.SimState):
    OPTIONS = simkit.OptionSet(
        **opt.common(), client_id=opt.text("sim-client-id"), client_secret=opt.text("sim-client-secret"),
        token_ttl=opt.number(900.0, positive=True), rate_limits=opt.flag(True), order_rate=opt.number(0.0),
        currency=opt.text("USD"), max_feed_bytes=opt.number(float(FEED_MAX_BYTES), positive=True),
    )

    def clear(self) -> None:
        super().clear()
        self.tokens: dict[str, float] = {}
        self.items = simkit.ListingStore(key_name="sku", batch_name="feedId")
        self.feeds = simkit.BatchQueue(self.timeline, "feed", self._process)
        self.orders: dict[str, dict[str, Any]] = {}
        self.returns: dict[str, dict[str, Any]] = {}
        self.refusals: dict[str, str] = {}
        self.placed = 0
        self.last_order = self.clock.now()

    # --- tokens ---------------------------------------------------------------------------------
    def new_token(self) -> str:
        token = "eyJraWQi" + hashlib.sha256(f"{len(self.tokens)}:{self.clock.now()}".encode()).hexdigest()[:48]
        self.tokens[token] = self.clock.now() + self.option("token_ttl")
        return token

    # --- items ----------------------------------------------------------------------------------
    def put_item(self, sku: str, quantity: int = 0, price: float = 10.0, name: str = "", published: bool = True,
                 **extra: Any) -> dict[str, Any]:
        row = {"sku": sku, "quantity": int(quantity), "price": float(price), "productName": name or sku,
               "wpid": hashlib.sha1(sku.encode()).hexdigest()[:12].upper(), "lifecycle": "ACTIVE",
               "published_at": None if published else self.clock.now() + self.option("approval_delay"), **extra}
        self.items.put(sku, row)
        return row

    def wire_item(self, row: dict[str, Any]) -> dict[str, Any]:
        retired = row["lifecycle"] == "RETIRED"
        published = not retired and (row["published_at"] is None or row["published_at"] <= self.clock.now())
        out = {"mart": "WALMART_US", "sku": row["sku"], "wpid": row["wpid"], "gtin": row.get("gtin", ""),
               "productName": row["productName"], "shelf": "[\"Home Page\"]", "productType": row.get("category", ""),
               "price": {"currency": self.option("currency"), "amount": row["price"]},
               "publishedStatus": "PUBLISHED" if published else "UNPUBLISHED" if retired else "IN_PROGRESS",
               "lifecycleStatus": row["lifecycle"]}
        if retired:
            out["unpublishedReasons"] = {"reason": ["The item was retired by the seller."]}
        return out

    # --- feeds ----------------------------------------------------------------------------------
    def accept_feed(self, feed_type: str, content: bytes) -> simkit.Batch:
        if len(content) >= self.option("max_feed_bytes"):
            raise simkit.Refusal(400, f"The feed file is {len(content)} bytes; feeds must be under "
                                 f"{int(self.option('max_feed_bytes'))} bytes", "ERR_EXT_DATA_0801")
        try:
            document = json.loads(content)
        except (ValueError, UnicodeDecodeError):
            raise simkit.Refusal(400, "The feed file is not valid JSON", "ERR_EXT_DATA_0802") from None
        key = {"inventory": "Inventory", "price": "Price", "MP_ITEM": "MPItem"}[feed_type]
        rows = document.get(key) if isinstance(document, dict) else None
        if not isinstance(rows, list) or not rows:
            raise simkit.Refusal(400, f"The {feed_type} feed needs a non-empty {key} array", "ERR_EXT_DATA_0803")
        if len(rows) > FEED_MAX_ITEMS:
            raise simkit.Refusal(400, f"{len(rows)} items in one feed; at most {FEED_MAX_ITEMS}", "ERR_EXT_DATA_0804")
        feed_id = hashlib.md5(f"{self.feeds.total}:{self.clock.now()}".encode()).hexdigest().upper() + "@AQMBAQA"
        return self.feeds.accept(feed_type, "seller", rows, self.option("processing_delay"), batch_id=feed_id)

    def _process(self, batch: simkit.Batch, at: float) -> list[dict[str, Any]]:
        apply = {"inventory": self.set_quantity, "price": self.set_price, "MP_ITEM": self._mp_item}[batch.kind]
        out = []
        for n, row in enumerate(batch.items):
            sku = str((row.get("Orderable") or {}).get("sku") if batch.kind == "MP_ITEM" else row.get("sku") or "")
            problem = apply(row, batch.id, batch.accepted_at, at) if isinstance(row, dict) else "not an object"
            out.append(ingestion(sku, n, "DATA_ERROR" if problem else "SUCCESS", problem or ""))
        return out

    def _listed(self, sku: str) -> dict[str, Any] | str:
        row = self.items.get(sku)
        if row is None or row["lifecycle"] == "RETIRED":
            return f"SKU {sku!r} is not an item of this seller; set the item up first"
        return row

    def set_quantity(self, row: Any, feed_id: str | None, accepted: float, at: float) -> str | None:
        sku, quantity = row.get("sku"), (row.get("quantity") or {})
        amount = quantity.get("amount")
        if quantity.get("unit") != "EACH" or not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            return "quantity needs unit EACH and a whole amount of 0 or more"
        item = self._listed(str(sku))
        if isinstance(item, str):
            return item
        item["quantity"] = amount
        self.items.record(feed_id, "stock", item["sku"], amount, accepted, at)
        return None

    def set_price(self, row: Any, feed_id: str | None, accepted: float, at: float) -> str | None:
        try:
            price = row["pricing"][0]["currentPrice"]
            amount, currency = price["amount"], price.get("currency", "USD")
        except (KeyError, IndexError, TypeError):
            return "pricing[0].currentPrice with currency and amount is required"
        if not isinstance(amount, (int, float)) or isinstance(amount, bool) or amount <= 0:
            return "currentPrice.amount must be a number above 0"
        if currency != self.option("currency"):
            return f"currency {currency} is not this marketplace's {self.option('currency')}"
        item = self._listed(str(row.get("sku")))
        if isinstance(item, str):
            return item
        item["price"] = float(amount)
        self.items.record(feed_id, "price", item["sku"], float(amount), accepted, at)
        return None

    def _mp_item(self, row: dict[str, Any], feed_id: str, accepted: float, at: float) -> str | None:
        orderable, visible = row.get("Orderable") or {}, row.get("Visible") or {}
        missing = [k for k in ORDERABLE if orderable.get(k) in (None, "", [])]
        if missing:
            return f"Orderable: {', '.join(missing)} required"
        if len(visible) != 1 or next(iter(visible)) not in SPEC:
            return f"Visible must name one category of the spec ({', '.join(SPEC)})"
        category, attrs = next(iter(visible.items()))
        spec = SPEC[category]
        absent = [k for k in spec["required"] if attrs.get(k) in (None, "", [])]
        if absent:
            return f"Visible.{category}: {', '.join(absent)} required"
        for key, value in attrs.items():
            enum = (spec["properties"].get(key) or {}).get("enum")
            if enum and value not in enum:
                return f"Visible.{category}.{key}: {value!r} is not one of {', '.join(enum)}"
        sku = str(orderable["sku"])
        if self.refusals.get(sku):
            return self.refusals[sku]
        old = self.items.get(sku) or {}
        self.put_item(sku, quantity=old.get("quantity", 0), price=float(orderable["price"]),
                      name=str(orderable["productName"]), published=False, category=category,
                      gtin=str(orderable["productIdentifiers"].get("productId", "")), visible=attrs)
        return None

    def feed_answer(self, batch: simkit.Batch, details: bool, offset: int, limit: int) -> dict[str, Any]:
        results = batch.results or []
        ok = sum(1 for r in results if r["ingestionStatus"] == "SUCCESS")
        out = {"feedId": batch.id, "feedStatus": "PROCESSED" if batch.processed else "INPROGRESS",
               "ingestionErrors": {"ingestionError": []}, "itemsReceived": len(batch.items),
               "itemsSucceeded": ok, "itemsFailed": len(results) - ok,
               "itemsProcessing": 0 if batch.processed else len(batch.items), "offset": offset, "limit": limit}
        if details:
            shown = results[offset:offset + limit] if batch.processed else [
                {**ingestion(str(r.get("sku") or (r.get("Orderable") or {}).get("sku") or ""), n), "ingestionStatus":
                 "INPROGRESS"} for n, r in enumerate(batch.items[offset:offset + limit], start=offset)]
            out["itemDetails"] = {"itemIngestionStatus": shown}
        return out

    # --- orders ---------------------------------------------------------------------------------
    def place_order(self, lines: list[tuple[str, int]], shopper: int = 0) -> dict[str, Any]:
        self.placed += 1
        n, now, currency = self.placed, self.clock.epoch(), self.option("currency")
        person = simkit.person(shopper, abroad=True)
        city, state, zip_code = US_PLACES[shopper % len(US_PLACES)]
        order_lines = []
        for k, (sku, quantity) in enumerate(lines, start=1):
            item = self.items.get(sku) or {}
            if item:
                item["quantity"] = max(0, int(item.get("quantity") or 0) - quantity)
            price = float(item.get("price") or 10.0)
            order_lines.append({
                "lineNumber": str(k), "item": {"productName": item.get("productName", sku), "sku": sku},
                "charges": {"charge": [{"chargeType": "PRODUCT", "chargeName": "ItemPrice",
                                        "chargeAmount": {"currency": currency, "amount": round(price * quantity, 2)},
                                        "tax": {"taxName": "Tax1", "taxAmount": {"currency": currency, "amount": 0}}}]},
                "orderLineQuantity": qty(quantity), "statusDate": ms(now),
                "orderLineStatuses": {"orderLineStatus": [{"status": "Created", "statusQuantity": qty(quantity)}]},
                "fulfillment": {"fulfillmentOption": "S2H", "shipMethod": "STANDARD"}})
        po = f"{108000000000 + n * 7919}"
        order = {"purchaseOrderId": po, "customerOrderId": f"{200000000000 + n * 104729}",
                 "customerEmailId": person.email, "orderDate": ms(now),
                 "shippingInfo": {"phone": f"479{(n * 7919) % 10**7:07d}", "estimatedDeliveryDate": ms(now + 5 * 86400),
                                  "estimatedShipDate": ms(now + 86400), "methodCode": "Standard",
                                  "postalAddress": {"name": person.name, "address1": f"{100 + n} Main Street",
                                                    "city": city, "state": state, "postalCode": zip_code,
                                                    "country": "USA", "addressType": "RESIDENTIAL"}},
                 "orderLines": {"orderLine": order_lines}, "_updated": now}
        self.orders[po] = order
        return self.public(order)

    @staticmethod
    def public(order: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in order.items() if not k.startswith("_")}

    def order(self, po: str) -> dict[str, Any]:
        order = self.orders.get(po)
        if order is None:
            raise simkit.Refusal(404, f"purchase order {po} not found", "CONTENT_NOT_FOUND.GMP_ORDER_API")
        return order

    def move(self, order: dict[str, Any], number: str, amount: int, status: str, **extra: Any) -> None:
        """``amount`` units of line ``number`` from Created/Acknowledged to ``status``."""
        line = next((x for x in order["orderLines"]["orderLine"] if x["lineNumber"] == str(number)), None)
        if line is None:
            raise simkit.Refusal(400, f"lineNumber {number} is not a line of {order['purchaseOrderId']}",
                                 "INVALID_REQUEST_CONTENT.GMP_ORDER_API")
        source = ("Shipped",) if status == "Delivered" else ("Created", "Acknowledged")
        if amount < 1 or units(line, *source) < amount:
            raise simkit.Refusal(400, f"line {number}: {amount} unit(s) cannot become {status}; "
                                 f"{units(line, *source)} can", "INVALID_REQUEST_CONTENT.GMP_ORDER_API")
        entries, left = line["orderLineStatuses"]["orderLineStatus"], amount
        for entry in list(entries):
            if entry["status"] in source and left:
                take = min(left, int(entry["statusQuantity"]["amount"]))
                entry["statusQuantity"] = qty(int(entry["statusQuantity"]["amount"]) - take)
                left -= take
        entries[:] = [e for e in entries if int(e["statusQuantity"]["amount"]) > 0]
        entries.append({"status": status, "statusQuantity": qty(amount), **extra})
        line["statusDate"] = ms(self.clock.epoch())
        order["_updated"] = self.clock.epoch()

    def acknowledge(self, order: dict[str, Any]) -> None:
        for line in order["orderLines"]["orderLine"]:
            for entry in line["orderLineStatuses"]["orderLineStatus"]:
                if entry["status"] == "Created":
                    entry["status"] = "Acknowledged"
                    line["statusDate"] = ms(self.clock.epoch())
                    order["_updated"] = self.clock.epoch()

    def customer_cancel(self, po: str, sku: str) -> None:
        order = self.order(po)
        for line in order["orderLines"]["orderLine"]:
            if line["item"]["sku"] == sku and units(line, "Created", "Acknowledged"):
                self.move(order, line["lineNumber"], units(line, "Created", "Acknowledged"), "Cancelled",
                          cancellationReason=CANCEL_REASONS[0])

    def deliver(self, po: str) -> None:
        order = self.order(po)
        for line in order["orderLines"]["orderLine"]:
            if units(line, "Shipped"):
                self.move(order, line["lineNumber"], units(line, "Shipped"), "Delivered")

    def tick(self, now: float) -> None:
        rate = self.option("order_rate")
        if not rate or now - self.last_order < 1.0 / rate:
            return
        self.last_order = now
        stocked = [i["sku"] for i in self.items if int(i.get("quantity") or 0) > 0 and i["lifecycle"] == "ACTIVE"]
        if stocked:
            self.place_order(simkit.basket(self.placed, stocked), shopper=self.placed)

    # --- returns --------------------------------------------------------------------------------
    def open_return(self, po: str, sku: str, quantity: int = 1) -> dict[str, Any]:
        order = self.order(po)
        line = next(x for x in order["orderLines"]["orderLine"] if x["item"]["sku"] == sku)
        now, currency = self.clock.epoch(), self.option("currency")
        unit = line["charges"]["charge"][0]["chargeAmount"]["amount"] / max(1, int(line["orderLineQuantity"]["amount"]))
        money = {"currencyAmount": round(unit * quantity, 2), "currencyUnit": currency}
        number = f"{7700000000 + len(self.returns) + 1}"
        name = order["shippingInfo"]["postalAddress"]["name"].partition(" ")
        ret = {"returnOrderId": number, "customerEmailId": order["customerEmailId"],
               "customerName": {"firstName": name[0], "lastName": name[2]},
               "customerOrderId": order["customerOrderId"], "returnOrderDate": iso(now), "returnByDate": iso(now + 30 * 86400),
               "refundMode": "ONLINE", "totalRefundAmount": money,
               "returnOrderLines": [{
                   "returnOrderLineNumber": 1, "salesOrderLineNumber": int(line["lineNumber"]),
                   "sellerOrderId": po, "returnReason": "DEFECTIVE_ITEM", "purchaseOrderId": po,
                   "purchaseOrderLineNumber": int(line["lineNumber"]),
                   "item": {"sku": sku, "productName": line["item"]["productName"]},
                   "unitPrice": {"currencyAmount": round(unit, 2), "currencyUnit": currency},
                   "quantity": {"unitOfMeasure": "EACH", "measurementValue": quantity}, "refundedQty": 0,
                   "status": "INITIATED", "statusTime": iso(now), "currentRefundStatus": "REFUND_PENDING"}],
               "_updated": now}
        self.returns[number] = ret
        return self.public(ret)

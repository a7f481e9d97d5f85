"""A local Selling Partner API on the simulator toolkit.

Serves the LWA token endpoint, Listings Items (get/patch), Feeds (documents with pre-signed
upload/download URLs that expire, JSON_LISTINGS_FEED processed after ``processing_delay`` into a
processing report), Orders v0 (getOrders by update time with NextToken, getOrderItems,
confirmShipment) and a token bucket per operation. It refuses what Amazon refuses: a body that
breaks the official schema's rules (the checks are written out here: the runtime never reads the
shared specs), a feed over 25,000 messages, CreatedAfter with LastUpdatedAfter, an expired token.

``python -m mpdash.marketplaces.amazon.simulator --port 8771``
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from mpdash.marketplaces import simkit
from mpdash.marketplaces.simkit import options as opt

from ..config import BUDGETS, FEED_MAX_MESSAGES, FEED_TYPE
from . import after_sale

SELLER, MARKETPLACE = "A3SIMSELLER0001", "ATVPDKIKX0DER"
OPERATIONS = ("CREATE", "UPDATE", "PARTIAL_UPDATE", "PATCH", "DELETE")
PATCH_OPS = ("add", "replace", "merge", "delete")
SETTLE_SECONDS = 120.0


def _text(title: str, enum: list[str] | None = None) -> dict[str, Any]:
    value: dict[str, Any] = {"type": "string"}
    if enum:
        value["enum"] = enum
    return {"title": title, "type": "array", "minItems": 1, "maxItems": 1,
            "items": {"type": "object", "required": ["value"], "properties": {"value": value}}}


# Two product types in the shape of Amazon's product type schemas (a small part of them).
PRODUCT_TYPES: dict[str, dict[str, Any]] = {
    "SHOES": {"displayName": "Shoes", "schema": {
        "$schema": "https://schemas.amazon.com/selling-partners/definitions/product-types/meta-schema/v1",
        "required": ["item_name", "brand", "color", "footwear_size"],
        "properties": {"item_name": _text("Item Name"), "brand": _text("Brand"),
                       "product_description": _text("Product Description"),
                       "color": _text("Colour", ["Black", "White", "Red", "Blue"]),
                       "footwear_size": _text("Footwear Size", ["38", "39", "40", "41", "42", "43"]),
                       "material": _text("Material"), "purchasable_offer": {"type": "array"},
                       "fulfillment_availability": {"type": "array"}}}},
    # Colour as free text, as most of Amazon's product types have it (SHOES above enumerates it).
    "SHIRT": {"displayName": "Shirt", "schema": {
        "required": ["item_name", "brand", "color", "shirt_size"],
        "properties": {"item_name": _text("Item Name"), "brand": _text("Brand"), "color": _text("Colour"),
                       "shirt_size": _text("Shirt Size", ["XS", "S", "M", "L", "XL"])}}},
}


def put_problems(body: Any, schema: dict[str, Any]) -> list[dict[str, Any]]:
    """ERROR issues of a putListingsItem body against its product type: required attributes and
    allowed values (what Amazon reports as 90220 / 99022 issues)."""
    attributes = body["attributes"]
    issues = [{"code": "90220", "severity": "ERROR", "message": f"'{key}' is required but not supplied.",
               "attributeNames": [key]} for key in schema.get("required", []) if not attributes.get(key)]
    for key, entries in attributes.items():
        prop = schema.get("properties", {}).get(key)
        enum = ((prop or {}).get("items", {}).get("properties", {}).get("value", {}) or {}).get("enum")
        if enum and isinstance(entries, list):
            for entry in entries:
                if isinstance(entry, dict) and entry.get("value") not in enum:
                    issues.append({"code": "99022", "severity": "ERROR", "attributeNames": [key],
                                   "message": f"'{entry.get('value')}' is not a valid value for '{key}'"})
    return issues  # LastUpdatedBefore no later than two minutes before the request


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str | None, name: str) -> float:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise simkit.Refusal(400, f"{name} {text!r} is not an ISO 8601 date-time", "InvalidInput") from None


# --- the schema rules, written out -------------------------------------------------------
def patch_problems(patches: Any, where: str) -> list[str]:
    if not isinstance(patches, list) or not patches:
        return [f"{where}patches: at least one JSON Patch operation is required"]
    out = []
    for n, patch in enumerate(patches):
        if not isinstance(patch, dict) or patch.get("op") not in PATCH_OPS or not isinstance(patch.get("path"), str):
            out.append(f"{where}patches[{n}]: needs op (one of {', '.join(PATCH_OPS)}) and a string path")
        elif patch["op"] != "delete" and not isinstance(patch.get("value"), list):
            out.append(f"{where}patches[{n}].value: an array is required")
    return out


def message_problems(message: Any, n: int) -> list[str]:
    """listings-feed-message-schema-v2: required keys and the per-operation rules."""
    where = f"messages[{n}]."
    if not isinstance(message, dict):
        return [f"messages[{n}]: an object is required"]
    out = []
    mid = message.get("messageId")
    if not isinstance(mid, int) or isinstance(mid, bool) or not 1 <= mid <= 2147483647:
        out.append(f"{where}messageId: an integer 1..2147483647 is required")
    if not isinstance(message.get("sku"), str) or not message["sku"]:
        out.append(f"{where}sku: a non-empty string is required")
    operation = message.get("operationType")
    if operation not in OPERATIONS:
        return out + [f"{where}operationType: one of {', '.join(OPERATIONS)} is required"]
    if operation == "PATCH":
        if "attributes" in message or "requirements" in message:
            out.append(f"{where}: attributes and requirements are not applicable to PATCH")
        if not isinstance(message.get("productType"), str):
            out.append(f"{where}productType: required for PATCH")
        out += patch_problems(message.get("patches"), where)
    elif operation == "DELETE":
        extra = sorted({"requirements", "attributes", "productType", "patches"} & set(message))
        if extra:
            out.append(f"{where}: {', '.join(extra)} not applicable to DELETE")
    else:
        if "patches" in message:
            out.append(f"{where}patches: not applicable to {operation}")
        if not isinstance(message.get("productType"), str) or not isinstance(message.get("attributes"), dict):
            out.append(f"{where}: {operation} requires productType and attributes")
    return out


def feed_problems(doc: Any, seller_id: str) -> list[str]:
    if not isinstance(doc, dict) or not isinstance(doc.get("header"), dict) or "messages" not in doc:
        return ["the feed needs a header and messages"]
    header, messages = doc["header"], doc["messages"]
    out = []
    if header.get("version") != "2.0":
        out.append("header.version must be \"2.0\"")
    if header.get("sellerId") != seller_id:
        out.append(f"header.sellerId {header.get('sellerId')!r} is not the seller of this feed")
    if not isinstance(messages, list) or not messages:
        out.append("messages: at least one message is required")
    elif len(messages) > FEED_MAX_MESSAGES:
        out.append(f"messages: {len(messages)} messages; a feed carries at most {FEED_MAX_MESSAGES}")
    else:
        ids = [m.get("messageId") for m in messages if isinstance(m, dict)]
        if len(set(map(str, ids))) != len(ids):
            out.append("messages: messageId must be unique within the feed")
    return out


def value_problems(patch: dict[str, Any], marketplace_id: str) -> str | None:
    """What the product type's schema would say about the two offer attributes we simulate."""
    path, value = patch["path"], patch.get("value") or [{}]
    if path == "/attributes/fulfillment_availability":
        quantity = value[0].get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
            return "fulfillment_availability.quantity: a whole number of 0 or more is required"
    elif path == "/attributes/purchasable_offer":
        try:
            amount = value[0]["our_price"][0]["schedule"][0]["value_with_tax"]
        except (KeyError, IndexError, TypeError):
            return "purchasable_offer.our_price: the field does not have enough values (minimum 1)"
        if not isinstance(amount, (int, float)) or isinstance(amount, bool) or amount <= 0:
            return "purchasable_offer.our_price: value_with_tax must be a number above 0"
        if value[0].get("marketplace_id") not in (None, marketplace_id):
            return "purchasable_offer.marketplace_id: not this feed's marketplace"
    return None


class AmazonState(after_sale.AfterSaleState, simkit.SimState):
    OPTIONS = simkit.OptionSet(
        **opt.common(), client_id=opt.text("amzn1.application-oa2-client.sim"), client_secret=opt.text("sim-secret"),
        refresh_token=opt.text("Atzr|sim-refresh"), seller_id=opt.text(SELLER), marketplace_id=opt.text(MARKETPLACE),
        currency=opt.text("USD"), token_ttl=opt.number(3600.0, positive=True), upload_ttl=opt.number(300.0),
        rate_limits=opt.flag(True), settle_seconds=opt.number(SETTLE_SECONDS), order_rate=opt.number(0.0),
        # the carrier delivers a shipped package this many seconds later (0: never by itself), and
        # every return_every-th delivered order comes back (0: none)
        delivery_delay=opt.number(0.0), return_every=opt.number(0.0),
    )

    def clear(self) -> None:
        super().clear()
        self.tokens: dict[str, float] = {}  # access token -> clock instant it expires
        self.documents: dict[str, dict[str, Any]] = {}
        self.listings = simkit.ListingStore(key_name="sku", batch_name="feedId")
        self.feeds = simkit.BatchQueue(self.timeline, "feed", self._process)
        self.orders: dict[str, dict[str, Any]] = {}
        self.refusals: dict[str, str] = {}  # sku -> the issue its next putListingsItem gets
        self.placed = 0
        self.last_order = self.clock.now()
        self.clear_after_sale()

    iso = staticmethod(iso)

    # --- feeds --------------------------------------------------------------------------
    def new_document(self, content: bytes | None = None) -> dict[str, Any]:
        doc_id = f"amzn1.tortuga.4.na.{len(self.documents) + 1:06d}"
        doc = {"id": doc_id, "content": content, "expires": self.clock.now() + self.option("upload_ttl"),
               "secret": hashlib.sha256(f"{doc_id}{self.clock.now()}".encode()).hexdigest()[:16]}
        self.documents[doc_id] = doc
        return doc

    def _process(self, batch: simkit.Batch, at: float) -> list[dict[str, Any]]:
        seller, marketplace = self.option("seller_id"), self.option("marketplace_id")
        try:
            doc = json.loads(batch.items[0])
        except (ValueError, UnicodeDecodeError):
            doc = None
        whole = feed_problems(doc, seller) if doc is not None else ["the feed document is not JSON"]
        issues: list[dict[str, Any]] = []
        accepted = invalid = 0
        if whole:
            issues = [{"code": "4000001", "severity": "ERROR", "message": text} for text in whole]
            batch.extra["status"] = "FATAL"
        else:
            for n, message in enumerate(doc["messages"]):
                found = [{"messageId": message.get("messageId", n + 1), "sku": message.get("sku") or "-",
                          "code": "4000001", "severity": "ERROR", "message": t} for t in message_problems(message, n)]
                if not found:
                    found = self._apply(message, batch.id, batch.accepted_at, at, marketplace)
                issues += found
                if any(i["severity"] == "ERROR" for i in found):
                    invalid += 1
                else:
                    accepted += 1
            batch.extra["status"] = "DONE"
        report = {"header": {"sellerId": seller, "version": "2.0", "feedId": batch.id},
                  "issues": issues,
                  "summary": {"errors": sum(i["severity"] == "ERROR" for i in issues),
                              "warnings": sum(i["severity"] == "WARNING" for i in issues),
                              "messagesProcessed": accepted + invalid, "messagesAccepted": accepted,
                              "messagesInvalid": invalid}}
        report_doc = self.new_document(json.dumps(report).encode())
        report_doc["expires"] = float("inf")
        batch.extra["report"] = report_doc["id"]
        return issues

    def _apply(self, message: dict[str, Any], feed_id: str | None, accepted_at: float, at: float,
               marketplace: str) -> list[dict[str, Any]]:
        """Carry out one valid PATCH (the two offer attributes); the issues it raises."""
        sku, mid = message["sku"], message.get("messageId")
        listing = self.listings.get(sku)

        def issue(text, code="99022", attribute=None):
            out = {"messageId": mid, "sku": sku, "code": code, "severity": "ERROR", "message": text}
            return [{**out, "attributeName": attribute} if attribute else out]

        if message["operationType"] not in ("PATCH", "DELETE"):
            return issue(f"{message['operationType']} is not simulated; only PATCH and DELETE", "4000002")
        if listing is None:
            return issue(f"SKU '{sku}' is not a listing of this seller; create it first", "8541")
        if message["operationType"] == "DELETE":
            self.listings.remove(sku)
            self.listings.record(feed_id, "delete", sku, None, accepted_at, at)
            return []
        if listing.get("refuse"):
            return issue(listing["refuse"], "90220", "purchasable_offer")
        for patch in message["patches"]:
            problem = value_problems(patch, marketplace)
            if problem:
                return issue(problem, attribute=problem.split(":")[0])
        for patch in message["patches"]:
            value = patch["value"][0]
            if patch["path"] == "/attributes/fulfillment_availability":
                listing["quantity"] = value["quantity"]
                self.listings.record(feed_id, "stock", sku, value["quantity"], accepted_at, at)
            elif patch["path"] == "/attributes/purchasable_offer":
                amount = value["our_price"][0]["schedule"][0]["value_with_tax"]
                listing["price"] = amount
                self.listings.record(feed_id, "price", sku, amount, accepted_at, at)
        return []

    # --- orders -------------------------------------------------------------------------
    def place_order(self, lines: list[tuple[str, int]], shopper: int = 0, country: str | None = None,
                    age: float = 0.0) -> dict[str, Any]:
        """A paid (Unshipped) order; ``age`` seconds old, so that a window ending two minutes
        ago (Amazon's rule) holds it."""
        self.placed += 1
        n = self.placed
        country = country or ("TR" if self.option("marketplace_id") == "A33AVAJ2PDY3EV" else "US")
        order_id = f"{111 + n % 800:03d}-{(n * 7919) % 10**7:07d}-{(n * 104729) % 10**7:07d}"
        now = self.clock.epoch() - age
        person = simkit.person(shopper, abroad=country != "TR")
        items, total = [], 0.0
        for k, (sku, quantity) in enumerate(lines, start=1):
            listing = self.listings.get(sku) or {}
            price = float(listing.get("price") or 10.0)
            if listing:
                listing["quantity"] = max(0, int(listing.get("quantity") or 0) - quantity)
            total += price * quantity
            items.append({"OrderItemId": f"{n:08d}{k:06d}", "SellerSKU": sku, "ASIN": listing.get("asin", "B0SIM00000"),
                          "Title": listing.get("title", sku), "QuantityOrdered": quantity, "QuantityShipped": 0,
                          "ItemPrice": {"CurrencyCode": self.option("currency"), "Amount": f"{price * quantity:.2f}"}})
        order = {"AmazonOrderId": order_id, "PurchaseDate": iso(now), "LastUpdateDate": iso(now),
                 "OrderStatus": "Unshipped", "FulfillmentChannel": "MFN", "MarketplaceId": self.option("marketplace_id"),
                 "OrderTotal": {"CurrencyCode": self.option("currency"), "Amount": f"{total:.2f}"},
                 "NumberOfItemsShipped": 0, "NumberOfItemsUnshipped": sum(q for _, q in lines),
                 "ShippingAddress": self._address(person, country),
                 "BuyerInfo": {"BuyerEmail": person.email, "BuyerName": person.name},
                 "_updated": now, "_items": items, "_packages": []}
        self.orders[order_id] = order
        return self.public_order(order)

    @staticmethod
    def _address(person, country: str) -> dict[str, Any]:
        address = {"Name": person.name, "AddressLine1": person.line, "City": person.city, "PostalCode": person.postcode,
                   "CountryCode": country, "Phone": person.phone}
        if country == "TR":  # il, ilçe, mahalle [UNVERIFIED: how Amazon.com.tr fills County and District]
            return {**address, "County": person.district, "District": person.neighbourhood}
        return {**address, "StateOrRegion": person.district}

    @staticmethod
    def public_order(order: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in order.items() if not k.startswith("_")}

    def set_status(self, order_id: str, status: str, age: float = 0.0) -> dict[str, Any]:
        order = self.orders[order_id]
        order["OrderStatus"] = status
        order["_updated"] = self.clock.epoch() - age
        order["LastUpdateDate"] = iso(order["_updated"])
        return self.public_order(order)

    def tick(self, now: float) -> None:
        self.deliver_due(now)
        rate = self.option("order_rate")
        if not rate or now - self.last_order < 1.0 / rate:
            return
        self.last_order = now
        stocked = [l["sku"] for l in self.listings if int(l.get("quantity") or 0) > 0]
        if stocked:
            self.place_order(simkit.basket(self.placed, stocked), shopper=self.placed)


def _error(status: int, message: str, code: str = "InvalidInput", details: str = "") -> simkit.Answer:
    return simkit.Answer(status, {"errors": [{"code": code, "message": message, "details": details}]})


class SellingPartnerApi(after_sale.AfterSaleApi, simkit.Api):
    too_many_requests = "You exceeded your quota for the requested resource."
    routes = (
        simkit.route("POST", r"/auth/o2/token", "token", group="lwa"),
        simkit.route("PUT", r"/_uploads/(?P<doc>[^/]+)", "upload", group="s3"),
        simkit.route("GET", r"/_uploads/(?P<doc>[^/]+)", "download", group="s3"),
        simkit.route("GET", r"/listings/2021-08-01/items/(?P<seller>[^/]+)/(?P<sku>[^/]+)", "getListingsItem"),
        simkit.route("PATCH", r"/listings/2021-08-01/items/(?P<seller>[^/]+)/(?P<sku>[^/]+)", "patchListingsItem"),
        simkit.route("PUT", r"/listings/2021-08-01/items/(?P<seller>[^/]+)/(?P<sku>[^/]+)", "putListingsItem"),
        simkit.route("GET", r"/definitions/2020-09-01/productTypes", "searchDefinitionsProductTypes"),
        simkit.route("GET", r"/definitions/2020-09-01/productTypes/(?P<pt>[^/]+)", "getDefinitionsProductType"),
        simkit.route("GET", r"/_schemas/(?P<pt>[^/]+)", "schema", group="s3"),
        simkit.route("POST", r"/feeds/2021-06-30/documents", "createFeedDocument"),
        simkit.route("GET", r"/feeds/2021-06-30/documents/(?P<doc>[^/]+)", "getFeedDocument"),
        simkit.route("POST", r"/feeds/2021-06-30/feeds", "createFeed"),
        simkit.route("GET", r"/feeds/2021-06-30/feeds/(?P<feed>[^/]+)", "getFeed"),
        simkit.route("GET", r"/orders/v0/orders", "getOrders"),
        simkit.route("GET", r"/orders/v0/orders/(?P<order>[^/]+)", "getOrder"),
        simkit.route("GET", r"/orders/v0/orders/(?P<order>[^/]+)/orderItems", "getOrderItems"),
        simkit.route("POST", r"/orders/v0/orders/(?P<order>[^/]+)/shipmentConfirmation", "confirmShipment"),
        simkit.route("DELETE", r"/listings/2021-08-01/items/(?P<seller>[^/]+)/(?P<sku>[^/]+)", "deleteListingsItem"),
        simkit.route("GET", r"/listings/2021-08-01/items/(?P<seller>[^/]+)", "searchListingsItems"),
        *after_sale.ROUTES,
    )
    parse_iso = staticmethod(parse_iso)

    def error(self, status, message, request, *, key=None, headers=None):
        code = {429: "QuotaExceeded", 403: "Unauthorized", 404: "NotFound"}.get(status, key or "InvalidInput")
        answer = _error(status, message, code)
        answer.headers.update(headers or {})
        return answer

    def check_caller(self, request):
        if request.route.group:
            return None
        token = request.headers.get("x-amz-access-token")
        with self.state.current():
            expires = self.state.tokens.get(token or "")
            now = self.state.clock.now()
        if expires is None:
            return _error(403, "Access to requested resource is denied.", "Unauthorized",
                          "The access token you provided is revoked, malformed or invalid.")
        if expires <= now:
            return _error(403, "Access to requested resource is denied.", "Unauthorized",
                          "The access token you provided has expired.")
        return None

    def rate_window(self, request):
        budget = BUDGETS.get(request.route.name)
        if budget is None or not request.options["rate_limits"]:
            return None
        return simkit.RateWindow(request.route.name, budget.burst, budget.burst / budget.rate)

    def rate_headers(self, limit, remaining, reset):
        return {"x-amzn-RateLimit-Limit": str(limit)}

    def _body(self, request) -> Any:
        return simkit.json_body(request.body, simkit.Refusal(400, "The request body is not valid JSON", "InvalidInput"))

    # --- LWA ------------------------------------------------------------------------------
    def on_token(self, request):
        form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
        options = request.options
        if form.get("grant_type") != "refresh_token":
            return simkit.Answer(400, {"error": "unsupported_grant_type", "error_description": "grant_type"})
        if form.get("client_id") != options["client_id"] or form.get("client_secret") != options["client_secret"]:
            return simkit.Answer(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
        if form.get("refresh_token") != options["refresh_token"]:
            return simkit.Answer(400, {"error": "invalid_grant", "error_description": "The request has an invalid "
                                       "grant parameter : refresh_token"})
        with self.state.current():
            token = "Atza|" + base64.urlsafe_b64encode(hashlib.sha256(
                f"{len(self.state.tokens)}{self.state.clock.now()}".encode()).digest()).decode()[:40]
            self.state.tokens[token] = self.state.clock.now() + options["token_ttl"]
        return simkit.Answer(200, {"access_token": token, "token_type": "bearer", "expires_in": int(options["token_ttl"]),
                                   "refresh_token": options["refresh_token"]})

    # --- pre-signed documents ---------------------------------------------------------------
    def _document(self, request) -> dict[str, Any]:
        doc = self.state.documents.get(request.params["doc"])
        if doc is None or request.arg("sig") != doc["secret"]:
            raise simkit.Refusal(403, "SignatureDoesNotMatch", "AccessDenied")
        if doc["expires"] <= self.state.clock.now():
            raise simkit.Refusal(403, "Request has expired", "AccessDenied")
        return doc

    def on_upload(self, request):
        with self.state.current():
            self._document(request)["content"] = request.body
        return simkit.Answer(200, {})

    def on_download(self, request):
        with self.state.current():
            return simkit.Answer(200, self._document(request)["content"])

    def _url(self, request, doc) -> str:
        host = request.headers.get("host", "127.0.0.1")
        return f"http://{host}/_uploads/{doc['id']}?sig={doc['secret']}"

    # --- feeds ------------------------------------------------------------------------------
    def on_createFeedDocument(self, request):
        body = self._body(request)
        if not isinstance(body, dict) or not isinstance(body.get("contentType"), str):
            raise simkit.Refusal(400, "contentType is required", "InvalidInput")
        with self.state.current():
            doc = self.state.new_document()
            return simkit.Answer(201, {"feedDocumentId": doc["id"], "url": self._url(request, doc)})

    def on_getFeedDocument(self, request):
        with self.state.current():
            doc = self.state.documents.get(request.params["doc"])
            if doc is None or doc["content"] is None:
                raise simkit.Refusal(404, f"feed document {request.params['doc']} not found")
            doc["expires"] = self.state.clock.now() + request.options["upload_ttl"]
            return simkit.Answer(200, {"feedDocumentId": doc["id"], "url": self._url(request, doc)})

    def on_createFeed(self, request):
        body = self._body(request)
        if not isinstance(body, dict) or not all(k in body for k in ("feedType", "marketplaceIds",
                                                                     "inputFeedDocumentId")):
            raise simkit.Refusal(400, "feedType, marketplaceIds and inputFeedDocumentId are required")
        if body["feedType"] != FEED_TYPE:
            raise simkit.Refusal(400, f"feedType {body['feedType']} is not accepted: XML and flat-file listings "
                                 f"feeds are retired, use {FEED_TYPE}")
        if body["marketplaceIds"] != [request.options["marketplace_id"]]:
            raise simkit.Refusal(400, f"marketplaceIds {body['marketplaceIds']} is not this seller's marketplace")
        with self.state.current():
            doc = self.state.documents.get(body["inputFeedDocumentId"])
            if doc is None or doc["content"] is None:
                raise simkit.Refusal(400, f"inputFeedDocumentId {body['inputFeedDocumentId']} has no uploaded content")
            batch = self.state.feeds.accept("feed", request.options["seller_id"], [doc["content"]],
                                            request.options["processing_delay"])
        return simkit.Answer(202, {"feedId": batch.id})

    def on_getFeed(self, request):
        with self.state.current():
            batch = self.state.feeds.get(request.params["feed"])
            if batch is None:
                raise simkit.Refusal(404, f"feed {request.params['feed']} not found")
            answer = {"feedId": batch.id, "feedType": FEED_TYPE, "marketplaceIds": [request.options["marketplace_id"]],
                      "createdTime": iso(batch.accepted_at), "processingStatus": "IN_QUEUE"}
            if batch.processed:
                answer.update(processingStatus=batch.extra["status"], processingEndTime=iso(batch.processed_at),
                              resultFeedDocumentId=batch.extra["report"])
        return simkit.Answer(200, answer)

    # --- listings -----------------------------------------------------------------------------
    def _seller(self, request) -> None:
        if request.params["seller"] != request.options["seller_id"]:
            raise simkit.Refusal(403, f"sellerId {request.params['seller']} is not the caller's", "Unauthorized")
        if request.arg("marketplaceIds") != request.options["marketplace_id"]:
            raise simkit.Refusal(400, "marketplaceIds is required and must be the seller's marketplace")

    def on_getListingsItem(self, request):
        self._seller(request)
        with self.state.current():
            listing = self.state.listings.get(request.params["sku"])
            if listing is None:
                raise simkit.Refusal(404, f"SKU '{request.params['sku']}' not found", "NotFound")
            return simkit.Answer(200, self.sim.listing_item(listing))

    def on_patchListingsItem(self, request):
        self._seller(request)
        body = self._body(request)
        problems = ([] if isinstance(body, dict) and isinstance(body.get("productType"), str)
                    else ["productType: a string is required"])
        problems += patch_problems(body.get("patches") if isinstance(body, dict) else None, "")
        if problems:
            raise simkit.Refusal(400, "; ".join(problems))
        message = {"messageId": 1, "sku": request.params["sku"], "operationType": "PATCH", **body}
        with self.state.current():
            issues = self.state._apply(message, None, self.state.clock.epoch(), self.state.clock.epoch(),
                                       request.options["marketplace_id"])
        return simkit.Answer(200, {"sku": request.params["sku"], "status": "INVALID" if issues else "ACCEPTED",
                                   "submissionId": hashlib.sha1(request.body).hexdigest()[:24],
                                   "issues": [{"code": i["code"], "message": i["message"], "severity": "ERROR",
                                               "attributeNames": [i["attributeName"]] if i.get("attributeName")
                                               else []} for i in issues]})

    def on_deleteListingsItem(self, request):
        self._seller(request)
        sku = request.params["sku"]
        with self.state.current():
            if self.state.listings.get(sku) is None:
                raise simkit.Refusal(404, f"SKU '{sku}' not found", "NotFound")
            self.state.listings.remove(sku)
            now = self.state.clock.epoch()
            self.state.listings.record(None, "delete", sku, None, now, now)
        return simkit.Answer(200, {"sku": sku, "status": "ACCEPTED", "submissionId": hashlib.sha1(
            f"delete{sku}{now}".encode()).hexdigest()[:24], "issues": []})

    def on_searchListingsItems(self, request):
        self._seller(request)
        size = int(request.arg("pageSize") or 10)
        if not 1 <= size <= 20:
            raise simkit.Refusal(400, "pageSize must be 1..20")
        try:
            offset = int(base64.urlsafe_b64decode((request.arg("pageToken") or "MA==").encode()))
        except ValueError:
            raise simkit.Refusal(400, "Invalid pageToken") from None
        with self.state.current():
            rows = sorted(self.state.listings, key=lambda r: r["sku"])
            items = [self.sim.listing_item(r) for r in rows[offset:offset + size]]
        answer: dict[str, Any] = {"numberOfResults": len(rows), "items": items}
        if offset + size < len(rows):
            answer["pagination"] = {"nextToken": base64.urlsafe_b64encode(str(offset + size).encode()).decode()}
        return simkit.Answer(200, answer)

    def on_putListingsItem(self, request):
        self._seller(request)
        body = self._body(request)
        if not isinstance(body, dict) or not isinstance(body.get("productType"), str) or not isinstance(
                body.get("attributes"), dict):
            raise simkit.Refusal(400, "productType (a string) and attributes (an object) are required")
        if body.get("requirements", "LISTING") not in ("LISTING", "LISTING_PRODUCT_ONLY", "LISTING_OFFER_ONLY"):
            raise simkit.Refusal(400, "requirements must be LISTING, LISTING_PRODUCT_ONLY or LISTING_OFFER_ONLY")
        product_type = PRODUCT_TYPES.get(body["productType"])
        issues = put_problems(body, product_type["schema"]) if product_type else [
            {"code": "4000003", "severity": "ERROR", "message": f"productType {body['productType']} is not known",
             "attributeNames": []}]
        sku, preview = request.params["sku"], request.arg("mode") == "VALIDATION_PREVIEW"
        with self.state.current():
            refusal = (self.state.listings.get(sku) or {}).get("refuse") or self.state.refusals.get(sku)
        if refusal and not issues:
            issues = [{"code": "90220", "severity": "ERROR", "message": refusal, "attributeNames": []}]
        if not issues and not preview:
            attributes = body["attributes"]
            quantity = ((attributes.get("fulfillment_availability") or [{}])[0]).get("quantity", 0)
            try:
                price = attributes["purchasable_offer"][0]["our_price"][0]["schedule"][0]["value_with_tax"]
            except (KeyError, IndexError, TypeError):
                price = 0.0
            name = ((attributes.get("item_name") or [{}])[0]).get("value", sku)
            self.sim.put_listing(sku, quantity=int(quantity or 0), price=price, product_type=body["productType"],
                                 title=name)
            with self.state.current():
                self.state.listings[sku]["attributes"] = attributes
                self.state.listings[sku]["approved_at"] = self.state.clock.now() + request.options["approval_delay"]
        status = "INVALID" if issues else ("VALID" if preview else "ACCEPTED")
        return simkit.Answer(200, {"sku": sku, "status": status, "issues": issues,
                                   "submissionId": hashlib.sha1(request.body).hexdigest()[:24]})

    def on_searchDefinitionsProductTypes(self, request):
        words = (request.arg("keywords") or "").lower().replace(",", " ").split()
        found = [{"name": name, "displayName": pt["displayName"], "marketplaceIds": [request.options["marketplace_id"]]}
                 for name, pt in PRODUCT_TYPES.items()
                 if not words or any(w in name.lower() or w in pt["displayName"].lower() for w in words)]
        return simkit.Answer(200, {"productTypes": found, "productTypeVersion": "LATEST"})

    def on_getDefinitionsProductType(self, request):
        name = request.params["pt"]
        if name not in PRODUCT_TYPES:
            raise simkit.Refusal(404, f"product type {name} not found", "NotFound")
        host = request.headers.get("host", "127.0.0.1")
        return simkit.Answer(200, {
            "metaSchema": {"link": {"resource": f"http://{host}/_schemas/meta", "verb": "GET"}, "checksum": "-"},
            "schema": {"link": {"resource": f"http://{host}/_schemas/{name}", "verb": "GET"}, "checksum": "-"},
            "requirements": request.arg("requirements") or "LISTING", "requirementsEnforced": "ENFORCED",
            "propertyGroups": {}, "locale": request.arg("locale") or "en_US",
            "marketplaceIds": [request.options["marketplace_id"]], "productType": name,
            "displayName": PRODUCT_TYPES[name]["displayName"],
            "productTypeVersion": {"version": "LATEST", "latest": True}})

    def on_schema(self, request):
        product_type = PRODUCT_TYPES.get(request.params["pt"])
        if product_type is None:
            raise simkit.Refusal(404, "NoSuchKey")
        return simkit.Answer(200, product_type["schema"])

    # --- orders ---------------------------------------------------------------------------------
    def on_getOrders(self, request):
        token = request.arg("NextToken")
        if token:
            try:
                query = json.loads(base64.urlsafe_b64decode(token.encode()))
            except ValueError:
                raise simkit.Refusal(400, "Invalid NextToken") from None
        else:
            query = self._order_query(request)
        if not request.arg("MarketplaceIds"):
            raise simkit.Refusal(400, "MarketplaceIds is required")
        with self.state.current():
            found = sorted((o for o in self.state.orders.values()
                            if int(query["after"]) <= int(o["_updated"]) <= query["before"]
                            and (not query["statuses"] or o["OrderStatus"] in query["statuses"])),
                           key=lambda o: (o["_updated"], o["AmazonOrderId"]))
            page = found[query["offset"]:query["offset"] + query["size"]]
            payload: dict[str, Any] = {"Orders": [self.state.public_order(o) for o in page],
                                       "LastUpdatedBefore": iso(query["before"])}
        if query["offset"] + query["size"] < len(found):
            payload["NextToken"] = base64.urlsafe_b64encode(json.dumps(
                {**query, "offset": query["offset"] + query["size"]}).encode()).decode()
        return simkit.Answer(200, {"payload": payload})

    def _order_query(self, request) -> dict[str, Any]:
        created, updated = request.arg("CreatedAfter"), request.arg("LastUpdatedAfter")
        if bool(created) == bool(updated):
            raise simkit.Refusal(400, "Exactly one of CreatedAfter and LastUpdatedAfter must be given"
                                 if created else "CreatedAfter or LastUpdatedAfter is required")
        if created:
            raise simkit.Refusal(400, "The simulator lists orders by LastUpdatedAfter only")
        if request.arg("CreatedBefore"):
            raise simkit.Refusal(400, "CreatedBefore cannot be given with LastUpdatedAfter")
        window = self._window(request, "LastUpdatedAfter", "LastUpdatedBefore")
        statuses = [s for s in (request.arg("OrderStatuses") or "").split(",") if s]
        size = int(request.arg("MaxResultsPerPage") or 100)
        if not 1 <= size <= 100:
            raise simkit.Refusal(400, "MaxResultsPerPage must be 1..100")
        return {**window, "statuses": statuses, "size": size, "offset": 0}

    def _window(self, request, after_name: str, before_name: str) -> dict[str, float]:
        """The update-time window; its end at least two minutes before the request (both APIs)."""
        with self.state.current():
            latest = self.state.clock.epoch() - request.options["settle_seconds"]
        after = parse_iso(request.arg(after_name), after_name)
        before = parse_iso(request.arg(before_name), before_name) if request.arg(before_name) else latest
        if before > latest + 1:
            raise simkit.Refusal(400, f"{before_name} must be at least two minutes before the request time")
        if before < after:
            raise simkit.Refusal(400, f"{before_name} must be after {after_name}")
        return {"after": after, "before": before}

    def _order(self, request) -> dict[str, Any]:
        order = self.state.orders.get(request.params["order"])
        if order is None:
            raise simkit.Refusal(404, f"order {request.params['order']} not found", "NotFound")
        return order

    def on_getOrder(self, request):
        with self.state.current():
            return simkit.Answer(200, {"payload": self.state.public_order(self._order(request))})

    def on_getOrderItems(self, request):
        with self.state.current():
            order = self._order(request)
            return simkit.Answer(200, {"payload": {"AmazonOrderId": order["AmazonOrderId"],
                                                   "OrderItems": [dict(i) for i in order["_items"]]}})

    def on_confirmShipment(self, request):
        body = self._body(request)
        detail = body.get("packageDetail") if isinstance(body, dict) else None
        required = ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate", "orderItems")
        if not isinstance(detail, dict) or body.get("marketplaceId") != request.options["marketplace_id"] or any(
                not detail.get(k) for k in required):
            raise simkit.Refusal(400, "marketplaceId and packageDetail (packageReferenceId, carrierCode, "
                                 "trackingNumber, shipDate, orderItems) are required")
        with self.state.current():
            order = self._order(request)
            if order["OrderStatus"] not in ("Unshipped", "PartiallyShipped"):
                raise simkit.Refusal(400, f"order {order['AmazonOrderId']} is {order['OrderStatus']}; only "
                                     "Unshipped or PartiallyShipped orders take shipments")
            if any(p["packageReferenceId"] == detail["packageReferenceId"] for p in order["_packages"]):
                return simkit.Answer(204, None)  # the same package again
            items = {i["OrderItemId"]: i for i in order["_items"]}
            for line in detail["orderItems"]:
                item = items.get(line.get("orderItemId"))
                if item is None or not 1 <= int(line.get("quantity") or 0) <= item["QuantityOrdered"] - item[
                        "QuantityShipped"]:
                    raise simkit.Refusal(400, f"orderItemId {line.get('orderItemId')}: unknown or more than is left "
                                         "to ship")
            for line in detail["orderItems"]:
                items[line["orderItemId"]]["QuantityShipped"] += int(line["quantity"])
            order["_packages"].append({**detail, "status": "SHIPPED", "_at": self.state.clock.now()})
            done = all(i["QuantityShipped"] >= i["QuantityOrdered"] for i in order["_items"])
            self.state.set_status(order["AmazonOrderId"], "Shipped" if done else "PartiallyShipped")
        return simkit.Answer(204, None)


class Control(simkit.ControlApi):
    owner_option = "seller_id"
    routes = (*simkit.ControlApi.routes, simkit.control("POST", r"listings", "seed"),
              simkit.control("POST", r"orders", "place"))

    def seed(self, call):
        rows = call.payload if isinstance(call.payload, list) else [call.payload]
        return simkit.Answer(200, {"listings": [self.sim.put_listing(**row) for row in rows]})

    def place(self, call):
        body = call.body
        return simkit.Answer(200, self.sim.place_order([tuple(x) for x in body["lines"]], body.get("shopper", 0),
                                                       body.get("country"), float(body.get("age", 0))))


class AmazonSimulator(simkit.Simulator):
    label, state_class, api_classes, control_class = "Amazon SP-API simulator", AmazonState, (SellingPartnerApi,), Control
    secret_options = ("client_secret", "refresh_token")

    def error(self, status, message, path, key=None):
        return _error(status, message, key or "InvalidInput")

    # --- public methods (tests, the demo, the contract driver) --------------------------------
    def adapter_config(self) -> dict[str, Any]:
        o = self.options
        region = "EU" if o["marketplace_id"] == "A33AVAJ2PDY3EV" else "NA"
        return {"region": region, "base_url": self.url, "token_url": f"{self.url}/auth/o2/token",
                "client_id": o["client_id"], "client_secret": o["client_secret"], "refresh_token": o["refresh_token"],
                "seller_id": o["seller_id"], "marketplace_id": o["marketplace_id"]}

    def put_listing(self, sku: str, quantity: int = 0, price: float = 10.0, product_type: str = "PRODUCT",
                    title: str = "", refuse: str = "", **_: Any) -> dict[str, Any]:
        with self.state.current():
            row = {"sku": sku, "quantity": int(quantity), "price": price, "productType": product_type,
                   "created_at": self.state.clock.epoch(),
                   "title": title or sku, "asin": "B0" + hashlib.sha1(sku.encode()).hexdigest()[:8].upper(),
                   "refuse": refuse}
            self.state.listings.put(sku, row)
            return dict(row)

    def refuse(self, sku: str, message: str) -> None:
        """The SKU's next patches and puts get ``message`` as an ERROR issue (listed or not yet)."""
        with self.state.current():
            if sku in self.state.listings:
                self.state.listings[sku]["refuse"] = message
            else:
                self.state.refusals[sku] = message

    def listing(self, sku):
        with self.state.current():
            row = self.state.listings.get(sku)
            return dict(row) if row else None

    def listings(self):
        with self.state.current():
            return [dict(r) for r in self.state.listings]

    def history(self, sku=None, start=0):
        with self.state.current():
            return self.state.listings.history(sku, start)

    def listing_item(self, row: dict[str, Any]) -> dict[str, Any]:
        o = self.options
        approved = row.get("approved_at") is None or row["approved_at"] <= self.state.clock.now()
        status = [] if not approved else ["BUYABLE", "DISCOVERABLE"] if row["quantity"] > 0 else ["DISCOVERABLE"]
        created = iso(row.get("created_at") or self.state.clock.epoch())
        return {"sku": row["sku"], "summaries": [{"marketplaceId": o["marketplace_id"], "asin": row["asin"],
                                                  "productType": row["productType"], "status": status,
                                                  "itemName": row["title"], "conditionType": "new_new",
                                                  "createdDate": created, "lastUpdatedDate": created}],
                "offers": [{"marketplaceId": o["marketplace_id"], "offerType": "B2C",
                            "price": {"currencyCode": o["currency"], "amount": str(row["price"])}}],
                "fulfillmentAvailability": [{"fulfillmentChannelCode": "DEFAULT", "quantity": row["quantity"]}],
                "issues": []}

    def place_order(self, lines, shopper: int = 0, country: str | None = None, age: float = 0.0) -> dict[str, Any]:
        with self.state.current():
            return self.state.place_order(list(lines), shopper, country, age)

    def order(self, order_id: str) -> dict[str, Any] | None:
        with self.state.current():
            order = self.state.orders.get(order_id)
            return None if order is None else {**self.state.public_order(order), "packages": list(order["_packages"]),
                                               "items": [dict(i) for i in order["_items"]]}

    def cancel_order(self, order_id: str, age: float = 0.0) -> dict[str, Any]:
        with self.state.current():
            return self.state.set_status(order_id, "Canceled", age)

    def deliver(self, order_id: str, age: float = 0.0) -> dict[str, Any]:
        """The carrier delivers the order's packages (Orders 2026-01-01 shows them DELIVERED)."""
        with self.state.current():
            return self.state.deliver(order_id, age)

    def open_return(self, order_id: str, sku: str, quantity: int = 1, reason: str = "CR-UNWANTED_ITEM",
                    status: str = "Approved", age: float = 0.0) -> str:
        """The buyer asks to return ``quantity`` of ``sku``; the return's RMA id."""
        with self.state.current():
            return self.state.open_return(order_id, sku, quantity, reason, status, age)

    def expire_tokens(self) -> None:
        with self.state.current():
            for token in self.state.tokens:
                self.state.tokens[token] = self.state.clock.now() - 1


serve = simkit.serve_factory(AmazonSimulator)


def main(argv=None):
    return simkit.run_main(argv, serve=lambda *a, **k: serve(*a, **k), prog="python -m mpdash.marketplaces.amazon.simulator",
                           description="Local Amazon SP-API simulator", port=8771,
                           flags=(("--latency", float, "seconds added to every answer"),),
                           banner=lambda s: [s.url, f"token endpoint: {s.url}/auth/o2/token"])

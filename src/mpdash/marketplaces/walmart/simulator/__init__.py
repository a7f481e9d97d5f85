"""A local Walmart Marketplace API on the simulator toolkit.

Serves ``POST /v3/token`` (client credentials, Basic), feeds (inventory, price, MP_ITEM as
multipart files, processed after ``processing_delay`` with a per-item ingestionStatus), items
(taxonomy, Get Spec, list with nextCursor, one item, retire), PUT inventory and price, purchase
orders (lastModified window with nextCursor, acknowledge, ship per line, cancel) and returns
(list, refund). Every answer carries X-Current-Token-Count / X-Next-Replenishment-Time, a spent
operation answers 429, and it refuses what Walmart refuses: a call without WM_SVC.NAME,
WM_QOS.CORRELATION_ID or Authorization, an unknown or expired WM_SEC.ACCESS_TOKEN, a feed of 10 MB
or more (or over 10,000 items), with Walmart's error body ``{"errors": [{code, field, description,
info, severity, category}]}``.

``python -m mpdash.marketplaces.walmart.simulator --port 8772``
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlencode

from mpdash.marketplaces import simkit

from ..config import BUDGETS, CANCEL_REASONS, CARRIERS, FEED_LIMITS, METHOD_CODES
from .state import SPEC, TAXONOMY, WalmartState, ms, units

PO = r"/v3/orders/(?P<po>[^/]+)"


def wm_error(status: int, message: str, code: str | None = None, field: str = "", headers=None) -> simkit.Answer:
    category = "SYSTEM" if status >= 500 else "REQUEST" if status in (401, 403, 404, 429) else "DATA"
    return simkit.Answer(status, {"errors": [{"code": code or f"HTTP_{status}", "field": field or "request",
                                              "description": message, "info": message, "severity": "ERROR",
                                              "category": category}]}, headers or {})


def _cursor(query: dict[str, Any]) -> str:
    return "?" + urlencode(query)


class WalmartApi(simkit.Api):
    too_many_requests = "Too many requests: the operation's tokens are spent until the next replenishment"
    routes = (
        simkit.route("POST", r"/v3/token", "token", group="token"),
        simkit.route("POST", r"/v3/feeds", "feed"),
        simkit.route("GET", r"/v3/feeds/(?P<feed>[^/]+)", "getFeedItemStatus"),
        simkit.route("GET", r"/v3/items/taxonomy", "getTaxonomyResponse"),
        simkit.route("POST", r"/v3/items/spec", "getSpec"),
        simkit.route("GET", r"/v3/items", "getAllItems"),
        simkit.route("GET", r"/v3/items/(?P<sku>[^/]+)", "getAnItem"),
        simkit.route("DELETE", r"/v3/items/(?P<sku>[^/]+)", "retireAnItem"),
        simkit.route("PUT", r"/v3/inventory", "updateInventoryForAnItem"),
        simkit.route("PUT", r"/v3/price", "updatePrice"),
        simkit.route("GET", r"/v3/orders", "getAllOrders"),
        simkit.route("GET", PO, "getAnOrder"),
        simkit.route("POST", PO + "/acknowledge", "acknowledgeOrders"),
        simkit.route("POST", PO + "/shipping", "shippingUpdates"),
        simkit.route("POST", PO + "/cancel", "cancelOrderLines"),
        simkit.route("GET", r"/v3/returns", "getReturns"),
        simkit.route("POST", r"/v3/returns/(?P<ret>[^/]+)/refund", "issueRefund"),
    )

    def error(self, status, message, request, *, key=None, headers=None):
        return wm_error(status, message, key, headers=headers)

    def check_caller(self, request):
        headers = request.headers
        for name in ("WM_SVC.NAME", "WM_QOS.CORRELATION_ID"):
            if not (headers.get(name) or "").strip():
                return wm_error(400, f"{name} header is required", "INVALID_REQUEST_HEADER.GMP_GATEWAY_API", name)
        user, password = simkit.basic_credentials(headers.get("Authorization"))
        options = request.options
        if (user, password) != (options["client_id"], options["client_secret"]):
            return wm_error(401, "Authorization: Basic base64(clientId:clientSecret) is missing or wrong",
                            "UNAUTHORIZED.GMP_GATEWAY_API", "Authorization")
        if request.route.group == "token":
            return None
        with self.state.current():
            expires = self.state.tokens.get(headers.get("WM_SEC.ACCESS_TOKEN") or "")
            now = self.state.clock.now()
        if expires is None or expires <= now:
            return wm_error(401, "Unauthorized token or token is expired" if expires else "WM_SEC.ACCESS_TOKEN is "
                            "missing or unknown", "UNAUTHORIZED.GMP_GATEWAY_API", "WM_SEC.ACCESS_TOKEN")
        return None

    def rate_window(self, request):
        if not request.options["rate_limits"]:
            return None
        name = request.route.name
        if name == "feed":
            name = f"feed:{request.arg('feedType')}"
            calls, seconds = FEED_LIMITS.get(request.arg("feedType") or "", (10, 3600.0))
        elif name in BUDGETS:
            calls, seconds = BUDGETS[name]
        else:
            return None
        return simkit.RateWindow(name, calls, seconds)

    def _replenish(self, seconds: float) -> str:
        with self.state.current():
            return str(ms(self.state.clock.epoch() + seconds))

    def rate_headers(self, limit, remaining, reset):
        return {"X-Current-Token-Count": str(max(0, remaining)), "X-Next-Replenishment-Time": self._replenish(reset)}

    def fault_headers(self, request):
        return {"X-Current-Token-Count": "0", "X-Next-Replenishment-Time": self._replenish(0.2)}

    def _body(self, request) -> Any:
        body = simkit.json_body(request.body, simkit.Refusal(400, "The request body is not valid JSON",
                                                             "INVALID_REQUEST_CONTENT"))
        if not isinstance(body, dict):
            raise simkit.Refusal(400, "A JSON object is required", "INVALID_REQUEST_CONTENT")
        return body

    # --- token ----------------------------------------------------------------------------------
    def on_token(self, request):
        form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "client_credentials":
            return wm_error(400, "grant_type must be client_credentials", "INVALID_REQUEST_PARAM", "grant_type")
        with self.state.current():
            token = self.state.new_token()
        return simkit.Answer(200, {"access_token": token, "token_type": "Bearer",
                                   "expires_in": int(request.options["token_ttl"])})

    # --- feeds ----------------------------------------------------------------------------------
    def on_feed(self, request):
        feed_type = request.arg("feedType")
        if feed_type not in ("inventory", "price", "MP_ITEM"):
            raise simkit.Refusal(400, f"feedType {feed_type!r} is not simulated (inventory, price, MP_ITEM)",
                                 "INVALID_REQUEST_PARAM")
        parts = simkit.multipart_parts(request.headers.get("Content-Type", ""), request.body) or []
        file = next((p for p in parts if p.name == "file"), None)
        if file is None:
            raise simkit.Refusal(400, "multipart/form-data with a part named file is required",
                                 "INVALID_REQUEST_CONTENT")
        with self.state.current():
            batch = self.state.accept_feed(feed_type, file.payload)
        return simkit.Answer(200, {"feedId": batch.id})

    def on_getFeedItemStatus(self, request):
        try:
            offset, limit = int(request.arg("offset") or 0), int(request.arg("limit") or 50)
        except ValueError:
            raise simkit.Refusal(400, "offset and limit must be whole numbers", "INVALID_REQUEST_PARAM") from None
        with self.state.current():
            batch = self.state.feeds.get(request.params["feed"])
            if batch is None:
                raise simkit.Refusal(404, f"feed {request.params['feed']} not found", "CONTENT_NOT_FOUND")
            return simkit.Answer(200, self.state.feed_answer(batch, request.arg("includeDetails") == "true",
                                                             offset, min(limit, 1000)))

    # --- items ----------------------------------------------------------------------------------
    def on_getTaxonomyResponse(self, request):
        return simkit.Answer(200, {"status": "SUCCESS", "payload": TAXONOMY})

    def on_getSpec(self, request):
        body = self._body(request)
        if body.get("feedType") != "MP_ITEM" or not body.get("version"):
            raise simkit.Refusal(400, "feedType MP_ITEM and a version are required", "INVALID_REQUEST_CONTENT")
        types = [t for t in body.get("productTypes") or [] if t in SPEC]
        return simkit.Answer(200, {"schema": {"properties": {"MPItem": {"type": "array", "items": {
            "properties": {"Visible": {"properties": {t: SPEC[t] for t in types}}}}}}}})

    def on_getAllItems(self, request):
        cursor, limit = request.arg("nextCursor") or "*", int(request.arg("limit") or 20)
        try:
            offset = 0 if cursor == "*" else int(base64.urlsafe_b64decode(cursor.encode()).decode())
        except ValueError:
            raise simkit.Refusal(400, "nextCursor is not a cursor of this listing", "INVALID_REQUEST_PARAM") from None
        with self.state.current():
            rows = self.state.items.values()
            page = [self.state.wire_item(r) for r in rows[offset:offset + limit]]
        answer: dict[str, Any] = {"ItemResponse": page, "totalItems": len(rows)}
        if offset + limit < len(rows):
            answer["nextCursor"] = base64.urlsafe_b64encode(str(offset + limit).encode()).decode()
        return simkit.Answer(200, answer)

    def _item(self, request) -> dict[str, Any]:
        row = self.state.items.get(request.params["sku"])
        if row is None:
            raise simkit.Refusal(404, f"Item not found for sku {request.params['sku']}",
                                 "CONTENT_NOT_FOUND.GMP_ITEM_QUERY_API")
        return row

    def on_getAnItem(self, request):
        if request.arg("productIdType") != "SKU":
            raise simkit.Refusal(400, "productIdType is required (this simulator finds items by SKU)",
                                 "INVALID_REQUEST_PARAM")
        with self.state.current():
            return simkit.Answer(200, {"ItemResponse": [self.state.wire_item(self._item(request))], "totalItems": 1})

    def on_retireAnItem(self, request):
        with self.state.current():
            row = self._item(request)
            row["lifecycle"], row["quantity"] = "RETIRED", 0
        return simkit.Answer(200, {"sku": row["sku"], "message": "Thank you. Your item has been submitted for "
                                   "retirement from Walmart Catalog."})

    def on_updateInventoryForAnItem(self, request):
        body = self._body(request)
        if body.get("sku") != request.arg("sku"):
            raise simkit.Refusal(400, "the sku query parameter and the body's sku must be the same",
                                 "INVALID_REQUEST_PARAM")
        with self.state.current():
            now = self.state.clock.epoch()
            problem = self.state.set_quantity(body, None, now, now)
        if problem:
            raise simkit.Refusal(404 if "not an item" in problem else 400, problem, "INVALID_REQUEST_CONTENT")
        return simkit.Answer(200, {"sku": body["sku"], "quantity": body["quantity"]})

    def on_updatePrice(self, request):
        body = self._body(request)
        with self.state.current():
            now = self.state.clock.epoch()
            problem = self.state.set_price(body, None, now, now)
        if problem:
            raise simkit.Refusal(404 if "not an item" in problem else 400, problem, "INVALID_REQUEST_CONTENT")
        return simkit.Answer(200, {"statusCode": 200, "mart": "WALMART_US", "sku": body["sku"],
                                   "message": "Thank you. Your price has been updated."})

    # --- orders ---------------------------------------------------------------------------------
    def _window(self, request, start: str, end: str) -> tuple[float, float]:
        def epoch(name: str) -> float:
            try:
                return datetime.fromisoformat(str(request.arg(name)).replace("Z", "+00:00")).timestamp()
            except ValueError:
                raise simkit.Refusal(400, f"{name} must be yyyy-MM-ddTHH:mm:ssZ", "INVALID_REQUEST_PARAM") from None

        if not request.arg(start):
            raise simkit.Refusal(400, f"{start} is required by this simulator", "INVALID_REQUEST_PARAM")
        return epoch(start), epoch(end) if request.arg(end) else float("inf")

    def _page(self, request, rows: list[dict[str, Any]], start: str, end: str) -> tuple[list, dict[str, Any]]:
        limit = int(request.arg("limit") or 100)
        if not 1 <= limit <= 200:
            raise simkit.Refusal(400, "limit cannot be larger than 200", "INVALID_REQUEST_PARAM")
        lo, hi = self._window(request, start, end)
        found = sorted((r for r in rows if lo <= int(r["_updated"]) <= hi),
                       key=lambda r: (r["_updated"], r.get("purchaseOrderId") or r.get("returnOrderId")))
        offset = int(request.arg("soIndex") or 0)
        meta: dict[str, Any] = {"totalCount": len(found), "limit": limit}
        if offset + limit < len(found):
            meta["nextCursor"] = _cursor({"limit": limit, "hasMoreElements": "true", "soIndex": offset + limit,
                                          start: request.arg(start), **({end: request.arg(end)} if request.arg(end)
                                                                        else {})})
        return found[offset:offset + limit], meta

    def on_getAllOrders(self, request):
        with self.state.current():
            page, meta = self._page(request, list(self.state.orders.values()), "lastModifiedStartDate",
                                    "lastModifiedEndDate")
            return simkit.Answer(200, {"list": {"meta": meta, "elements": {"order": [self.state.public(o)
                                                                                     for o in page]}}})

    def on_getAnOrder(self, request):
        with self.state.current():
            return simkit.Answer(200, {"order": self.state.public(self.state.order(request.params["po"]))})

    def on_acknowledgeOrders(self, request):
        with self.state.current():
            order = self.state.order(request.params["po"])
            self.state.acknowledge(order)
            return simkit.Answer(200, {"order": self.state.public(order)})

    def _lines(self, body: dict[str, Any], wrapper: str) -> list[dict[str, Any]]:
        try:
            lines = body[wrapper]["orderLines"]["orderLine"]
            assert isinstance(lines, list) and lines
        except (KeyError, TypeError, AssertionError):
            raise simkit.Refusal(400, f"{wrapper}.orderLines.orderLine is required", "INVALID_REQUEST_CONTENT") from None
        for line in lines:
            statuses = (line.get("orderLineStatuses") or {}).get("orderLineStatus")
            if not line.get("lineNumber") or not isinstance(statuses, list) or not statuses:
                raise simkit.Refusal(400, "every orderLine needs lineNumber and orderLineStatuses.orderLineStatus",
                                     "INVALID_REQUEST_CONTENT")
        return lines

    def on_shippingUpdates(self, request):
        lines = self._lines(self._body(request), "orderShipment")
        with self.state.current():
            order = self.state.order(request.params["po"])
            by_number = {x["lineNumber"]: x for x in order["orderLines"]["orderLine"]}
            for line in lines:
                if not line.get("sellerOrderId"):
                    raise simkit.Refusal(400, "sellerOrderId is required", "INVALID_REQUEST_CONTENT")
                if units(by_number.get(line["lineNumber"]) or {"orderLineStatuses": {"orderLineStatus": []}},
                         "Created"):
                    raise simkit.Refusal(400, f"line {line['lineNumber']} is not acknowledged; acknowledge the "
                                         "order first", "INVALID_REQUEST_CONTENT.GMP_ORDER_API")
                for status in line["orderLineStatuses"]["orderLineStatus"]:
                    tracking = status.get("trackingInfo") or {}
                    carrier = tracking.get("carrierName") or {}
                    if status.get("status") != "Shipped" or not tracking.get("trackingNumber") or not isinstance(
                            tracking.get("shipDateTime"), int) or tracking.get("methodCode") not in METHOD_CODES or not (
                            carrier.get("carrier") in CARRIERS or carrier.get("otherCarrier")):
                        raise simkit.Refusal(400, "status Shipped with trackingInfo (shipDateTime, carrierName, "
                                             "methodCode, trackingNumber) is required", "INVALID_REQUEST_CONTENT")
                    self.state.move(order, line["lineNumber"], int(status["statusQuantity"]["amount"]), "Shipped",
                                    trackingInfo=tracking)
            return simkit.Answer(200, {"order": self.state.public(order)})

    def on_cancelOrderLines(self, request):
        lines = self._lines(self._body(request), "orderCancellation")
        with self.state.current():
            order = self.state.order(request.params["po"])
            for line in lines:
                for status in line["orderLineStatuses"]["orderLineStatus"]:
                    if status.get("status") != "Cancelled" or status.get("cancellationReason") not in CANCEL_REASONS:
                        raise simkit.Refusal(400, f"status Cancelled and a cancellationReason of {', '.join(CANCEL_REASONS)}"
                                             " are required", "INVALID_REQUEST_CONTENT")
                    self.state.move(order, line["lineNumber"], int(status["statusQuantity"]["amount"]), "Cancelled",
                                    cancellationReason=status["cancellationReason"])
            return simkit.Answer(200, {"order": self.state.public(order)})

    # --- returns --------------------------------------------------------------------------------
    def on_getReturns(self, request):
        with self.state.current():
            page, meta = self._page(request, list(self.state.returns.values()), "returnLastModifiedStartDate",
                                    "returnLastModifiedEndDate")
            meta.setdefault("nextCursor", "")
            return simkit.Answer(200, {"meta": meta, "returnOrders": [self.state.public(r) for r in page]})

    def on_issueRefund(self, request):
        body = self._body(request)
        with self.state.current():
            ret = self.state.returns.get(request.params["ret"])
            if ret is None:
                raise simkit.Refusal(404, f"return order {request.params['ret']} not found", "CONTENT_NOT_FOUND")
            if body.get("customerOrderId") != ret["customerOrderId"] or not body.get("refundLines"):
                raise simkit.Refusal(400, "customerOrderId of the return and refundLines are required",
                                     "INVALID_REQUEST_CONTENT")
            numbers = {int(x.get("returnOrderLineNumber", 0)) for x in body["refundLines"]}
            for line in ret["returnOrderLines"]:
                if line["returnOrderLineNumber"] in numbers:
                    line.update(refundedQty=line["quantity"]["measurementValue"], status="COMPLETED",
                                currentRefundStatus="REFUND_COMPLETED")
            ret["_updated"] = self.state.clock.epoch()
        return simkit.Answer(200, {"returnOrderId": ret["returnOrderId"], "customerOrderId": ret["customerOrderId"],
                                   "refundLines": [{"returnOrderLineNumber": n} for n in sorted(numbers)]})


class Control(simkit.ControlApi):
    item, items, owner_option = "item", "items", "client_id"
    routes = (*simkit.ControlApi.routes, simkit.control("POST", r"listings", "seed"),
              simkit.control("POST", r"orders", "place"))

    def seed(self, call):
        rows = call.payload if isinstance(call.payload, list) else [call.payload]
        return simkit.Answer(200, {"listings": [self.sim.put_item(**row) for row in rows]})

    def place(self, call):
        body = call.body
        return simkit.Answer(200, self.sim.place_order([tuple(x) for x in body["lines"]], body.get("shopper", 0)))


class WalmartSimulator(simkit.Simulator):
    label, state_class, api_classes, control_class = "Walmart Marketplace simulator", WalmartState, (WalmartApi,), Control
    secret_options = ("client_secret",)

    def error(self, status, message, path, *, key=None):
        return wm_error(status, message, key)

    def adapter_config(self) -> dict[str, Any]:
        return {"base_url": self.url, "client_id": self.options["client_id"],
                "client_secret": self.options["client_secret"], "service_name": "Walmart Marketplace"}

    def _do(self, name: str, *args, **kw):
        with self.state.current():
            return getattr(self.state, name)(*args, **kw)

    def put_item(self, sku: str, quantity: int = 0, price: float = 10.0, **kw) -> dict[str, Any]:
        kw.pop("refuse", None)
        return dict(self._do("put_item", sku, quantity, price, **kw))

    def item(self, sku: str) -> dict[str, Any] | None:
        with self.state.current():
            row = self.state.items.get(sku)
            return None if row is None else {**self.state.wire_item(row), **row}

    def items(self) -> list[dict[str, Any]]:
        with self.state.current():
            return [{**self.state.wire_item(row), **row} for row in self.state.items]

    def history(self, sku=None, start=0):
        with self.state.current():
            return self.state.items.history(sku, start)

    def refuse(self, sku: str, message: str) -> None:
        with self.state.current():
            self.state.refusals[sku] = message

    def place_order(self, lines, shopper: int = 0) -> dict[str, Any]:
        return self._do("place_order", list(lines), shopper)

    def order(self, po: str) -> dict[str, Any]:
        with self.state.current():
            return json.loads(json.dumps(self.state.public(self.state.order(po))))

    def customer_cancel(self, po: str, sku: str) -> None:
        self._do("customer_cancel", po, sku)

    def deliver(self, po: str) -> None:
        self._do("deliver", po)

    def open_return(self, po: str, sku: str, quantity: int = 1) -> dict[str, Any]:
        return self._do("open_return", po, sku, quantity)

    def return_order(self, return_id: str) -> dict[str, Any]:
        with self.state.current():
            return json.loads(json.dumps(self.state.public(self.state.returns[return_id])))

    def expire_tokens(self) -> None:
        with self.state.current():
            for token in self.state.tokens:
                self.state.tokens[token] = self.state.clock.now() - 1


serve = simkit.serve_factory(WalmartSimulator)


def main(argv=None):
    return simkit.run_main(argv, serve=lambda *a, **k: serve(*a, **k), prog="python -m mpdash.marketplaces.walmart.simulator",
                           description="Local Walmart Marketplace API simulator", port=8772,
                           flags=(("--latency", float, "seconds added to every answer"),),
                           banner=lambda s: [s.url, f"token endpoint: {s.url}/v3/token"])

"""What the simulator says after an order is read: Orders 2026-01-01 (searchOrders, with the
packages' states, delivered included) and the Reports API's flat-file returns report
(createReport, getReports, getReport, getReportDocument), processed after ``processing_delay``.

A report with no rows ends CANCELLED, as Amazon's does. The report's columns are those of
Seller Central's returns report table [UNVERIFIED: not in the shared specs].
"""

from __future__ import annotations

import base64
import json
from typing import Any

from mpdash.marketplaces import simkit

from ..config import RETURNS_REPORT

V0_TO_2026 = {"PendingAvailability": "PENDING_AVAILABILITY", "Pending": "PENDING", "Unshipped": "UNSHIPPED",
              "PartiallyShipped": "PARTIALLY_SHIPPED", "Shipped": "SHIPPED", "InvoiceUnconfirmed": "SHIPPED",
              "Canceled": "CANCELLED", "Unfulfillable": "UNFULFILLABLE"}
RETURN_COLUMNS = ("Order ID", "Order date", "Return request date", "Return request status", "Amazon RMA ID",
                  "Merchant RMA ID", "Label type", "Currency code", "Return carrier", "Tracking ID", "ASIN",
                  "Merchant SKU", "Item Name", "Return quantity", "Return reason", "In policy", "Return type",
                  "Resolution", "Order Amount", "Order quantity")

ROUTES = (
    simkit.route("GET", r"/orders/2026-01-01/orders", "searchOrders"),
    simkit.route("POST", r"/reports/2021-06-30/reports", "createReport"),
    simkit.route("GET", r"/reports/2021-06-30/reports", "getReports"),
    simkit.route("GET", r"/reports/2021-06-30/reports/(?P<report>[^/]+)", "getReport"),
    simkit.route("GET", r"/reports/2021-06-30/documents/(?P<doc>[^/]+)", "getReportDocument"),
)


def _token(query: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(query).encode()).decode()


def _untoken(token: str) -> dict[str, Any]:
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        raise simkit.Refusal(400, "Invalid paginationToken") from None


class AfterSaleState:
    """Mixed into the simulator's state: returns and the report queue."""

    def clear_after_sale(self) -> None:
        self.returns: list[dict[str, Any]] = []
        self.delivered = 0
        self.reports = simkit.BatchQueue(self.timeline, "report", self._prepare_report)

    def order_2026(self, order: dict[str, Any]) -> dict[str, Any]:
        """One order as Orders 2026-01-01 shows it with every dataset asked for."""
        address = order["ShippingAddress"]
        return {
            "orderId": order["AmazonOrderId"], "createdTime": order["PurchaseDate"],
            "lastUpdatedTime": order["LastUpdateDate"],
            "salesChannel": {"channelName": "AMAZON", "marketplaceId": order["MarketplaceId"]},
            "buyer": {"buyerName": order["BuyerInfo"]["BuyerName"], "buyerEmail": order["BuyerInfo"]["BuyerEmail"]},
            "recipient": {"deliveryAddress": {
                "name": address["Name"], "addressLine1": address["AddressLine1"], "city": address["City"],
                "districtOrCounty": address.get("County", ""), "stateOrRegion": address.get("StateOrRegion", ""),
                "postalCode": address["PostalCode"], "countryCode": address["CountryCode"], "phone": address["Phone"]}},
            "proceeds": {"grandTotal": {"amount": order["OrderTotal"]["Amount"],
                                        "currencyCode": order["OrderTotal"]["CurrencyCode"]}},
            "fulfillment": {"fulfillmentStatus": V0_TO_2026[order["OrderStatus"]], "fulfilledBy": "MERCHANT"},
            "orderItems": [{"orderItemId": i["OrderItemId"], "quantityOrdered": i["QuantityOrdered"], "product": {
                "asin": i["ASIN"], "title": i["Title"], "sellerSku": i["SellerSKU"], "price": {"unitPrice": {
                    "amount": f"{float(i['ItemPrice']['Amount']) / i['QuantityOrdered']:.2f}",
                    "currencyCode": i["ItemPrice"]["CurrencyCode"]}}},
                "fulfillment": {"quantityFulfilled": i["QuantityShipped"],
                                "quantityUnfulfilled": i["QuantityOrdered"] - i["QuantityShipped"]}}
                for i in order["_items"]],
            "packages": [{"packageReferenceId": p["packageReferenceId"], "packageStatus": {"status": p["status"]},
                          "carrier": p["carrierCode"], "trackingNumber": p["trackingNumber"], "shipTime": p["shipDate"],
                          "packageItems": p["orderItems"]} for p in order["_packages"]],
        }

    def deliver(self, order_id: str, age: float = 0.0) -> dict[str, Any]:
        """The carrier delivers every package of the order (the order's update time moves)."""
        order = self.orders[order_id]
        for package in order["_packages"]:
            package["status"] = "DELIVERED"
        order["_updated"] = self.clock.epoch() - age
        order["LastUpdateDate"] = self.iso(order["_updated"])
        return self.order_2026(order)

    def deliver_due(self, now: float) -> None:
        """The carrier's deliveries (``delivery_delay``), and the returns that follow (``return_every``)."""
        delay, every = self.option("delivery_delay"), int(self.option("return_every"))
        if not delay:
            return
        for order in list(self.orders.values()):
            packages = order["_packages"]
            if (order["OrderStatus"] == "Shipped" and packages and any(p["status"] != "DELIVERED" for p in packages)
                    and max(p["_at"] for p in packages) + delay <= now):
                self.deliver(order["AmazonOrderId"])
                self.delivered += 1
                if every and self.delivered % every == 0:
                    self.open_return(order["AmazonOrderId"], order["_items"][0]["SellerSKU"])

    def open_return(self, order_id: str, sku: str, quantity: int = 1, reason: str = "CR-UNWANTED_ITEM",
                    status: str = "Approved", age: float = 0.0) -> str:
        order = self.orders[order_id]
        item = next(i for i in order["_items"] if i["SellerSKU"] == sku)
        rma = f"D{len(self.returns) + 1:04d}RMA{order_id[-4:]}"
        self.returns.append({"order": order, "item": item, "quantity": quantity, "reason": reason, "status": status,
                             "rma": rma, "requested": self.clock.epoch() - age})
        return rma

    def _prepare_report(self, batch: simkit.Batch, at: float) -> list[Any]:
        start, end = batch.extra["start"], batch.extra["end"]
        rows = [r for r in self.returns if start <= int(r["requested"]) <= end]
        if not rows:
            batch.extra["status"] = "CANCELLED"  # Amazon cancels a report that has no data
            return []
        lines = ["\t".join(RETURN_COLUMNS)]
        for r in rows:
            order, item = r["order"], r["item"]
            values = {"Order ID": order["AmazonOrderId"], "Order date": order["PurchaseDate"],
                      "Return request date": self.iso(r["requested"]), "Return request status": r["status"],
                      "Amazon RMA ID": r["rma"], "Label type": "AmazonUnPaidLabel", "Currency code":
                      item["ItemPrice"]["CurrencyCode"], "ASIN": item["ASIN"], "Merchant SKU": item["SellerSKU"],
                      "Item Name": item["Title"], "Return quantity": str(r["quantity"]), "Return reason": r["reason"],
                      "In policy": "Y", "Return type": "C-Returns", "Resolution": "StandardRefund",
                      "Order Amount": item["ItemPrice"]["Amount"], "Order quantity": str(item["QuantityOrdered"])}
            lines.append("\t".join(values.get(c, "") for c in RETURN_COLUMNS))
        document = self.new_document(("\n".join(lines) + "\n").encode("utf-8"))
        document["expires"] = float("inf")
        batch.extra.update(status="DONE", document=document["id"])
        return rows


class AfterSaleApi:
    """Mixed into the simulator's API: the endpoints of :data:`ROUTES`."""

    def on_searchOrders(self, request):
        token = request.arg("paginationToken")
        query = _untoken(token) if token else self._order_query_2026(request)
        with self.state.current():
            found = sorted((o for o in self.state.orders.values()
                            if int(query["after"]) <= int(o["_updated"]) <= query["before"]
                            and (not query["statuses"] or V0_TO_2026[o["OrderStatus"]] in query["statuses"])),
                           key=lambda o: (o["_updated"], o["AmazonOrderId"]))
            page = [self.state.order_2026(o) for o in found[query["offset"]:query["offset"] + query["size"]]]
        answer: dict[str, Any] = {"orders": page, "lastUpdatedBefore": self.state.iso(query["before"])}
        if query["offset"] + query["size"] < len(found):
            answer["pagination"] = {"nextToken": _token({**query, "offset": query["offset"] + query["size"]})}
        return simkit.Answer(200, answer)

    def _order_query_2026(self, request) -> dict[str, Any]:
        if request.arg("createdAfter") or request.arg("createdBefore"):
            raise simkit.Refusal(400, "The simulator lists orders by lastUpdatedAfter only; createdAfter and "
                                 "createdBefore cannot be given with it")
        if not request.arg("lastUpdatedAfter") or not request.arg("marketplaceIds"):
            raise simkit.Refusal(400, "lastUpdatedAfter and marketplaceIds are required")
        statuses = [s for s in (request.arg("fulfillmentStatuses") or "").split(",") if s]
        unknown = sorted(set(statuses) - set(V0_TO_2026.values()))
        if unknown:
            raise simkit.Refusal(400, f"fulfillmentStatuses: {', '.join(unknown)} is not a FulfillmentStatus")
        query = self._window(request, "lastUpdatedAfter", "lastUpdatedBefore")
        size = int(request.arg("maxResultsPerPage") or 100)
        if not 1 <= size <= 100:
            raise simkit.Refusal(400, "maxResultsPerPage must be 1..100")
        return {**query, "statuses": statuses, "size": size, "offset": 0}

    # --- reports ------------------------------------------------------------------------
    def _report(self, batch) -> dict[str, Any]:
        answer = {"reportId": batch.id, "reportType": RETURNS_REPORT, "marketplaceIds": [batch.extra["marketplace"]],
                  "dataStartTime": self.state.iso(batch.extra["start"]), "dataEndTime": self.state.iso(batch.extra["end"]),
                  "createdTime": self.state.iso(batch.accepted_at), "processingStatus": "IN_QUEUE"}
        if batch.processed:
            answer.update(processingStatus=batch.extra["status"], processingEndTime=self.state.iso(batch.processed_at))
            if batch.extra.get("document"):
                answer["reportDocumentId"] = batch.extra["document"]
        return answer

    def on_createReport(self, request):
        body = self._body(request)
        if not isinstance(body, dict) or not body.get("reportType") or not isinstance(body.get("marketplaceIds"), list):
            raise simkit.Refusal(400, "reportType and marketplaceIds are required")
        if body["reportType"] != RETURNS_REPORT:
            raise simkit.Refusal(400, f"the simulator prepares {RETURNS_REPORT} only, not {body['reportType']}")
        if body["marketplaceIds"] != [request.options["marketplace_id"]]:
            raise simkit.Refusal(400, f"marketplaceIds {body['marketplaceIds']} is not this seller's marketplace")
        with self.state.current():
            now = self.state.clock.epoch()
        start = self.parse_iso(body.get("dataStartTime") or self.state.iso(now - 30 * 86400), "dataStartTime")
        end = self.parse_iso(body.get("dataEndTime") or self.state.iso(now), "dataEndTime")
        if end < start:
            raise simkit.Refusal(400, "dataEndTime must be after dataStartTime")
        with self.state.current():
            batch = self.state.reports.accept("report", request.options["seller_id"], [], request.options[
                "processing_delay"], start=start, end=end, marketplace=request.options["marketplace_id"])
        return simkit.Answer(202, {"reportId": batch.id})

    def on_getReports(self, request):
        if request.arg("reportTypes") != RETURNS_REPORT:
            raise simkit.Refusal(400, f"reportTypes is required (the simulator keeps {RETURNS_REPORT} only)")
        since = self.parse_iso(request.arg("createdSince"), "createdSince") if request.arg("createdSince") else 0.0
        statuses = [s for s in (request.arg("processingStatuses") or "").split(",") if s]
        with self.state.current():
            found = [self._report(b) for b in self.state.reports._batches.values() if b.accepted_at >= since]
        return simkit.Answer(200, {"reports": [r for r in found if not statuses or r["processingStatus"] in statuses]})

    def on_getReport(self, request):
        with self.state.current():
            batch = self.state.reports.get(request.params["report"])
            if batch is None:
                raise simkit.Refusal(404, f"report {request.params['report']} not found", "NotFound")
            return simkit.Answer(200, self._report(batch))

    def on_getReportDocument(self, request):
        with self.state.current():
            doc = self.state.documents.get(request.params["doc"])
            if doc is None or doc["content"] is None:
                raise simkit.Refusal(404, f"report document {request.params['doc']} not found", "NotFound")
            doc["expires"] = self.state.clock.now() + request.options["upload_ttl"]
            return simkit.Answer(200, {"reportDocumentId": doc["id"], "url": self._url(request, doc)})

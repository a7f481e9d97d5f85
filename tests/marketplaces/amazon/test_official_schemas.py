"""Every body the adapter sends and every processing report the simulator returns, checked
against Amazon's own models and JSON Schemas (``<repo>/../shared/specs/amazon/``); the specs'
examples go through the adapter's parsers. Skipped, saying why, when the specs are absent."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import jsonschema
import pytest

from mpdash.marketplaces.amazon.models import OrderItemsPage, OrdersPage, ProcessingReport
from mpdash.marketplaces.base import OrderUpdate, PriceRecord, StockRecord

from .conftest import spec


def definition(model: str, name: str):
    """A validator of one definition of a Swagger 2.0 model (its $refs resolved within the file)."""
    document = spec(model)
    schema = {"$ref": f"#/definitions/{name}", "definitions": document["definitions"]}
    return jsonschema.Draft7Validator(schema)


def check(validator, instance) -> None:
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


@pytest.fixture
def recorded(sim, adapter_for):
    """An adapter whose every JSON request body and every uploaded feed is kept, by path."""
    adapter = adapter_for(sim)
    bodies: list[tuple[str, str, dict]] = []
    uploads: list[dict] = []

    def keep(request):
        if request.content and request.headers.get("content-type", "").startswith("application/json"):
            bodies.append((request.method, request.url.path, json.loads(request.content)))

    adapter.client._client.event_hooks["request"] = [keep]
    upload = adapter.client.upload
    adapter.client.upload = lambda url, content: (uploads.append(json.loads(content)), upload(url, content))[1]
    return adapter, bodies, uploads


def wait(adapter, kind, submission):
    for _ in range(100):
        status = adapter.poll(kind, submission.remote_id, list(submission.sent))
        if status.done:
            return status
        time.sleep(0.1)
    raise AssertionError("feed not processed")


def test_feeds_patches_and_feed_calls_match_the_official_schemas(sim, recorded):
    adapter, bodies, uploads = recorded
    for n in range(9):
        sim.put_listing(f"S{n}", quantity=1)
    sim.refuse("S4", "'[batteries_required]' is required but not supplied.")
    adapter.send_stock([StockRecord("S0", 3), StockRecord("S1", 0)])  # patches
    adapter.send_prices([PriceRecord("S2", Decimal("12.34"))])
    stock = adapter.send_stock([StockRecord(f"S{n}", n) for n in range(9)])  # a feed
    prices = adapter.send_prices([PriceRecord(f"S{n}", Decimal("9.99") + n) for n in range(9)])
    wait(adapter, "productstock", stock), wait(adapter, "productprice", prices)

    feed, message = jsonschema.Draft7Validator(spec("listings-feed-schema-v2.json")), \
        jsonschema.Draft7Validator(spec("listings-feed-message-schema-v2.json"))
    assert len(uploads) == 2
    for document in uploads:
        check(feed, document)
        for item in document["messages"]:
            check(message, item)
    patch = definition("listingsItems_2021-08-01.json", "ListingsItemPatchRequest")
    create_doc = definition("feeds_2021-06-30.json", "CreateFeedDocumentSpecification")
    create_feed = definition("feeds_2021-06-30.json", "CreateFeedSpecification")
    kinds = {"PATCH": patch, "/feeds/2021-06-30/documents": create_doc, "/feeds/2021-06-30/feeds": create_feed}
    checked = 0
    for method, path, body in bodies:
        validator = kinds.get(method) or kinds.get(path)
        assert validator is not None, f"no schema picked for {method} {path}"
        check(validator, body)
        checked += 1
    assert checked == 3 + 2 * 2  # three patches, two (document, feed) pairs
    with pytest.raises(AssertionError, match="patches"):  # the check itself can fail
        check(patch, {"productType": "PRODUCT", "patches": []})


def test_every_processing_report_matches_the_report_schema(sim, recorded):
    adapter, _, _ = recorded
    report_schema = jsonschema.Draft7Validator(spec("listings-feed-processing-report-schema-v2.json"))
    for n in range(8):
        sim.put_listing(f"R{n}", quantity=1)
    sim.refuse("R2", "'[supplier_declared_dg_hz_regulation]' is required but not supplied.")
    good = adapter.send_stock([StockRecord(f"R{n}", 4) for n in range(8)] + [StockRecord("UNKNOWN", 1)])
    wait(adapter, "productstock", good)
    # A feed refused whole (wrong seller) has a report too.
    document = adapter.client.create_feed_document()
    adapter.client.upload(document.url, json.dumps({"header": {"sellerId": "X", "version": "2.0"},
                                                    "messages": [{"messageId": 1, "sku": "R1",
                                                                  "operationType": "DELETE"}]}).encode())
    fatal = adapter.client.create_feed(document.feed_document_id)
    for _ in range(100):
        if adapter.client.get_feed(fatal).processing_status == "FATAL":
            break
        time.sleep(0.1)
    reports = []
    for feed_id in (good.remote_id, fatal):
        answer = adapter.client.get_feed(feed_id)
        reports.append(adapter.client.feed_report(answer.result_feed_document_id))
    for report in reports:
        check(report_schema, report)
    assert reports[0]["summary"]["messagesInvalid"] == 2 and reports[1]["issues"][0].get("messageId") is None


def test_confirm_shipment_body_matches_orders_v0(sim, recorded):
    adapter, bodies, _ = recorded
    sim.put_listing("C", quantity=5)
    sim.place_order([("C", 2)])
    order = adapter.list_orders(datetime.now(UTC) - timedelta(hours=1), datetime.now(UTC) + timedelta(minutes=1)).items[0]
    assert adapter.send_order_update(OrderUpdate(order.package_id, "shipped", [(order.lines[0].line_id, 2)],
                                                 cargo_company="DHL", tracking_number="JD0001")).ok
    (_, _, body), = [b for b in bodies if b[1].endswith("/shipmentConfirmation")]
    check(definition("ordersV0.json", "ConfirmShipmentRequest"), body)


def test_the_specs_own_examples_go_through_the_parsers(adapter_for, sim):
    feed_example = spec("listings-feed-schema-v2.example.json")
    check(jsonschema.Draft7Validator(spec("listings-feed-schema-v2.json")), feed_example)
    report_example = spec("listings-feed-processing-report-schema-v2.example.json")
    ProcessingReport.model_validate(report_example)
    adapter = adapter_for(sim)
    skus = sorted({i["sku"] for i in report_example["issues"]})
    by_message = {i["messageId"]: i["sku"] for i in report_example["issues"]}
    order = [by_message.get(n, f"ok-{n}") for n in range(1, max(by_message) + 1)]
    results = {r.sku: r for r in adapter.report_results(report_example, order)}
    assert all(not results[s].ok for s in skus) and "batteries_required" in results["My-SKU-B"].message
    orders = spec("ordersV0.json")["paths"]
    for path, model in (("/orders/v0/orders", OrdersPage), ("/orders/v0/orders/{orderId}/orderItems", OrderItemsPage)):
        static = orders[path]["get"]["responses"]["200"]["x-amzn-api-sandbox"]["static"]
        for case in static:
            parsed = model.model_validate(case["response"])
            if model is OrdersPage and parsed.payload.orders:
                adapter.client.get_order_items = lambda oid, token=None: OrderItemsPage.model_validate(
                    orders["/orders/v0/orders/{orderId}/orderItems"]["get"]["responses"]["200"]
                    ["x-amzn-api-sandbox"]["static"][0]["response"])
                remote = adapter.remote_order(parsed.payload.orders[0])
                assert remote.package_id == parsed.payload.orders[0].order_id and remote.lines

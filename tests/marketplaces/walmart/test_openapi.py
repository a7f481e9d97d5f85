"""Every request the adapter makes and every answer the simulator gives, held against Walmart's
own OpenAPI documents (``<repo>/../shared/specs/walmart/``): path and method, required headers
and query parameters, query values, the JSON body's schema, the feed files against the
documents' feed examples, and each answer against the operation's documented schema (error
answers against the documented error item). The documents' examples go through the adapter's
parsers. Skipped, saying why, when the documents are absent (the runtime never reads them)."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs

import httpx
import jsonschema
import pytest

from mpdash.marketplaces.base import AttributeChoice, OrderUpdate, PriceRecord, ProductRecord, StockRecord
from mpdash.marketplaces.walmart.adapter import WalmartAdapter
from mpdash.marketplaces.walmart.models import FeedStatus, ItemsPage, OrdersAnswer, PurchaseOrder, ReturnsPage

from .conftest import Recorder, documents, settle

# Query parameters of the simulator's own order cursor (Walmart's nextCursor carries its own
# such keys, sent back as they are); not operation parameters.
CURSOR_KEYS = {"hasMoreElements", "soIndex"}
# Operations the adapter uses that are newer than the documents (checked by the simulator only).
UNDOCUMENTED = {("POST", "/v3/items/spec")}


def _schema(doc: dict, schema: dict) -> dict:
    return {**schema, "components": doc["components"]}


def _resolve(doc: dict, node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        target = doc
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


class Documents:
    def __init__(self, docs: dict[str, dict]):
        self.docs = docs
        self.operations = []  # (method, regex, literal segments, doc, template, operation)
        for doc in docs.values():
            for template, item in doc["paths"].items():
                pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")
                literal = sum(1 for part in template.split("/") if part and not part.startswith("{"))
                for method, op in item.items():
                    if isinstance(op, dict) and "responses" in op:
                        self.operations.append((method.upper(), pattern, literal, doc, template, op))
        feeds = docs["feeds"]["paths"]["/v3/feeds/{feedId}"]["get"]["responses"]["200"]["content"]["application/json"]
        errors = _resolve(docs["feeds"], _resolve(docs["feeds"], feeds["schema"])["properties"]["errors"])
        listing = docs["orders"]["paths"]["/v3/orders"]["get"]["responses"]["200"]["content"]["application/json"]
        order = _resolve(docs["orders"], listing["schema"])
        for key in ("list", "elements", "order"):
            order = _resolve(docs["orders"], _resolve(docs["orders"], order)["properties"][key])
        self.order_item = jsonschema.Draft7Validator(_schema(docs["orders"], _resolve(docs["orders"], order["items"])))
        self.error_body = jsonschema.Draft7Validator(_schema(docs["feeds"], {
            "type": "object", "required": ["errors"], "properties": {"errors": errors}}))

    def find(self, method: str, path: str, query: dict[str, str]):
        found = [o for o in self.operations if o[0] == method and o[1].match(path)]
        if len(found) > 1 and "feedType" in query:  # POST /v3/feeds: the document whose feedType enum has it
            found = [o for o in found if query["feedType"] in self._enum(o[3], o[5], "feedType")] or found
        found.sort(key=lambda o: -o[2])
        return found[0] if found else None

    @staticmethod
    def _params(doc: dict, op: dict) -> list[dict]:
        return [_resolve(doc, p) for p in op.get("parameters", [])]

    def _enum(self, doc, op, name) -> list:
        for p in self._params(doc, op):
            if p["name"] == name:
                return _resolve(doc, p.get("schema", {})).get("enum") or []
        return []

    def request_problems(self, request) -> list[str]:
        method, path = request.method, request.url.path
        query = _query(request)
        found = self.find(method, path, query)
        if found is None:
            return [] if (method, path) in UNDOCUMENTED else [f"{method} {path}: no such operation in the documents"]
        _, _, _, doc, template, op = found
        where, problems = f"{method} {template}", []
        params = self._params(doc, op)
        for p in params:
            if p["in"] == "header" and p.get("required") and not request.headers.get(p["name"]):
                problems.append(f"{where}: required header {p['name']} missing")
            if p["in"] == "query":
                if p["name"] in query:
                    schema = _resolve(doc, p.get("schema", {}))
                    for e in jsonschema.Draft7Validator(_schema(doc, schema)).iter_errors(query[p["name"]]):
                        problems.append(f"{where}: query {p['name']}={query[p['name']]!r}: {e.message}")
                elif p.get("required"):
                    problems.append(f"{where}: required query parameter {p['name']} missing")
        known = {p["name"] for p in params if p["in"] == "query"} | CURSOR_KEYS
        problems += [f"{where}: query parameter {k} is not documented" for k in query if k not in known]
        body = _resolve(doc, op.get("requestBody") or {})
        content_type = request.headers.get("content-type", "").split(";")[0]
        if body.get("required") and not request.content:
            problems.append(f"{where}: the body is required")
        if request.content and content_type == "application/json":
            schema = (body.get("content") or {}).get("application/json", {}).get("schema")
            if schema is None:
                problems.append(f"{where}: a JSON body is not documented")
            else:
                for e in jsonschema.Draft7Validator(_schema(doc, schema)).iter_errors(json.loads(request.content)):
                    problems.append(f"{where}: body {list(e.path)}: {e.message}")
        if content_type == "multipart/form-data":
            problems += self.feed_problems(where, doc, body, request)
        return problems

    def feed_problems(self, where, doc, body, request) -> list[str]:
        """The file part of a feed: present, and its keys those of the documents' JSON examples."""
        match = re.search(rb'name="file"[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n(.*?)\r\n--', request.content, re.S)
        if not match:
            return [f"{where}: multipart body without the required part 'file'"]
        document = json.loads(match.group(1))
        examples = [e.get("value") for e in body["content"]["multipart/form-data"].get("examples", {}).values()
                    if isinstance(e.get("value"), dict)]
        if not examples:
            return []
        best = min((_extra_keys(document, e, "") for e in examples), key=len)
        return [f"{where}: feed file key {k} is in none of the documents' examples" for k in best]

    def answer_problems(self, request, response) -> list[str]:
        method, path = request.method, request.url.path
        found = self.find(method, path, _query(request))
        if found is None:
            return []
        _, _, _, doc, template, op = found
        data = json.loads(response.content) if response.content else None
        if response.status_code >= 400:
            return [f"{method} {template} {response.status_code}: {e.message}"
                    for e in self.error_body.iter_errors(data)]
        if (method, template) == ("GET", "/v3/orders/{purchaseOrderId}"):
            # The document contradicts itself: its schema is a bare order with orderDate as a
            # date-time text, its example (like getAllOrders' schema) {"order": {...}} with
            # orderDate in epoch ms. The simulator answers like the example; the order inside
            # is held against getAllOrders' order schema.
            return [f"{method} {template} answer order{list(e.path)}: {e.message}"
                    for e in self.order_item.iter_errors((data or {}).get("order"))]
        answer = op["responses"].get(str(response.status_code))
        content = (_resolve(doc, answer or {}).get("content") or {}).get("application/json")
        if content is None:
            return [f"{method} {template}: answer {response.status_code} is not documented"]
        schema = content.get("schema")
        return [f"{method} {template} answer {list(e.path)}: {e.message}"
                for e in jsonschema.Draft7Validator(_schema(doc, schema)).iter_errors(data)] if schema else []


def _query(request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.url.query.decode(), keep_blank_values=True).items()}


def _extra_keys(sent, example, where: str) -> list[str]:
    """Keys of ``sent`` that the example does not have at the same place (lists: the first item;
    below a category name of MPItem.Visible the attributes are the spec's, not the example's)."""
    if isinstance(sent, list) and isinstance(example, list):
        return [k for item in sent[:3] for k in _extra_keys(item, example[0], where + "[]")] if example else []
    if not (isinstance(sent, dict) and isinstance(example, dict)):
        return []
    if where.endswith(".Visible"):
        return []
    out = []
    for key, value in sent.items():
        if key not in example:
            out.append(f"{where}.{key}".lstrip("."))
        else:
            out += _extra_keys(value, example[key], f"{where}.{key}")
    return out



def drive(sim, adapter):
    """Every call the adapter makes, once or more, against the simulator (errors included)."""
    for n in range(8):
        sim.put_item(f"S{n}", quantity=1, price=5)
    adapter.send_stock([StockRecord("S0", 3), StockRecord("NOPE", 1)])  # PUT /v3/inventory, one refused
    adapter.send_prices([PriceRecord("S1", Decimal("12.34"), currency="USD")])  # PUT /v3/price
    settle(adapter, "productstock", adapter.send_stock([StockRecord(f"S{n}", n) for n in range(8)]))
    settle(adapter, "productprice", adapter.send_prices([PriceRecord(f"S{n}", Decimal("9.99"), currency="USD")
                                                          for n in range(8)]))
    list(adapter.fetch_categories([]))
    adapter.fetch_attributes("Clothing/dresses")
    record = ProductRecord("NEW-1", "Clothing/dresses", {
        "productName": "Linen dress", "brand": "Mpdash", "productId": "0869000000017", "price": Decimal("49.90"),
        "shortDescription": "A summer dress", "mainImageUrl": ["https://img.invalid/1.jpg", "https://img.invalid/2.jpg"]},
        [AttributeChoice("color", "Color", ["Red"], ["Red"]), AttributeChoice("clothingSize", "Size", custom_value="M")])
    settle(adapter, "product", adapter.send_products([record]))
    adapter.product_statuses(["NEW-1", "MISSING"])
    list(adapter.list_listings())
    adapter.delete_products([StockRecord("S7", 0)])
    placed = [sim.place_order([("S1", 2), ("S2", 1)], shopper=n) for n in range(3)]
    now = datetime.now(UTC)
    start, end = now - timedelta(hours=1), now + timedelta(minutes=1)
    token, orders = None, []
    for _ in range(5):
        page = adapter.list_orders(start, end, token)
        orders += page.items
        token = page.next_token
        if not token:
            break
    adapter.prepare_packages(orders)
    po = placed[0]["purchaseOrderId"]
    adapter.send_order_update(OrderUpdate(po, "shipped", [("1", 2)], tracking_number="1Z1", cargo_company="UPS",
                                          tracking_url="https://www.ups.com/track?tracknum=1Z1"))
    adapter.cancel_lines(po, [("2", 1)], "SELLER_CANCEL_OUT_OF_STOCK")
    adapter.list_cancellations(start, end)
    sim.deliver(po)
    adapter.list_updated_orders(start, end)
    sim.open_return(po, "S1")
    claims = adapter.list_claims(start, end).items
    adapter.approve_claim(claims[0], [])
    sim.expire_tokens()
    adapter.send_stock([StockRecord("S3", 4)])  # 401, a new token, the call again


@pytest.fixture
def docs():
    return Documents(documents())


def test_every_request_and_answer_fits_walmarts_documents(sim, adapter_for, docs, monkeypatch):
    monkeypatch.setattr(WalmartAdapter, "orders_page_size", 2)  # a cursor
    recorder = Recorder()
    adapter = adapter_for(sim, transport=recorder, ship_node="10000003527")
    drive(sim, adapter)
    exchanges = recorder.exchanges
    requests = [p for req, _ in exchanges for p in docs.request_problems(req)]
    answers = [p for req, resp in exchanges for p in docs.answer_problems(req, resp)]
    operations = {(req.method, found[4], found[3]["info"]["title"]) for req, _ in exchanges
                  if (found := docs.find(req.method, req.url.path, _query(req)))}
    checked = [req for req, _ in exchanges if (req.method, req.url.path) not in UNDOCUMENTED]
    print(f"\nWalmart documents: {len(checked)} requests and {len(checked)} answers validated "
          f"over {len(operations)} operations; {len(exchanges) - len(checked)} undocumented (Get Spec)")
    assert not requests, "\n".join(sorted(set(requests)))
    assert not answers, "\n".join(sorted(set(answers)))
    assert len(operations) >= 18, sorted(operations, key=str)  # the feeds of three documents among them
    statuses = {resp.status_code for _, resp in exchanges}
    assert {200, 401, 404} <= statuses, statuses  # error answers were checked too


def test_the_documents_feed_examples_are_accepted_by_the_simulator(sim, adapter_for, docs):
    adapter = adapter_for(sim)
    for name, feed_type, key in (("inventory", "inventory", "Inventory"), ("price", "price", "Price")):
        example = docs.docs[name]["paths"]["/v3/feeds"]["post"]["requestBody"]["content"]["multipart/form-data"][
            "examples"]["json1"]["value"]
        for row in example[key]:
            sim.put_item(row["sku"])
        feed_id = adapter.client.submit_feed(feed_type, json.dumps(example).encode())
        for _ in range(50):
            status = adapter.client.feed_status(feed_id)
            if status.feed_status == "PROCESSED":
                break
            time.sleep(0.05)
        assert [i.ingestion_status for i in status.items] == ["SUCCESS"] * len(example[key]), status


def _examples(doc: dict, path: str, method: str, status: str = "200") -> list:
    content = doc["paths"][path][method]["responses"][status]["content"].get("application/json", {})
    found = [e.get("value") for e in (content.get("examples") or {}).values()]
    return [e for e in found + [content.get("example")] if isinstance(e, dict)]


def test_the_documents_examples_go_through_the_adapters_parsers(sim, adapter_for, docs):
    d = docs.docs
    adapter = adapter_for(sim)
    feeds = [FeedStatus.model_validate(e) for e in _examples(d["feeds"], "/v3/feeds/{feedId}", "get")]
    assert feeds and all(f.feed_status in ("RECEIVED", "INPROGRESS", "PROCESSED", "ERROR") for f in feeds)
    for f in feeds:
        adapter.item_results("product", f.items, [])
    items = [ItemsPage.model_validate(e) for e in _examples(d["items"], "/v3/items", "get")]
    assert items and all(page.items for page in items)
    assert [ItemsPage.model_validate(e) for e in _examples(d["items"], "/v3/items/{id}", "get")]
    taxonomy = _examples(d["items"], "/v3/items/taxonomy", "get")
    assert taxonomy and all(isinstance(t["payload"], list) for t in taxonomy)
    pages = [OrdersAnswer.model_validate(e) for e in _examples(d["orders"], "/v3/orders", "get")]
    orders = [adapter.remote_order(po) for page in pages for po in page.page.elements.order]
    assert orders and all(o.lines and o.shipping_address and o.currency == "USD" for o in orders)
    assert {o.shipping_address.country for o in orders} == {"US"}
    assert all(len(o.shipping_address.region) == 2 for o in orders)  # the state, kept apart from the street
    single = _examples(d["orders"], "/v3/orders/{purchaseOrderId}", "get")
    assert single and all(adapter.remote_order(PurchaseOrder.model_validate(e["order"])).lines for e in single)
    for action in ("acknowledge", "shipping", "cancel"):
        for e in _examples(d["orders"], f"/v3/orders/{{purchaseOrderId}}/{action}", "post"):
            assert adapter.remote_order(PurchaseOrder.model_validate(e["order"])).package_id
    returns = [ReturnsPage.model_validate(e) for e in _examples(d["returns"], "/v3/returns", "get")]
    claims = [adapter.remote_claim(r) for page in returns for r in page.returns if r.lines]
    assert claims and all(c.claim_id and c.lines for c in claims)
    tokens = _examples(d["auth"], "/v3/token", "post")
    assert tokens and all(t["access_token"] for t in tokens)


def test_the_checks_find_what_breaks_the_documents(sim, adapter_for, docs):
    """The checker itself: a call without WM_SVC.NAME, a wrong query value, a body missing a
    required field and an answer missing one are each reported."""
    recorder = Recorder()
    adapter = adapter_for(sim, transport=recorder)
    sim.put_item("S1")
    adapter.send_stock([StockRecord("S1", 1)])
    request, response = recorder.exchanges[-1]
    broken = request.headers.copy()
    del broken["WM_SVC.NAME"]
    bad = [httpx.Request("PUT", request.url, headers=broken, content=request.content),
           httpx.Request("PUT", str(request.url).replace("sku=S1", "sku=S1&nope=1"), headers=request.headers,
                         content=request.content),
           httpx.Request("PUT", request.url, headers=request.headers, content=b'{"sku": "S1"}')]
    found = [docs.request_problems(r) for r in bad]
    assert "WM_SVC.NAME missing" in found[0][0] and "nope is not documented" in found[1][0]
    assert "'quantity' is a required property" in found[2][0]
    assert docs.answer_problems(request, httpx.Response(200, json={"sku": "S1"}))
    assert docs.answer_problems(request, httpx.Response(400, json={"message": "no"}))

"""Schemathesis over the whole OpenAPI schema (issue 16), against a fixture with realistic
records so that operations are reached, not just answered 404.

- Negative and positive cases: no operation may answer a server error (5xx).
- Positive cases (built to the schema): most must be accepted. An operation whose
  positive cases are mostly refused (4xx) means the schema promises what validation
  refuses; their count is printed and must be 0.

Path ids are taken from the fixture's records (an id the schema allows but no record has
is a legitimate 404, and says nothing about the schema), and so are the records a body names
(a SKU, a list code, an order item). What the records decide and no schema can state is
made realistic by the fixture, each case saying why: a slug or a mapping that another record
already has, a decision taken once, units left to cancel, a retail price at least the price,
the content of a CSV file. Bounded: ``FUZZ_EXAMPLES`` cases per operation and mode (default
12); ``FUZZ_NAME_REGEX`` runs only the operations it matches."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from decimal import Decimal

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings as hsettings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402

from mpdash.wsgi import application  # noqa: E402

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
positive = schemathesis.openapi.from_wsgi("/api/schema/", application)
# No NUL in positive cases: the API refuses it in every text and JSON value it stores, which the
# schema states for text fields (a pattern) but OpenAPI 3.0 cannot for the keys of free JSON
# objects (no propertyNames). The negative cases keep it, and must not get a server error.
positive.config.generation.update(modes=[GenerationMode.POSITIVE], max_examples=EXAMPLES, allow_x00=False)
positive.config.phases.coverage.enabled = False  # its boundary cases run to minutes; fuzzing and examples are bounded
negative = schemathesis.openapi.from_wsgi("/api/schema/", application)
negative.config.generation.update(modes=[GenerationMode.NEGATIVE], max_examples=EXAMPLES)
negative.config.phases.coverage.enabled = False
if os.environ.get("FUZZ_NAME_REGEX"):  # while working on a few operations, e.g. "POST /api/v1/channels/$"
    positive = positive.include(name_regex=os.environ["FUZZ_NAME_REGEX"])
    negative = negative.include(name_regex=os.environ["FUZZ_NAME_REGEX"])

# Real HTTP to a live server (its own thread and connection): the records must be committed.
pytestmark = pytest.mark.django_db(transaction=True)

ACCEPTED: dict[str, list[int]] = defaultdict(list)
REFUSALS: dict[str, list[str]] = defaultdict(list)

# Body fields that name another record: the fixture's record, as for path ids. A generated
# code or id that no record has is refused for a reason no schema can state.
REFERENCES = {
    "product": "sku", "price_list": "price_list", "stock_list": "stock_list", "catalog": "catalog",
    "category": "category", "parent": "category", "channel": "channel_id", "remote_category": "remote_category",
    "cargo_company": "cargo_company", "reason": "reason", "order_number": "order_number",
    "local_category": "local_category",
}


@pytest.fixture
def world(lists, channel_factory, settings, live_server):
    """A Hepsiburada channel with a category tree and mappings, products with prices and stock,
    orders with a refund request, flow runs with lines, batches, webhooks, a trigger request."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from mpdash.integration.models import BatchRequest, FlowLogLine, FlowRun, TriggerRequest
    from mpdash.orders.models import ShippingCompany, WebhookDelivery, WebhookEndpoint

    from ..conftest import make_products
    from ..dashboard.conftest import build_tree, dress_product, make_refund, refund_reason

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = get_user_model().objects.create_superuser("fuzz", "fuzz@example.com", "fuzz-pass-123")
    # Active, with the flows that take triggers on: flows and triggers are queued (no worker runs them).
    channel = channel_factory(active=True, flags=("stock", "price", "split_packages", "update_warehouse"))
    tree = build_tree(channel)
    products = make_products(lists, 10)
    dress_product(tree, lists)
    refund = make_refund(channel, number="ORD-1", sku=products[0].sku)
    refund_reason()
    now = timezone.now()
    run = FlowRun.objects.create(channel=channel, flow="stock", status="success", trigger="manual", selected=1, sent=1,
                                 succeeded=1, started_at=now, finished_at=now, duration_ms=10)
    FlowLogLine.objects.create(run=run, object_key=products[0].sku, outcome="success", answer={"ok": True})
    BatchRequest.objects.create(channel=channel, flow="stock", kind="productstock", run=run, status="done", item_count=1)
    ShippingCompany.objects.get_or_create(slug="yurtici", defaults={"name": "Yurtiçi Kargo"})
    endpoints = [WebhookEndpoint.objects.create(url=f"https://erp.invalid/hook/{i}", secret="s3cret", events=["order.created"])
                 for i in range(40)]
    WebhookDelivery.objects.create(endpoint=endpoints[0], event="order.created", payload={"number": "ORD-1"})
    from mpdash.channels.models_remote import RemoteBrand

    RemoteBrand.objects.create(channel=channel, remote_id="b1", name="Koton")
    from mpdash.catalog.models import Category

    edit_category = Category.objects.create(code="fuzz-edit", name="Changed by the fuzzer", parent=tree["local_dress"].parent)
    trigger = TriggerRequest.objects.create(channel=channel, flow="split_packages", payload={}, status="done")
    from mpdash.channels.models_mapping import AttributeMapping, CategoryMapping
    from mpdash.channels.models_remote import AttributeChange
    from mpdash.integration.models import ProductIntegration

    for i in range(8):
        AttributeMapping.objects.create(channel=channel, remote_category=tree["dress"], attribute=f"Renk{i}",
                                        source_type="attribute", source="color")
        CategoryMapping.objects.create(channel=channel, local_category=tree["local_dress"], remote_category=tree["tee"],
                                       conditions={"color": f"c{i}"})
    AttributeChange.objects.create(channel=channel, category=tree["dress"], attribute_name="Renk", change="added")
    ProductIntegration.objects.create(channel=channel, product=products[0])
    from mpdash.orders.models import CancellationReason

    cancel_reason = CancellationReason.objects.get_or_create(cancellation_type="cancel", code="out_of_stock",
                                                             defaults={"name": "Out of stock"})[0]
    refs = {"sku": products[1].sku, "skus": [p.sku for p in products], "price_list": lists["price_list"].code, "stock_list": lists["stock_list"].code,
            "cancel_reason": cancel_reason.pk, "remote_category_code": tree["dress"].remote_id, "local_category_code": tree["local_dress"].code,
            "catalog": lists["catalog"].code, "category": tree["local_dress"].code, "channel_id": channel.pk,
            "remote_category": tree["dress"].pk, "cargo_company": "yurtici", "reason": refund_reason().pk,
            "order_number": refund.order.number, "local_category": tree["local_dress"].pk}
    return {"refs": refs, "url": live_server.url, "token": Token.objects.create(user=user).key, "channel": channel, "sku": products[0].sku,
            "refund": refund, "trigger": trigger, "edit_category": edit_category.pk}


def _first_id(client, list_path: str):
    r = client.get(list_path)
    if r.status_code != 200:
        return None
    body = r.json()
    rows = body.get("results", body) if isinstance(body, dict) else body
    return rows[0]["id"] if rows and isinstance(rows[0], dict) and "id" in rows[0] else None


def _real_path_parameters(case, world) -> None:
    """Replace generated ids by those of the fixture's records (see the module's docstring)."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {world['token']}")
    params = case.path_parameters or {}
    path = case.operation.path
    channel = world["channel"]
    if "channel_id" in params:
        params["channel_id"] = channel.pk
    if "channel_slug" in params:
        params["channel_slug"] = channel.slug
    if "sku" in params:
        params["sku"] = world["sku"]
    if "correlation_id" in params:
        params["correlation_id"] = str(world["trigger"].correlation_id)
    if "flow" in params and "/channels/" in path:
        params["flow"] = "stock"
    for name in ("id", "pk"):
        if name in params:
            list_path = path.split("{" + name + "}")[0].format(**params)
            found = _first_id(client, list_path)
            if found is not None:
                params[name] = found
    case.path_parameters = params
    _real_references(case, world)
    if isinstance(case.query, dict) and "page" in case.query:
        case.query["page"] = 1  # the fixture has one page of each; a later one is a legitimate 404
    if case.method.upper() == "POST" and path == "/api/v1/orders/{id}/cancel/":
        _fresh_order_to_cancel(case, world)
    if case.method.upper() == "POST" and path == "/api/v1/orders/{id}/status/":
        # A status moves one way (never backwards, never out of cancelled): each case moves an
        # order of its own, waiting, from where every status can be reached.
        from mpdash.orders.models import OrderStatus

        params["id"] = _fresh_order(world, 1, status=OrderStatus.WAITING)[0].pk
    if path.startswith("/api/v1/categories/{id}/"):
        params["id"] = world["edit_category"]  # not a category other records name by its code
    if case.method.upper() == "POST" and path == "/api/v1/refund_requests/{id}/decision/":
        # A decision is taken once: each case decides a refund request of its own, still open.
        from ..dashboard.conftest import make_refund

        params["id"] = make_refund(channel, number=f"FZR-{_token()}", sku=world["sku"]).pk


def _token() -> str:
    import uuid

    return uuid.uuid4().hex[:10]


def _fresh_order(world, item_count: int, **fields):
    """A new order of the fixture's channel with ``item_count`` items of 5 units each, one
    older than the fixture's (lists show the newest first: other operations keep theirs)."""
    from datetime import timedelta

    from django.utils import timezone

    from mpdash.orders.models import Order, OrderItem

    number = f"FZ-{_token()}"
    order = Order.objects.create(channel=world["channel"], number=number, marketplace_order_number=number,
                                 package_id=f"PKG-{number}", amount=Decimal("300.00"), sent_to_erp=True,
                                 date_placed=timezone.now() - timedelta(days=365), **fields)
    items = [OrderItem.objects.create(order=order, sku=world["sku"], name="Yazlık elbise", quantity=5, price=Decimal("100.00"),
                                      **fields) for _ in range(item_count)]
    return order, items


def _fresh_order_to_cancel(case, world) -> None:
    """An order of its own for each cancel case, one item per line (an item named twice is refused
    by name), each line at most the units its item has: which items an order has and how many
    units are left is the record's, not the schema's."""
    body = case.body if isinstance(case.body, dict) else None
    lines = [line for line in (body or {}).get("items") or [] if isinstance(line, dict)][:10]
    order, items = _fresh_order(world, len(lines))
    for line, item in zip(lines, items):
        line["order_item"] = item.pk
        if isinstance(line.get("quantity"), int):
            line["quantity"] = min(line["quantity"], item.quantity)
    if body is not None and "items" in body:
        body["items"] = lines
    if body is not None and body.get("reason") is not None:
        body["reason"] = world["refs"]["cancel_reason"]
    case.path_parameters["id"] = order.pk


_OWN_PAIR = {  # path → (model, the field pair that is unique together)
    "/api/v1/product_prices/": ("ProductPrice", "price_list"),
    "/api/v1/product_stocks/": ("ProductStock", "stock_list"),
    "/api/v1/catalog_items/": ("CatalogItem", "catalog"),
}


def _fresh_sku() -> str:
    """A product with no price, stock or catalog entry yet: a create of one of those is new."""
    import uuid

    from mpdash.catalog.models import Product

    return Product.objects.create(sku=f"FUZZ-{uuid.uuid4().hex[:10]}", name="Fuzz").sku


def _real_references(case, world) -> None:
    from mpdash.catalog import models as catalog

    path = case.operation.path
    method = case.method.upper()
    refs = world["refs"]

    def fix(row, sku):
        if not isinstance(row, dict):
            return row
        for key, ref in REFERENCES.items():
            if key in row and row[key] is not None:
                row[key] = refs[ref]
        if "product" in row:
            row["product"] = sku
        if "sku" in row and not path.startswith("/api/v1/products/"):
            row["sku"] = sku  # prices, stocks, catalog items: of a product that exists
        if "skus" in row and isinstance(row["skus"], list):
            row["skus"] = [refs["sku"]]
        if isinstance(row.get("payload"), dict):
            fix(row["payload"], sku)
        return row

    body = case.body
    if path.endswith("/import/"):
        _import_rows(case, world)
        return
    if isinstance(body, list):  # bulk rows: each of another product (a SKU twice is refused by name)
        skus = refs["skus"]
        case.body = [_prices_in_order(fix(r, skus[i])) for i, r in enumerate(body[:len(skus)])]
        if path == "/api/v1/products/bulk/":
            _product_rows(case.body, skus)
        return
    if not isinstance(body, dict):
        return
    if method == "POST" and path in ("/api/v1/channels/", "/api/v1/shipping_companies/") and body.get("slug"):
        body["slug"] = f"{body['slug'][:50]}-{_token()}"  # slugs are unique: another record may have this one
    if method == "POST" and path == "/api/v1/attribute-mappings/" and isinstance(body.get("attribute"), str):
        body["attribute"] = f"{body['attribute'][:240]}-{_token()}"  # one mapping per attribute: a new one is of a new attribute
    base = path.split("{")[0]
    sku = refs["sku"]
    if base in _OWN_PAIR and method == "POST":
        sku = _fresh_sku()
    fix(body, sku)
    if base in _OWN_PAIR and method in ("PUT", "PATCH"):
        model_name, list_field = _OWN_PAIR[base]
        row = getattr(catalog, model_name).objects.select_related("product", list_field).get(pk=case.path_parameters["id"])
        if "product" in body:
            body["product"] = row.product.sku
        if list_field in body:
            body[list_field] = getattr(row, list_field).code
    if method == "PATCH" and path == "/api/v1/channels/{id}/" and "marketplace" in body:
        body["marketplace"] = world["channel"].marketplace  # a channel's marketplace never changes
    if method in ("PUT", "PATCH") and path == "/api/v1/products/{id}/" and "sku" in body:
        body["sku"] = catalog.Product.objects.get(pk=case.path_parameters["id"]).sku  # a SKU never changes
    if base == "/api/v1/product_prices/":
        stored = catalog.ProductPrice.objects.filter(pk=case.path_parameters.get("id")).first() if method in ("PUT", "PATCH") else None
        _prices_in_order(body, stored)


def _prices_in_order(row, stored=None):
    """The retail (list) price is at least the price: a rule between two fields that JSON Schema
    cannot state. A realistic record has them in that order; the fixture puts them so."""
    if not isinstance(row, dict):
        return row
    price = row.get("price", getattr(stored, "price", None))
    retail = row.get("retail_price", getattr(stored, "retail_price", None))
    try:
        price, retail = Decimal(str(price)), Decimal(str(retail))
    except ArithmeticError:
        return row
    if retail < price:
        row["retail_price"] = str(price)
    return row


def _product_rows(rows, skus) -> None:
    """A row without a name changes an existing product (a new SKU needs a name, see the row's
    schema): it names one of the fixture's products. New SKUs stay, once each per request."""
    seen: set[str] = set()
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            continue
        if "name" not in row:
            row["sku"] = skus[i]
        elif str(row.get("sku", "")).strip() in seen:
            row["sku"] = f"FUZZ-{_token()}"
        seen.add(str(row.get("sku", "")).strip())


_IMPORT_CSV = {
    "/api/v1/category-mappings/import/": "channel,local_category,conditions,remote_category\n{channel},{local},,{remote}\n"
                                         "{channel},,\"{{\"\"color\"\": \"\"mavi\"\"}}\",{remote}\n",
    "/api/v1/attribute-mappings/import/": "channel,remote_category,attribute,source_type,source,value_map\n"
                                          "{channel},{remote},Renk,attribute,color,\"{{\"\"kırmızı\"\": \"\"101\"\"}}\"\n"
                                          "{channel},,Materyal,template,{{attributes.fabric}},\n",
}


def _import_rows(case, world) -> None:
    """Import rows name records by code (the marketplace category id, the local category code). A
    CSV upload is a file whose content no JSON schema describes: the fixture sends a realistic one."""
    refs = world["refs"]
    if isinstance(case.body, list):
        for row in case.body:
            if not isinstance(row, dict):
                continue
            row["channel"] = refs["channel_id"]
            if str(row.get("remote_category") or "").strip():
                row["remote_category"] = refs["remote_category_code"]
            if str(row.get("local_category") or "").strip():
                row["local_category"] = refs["local_category_code"]
    elif isinstance(case.body, dict) and "file" in case.body:
        csv_text = _IMPORT_CSV[case.operation.path].format(channel=refs["channel_id"], remote=refs["remote_category_code"],
                                                          local=refs["local_category_code"])
        case.body["file"] = csv_text.encode()


def _call(case, world):
    return case.call(base_url=world["url"], headers={"Authorization": f"Token {world['token']}"}, timeout=30)


@positive.parametrize()
@hsettings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_positive_cases_are_mostly_accepted_and_never_a_server_error(case, world):
    _real_path_parameters(case, world)
    response = _call(case, world)
    assert response.status_code < 500, f"{case.operation.label}: {response.status_code} {response.text[:500]}"
    ACCEPTED[case.operation.label].append(response.status_code)
    if response.status_code >= 400 and len(REFUSALS[case.operation.label]) < 3:
        REFUSALS[case.operation.label].append(f"{response.status_code} {response.text[:300]}")


@negative.parametrize()
@hsettings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_negative_cases_are_never_a_server_error(case, world):
    response = _call(case, world)
    assert response.status_code < 500, f"{case.operation.label}: {response.status_code} {response.text[:500]}"


# Operations whose schema-built requests are mostly refused: the schema promises what validation
# refuses. The count must stay 0 (the variable lets one look at a change that breaks it).
MOSTLY_REFUSED_AT_MOST = int(os.environ.get("FUZZ_MOSTLY_REFUSED_AT_MOST", "0"))


def test_zz_operations_mostly_refused(request):
    """Runs after the positive cases (in this module's order): the count of operations whose
    positive cases were mostly refused, printed and held at MOSTLY_REFUSED_AT_MOST or less."""
    if not ACCEPTED:
        pytest.skip("the positive cases did not run (select the whole module)")
    refused = {op: codes for op, codes in ACCEPTED.items() if sum(c >= 400 for c in codes) * 2 > len(codes)}
    lines = [f"{op}: {sorted(set(codes))} ({sum(c >= 400 for c in codes)}/{len(codes)} refused) e.g. {REFUSALS[op][:2]}"
             for op, codes in sorted(refused.items())]
    partly = [f"  {op}: {sum(c >= 400 for c in codes)}/{len(codes)} refused, e.g. {REFUSALS[op]}"
              for op, codes in sorted(ACCEPTED.items()) if op not in refused and any(c >= 400 for c in codes)]
    print(f"\noperations: {len(ACCEPTED)}; mostly refused: {len(refused)}\n" + "\n".join(lines)
          + "\nsome refused:\n" + "\n".join(partly))
    assert len(refused) <= MOSTLY_REFUSED_AT_MOST, "\n".join(lines)

"""Schemathesis over the whole OpenAPI schema (issue 16), against a fixture with realistic
records so that operations are reached, not just answered 404.

- Negative and positive cases: no operation may answer a server error (5xx).
- Positive cases (built to the schema): most must be accepted. An operation whose
  positive cases are mostly refused (4xx) means the schema promises what validation
  refuses; their count is printed and must be 0.

Path ids are taken from the fixture's records (an id the schema allows but no record has
is a legitimate 404, and says nothing about the schema). Bounded: ``FUZZ_EXAMPLES`` cases
per operation and mode (default 12)."""

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
positive.config.generation.update(modes=[GenerationMode.POSITIVE], max_examples=EXAMPLES)
positive.config.phases.coverage.enabled = False  # its boundary cases run to minutes; fuzzing and examples are bounded
negative = schemathesis.openapi.from_wsgi("/api/schema/", application)
negative.config.generation.update(modes=[GenerationMode.NEGATIVE], max_examples=EXAMPLES)
negative.config.phases.coverage.enabled = False

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
    refs = {"sku": products[1].sku, "skus": [p.sku for p in products], "price_list": lists["price_list"].code, "stock_list": lists["stock_list"].code,
            "catalog": lists["catalog"].code, "category": tree["local_dress"].code, "channel_id": channel.pk,
            "remote_category": tree["dress"].pk, "cargo_company": "yurtici", "reason": refund_reason().pk,
            "order_number": refund.order.number, "local_category": tree["local_dress"].pk}
    return {"refs": refs, "url": live_server.url, "token": Token.objects.create(user=user).key, "channel": channel, "sku": products[0].sku,
            "refund": refund, "trigger": trigger}


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
    if isinstance(body, list):  # bulk rows: each of another product (a SKU twice is refused by name)
        skus = refs["skus"]
        case.body = [fix(r, skus[i]) for i, r in enumerate(body[:len(skus)])]
        return
    if not isinstance(body, dict):
        return
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
    if method in ("PUT", "PATCH") and path == "/api/v1/products/{id}/" and "sku" in body:
        body["sku"] = catalog.Product.objects.get(pk=case.path_parameters["id"]).sku  # a SKU never changes


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


# Operations whose schema-built requests are still mostly refused, for reasons the schema does
# not state yet (state machines: order status, refund decisions; one-of bodies: category
# mappings, imports). A ratchet: the count may only go down; the target is 0.
MOSTLY_REFUSED_AT_MOST = int(os.environ.get("FUZZ_MOSTLY_REFUSED_AT_MOST", "8"))


def test_zz_operations_mostly_refused(request):
    """Runs after the positive cases (in this module's order): the count of operations whose
    positive cases were mostly refused, printed and held at MOSTLY_REFUSED_AT_MOST or less."""
    if not ACCEPTED:
        pytest.skip("the positive cases did not run (select the whole module)")
    refused = {op: codes for op, codes in ACCEPTED.items() if sum(c >= 400 for c in codes) * 2 > len(codes)}
    lines = [f"{op}: {sorted(set(codes))} ({sum(c >= 400 for c in codes)}/{len(codes)} refused) e.g. {REFUSALS[op][:2]}"
             for op, codes in sorted(refused.items())]
    print(f"\noperations: {len(ACCEPTED)}; mostly refused: {len(refused)}\n" + "\n".join(lines))
    assert len(refused) <= MOSTLY_REFUSED_AT_MOST, "\n".join(lines)

"""The Trendyol client against the simulator: every failure maps to the right error."""

from __future__ import annotations

import time
import httpx
import pytest

from mpdash.marketplaces.errors import (
    Action,
    AuthError,
    ConfigError,
    MalformedResponse,
    RateLimited,
    RequestRejected,
    TransientError,
)
from mpdash.marketplaces.trendyol.client import (
    IdenticalRequestRejected,
    TrendyolClient,
    seller_budget,
)

from .conftest import GOOD, SELLER


def test_price_and_inventory_round_trip(sim, client):
    sim.add_products([{"barcode": "A", "quantity": 1}])
    batch_id = client.update_price_and_inventory([{"barcode": "A", "quantity": 4}])
    pending = client.get_batch_result(batch_id)
    assert pending.batch_request_id == batch_id and not pending.is_finished and pending.status is None
    assert sim.wait_until_processed(2)
    done = client.get_batch_result(batch_id)
    assert done.is_finished and done.items[0].is_success
    assert client.last_exchange()["status_code"] == 200
    assert sim.product("A")["quantity"] == 4


def test_requests_carry_basic_auth_user_agent_and_storefront():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.update(request.headers)
        seen["path"] = request.url.path
        return httpx.Response(200, json={"batchRequestId": "b-1"})

    client = TrendyolClient("https://api.invalid/integration", seller_id="4321", api_key="key-abc",
                            api_secret="secret-xyz", integrator_name="TrendyolSoft", storefront_code="ro",
                            transport=httpx.MockTransport(handler))
    assert client.update_price_and_inventory([{"barcode": "A", "quantity": 1}]) == "b-1"
    assert seen["user-agent"] == "4321 - TrendyolSoft"
    assert seen["authorization"].startswith("Basic ")
    assert seen["storefrontcode"] == "RO"
    assert seen["path"] == "/integration/inventory/sellers/4321/products/price-and-inventory"
    assert "secret-xyz" not in repr(client) and "key-abc" not in repr(client)
    assert "secret-xyz" not in str(client.last_exchange())
    client.close()


def test_wrong_credentials_raise_auth_error_naming_the_keys(make_client):
    with pytest.raises(AuthError) as caught:
        make_client(api_secret="wrong").get_category_tree()
    assert caught.value.status_code == 401 and caught.value.action is Action.FAIL_RUN
    assert "ClientApiAuthenticationException" in caught.value.message
    assert "api_key and api_secret" in caught.value.message


def test_user_agent_of_another_seller_raises_auth_error(make_client):
    with pytest.raises(AuthError) as caught:
        make_client(seller_id="999").get_brands()
    assert caught.value.status_code == 403 and "integrator_name" in caught.value.message


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"api_secret": " "}, "api_secret"),
        ({"seller_id": ""}, "seller_id"),
        ({"seller_id": "abc"}, "seller_id"),
        ({"integrator_name": "Trendyol Soft!"}, "integrator_name"),
        ({"integrator_name": "X" * 31}, "integrator_name"),
    ],
)
def test_bad_settings_raise_config_error_naming_the_key(changes, named):
    settings = {"seller_id": "1", "api_key": "k", "api_secret": "s", "integrator_name": "SelfIntegration", **changes}
    with pytest.raises(ConfigError, match=named):
        TrendyolClient("https://x.invalid/integration", **settings)


def test_429_raises_rate_limited(sim, client):
    sim.configure(fault={"mode": "429", "count": 1, "path": None})
    with pytest.raises(RateLimited) as caught:
        client.get_brands()
    assert caught.value.action is Action.RETRY_LATER
    assert caught.value.retry_after == 10.0  # Trendyol sends no Retry-After; its window is 10 s
    assert "too.many.requests" in caught.value.message
    assert client.get_brands().brands  # the fault cleared itself


def test_real_rate_limit_window_is_per_service_group(sim, client):
    sim.add_products([{"barcode": "A"}])
    sim.configure(rate_limit=2, rate_window=5)
    client.get_brands()
    client.get_category_tree()
    with pytest.raises(RateLimited):
        client.filter_approved_products()  # a third product read within the window
    client.update_price_and_inventory([{"barcode": "A", "quantity": 2}])  # another group: still allowed


def test_5xx_raises_transient_error_and_nothing_is_queued(sim, client):
    sim.configure(fault={"mode": "5xx", "count": 1, "path": "v2/products", "status": 503})
    with pytest.raises(TransientError) as caught:
        client.create_products([{"barcode": "A"}])
    assert caught.value.status_code == 503
    assert sim.batches_total == 0


def test_timeout_raises_transient_error(sim, make_client):
    sim.configure(fault={"mode": "timeout", "count": 1, "path": None}, timeout_sleep=3)
    client = make_client(timeout=httpx.Timeout(0.5))
    with pytest.raises(TransientError, match="did not answer in time"):
        client.get_category_tree()
    assert client.last_exchange()["error"].startswith("timeout")


def test_malformed_answer_raises_malformed_response(sim, client):
    sim.configure(fault={"mode": "malformed", "count": 1, "path": None})
    with pytest.raises(MalformedResponse, match="not JSON"):
        client.update_price_and_inventory([{"barcode": "A", "quantity": 1}])


def test_unexpected_json_raises_malformed_response():
    answers = iter([httpx.Response(200, json={"id": "x"}), httpx.Response(200, json={"content": []})])
    client = TrendyolClient("https://x.invalid/integration", seller_id="1", api_key="k", api_secret="s",
                            transport=httpx.MockTransport(lambda request: next(answers)))
    with pytest.raises(MalformedResponse, match=r"POST /product/sellers/1/v2/products: .*batchRequestId"):
        client.create_products([{"barcode": "A"}])
    with pytest.raises(MalformedResponse, match="totalElements"):
        client.filter_approved_products()


def test_oversize_request_is_rejected_with_trendyols_message(sim, client):
    sim.configure(max_items_per_request=2)
    with pytest.raises(RequestRejected) as caught:
        client.archive_products([{"barcode": f"B{i}", "archived": True} for i in range(3)])
    assert caught.value.status_code == 400 and "en fazla 2 item" in caught.value.message
    with pytest.raises(ValueError, match="at most 1000"):
        client.update_price_and_inventory([{"barcode": f"B{i}", "quantity": 1} for i in range(1001)])


def test_identical_request_within_15_minutes(sim, client):
    sim.add_products([{"barcode": "A"}])
    client.update_price_and_inventory([{"barcode": "A", "quantity": 3}])
    with pytest.raises(IdenticalRequestRejected) as caught:
        client.update_price_and_inventory([{"barcode": "A", "quantity": 3}])
    assert isinstance(caught.value, RequestRejected) and caught.value.status_code == 400
    assert "15 dakika" in caught.value.message
    client.update_price_and_inventory([{"barcode": "A", "quantity": 4}])  # any change is a new request
    sim.configure(duplicate_window=0)
    client.update_price_and_inventory([{"barcode": "A", "quantity": 3}])  # rule switched off


def test_unknown_batch_and_bad_storefront_are_rejected(client, make_client):
    with pytest.raises(RequestRejected) as caught:
        client.get_batch_result("no-such-batch")
    assert caught.value.status_code == 404 and "batchRequestId" in caught.value.message
    with pytest.raises(RequestRejected, match="invalid.storefrontcode"):
        make_client(storefront_code="XX").get_brands()


def test_delete_sends_a_body_with_delete(sim, client):
    sim.add_products([{"barcode": "P", "approved": False}])
    batch_id = client.delete_products(["P"])
    sim.wait_until_processed(2)
    assert client.get_batch_result(batch_id).items[0].is_success
    assert sim.product("P") is None


def test_argument_checks(client):
    with pytest.raises(ValueError, match="size"):
        client.filter_approved_products(size=101)
    with pytest.raises(ValueError, match="page x size"):
        client.filter_approved_products(page=101, size=100)
    with pytest.raises(ValueError, match="size"):
        client.filter_unapproved_products(size=1001)
    with pytest.raises(ValueError, match="page"):
        client.get_attribute_values(1, 2, page=1001)
    with pytest.raises(ValueError, match="at least one item"):
        client.archive_products([])
    with pytest.raises(ValueError, match="brand name"):
        client.get_brands_by_name(" ")


def test_seller_budget_key_and_rates():
    budget = seller_budget(SELLER)
    assert budget.key == f"trendyol:{SELLER}"
    assert [(spec.calls, spec.per_seconds) for spec in budget.specs] == [(50, 10)]


def test_client_no_longer_calls_the_retired_v1_filter(sim, client):
    """filterProducts (V1) is retired (developers.trendyol.com/v2.0/docs/product-filter-
    filterproducts, checked 2026-12-06): the client has no method for it, its reads go to the
    v2 filters, and the simulator answers the old path 410 Gone."""
    assert not hasattr(client, "filter_products")
    sim.add_products([{"barcode": "A"}, {"barcode": "W", "approved": False}])
    assert [p.barcode for p in client.filter_approved_products().products()] == ["A"]
    assert [p.barcode for p in client.filter_unapproved_products().content] == ["W"]
    with pytest.raises(Exception) as caught:
        client.request("GET", f"/product/sellers/{client.seller_id}/products")
    assert "410" in str(caught.value) or "filterApprovedProducts" in str(caught.value)


def test_budgets_follow_the_service_limitations_page_per_group_and_tier():
    """developers.trendyol.com/tr/v3.0/docs/6-service-limitations (in force since 14 September
    2026, checked 2026-12-07): one limit per service group, by listing tier."""
    from mpdash.marketplaces.trendyol.client import service_of

    assert service_of("GET", "/product/brands") == ("product_read", 1000, 60)
    assert service_of("GET", "/product/categories/411/attributes") == ("product_read", 1000, 60)
    assert service_of("GET", "/product/sellers/1/products/approved?page=2") == ("product_read", 1000, 60)
    assert service_of("GET", "/product/sellers/1/products/batch-requests/x") == ("product_read", 1000, 60)
    assert service_of("DELETE", "/product/sellers/1/products") == ("product_write", 200, 60)
    assert service_of("POST", "/product/sellers/1/v2/products") == ("product_write", 200, 60)
    assert service_of("POST", "/product/sellers/1/products/variant-bulk-update") == ("product_write", 200, 60)
    assert service_of("POST", "/inventory/sellers/1/products/price-and-inventory") == ("inventory_write", 350, 60)
    assert service_of("POST", "/inventory/sellers/1/products/price-and-inventory", "unlimited") == (
        "inventory_write", 1500, 60)
    assert service_of("POST", "/product/sellers/1/v2/products", "500000") == ("product_write", 400, 60)
    assert service_of("GET", "/order/sellers/1/orders/stream") == ("shipment_packages", 1000, 60)
    assert service_of("PUT", "/order/sellers/1/shipment-packages/5/tracking-details") is None


def test_listing_tier_is_checked_and_spends_its_own_budget(sim):
    settings = {"seller_id": SELLER, "api_key": "k", "api_secret": "s"}
    with pytest.raises(ConfigError, match="listing_tier"):
        TrendyolClient(sim.url, listing_tier="1000000", **settings)
    assert TrendyolClient(sim.url, listing_tier="350.000", **settings).listing_tier == "350000"


_SELLER_PRODUCTS = f"/product/sellers/{SELLER}/products"


@pytest.mark.parametrize("retired, call, now_at", [
    # Product V1, retired 10 August 2026 (developers.trendyol.com/v3.0/docs/1-product-services-
    # best-practices, checked 2026-12-07): create, update and category attributes.
    (("POST", _SELLER_PRODUCTS), lambda c: c.create_products([{"barcode": "R1"}]), ("POST", "/v2/products")),
    (("PUT", _SELLER_PRODUCTS), lambda c: c.update_unapproved_products([{"barcode": "R1"}]),
     ("POST", "/products/unapproved-bulk-update")),
    (("PUT", _SELLER_PRODUCTS), lambda c: c.update_approved_variants([{"barcode": "R1", "vatRate": 10}]),
     ("POST", "/products/variant-bulk-update")),
    (("GET", "/product/product-categories/1/attributes"), lambda c: c.get_category_attributes(1),
     ("GET", "/product/categories/1/attributes")),
    (("GET", _SELLER_PRODUCTS), lambda c: c.filter_approved_products(), ("GET", "/products/approved")),
    # The listings' getShipmentPackages (the last month only since v2) gave way to the stream.
    (("GET", f"/order/sellers/{SELLER}/orders"), lambda c: c.get_shipment_packages_stream(0, 1000),
     ("GET", "/orders/stream")),
])
def test_client_no_longer_calls_a_retired_service(sim, client, retired, call, now_at):
    """Each retired service: the client's call for that job goes to its replacement, and the
    simulator answers the retired path as Trendyol would (410 Gone, a guess; getShipmentPackages
    is not retired but refuses ranges beyond its month)."""
    method, path = retired
    try:
        call(client)
    except Exception:  # refusals of the made-up bodies do not matter here, the path does
        pass
    exchange = client.exchanges[-1]
    assert exchange.method == now_at[0] and exchange.url.split("?")[0].endswith(now_at[1])
    assert not exchange.url.split("?")[0].endswith(path)
    if path.endswith("/orders"):
        old = {"startDate": int(time.time() * 1000) - 40 * 86_400_000, "endDate": int(time.time() * 1000) - 35 * 86_400_000}
        answer = httpx.request(method, sim.url + "/integration" + path, params=old, **GOOD)
        assert answer.status_code == 400
    else:
        assert httpx.request(method, sim.url + "/integration" + path, json={"items": [{"barcode": "R1"}]},
                             **GOOD).status_code == 410


def test_channel_listing_tier_sets_the_adapters_group_budgets(make_adapter):
    assert make_adapter().client.listing_tier == "100000"  # the smallest tier by default
    assert make_adapter(listing_tier="unlimited").client.listing_tier == "unlimited"
    with pytest.raises(ConfigError, match="listing_tier"):
        make_adapter(listing_tier="2000000")

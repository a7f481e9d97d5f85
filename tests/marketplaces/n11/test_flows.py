"""The seed's N11 flows through the engine and the simulator: cancellation requests answered
(an invoiced order denied with deny_reason_id, the others approved and cancelled here once),
and UnSupplied packages cancelled with the seed's own reason key (UnPacked likewise)."""

from __future__ import annotations

import pytest

from mpdash.orders.models import CancellationRequest, Order, OrderStatus

from ...conftest import make_products
from ...integration.conftest import erp, n11_channel, n11_sim, post, reason, run  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

FLOWS = ("get_orders", "get_cancellation_request", "get_cancel_orders", "send_update_orders")


@pytest.fixture
def channel(lists, n11_sim, no_celery):  # noqa: F811
    products = make_products(lists, 2, prefix="N11R")
    n11_sim.add_products([{"stockCode": p.sku, "salePrice": 100, "listPrice": 120, "quantity": 50} for p in products])
    channel = n11_channel(lists, n11_sim, FLOWS, cancellation_reason_id=reason("cancel", "marketplace_cancelled"),
                          default_reason_id=reason("refund", "marketplace_refund"), deny_reason_id=63)
    channel.products = products
    return channel


def accepted_order(channel, sim, erp, lines):  # noqa: F811
    placed = sim.place_order([{"stockCode": channel.products[i].sku, "quantity": q} for i, q in lines])
    assert run(channel, "get_orders").status == "success"
    order = Order.objects.get(channel=channel, package_id=placed["packageId"])
    post(erp, f"/api/v1/orders/{order.pk}/mark_sent_to_erp/", {})
    post(erp, f"/api/v1/orders/{order.pk}/status/", {"status": OrderStatus.PREPARING})
    assert run(channel, "send_update_orders").succeeded == 1
    assert sim.package(order.package_id)["shipmentPackageStatus"] == "Picking"
    return order


def test_a_request_on_an_order_not_invoiced_is_approved_there_and_cancelled_here_once(channel, n11_sim, erp):  # noqa: F811
    order = accepted_order(channel, n11_sim, erp, [(0, 1), (1, 2)])
    line = order.items.get(sku=channel.products[1].sku)
    [request_id] = n11_sim.request_cancel(order.package_id, [line.remote_line_id])
    result = run(channel, "get_cancellation_request")
    assert (result.status, result.failed) == ("success", 0), list(result.lines.values("message"))
    assert n11_sim.claim(request_id)["status"] == "COMPLETED"
    request = CancellationRequest.objects.get(order=order, cancellation_type="cancel")
    assert request.marketplace_claim_id == request_id and request.status == "approved"
    assert [(i.order_item.sku, i.quantity) for i in request.items.all()] == [(line.sku, 2)]
    for flow in ("get_cancellation_request", "get_cancel_orders", "get_orders"):  # N11 lists the package cancelled
        assert run(channel, flow).failed == 0
    assert CancellationRequest.objects.filter(order=order, marketplace_claim_id=request_id).count() == 1
    rest = Order.objects.get(channel=channel, package_id=n11_sim.package_of_line(order.items.get(
        sku=channel.products[0].sku).remote_line_id)["id"])
    assert [(i.sku, i.quantity) for i in rest.items.all()] == [(channel.products[0].sku, 1)]  # the line kept


def test_a_request_on_an_invoiced_order_is_denied_with_the_deny_reason(channel, n11_sim, erp):  # noqa: F811
    order = accepted_order(channel, n11_sim, erp, [(0, 1)])
    post(erp, f"/api/v1/orders/{order.pk}/invoice/", {"invoice_number": "N11INV1",
                                                      "invoice_link": "https://erp.example.com/i/1.pdf"})
    [request_id] = n11_sim.request_cancel(order.package_id)
    result = run(channel, "get_cancellation_request")
    assert (result.status, result.failed) == ("success", 0), list(result.lines.values("message"))
    assert (n11_sim.claim(request_id)["status"], n11_sim.claim(request_id)["denyReasonType"]) == ("DENIED", "63")
    assert not CancellationRequest.objects.filter(order=order).exists()
    assert n11_sim.package(order.package_id)["shipmentPackageStatus"] == "Picking"


def test_unsupplied_packages_take_the_seeds_reason_key(lists, n11_sim, no_celery, erp):  # noqa: F811
    from mpdash.orders.models import CancellationReason

    products = make_products(lists, 1, prefix="N11U")
    n11_sim.add_products([{"stockCode": products[0].sku, "quantity": 50}])
    fallback, unsupplied = (CancellationReason.objects.filter(cancellation_type="cancel")[:2])
    channel = n11_channel(lists, n11_sim, ("get_orders", "get_cancel_orders"), cancellation_reason_id=fallback.pk,
                          default_reason_id=reason("refund", "marketplace_refund"), unsupplied_reason_id=unsupplied.pk)
    first, second = (n11_sim.place_order([{"stockCode": products[0].sku, "quantity": 1}]) for _ in range(2))
    assert run(channel, "get_orders").status == "success"
    for order in Order.objects.filter(channel=channel):
        post(erp, f"/api/v1/orders/{order.pk}/mark_sent_to_erp/", {})
    n11_sim.set_package_status(first["packageId"], "UnSupplied")
    n11_sim.set_package_status(second["packageId"], "Cancelled")
    result = run(channel, "get_cancel_orders")
    assert result.failed == 0, list(result.lines.values("message"))
    reasons = {r.order.package_id: r.reason_id for r in CancellationRequest.objects.filter(order__channel=channel)}
    assert reasons == {first["packageId"]: unsupplied.pk, second["packageId"]: fallback.pk}


def test_cargo_company_id_replaces_the_mapping_for_the_excluded_carriers(lists, n11_sim, no_celery):  # noqa: F811
    from mpdash.orders.models import ShippingCompany

    from ...conftest import ensure_reference_data

    mapped = ensure_reference_data()
    fixed = ShippingCompany.objects.create(name="Brand courier", slug="brand-courier")
    products = make_products(lists, 1, prefix="N11K")
    n11_sim.add_products([{"stockCode": products[0].sku, "quantity": 50}])
    channel = n11_channel(lists, n11_sim, ("get_orders",), cargo_company_mapping={"default": mapped},
                          cargo_company_id=fixed.pk, exclude_cargo_company_ids=["159"])
    placed = [n11_sim.place_order([{"stockCode": products[0].sku, "quantity": 1}], shopper=n) for n in range(3)]
    assert run(channel, "get_orders").failed == 0
    carriers = {p["packageId"]: n11_sim.package(p["packageId"])["cargoProviderId"] for p in placed}
    assert set(carriers.values()) >= {159, 132}
    for package_id, carrier in carriers.items():
        order = Order.objects.get(channel=channel, package_id=package_id)
        assert order.cargo_company_id == (fixed.pk if carrier == 159 else mapped), carrier


def test_updated_orders_are_read_fifteen_days_back_as_the_seed_says(lists, n11_sim, no_celery):  # noqa: F811
    products = make_products(lists, 1, prefix="N11D")
    n11_sim.add_products([{"stockCode": products[0].sku, "quantity": 50}])
    channel = n11_channel(lists, n11_sim, ("get_updated_orders",), default_reason_id=reason("refund", "marketplace_refund"))
    placed = n11_sim.place_order([{"stockCode": products[0].sku, "quantity": 1}])
    n11_sim.set_package_status(placed["packageId"], "Shipped", tracking_number="YK15")
    with n11_sim.state.current():  # shipped ten days ago: beyond the generic 24-hour window
        n11_sim.state.packages[placed["packageId"]]["lastModifiedDate"] -= 10 * 86_400_000
    assert run(channel, "get_updated_orders").failed == 0
    order = Order.objects.get(channel=channel, package_id=placed["packageId"])
    assert (order.status, order.tracking_number) == (OrderStatus.SHIPPED, "YK15")


def test_the_demo_channel_answers_its_buyers_cancellation_requests(no_celery):
    """The demo's N11 channel as ``mpdash demo`` makes it: an order of the shopper, then the
    buyer's request (the simulator's cancel_request_every), approved and cancelled here."""
    import time

    from mpdash import demo_channels
    from mpdash.demo import create_demo_catalog
    from mpdash.marketplaces import registry
    from mpdash.marketplaces.n11.simulator import serve

    demo = registry.demo("n11")
    assert "get_cancellation_request" in demo.flags and demo.simulator_options["cancel_request_every"]
    lists = create_demo_catalog(60)
    sim = serve(**{**demo.simulator_options, "order_rate": 0.0, "claim_delay": 0.05, "cancel_request_every": 1})
    try:
        channel = demo_channels.set_up("n11", demo, lists, sim.url, log=lambda _: None)
        sku = channel.catalog.items.first().product.sku
        sim.add_products([{"stockCode": sku, "quantity": 5}])
        sim.configure(order_rate=20.0)
        time.sleep(0.12)
        sim.configure(order_rate=0.0)
        time.sleep(0.1)
        assert run(channel, "get_orders").failed == 0
        result = run(channel, "get_cancellation_request")
        assert result.failed == 0 and result.succeeded >= 1, list(result.lines.values("message"))
        assert CancellationRequest.objects.filter(order__channel=channel, cancellation_type="cancel",
                                                  status="approved").count() == result.succeeded
        assert {sim.claim(c)["status"] for c in sim.state.claims} == {"COMPLETED"}
    finally:
        sim.stop()


def test_send_delete_product_seller_code_frees_the_barcode_and_sends_the_product_again(lists, n11_sim, no_celery):  # noqa: F811
    from mpdash.integration.models import PendingChange, ProductIntegration
    from mpdash.marketplaces.n11.config import SELLER_CODE_CLASH

    clashing, other = make_products(lists, 2, prefix="N11S")
    n11_sim.add_products([{"stockCode": "OLD-CODE", "barcode": "8690001"}])
    channel = n11_channel(lists, n11_sim, ("send_delete_product_seller_code", "product_create"),
                          default_reason_id=reason("refund", "marketplace_refund"))
    ProductIntegration.objects.create(channel=channel, product=clashing, state="rejected",
                                      reasons=[SELLER_CODE_CLASH.format(code="OLD-CODE")])
    ProductIntegration.objects.create(channel=channel, product=other, state="rejected", reasons=["Marka bilgisi girilmelidir"])
    PendingChange.objects.filter(channel=channel).delete()  # the catalog's first changes: sent (and refused) before
    result = run(channel, "send_delete_product_seller_code")
    assert (result.succeeded, result.failed) == (1, 0), list(result.lines.values("message"))
    assert n11_sim.product("OLD-CODE") is None
    assert ProductIntegration.objects.get(channel=channel, product=clashing).state == "new"
    assert ProductIntegration.objects.get(channel=channel, product=other).state == "rejected"  # another refusal: left
    assert PendingChange.objects.filter(channel=channel, kind="product", product=clashing).exists()
    assert not PendingChange.objects.filter(channel=channel, kind="product", product=other).exists()
    assert run(channel, "send_delete_product_seller_code").selected == 0  # nothing left to free

"""``POST /flow-trigger/{channel}/{flow}``: bad requests get a clear 4xx and queue nothing; a
good one is stored, queued, split on the Hepsiburada simulator and followed by its id."""

from __future__ import annotations

import time

import pytest

from mpdash.integration.models import TriggerRequest
from mpdash.orders.models import Order

from ..conftest import make_products
from .conftest import run, trendyol_channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(channel_factory, oms_sim, lists, no_celery):
    products = make_products(lists, 2, prefix="SPL")
    oms_sim.add_listings([{"merchantSku": p.sku, "price": 100, "availableStock": 50} for p in products])
    ch = channel_factory(url=oms_sim.url, active=True, flags=("get_orders", "split_packages", "update_warehouse"),
                         automatic_packing=True, shipping_address_label_mapping={"WH-EXP-TR-34": "IKINCIL"})
    ch.products = products
    return ch


def trigger(client, slug, flow, body, **extra):
    return client.post(f"/flow-trigger/{slug}/{flow}", body, format="json", **extra)


@pytest.mark.parametrize("slug, flow, body, code, words", [
    ("nope", "split_packages", {"payload": {}}, 404, "no sales channel with slug 'nope'"),
    ("hb", "dance", {"payload": {}}, 404, "has no flow 'dance'"),
    ("hb", "stock", {"payload": {}}, 400, "does not take triggers"),
    ("hb", "split_packages", {"groups": []}, 400, '{"payload": {...}}'),
    ("hb", "split_packages", {"payload": {"groups": [[], []]}}, 400, "payload.package_id is required"),
    ("hb", "split_packages", {"payload": {"package_id": "1", "groups": [[{"line_id": "a"}]]}}, 400, "at least two groups"),
    ("hb", "split_packages", {"payload": {"package_id": "1", "groups": [[{"line_id": "a", "quantity": 0}],
                                                                       [{"line_id": "a"}]]}}, 400,
     "payload.groups[0][0].quantity must be a whole number"),
    ("hb", "update_warehouse", {"payload": {"order_number": "X1"}}, 400, "payload.stock_location.erp_code is required"),
    ("hb", "update_warehouse", {"payload": {"order_number": "X1", "stock_location": {"erp_code": "W"}}}, 400,
     "no order 'X1' on channel hb"),
])
def test_bad_requests_are_refused_and_queue_nothing(channel, erp, no_celery, slug, flow, body, code, words):
    response = trigger(erp, slug, flow, body)
    assert response.status_code == code, response.content
    assert words in response.json()["detail"]
    assert not TriggerRequest.objects.exists() and not no_celery


def test_a_flag_that_is_off_and_a_bad_token_are_refused(channel, erp, no_celery):
    channel.update_config({"feature_flags": {**channel.config["feature_flags"], "split_packages": False}})
    channel.save()
    response = trigger(erp, "hb", "split_packages", {"payload": {}})
    assert response.status_code == 409 and "split_packages feature flag" in response.json()["detail"]
    from rest_framework.test import APIClient

    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert trigger(stranger, "hb", "split_packages", {"payload": {}}).status_code == 401
    assert not TriggerRequest.objects.exists() and not no_celery


def test_a_split_is_queued_carried_out_and_followed(channel, oms_sim, erp, no_celery, django_capture_on_commit_callbacks):
    oms_sim.place_order([{"merchantSku": channel.products[0].sku, "quantity": 2}], shopper=0, at=time.time() - 120)
    run(channel, "get_orders")
    order = Order.objects.get(channel=channel)
    line = order.items.get().remote_line_id
    with django_capture_on_commit_callbacks(execute=True):
        response = trigger(erp, "hb", "split_packages", {"payload": {
            "package_id": order.package_id,
            "groups": [[{"line_id": line, "quantity": 1}], [{"line_id": line, "quantity": 1}]]}})
    assert response.status_code == 202, response.content
    correlation = response.json()["correlation_id"]
    assert response.json()["status"] == "queued"
    assert [call[2]["kwargs"]["flow"] for call in no_celery if call[0] == "run_flow"] == ["split_packages"]
    result = run(channel, "split_packages")
    assert result.succeeded == 1, list(result.lines.values("message"))
    followed = erp.get(f"/flow-trigger/requests/{correlation}").json()
    assert followed["status"] == "done" and order.package_id in followed["result"]
    # Hepsiburada made two packages of one unit each out of the old one.
    new = [p for p in oms_sim.packages() if p.get("packageNumber") != order.package_id and p.get("status") != "Unpacked"]
    assert len(new) >= 2, oms_sim.packages()
    assert run(channel, "split_packages").selected == 0  # done once


def test_update_warehouse_moves_the_package_to_the_mapped_address(channel, oms_sim, erp):
    oms_sim.place_order([{"merchantSku": channel.products[1].sku, "quantity": 1}], shopper=1, at=time.time() - 120)
    run(channel, "get_orders")
    order = Order.objects.get(channel=channel)
    body = {"payload": {"order_number": order.number, "stock_location": {"erp_code": "WH-EXP-TR-34"}}}
    response = trigger(erp, "hb", "update_warehouse", body)
    assert response.status_code == 202, response.content
    result = run(channel, "update_warehouse")
    assert result.succeeded == 1, list(result.lines.values("message"))
    assert oms_sim.package(order.package_id)["warehouse"] == "IKINCIL"
    # An erp code the channel does not map fails with the setting to fix, and is logged.
    body["payload"]["stock_location"]["erp_code"] = "WH-UNKNOWN"
    trigger(erp, "hb", "update_warehouse", body)
    failed = run(channel, "update_warehouse")
    assert failed.failed == 1 and "shipping_address_label_mapping" in failed.lines.get(outcome="fail").message
    assert TriggerRequest.objects.filter(status="failed").count() == 1


def test_update_warehouse_on_trendyol(lists, ty_sim, erp, no_celery):
    products = make_products(lists, 1, prefix="TWH")
    ty_sim.add_products([{"barcode": p.sku, "stockCode": p.sku, "quantity": 5, "salePrice": 100, "listPrice": 120}
                         for p in products])
    channel = trendyol_channel(lists, ty_sim, ("get_orders", "update_warehouse"), default_reason_id=7,
                               warehouse_mapping={"WH-2": 1002})
    placed = ty_sim.place_order([{"barcode": products[0].sku, "quantity": 1}])
    run(channel, "get_orders")
    order = Order.objects.get(channel=channel)
    response = trigger(erp, "ty", "update_warehouse",
                       {"payload": {"order_number": order.number, "stock_location": {"erp_code": "WH-2"}}})
    assert response.status_code == 202, response.content
    result = run(channel, "update_warehouse")
    assert result.succeeded == 1, list(result.lines.values("message"))
    assert ty_sim.package(placed["packageId"])["warehouseId"] == 1002

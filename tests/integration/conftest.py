"""Fixtures of the order-flow tests: both order simulators, and an ERP speaking the REST API."""

from __future__ import annotations

import pytest


@pytest.fixture
def oms_sim():
    """The Hepsiburada simulator; packages are made by our automatic packing, not by Hepsiburada."""
    from mpdash.marketplaces.hepsiburada.simulator import serve

    server = serve(port=0, processing_delay=0.1, auto_pack_delay=None)
    yield server
    server.stop()


@pytest.fixture
def ty_sim():
    from mpdash.marketplaces.trendyol.simulator import serve

    server = serve(port=0, processing_delay=0.1, rate_limit=0)
    yield server
    server.stop()


@pytest.fixture
def erp(db):
    """An API client with a token, as an ERP integration would use."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    user = get_user_model().objects.create_user("erp", password="erp-pass-123")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def run(channel, flow="get_orders"):
    """Run a flow in this process, as a worker would; returns its FlowRun."""
    from mpdash.integration.dispatch import execute
    from mpdash.integration.models import FlowRun

    [run_id] = execute(channel.pk, flow, "manual")
    return FlowRun.objects.get(pk=run_id)


def post(client, path, body):
    response = client.post(path, body, format="json")
    assert response.status_code in (200, 201), response.content
    return response.json()


def reason(kind: str, code: str) -> int:
    from mpdash.orders.models import CancellationReason

    return CancellationReason.objects.get(cancellation_type=kind, code=code).pk


def trendyol_channel(lists, sim, flows, **config):
    """An active Trendyol channel on ``sim`` with only ``flows`` on; ``config`` adds or overrides keys."""
    from mpdash.channels.models import SalesChannel

    channel = SalesChannel(name="Trendyol", slug="ty", marketplace="trendyol", **lists)
    channel.save()
    flags = {f: f in flows for f in channel.config["feature_flags"]}
    channel.update_config({
        **sim.adapter_config(), "category_ids": ["1001"], "feature_flags": flags, "cargo_company_mapping": {"default": 1},
        "cancellation_reason_id": 1, "default_reason_id": 1, **config,
    })
    channel.is_active = True
    channel.full_clean()
    channel.save()
    return channel


@pytest.fixture
def n11_sim():
    from mpdash.marketplaces.n11.simulator import serve

    server = serve(port=0, processing_delay=0.1, approval_delay=0.3, rate_limit=0)
    yield server
    server.stop()


def n11_channel(lists, sim, flows, **config):
    """An active N11 channel on ``sim`` with only ``flows`` (generic flow names) on."""
    from mpdash.channels.models import SalesChannel
    from mpdash.marketplaces.n11.adapter import N11Adapter

    channel = SalesChannel(name="N11", slug="n11", marketplace="n11", **lists)
    channel.save()
    wanted = {N11Adapter.flow(name).flag for name in flows}
    flags = {f: f in wanted for f in channel.config["feature_flags"]}
    channel.update_config({
        **sim.adapter_config(), "category_ids": ["1000001"], "feature_flags": flags, "cargo_company_mapping": {"default": 1},
        "cancellation_reason_id": 1, "default_reason_id": 1, "deny_reason_id": 81, **config,
    })
    channel.is_active = True
    channel.full_clean()
    channel.save()
    return channel


def assert_shipped_then_delivered(channel, move, package_id: str, tracking_number: str) -> None:
    """The marketplace's carrier ships (``move(package_id, status, tracking_number=)``) and
    delivers the package; get_updated_orders brings both, with the tracking number."""
    from mpdash.orders.models import Order, OrderStatus

    move(package_id, "Shipped", tracking_number=tracking_number)
    run(channel, "get_updated_orders")
    order = Order.objects.get(channel=channel, package_id=package_id)
    assert order.status == OrderStatus.SHIPPED and order.tracking_number == tracking_number
    move(package_id, "Delivered")
    run(channel, "get_updated_orders")
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED


def assert_cancelled_once_not_echoed(channel, order) -> None:
    """After the marketplace cancelled ``order``: get_cancel_orders cancels it here, once (run
    twice), and send_cancel_order_items has nothing to send back."""
    from mpdash.orders.models import CancellationRequest, OrderStatus

    result = run(channel, "get_cancel_orders")
    assert result.status == "success", (result.message, list(result.lines.values("message")))
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    run(channel, "get_cancel_orders")
    assert CancellationRequest.objects.filter(order=order).count() == 1
    assert run(channel, "send_cancel_order_items").selected == 0

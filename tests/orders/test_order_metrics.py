"""The order store counts each new local order once in mpdash_orders_ingested_total (issue 16)."""

from __future__ import annotations

from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from mpdash.orders.store import store_order

from .conftest import order_data


def _ingested(slug: str) -> float:
    text = Client().get("/metrics").content.decode()
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == "mpdash_orders_ingested_total" and s.labels == {"channel": slug}:
                return s.value
    return 0.0


def test_new_orders_are_counted_once_and_a_repeat_is_not(channel, django_capture_on_commit_callbacks):
    before = _ingested(channel.slug)
    with django_capture_on_commit_callbacks(execute=True):
        _, created = store_order(channel, **order_data("PKG-M1", "ORD-M1"))
    assert created and _ingested(channel.slug) == before + 1
    with django_capture_on_commit_callbacks(execute=True):
        _, created = store_order(channel, **order_data("PKG-M1", "ORD-M1"))  # the same package again
    assert not created and _ingested(channel.slug) == before + 1

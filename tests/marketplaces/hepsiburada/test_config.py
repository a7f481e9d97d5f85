"""The Hepsiburada channel data: flags, flows, schema and batch sizes."""

from __future__ import annotations

import re

from mpdash.marketplaces.base import DATA_TYPES
from mpdash.marketplaces.hepsiburada.adapter import HepsiburadaAdapter
from mpdash.marketplaces.hepsiburada.config import BATCH_SIZES, FLOWS, SCHEMA

GUIDE_FLAGS = [
    "get_orders", "get_cancel_orders", "get_refund_orders", "send_update_orders", "split_packages",
    "delete_product", "product_create", "product_update", "price", "stock", "get_updated_orders",
    "approve_refund", "reject_refund", "unpacked_orders", "send_cancel_order_items", "update_warehouse",
]


def test_flags_are_exactly_the_guides():
    assert [f.flag for f in FLOWS if f.flag] == GUIDE_FLAGS
    assert all(f.name == f.flag for f in FLOWS if f.flag)


def test_stock_and_price_flows():
    stock, price = HepsiburadaAdapter.flow("stock"), HepsiburadaAdapter.flow("price")
    assert (stock.kind, stock.every_seconds, stock.direction) == ("productstock", 60, "out")
    assert (price.kind, price.every_seconds, price.direction) == ("productprice", 300, "out")


def test_schedules():
    by_name = {f.name: f for f in FLOWS}
    assert by_name["get_updated_orders"].crontab == "0 6 * * *"
    assert by_name["split_packages"].schedule_text == "on trigger"
    assert by_name["get_orders"].every_seconds == 300 and by_name["get_orders"].direction == "in"
    maintenance = [f.name for f in FLOWS if not f.flag]
    assert maintenance == ["schema_update", "category_node", "category_attributes", "default_attributes",
                           "compare_attributes", "reconcile"]
    assert all(by_name[n].direction == "maintenance" for n in maintenance)
    assert all(by_name[n].schedule_text == "on trigger" for n in maintenance if n != "reconcile")
    assert by_name["reconcile"].schedule_text == "every 60 min"


def test_schema_keys_types_and_help():
    keys = [f.key for f in SCHEMA]
    assert len(keys) == len(set(keys))
    for f in SCHEMA:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", f.key), f.key
        assert f.data_type in DATA_TYPES
        assert f.help
    fields = {f.key: f for f in SCHEMA}
    assert fields["password"].secret and fields["password"].required
    assert [k for k, f in fields.items() if f.secret] == ["password"]
    assert fields["feature_flags"].data_type == "json" and fields["feature_flags"].required
    assert fields["category_ids"].data_type == "list" and fields["category_ids"].required
    assert fields["buffer_stock"].data_type == "integer" and not fields["buffer_stock"].required
    assert "store_account_cargo_company" in fields


def test_default_config():
    config = HepsiburadaAdapter.default_config()
    assert config["base_url"] == "https://mpop.hepsiburada.com"
    assert config["listing_url"] == "https://listing-external.hepsiburada.com"
    assert config["orders_refundable_days"] == 15
    assert config["attribute_set_strategy"] == "CategoryNode"
    assert config["feature_flags"] == {flag: False for flag in GUIDE_FLAGS}
    failed = config["failed_integration"]
    assert failed["order"] == {"RETRY_INTERVAL": 28800, "EXPIRATION_DATE": 57601, "MAX_RETRY_COUNT": 3}
    for kind in ("DEFAULT", "product", "productprice", "productstock"):
        assert failed[kind]["MAX_RETRY_COUNT"] == 2
    assert failed["sent_to_remote"] == {"EXPIRATION_HOUR": 6}
    assert HepsiburadaAdapter.default_schema()["password"]["secret"] is True


def test_batch_sizes():
    assert BATCH_SIZES == {"productstock": 4000, "productprice": 4000, "product": 1000, "product_delete": 4000}
    assert HepsiburadaAdapter.batch_size("productstock") == 4000
    assert HepsiburadaAdapter.batch_size("product") == 1000


def test_catalog_limits():
    assert HepsiburadaAdapter.max_images == 10
    assert HepsiburadaAdapter.max_request_bytes == 10 * 1024 * 1024

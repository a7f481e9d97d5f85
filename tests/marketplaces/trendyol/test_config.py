"""The Trendyol channel data: flags, flows, schema, batch sizes and the registry entries."""

from __future__ import annotations

import re

from mpdash.marketplaces import registry
from mpdash.marketplaces.base import DATA_TYPES
from mpdash.marketplaces.trendyol.adapter import TrendyolAdapter
from mpdash.marketplaces.trendyol.config import BATCH_SIZES, FLOWS, SCHEMA

FLAGS = [
    "get_orders", "get_cancel_orders", "get_refund_orders", "send_update_orders", "split_packages",
    "delete_product", "product_create", "product_update", "price", "stock", "get_updated_orders",
    "approve_refund", "reject_refund", "send_cancel_order_items", "update_warehouse",
]


def test_flags_are_named_after_their_flows():
    assert [f.flag for f in FLOWS if f.flag] == FLAGS
    assert all(f.name == f.flag for f in FLOWS if f.flag)


def test_stock_and_price_flows():
    stock, price = TrendyolAdapter.flow("stock"), TrendyolAdapter.flow("price")
    assert (stock.kind, stock.every_seconds, stock.direction) == ("productstock", 60, "out")
    assert (price.kind, price.every_seconds, price.direction) == ("productprice", 300, "out")
    assert TrendyolAdapter.flow_by_flag("product_create").direction == "out"


def test_schedules_and_maintenance_flows():
    by_name = {f.name: f for f in FLOWS}
    assert by_name["get_updated_orders"].crontab == "0 6 * * *"
    assert by_name["split_packages"].schedule_text == "on trigger"
    assert by_name["reject_refund"].schedule_text == "on trigger"
    assert by_name["get_orders"].every_seconds == 300 and by_name["get_orders"].direction == "in"
    maintenance = [f.name for f in FLOWS if not f.flag]
    assert maintenance == ["schema_update", "category_node", "category_attributes", "default_attributes",
                           "compare_attributes", "reconcile", "brands"]
    assert all(by_name[n].direction == "maintenance" for n in maintenance)
    assert all(by_name[n].schedule_text == "on trigger" for n in maintenance if n != "reconcile")


def test_schema_keys_types_and_help():
    keys = [f.key for f in SCHEMA]
    assert len(keys) == len(set(keys))
    for f in SCHEMA:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", f.key), f.key
        assert f.data_type in DATA_TYPES
        assert f.help
    fields = {f.key: f for f in SCHEMA}
    assert [k for k, f in fields.items() if f.secret] == ["api_key", "api_secret"]
    for key in ("base_url", "seller_id", "api_key", "api_secret", "integrator_name", "category_ids", "feature_flags",
                "failed_integration", "cargo_company_mapping", "cancellation_reason_id", "default_reason_id",
                "attribute_set_strategy"):
        assert fields[key].required, key
    for key in ("buffer_stock", "cargo_company_id", "order_number_format", "order_start_date", "refund_start_date",
                "orders_refundable_days", "cancellation_reason_mapping", "refund_reason_mapping",
                "send_cancel_reason_id", "send_shipping_info", "erp_code", "delivery_duration",
                "shipment_address_id", "returning_address_id", "storefront_code"):
        assert key in fields and not fields[key].required, key
    assert fields["feature_flags"].data_type == "json"
    assert fields["category_ids"].data_type == "list"
    assert fields["buffer_stock"].data_type == "integer"


def test_default_config():
    config = TrendyolAdapter.default_config()
    assert config["base_url"] == "https://apigw.trendyol.com/integration"
    assert config["integrator_name"] == "SelfIntegration"
    assert config["storefront_code"] == "TR"
    assert config["attribute_set_strategy"] == "CategoryNode"
    assert config["orders_refundable_days"] == 15
    assert config["delivery_duration"] == 3
    assert config["feature_flags"] == {flag: False for flag in FLAGS}
    failed = config["failed_integration"]
    assert failed["order"] == {"RETRY_INTERVAL": 28800, "EXPIRATION_DATE": 57601, "MAX_RETRY_COUNT": 3}
    for kind in ("DEFAULT", "product", "productprice", "productstock"):
        assert failed[kind]["MAX_RETRY_COUNT"] == 2
    assert failed["sent_to_remote"] == {"EXPIRATION_HOUR": 6}
    schema = TrendyolAdapter.default_schema()
    assert schema["api_secret"]["secret"] is True and schema["api_key"]["secret"] is True
    assert "secret" not in schema["seller_id"]


def test_batch_sizes():
    assert BATCH_SIZES == {"productstock": 1000, "productprice": 1000, "product": 1000, "product_delete": 1000}
    assert TrendyolAdapter.batch_size("product_delete") == 1000
    assert TrendyolAdapter.max_images == 8


def test_registry_names_trendyol():
    assert registry.adapter_class("trendyol") is TrendyolAdapter
    from mpdash.marketplaces.trendyol.simulator import serve

    assert registry.simulator_factory("trendyol") is serve
    assert ("trendyol", "Trendyol") in registry.choices()

"""The N11 channel data: the seed's flags, schema keys and defaults, limits, registry entries."""

from __future__ import annotations

from mpdash.marketplaces import registry
from mpdash.marketplaces.n11.adapter import N11Adapter
from mpdash.marketplaces.common_config import FAILED_INTEGRATION_DEFAULT
from mpdash.marketplaces.n11.config import BATCH_SIZES, FLOWS, SCHEMA
from mpdash.marketplaces.n11.simulator import serve

# SPEC §4, exactly as the N11 seed names them.
SEED_FLAGS = {"get_orders", "send_update_orders", "split_packages", "send_delete_products", "send_products_inserted",
              "get_updated_order_items", "get_cancellation_request", "get_cancel_orders", "send_updated_product_price",
              "send_updated_product_stock", "handle_package_combinations", "send_cancel_order_items",
              "send_delete_product_seller_code"}


def test_flags_are_the_seeds_and_turn_on_generic_flows():
    assert {f.flag for f in FLOWS if f.flag} == SEED_FLAGS
    assert set(N11Adapter.default_config()["feature_flags"]) == SEED_FLAGS
    assert not any(N11Adapter.default_config()["feature_flags"].values())  # all false by default (seed)
    assert N11Adapter.flow_by_flag("send_updated_product_stock").name == "stock"
    assert N11Adapter.flow("stock").every_seconds == 60 and N11Adapter.flow("price").every_seconds == 300
    assert N11Adapter.flow("get_updated_orders").crontab == "0 6 * * *"  # the seed's 06:00
    assert N11Adapter.flow("split_packages").schedule_text == "on trigger"
    # Returns ride the seed's Cancel/Refund Orders flag; their decisions the flag that answers N11's requests.
    assert N11Adapter.flow("get_refund_orders").flag == "get_cancel_orders"
    assert N11Adapter.flow("approve_refund").flag == N11Adapter.flow("reject_refund").flag == "get_cancellation_request"
    assert N11Adapter.flow("get_cancellation_request").every_seconds == 300


def test_the_seeds_own_flows_have_runners_but_package_combinations():
    from mpdash.integration.flows import runnable

    assert runnable("get_cancellation_request", N11Adapter) and runnable("send_delete_product_seller_code", N11Adapter)
    assert runnable("get_refund_orders", N11Adapter) and runnable("reject_refund", N11Adapter)
    assert not runnable("handle_package_combinations", N11Adapter)  # nothing local to read yet (package docstring)


def test_schema_keys_and_defaults_from_the_seed():
    fields = {f.key: f for f in SCHEMA}
    assert len(fields) == len(SCHEMA)
    assert [k for k, f in fields.items() if f.secret] == ["app_key", "app_secret"]
    assert "sales_url" not in fields  # the seed's shop-site address: nothing here uses it
    for key in ("app_key", "app_secret", "base_url", "category_ids", "feature_flags", "deny_reason_id",
                "cancellation_reason_id", "default_reason_id", "failed_integration", "attribute_set_strategy"):
        assert fields[key].required, key
    for key in ("erp_code", "unsupplied_reason_id", "unpacked_reason_id", "cargo_company_id", "use_neighborhood",
                "send_shipping_info", "send_cancel_reason_id", "exclude_cargo_company_ids", "order_start_date",
                "get_discount_amount", "order_number_format", "use_channel_id_in_address_mapping", "buffer_stock",
                "oms_enabled"):
        assert not fields[key].required, key
    defaults = N11Adapter.default_config()
    assert defaults["base_url"] == "https://api.n11.com/ws/"
    assert defaults["attribute_set_strategy"] == "CategoryNode"
    assert defaults["failed_integration"] == FAILED_INTEGRATION_DEFAULT
    assert FAILED_INTEGRATION_DEFAULT["order"]["MAX_RETRY_COUNT"] == 3
    assert FAILED_INTEGRATION_DEFAULT["sent_to_remote"] == {"EXPIRATION_HOUR": 6}
    assert all(f.help for f in SCHEMA)
    # The seed's names of concepts the common config holds under one name.
    assert (fields["send_cancel_reason_id"].label, defaults["send_cancel_reason_id"]) == ("Cancellation Reason Type Id", 65)
    assert fields["cancellation_reason_mapping"].label == "Cancellation Map"
    assert fields["default_reason_id"].label == "Refund Reason Id"


def test_batch_sizes_and_registry():
    assert set(BATCH_SIZES.values()) == {1000}
    assert registry.adapter_class("n11") is N11Adapter
    assert registry.simulator_factory("n11") is serve
    assert ("n11", "N11") in registry.choices()

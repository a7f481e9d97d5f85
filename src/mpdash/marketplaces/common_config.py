"""The flows and config keys every marketplace shares, declared once.

A marketplace's ``config.py`` calls :func:`declare_flows` and :func:`declare_schema` with
only what is its own: its URLs and credentials, its extra keys, and the few shared keys whose
default, help or label it changes. Generic code (``integration/``, ``orders/``) reads only
keys declared here, each concept under one name (SPEC §3); a key renamed here is listed in
:data:`RENAMED_KEYS` so that configs saved under the old name keep working (a data
migration of the channels app renames the stored keys).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .base import FlowSpec, SchemaField
from .renamed_keys import RENAMED_KEYS, current_config

EVERY_5_MIN = 300

# --- flows -------------------------------------------------------------------------------------
# In the order of the setup guide's feature flags (SPEC 4), then the maintenance flows that run
# without a flag (after install, or when category ids change).
COMMON_FLOWS: tuple[FlowSpec, ...] = (
    FlowSpec("get_orders", "get_orders", "Get orders", "in", every_seconds=EVERY_5_MIN),
    FlowSpec("get_cancel_orders", "get_cancel_orders", "Get cancelled orders", "in", every_seconds=EVERY_5_MIN),
    FlowSpec("get_refund_orders", "get_refund_orders", "Get refund orders", "in", every_seconds=EVERY_5_MIN),
    FlowSpec("send_update_orders", "send_update_orders", "Send order updates", "out", every_seconds=EVERY_5_MIN),
    # Triggered from outside by the OMS, never on a schedule.
    FlowSpec("split_packages", "split_packages", "Split packages", "out"),
    FlowSpec("delete_product", "delete_product", "Delete products (stock to 0)", "out", every_seconds=EVERY_5_MIN),
    FlowSpec("product_create", "product_create", "Create products", "out", every_seconds=EVERY_5_MIN),
    FlowSpec("product_update", "product_update", "Update products", "out", every_seconds=EVERY_5_MIN),
    FlowSpec("price", "price", "Send prices", "out", every_seconds=EVERY_5_MIN, kind="productprice"),
    FlowSpec("stock", "stock", "Send stock", "out", every_seconds=60, kind="productstock"),
    FlowSpec("get_updated_orders", "get_updated_orders", "Get shipped/delivered orders", "in", crontab="0 6 * * *"),
    FlowSpec("approve_refund", "approve_refund", "Approve refunds", "out", every_seconds=EVERY_5_MIN),
    # Rejecting needs a reason, a statement and files an operator chooses: no schedule.
    FlowSpec("reject_refund", "reject_refund", "Reject refunds", "out"),
    FlowSpec("send_cancel_order_items", "send_cancel_order_items", "Send partial cancellations", "out",
             every_seconds=EVERY_5_MIN),
    # Triggered by the OMS (POST /flow-trigger/{channel}/update_warehouse), never on a schedule.
    FlowSpec("update_warehouse", "update_warehouse", "Update warehouse", "out"),
    FlowSpec("schema_update", "", "Schema update", "maintenance"),
    FlowSpec("category_node", "", "Category node", "maintenance"),
    FlowSpec("category_attributes", "", "Category attributes", "maintenance"),
    FlowSpec("default_attributes", "", "Default attributes", "maintenance"),
    FlowSpec("compare_attributes", "", "Compare attributes", "maintenance"),
    # The Dashboard's figures: listings against the catalog, differences queued again.
    FlowSpec("reconcile", "", "Reconciliation", "maintenance", every_seconds=3600),
)


def declare_flows(*, labels: dict[str, str] | None = None, after: dict[str, tuple[FlowSpec, ...]] | None = None,
                  extra: tuple[FlowSpec, ...] = ()) -> tuple[FlowSpec, ...]:
    """The common flows with a marketplace's own ``labels``, its own flows inserted ``after``
    a common one, and ``extra`` maintenance flows at the end."""
    labels, after = labels or {}, after or {}
    unknown = (set(labels) | set(after)) - {f.name for f in COMMON_FLOWS}
    if unknown:
        raise ValueError(f"not common flows: {', '.join(sorted(unknown))}")
    out: list[FlowSpec] = []
    for flow in COMMON_FLOWS:
        out.append(replace(flow, label=labels[flow.name]) if flow.name in labels else flow)
        out.extend(after.get(flow.name, ()))
    return (*out, *extra)


# --- schema ------------------------------------------------------------------------------------
_RETRY_DEFAULTS = {"RETRY_INTERVAL": 28800, "EXPIRATION_DATE": 57601}
# The channel settings table's example (SPEC 6), the same for every marketplace.
FAILED_INTEGRATION_DEFAULT: dict = {
    "order": {**_RETRY_DEFAULTS, "MAX_RETRY_COUNT": 3},
    "DEFAULT": {**_RETRY_DEFAULTS, "MAX_RETRY_COUNT": 2},
    "product": {**_RETRY_DEFAULTS, "MAX_RETRY_COUNT": 2},
    "productprice": {**_RETRY_DEFAULTS, "MAX_RETRY_COUNT": 2},
    "productstock": {**_RETRY_DEFAULTS, "MAX_RETRY_COUNT": 2},
    "sent_to_remote": {"EXPIRATION_HOUR": 6},
}

# Help texts say ``{label}`` where the marketplace's name goes.
COMMON_SCHEMA: tuple[SchemaField, ...] = (
    SchemaField("base_url", "Base Url", "text", required=True, help="{label} API host."),
    SchemaField("category_ids", "Category Ids", "list", required=True, default=[],
                help="Root category ids whose trees are fetched; changing them queues the category flows."),
    SchemaField("feature_flags", "Feature Flags", "json", required=True,
                help="Turns each flow on or off; every flag must be present, false when unused."),
    SchemaField("failed_integration", "Failed Integration", "json", required=True, default=FAILED_INTEGRATION_DEFAULT,
                help="Retry penalties per record kind: RETRY_INTERVAL and EXPIRATION_DATE in seconds, MAX_RETRY_COUNT; "
                "sent_to_remote.EXPIRATION_HOUR bounds the wait for {label}'s answer."),
    SchemaField("buffer_stock", "Buffer Stock", "integer",
                help="Units held back: subtracted from each stock figure before it is sent (never below 0)."),
    SchemaField("cargo_company_mapping", "Cargo Company Mapping", "json", required=True, default={},
                help='{label} carrier name -> our shipping company id, with a "default" entry.'),
    SchemaField("use_neighborhood", "Use Neighborhood", "bool", default=False,
                help="Keep the neighbourhood from order addresses when creating addresses."),
    SchemaField("use_channel_id_in_address_mapping", "Use Channel Id In Address Mapping", "bool", default=False,
                help="Prefix address mapping keys with the channel id (per-channel address mapping)."),
    SchemaField("order_number_format", "Order Number Format", "text",
                help='Format of imported order numbers; empty means "{{orderNumber}}-{{id}}".'),
    SchemaField("order_start_date", "Order Start Date", "text",
                help="Earliest order (package) date fetched, as yyyy-MM-ddTHH:mm:ssZ."),
    SchemaField("refund_start_date", "Refund Start Date", "text",
                help="Earliest claim date fetched, as yyyy-MM-ddTHH:mm:ssZ."),
    SchemaField("orders_refundable_days", "Orders Refundable Days", "integer", default=15,
                help="Days after order creation during which it can be returned."),
    SchemaField("cancellation_reason_id", "Cancellation Reason Id", "integer", required=True,
                help="Our reason id given to orders cancelled on {label}."),
    SchemaField("cancellation_reason_mapping", "Cancellation Reason Mapping", "json", default={},
                help="{label} cancellation reason -> our cancellation reason id."),
    SchemaField("default_reason_id", "Default Reason Id", "integer", required=True,
                help="Our refund reason id used when a claim reason has no mapping."),
    SchemaField("refund_reason_mapping", "Refund Reason Mapping", "json", default={},
                help="{label} claim reason -> our refund reason id."),
    SchemaField("send_cancel_reason_id", "Send Cancel Reason Id", "integer",
                help="{label} reason sent with lines we cancel (when the local reason has no mapping); it must "
                "differ from the reasons above, which mark cancellations that came from {label}."),
    SchemaField("claim_issue_reason_id", "Claim Issue Reason Id", "integer",
                help="{label} reason sent when a refund is rejected without a chosen reason."),
    SchemaField("send_shipping_info", "Send Shipping Info", "bool", default=False,
                help="On: the brand ships and sends tracking numbers. Off: {label} manages shipping."),
    SchemaField("shipping_provider", "Shipping Provider", "json",
                help="Carrier -> tracking URL templates used when sending tracking links."),
    SchemaField("billing_address_same_as_shipping", "Billing Address Same As Shipping", "bool",
                help="For micro-export orders, use the delivery address as the billing address too."),
    SchemaField("reconciliation_days", "Reconciliation Days", "integer",
                help="Days the daily order sweep reads again to store anything missed (3 when empty)."),
    SchemaField("erp_code", "Erp Code", "text", help="The brand's own code for this sales channel."),
    SchemaField("attribute_set_strategy", "Attribute Set Strategy", "text", required=True, default="CategoryNode",
                help="How products are assigned attribute sets; keep CategoryNode."),
)

COMMON_KEYS = frozenset(f.key for f in COMMON_SCHEMA)


def declare_schema(label: str, *, first: tuple[SchemaField, ...] = (), own: tuple[SchemaField, ...] = (),
                   overrides: dict[str, dict[str, Any]] | None = None) -> tuple[SchemaField, ...]:
    """A marketplace's schema: ``first`` (its URLs and credentials), the common keys with
    ``overrides`` (``{key: {"default": …, "help": …}}``), then ``own`` keys. A key of its own
    that is also common is refused: change the common one through ``overrides``."""
    overrides = overrides or {}
    clash = sorted(COMMON_KEYS & {f.key for f in (*first, *own)})
    unknown = sorted(set(overrides) - COMMON_KEYS)
    if clash or unknown:
        raise ValueError(f"{label} schema: common keys declared again (change them through overrides): "
                         f"{', '.join(clash) or 'none'}; overrides of keys that are not common: {', '.join(unknown) or 'none'}")
    common = []
    for field in COMMON_SCHEMA:
        named = replace(field, help=field.help.format(label=label))
        common.append(replace(named, **overrides.get(field.key, {})))
    return (*first, *common, *own)


__all__ = ["COMMON_FLOWS", "COMMON_KEYS", "COMMON_SCHEMA", "FAILED_INTEGRATION_DEFAULT", "RENAMED_KEYS",
           "current_config", "declare_flows", "declare_schema"]

"""Walmart channel data: hosts, headers, call budgets, feed limits, statuses, flows and config schema.

Data only: no Django, no HTTP. Facts are from Walmart's OpenAPI documents (auth, feeds, items,
inventory, price, orders, returns) and reference §6; what they do not state is marked.
"""

from __future__ import annotations

from ..base import FlowSpec, SchemaField
from ..common_config import declare_flows, declare_schema

PRODUCTION_URL = "https://marketplace.walmartapis.com"
SANDBOX_URL = "https://sandbox.walmartapis.com"
SERVICE_NAME = "Walmart Marketplace"  # WM_SVC.NAME, as in Walmart's request samples
CURRENCY = "USD"

# Per-operation budgets (calls, seconds), shared by every worker. Walmart publishes its US
# production limits per API on the rate-limiting page and answers every call with
# X-Current-Token-Count / X-Next-Replenishment-Time, which the client follows on top of these
# [UNVERIFIED: the figures below are conservative guesses; the headers are authoritative].
BUDGETS: dict[str, tuple[int, float]] = {
    "getAllOrders": (20, 60.0), "getAnOrder": (20, 60.0), "acknowledgeOrders": (20, 60.0),
    "shippingUpdates": (20, 60.0), "cancelOrderLines": (20, 60.0), "refundOrderLines": (20, 60.0),
    "getReturns": (10, 60.0), "issueRefund": (10, 60.0),
    "updateInventoryForAnItem": (20, 60.0), "updatePrice": (20, 60.0),
    "getAllItems": (10, 60.0), "getAnItem": (20, 60.0), "retireAnItem": (20, 60.0),
    "getTaxonomyResponse": (5, 60.0), "getFeedItemStatus": (30, 60.0),
    "getSpec": (3, 60.0),  # "three transactions per minute per seller" (Walmart's Get Spec reference)
}
# Feeds have hourly limits per type (reference §6: bulk item setup 10 per hour; inventory and
# price feeds are given the same here [UNVERIFIED for US production]).
FEED_LIMITS: dict[str, tuple[int, float]] = {"MP_ITEM": (10, 3600.0), "inventory": (10, 3600.0),
                                            "price": (10, 3600.0)}
FEED_MAX_ITEMS = 10_000
FEED_MAX_BYTES = 10 * 1024 * 1024  # "keep under 10 MB"
FEED_DONE = ("PROCESSED", "ERROR")
FEED_PAGE = 1000  # GET /v3/feeds/{id}?includeDetails=true&limit= [UNVERIFIED: the largest limit]
INVENTORY_FEED_VERSION, PRICE_FEED_VERSION, ITEM_FEED_VERSION = "1.4", "1.7", "1.5"  # the documents' examples
SPEC_VERSION = "4.2"  # item spec used for the Get Spec API [UNVERIFIED: Get Spec is not in the snapshot]

# Up to this many stock or price changes go one by one (PUT /v3/inventory, PUT /v3/price) when
# the operation's budget has room for all of them: their answers are immediate, while a feed
# costs one of ten submissions an hour and minutes of processing. Beyond it (or with the PUT
# budget spent) one feed carries up to 10,000 items for one call.
PUT_AT_MOST = 5

# Orders: lastModifiedStartDate/EndDate, limit at most 200, nextCursor; line statuses.
ORDERS_PAGE_SIZE = 200
LINE_STATUSES = ("Created", "Acknowledged", "Shipped", "Delivered", "Cancelled", "Refund")
CANCEL_REASONS = ("CUSTOMER_REQUESTED_SELLER_TO_CANCEL", "SELLER_CANCEL_PRICING_ERROR", "SELLER_CANCEL_OUT_OF_STOCK",
                  "SELLER_CANCEL_FRAUD_STOP_SHIPMENT", "SELLER_CANCEL_ADDRESS_NOT_SERVICEABLE")
CARRIERS = ("UPS", "USPS", "FedEx", "Airborne", "OnTrac", "DHL Ecommerce - US", "LS", "UDS", "UPSMI", "FDX", "PILOT",
            "ESTES", "SAIA")
METHOD_CODES = ("Standard", "Express", "OneDay", "Freight", "WhiteGlove", "Value")

# Walmart's API has no rejection of a return (only POST /v3/returns/{id}/refund): reject_refund
# is not offered; split_packages is shipping some lines (send_update_orders with those lines).
_NOT_OFFERED = ("reject_refund", "split_packages", "update_warehouse", "schema_update")
FLOWS: tuple[FlowSpec, ...] = tuple(f for f in declare_flows(labels={
    "get_refund_orders": "Get returns (as refund requests)", "approve_refund": "Refund returns",
    "delete_product": "Retire products", "send_cancel_order_items": "Cancel order lines"})
    if f.name not in _NOT_OFFERED)


def _f(key, label, data_type, help="", **kw) -> SchemaField:  # noqa: A002
    return SchemaField(key, label, data_type, help=help, **kw)


SCHEMA: tuple[SchemaField, ...] = declare_schema(
    "Walmart",
    first=(
        _f("client_id", "Client Id", "text", "Client ID of the seller's API key (Developer Portal).", required=True),
        _f("client_secret", "Client Secret", "text", "Client secret of that key.", required=True, secret=True),
        _f("service_name", "Service Name", "text", "WM_SVC.NAME sent with every call.", required=True,
           default=SERVICE_NAME),
        _f("ship_node", "Ship Node", "text", "Ship node (fulfillment center id) whose inventory is set; empty: "
           "the seller's default node."),
    ),
    overrides={
        "base_url": {"default": PRODUCTION_URL, "help": f"Walmart API host: {PRODUCTION_URL} or {SANDBOX_URL}."},
        "category_ids": {"required": False, "help": "Walmart categories (taxonomy names) whose subcategories are "
                         "fetched; empty: all."},
        "order_number_format": {"help": "Format of imported order numbers; empty keeps Walmart's customer order id."},
    },
    own=(
        _f("currency", "Currency", "text", "Currency of prices and orders.", default=CURRENCY),
        _f("seller_cancel_reason", "Seller Cancel Reason", "text", "Walmart reason code for lines we cancel when "
           f"our reason has none: one of {', '.join(CANCEL_REASONS)}.", default="SELLER_CANCEL_OUT_OF_STOCK"),
        _f("method_code", "Method Code", "text", "Shipping method reported when the order names none: "
           f"{', '.join(METHOD_CODES)}.", default="Standard"),
    ),
)

BATCH_SIZES: dict[str, int] = {"productstock": FEED_MAX_ITEMS, "productprice": FEED_MAX_ITEMS,
                               "product": FEED_MAX_ITEMS, "product_delete": 20}

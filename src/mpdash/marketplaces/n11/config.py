"""N11 channel data: its flows (the seed's feature flags), config schema and limits.

Data only: no Django, no HTTP. Keys, labels, defaults and flag names follow N11's setup
guide (seed 002) and SPEC §3-4; limits follow the shared API reference §3.2. Where generic
code reads a key under its common name (``cancellation_reason_mapping``,
``default_reason_id``), that name is used and the seed's name is given in the help.
"""

from __future__ import annotations

from ..base import FlowSpec, SchemaField

EVERY_5_MIN = 300

PRODUCTION_URL = "https://api.n11.com/ws/"  # the seed's pre-filled value; REST paths hang off the host
SALES_URL = "https://www.n11.com/"
INTEGRATOR = "mpdash"  # the "integrator" of task payloads: free text naming the software [UNVERIFIED rules]

MAX_SKUS_PER_TASK = 1000  # product-create and price-stock-update (documented)
MAX_ORDER_PAGE_SIZE = 100  # shipmentPackages size [3rd-party]
ORDER_WINDOW_DAYS = 30  # "month-wide windows": a span longer than this is refused by our simulator
RATE_LIMIT_CALLS = 1000  # shipmentPackages: 1,000 requests a minute (documented)
RATE_LIMIT_SECONDS = 60
TASK_PAGE_SIZE = 1000  # task-details page size [UNVERIFIED]
PRODUCT_PAGE_SIZE = 100  # product-query page size [3rd-party]
MAX_IMAGES = 8  # [UNVERIFIED] N11's panel shows 8 image slots
CURRENCY = "TL"

PACKAGE_STATUSES = ("Created", "Picking", "Shipped", "Delivered", "Cancelled", "UnDelivered", "Returned",
                    "UnSupplied", "UnPacked")
TASK_DONE = "PROCESSED"
SKU_SUCCESS, SKU_REJECT = "SUCCESS", "REJECT"
# cancellation_reason_type_id values (seed): sent with partial cancellations.
CANCEL_REASON_TYPES = {61: "Out of Stock", 62: "Defective/Flawed/Damaged Product", 63: "Incorrect Price",
                       64: "Force Majeure", 65: "Other"}
DENY_REASONS = {61: "Out of Stock Product", 62: "Campaign Ended", 63: "Product Delivered in Good Condition",
                64: "Product Damaged", 81: "Product Not Accepted for Return Due to Legislation"}
PENDING_APPROVAL_TEXT = "This product is already pending approval. It will be published once approved."

# The seed's flags, each turning on one generic flow; flows with no generic runner yet
# (cancellation requests, package combinations, delete seller code) are declared so the
# flag exists (the seed requires every flag, false when unused) and are refused when triggered.
FLOWS: tuple[FlowSpec, ...] = (
    FlowSpec("get_orders", "get_orders", "Get orders (Created)", "in", every_seconds=EVERY_5_MIN),
    FlowSpec("send_update_orders", "send_update_orders", "Send order updates (Picking)", "out", every_seconds=EVERY_5_MIN),
    FlowSpec("split_packages", "split_packages", "Split packages", "out"),
    FlowSpec("delete_product", "send_delete_products", "Delete products (stock 0)", "out", every_seconds=EVERY_5_MIN),
    FlowSpec("product_create", "send_products_inserted", "Create products", "out", every_seconds=EVERY_5_MIN),
    FlowSpec("product_update", "send_products_inserted", "Update products", "out", every_seconds=EVERY_5_MIN),
    FlowSpec("get_updated_orders", "get_updated_order_items", "Get shipped/delivered orders", "in", crontab="0 6 * * *"),
    FlowSpec("get_cancellation_request", "get_cancellation_request", "Get cancellation requests", "in",
             every_seconds=EVERY_5_MIN),
    FlowSpec("get_cancel_orders", "get_cancel_orders", "Get cancelled orders", "in", every_seconds=EVERY_5_MIN),
    FlowSpec("price", "send_updated_product_price", "Send prices", "out", every_seconds=EVERY_5_MIN, kind="productprice"),
    FlowSpec("stock", "send_updated_product_stock", "Send stock", "out", every_seconds=60, kind="productstock"),
    FlowSpec("handle_package_combinations", "handle_package_combinations", "Package combinations", "out",
             every_seconds=EVERY_5_MIN),
    FlowSpec("send_cancel_order_items", "send_cancel_order_items", "Send partial cancellations", "out",
             every_seconds=EVERY_5_MIN),
    FlowSpec("send_delete_product_seller_code", "send_delete_product_seller_code", "Delete product seller code", "out"),
    FlowSpec("category_node", "", "Category node", "maintenance"),
    FlowSpec("category_attributes", "", "Category attributes", "maintenance"),
    FlowSpec("default_attributes", "", "Default attributes", "maintenance"),
    FlowSpec("compare_attributes", "", "Compare attributes", "maintenance"),
    FlowSpec("reconcile", "", "Reconciliation", "maintenance", every_seconds=3600),
)

_RETRY = {"RETRY_INTERVAL": 28800, "EXPIRATION_DATE": 57601}
FAILED_INTEGRATION_DEFAULT: dict = {  # the seed's pre-filled value
    "order": {**_RETRY, "MAX_RETRY_COUNT": 3},
    "DEFAULT": {**_RETRY, "MAX_RETRY_COUNT": 2},
    "product": {**_RETRY, "MAX_RETRY_COUNT": 2},
    "productprice": {**_RETRY, "MAX_RETRY_COUNT": 2},
    "productstock": {**_RETRY, "MAX_RETRY_COUNT": 2},
    "sent_to_remote": {"EXPIRATION_HOUR": 6},
}


def _f(key, label, data_type, help="", **kw) -> SchemaField:  # noqa: A002 (the SchemaField name)
    return SchemaField(key, label, data_type, help=help, **kw)


SCHEMA: tuple[SchemaField, ...] = (
    _f("app_key", "App Key", "text", "App key given to the brand by N11 (sent as the appkey header).",
       required=True, secret=True),
    _f("app_secret", "App Secret", "text", "App secret given by N11 (sent as the appsecret header).",
       required=True, secret=True),
    _f("base_url", "Base Url", "text", "API URL for N11; the REST paths are called on its host.", required=True,
       default=PRODUCTION_URL),
    _f("sales_url", "Sales Url", "text", "N11 site URL.", required=True, default=SALES_URL),
    _f("erp_code", "ERP Code", "text", "Sales channel code defined for N11 in the brand's ERP."),
    _f("category_ids", "Category Ids", "list", "Main N11 category ids whose trees are fetched.", required=True,
       default=[]),
    _f("feature_flags", "Feature Flags", "json", "Every flag must be present, false when unused.", required=True),
    _f("deny_reason_id", "Deny Reason Id", "integer",
       "N11 reason used to deny a cancellation request: 61, 62, 63, 64 or 81.", required=True),
    _f("cancellation_reason_id", "Cancellation Reason Id", "integer",
       "Our reason id written on orders cancelled on N11.", required=True),
    _f("unsupplied_reason_id", "Unsupplied Reason Id", "integer", "Our reason id for UnSupplied packages."),
    _f("unpacked_reason_id", "Unpacked Reason Id", "integer", "Our reason id for UnPacked packages."),
    _f("default_reason_id", "Refund Reason Id", "integer",
       "Our refund reason id (the seed's refund_reason_id) for cancellations of invoiced orders.", required=True),
    _f("cancellation_reason_mapping", "Cancellation Map", "json",
       'N11 reason id -> our reason id (the seed\'s cancellation_map), e.g. {"501": "7"}.', default={}),
    _f("cargo_company_id", "Cargo Company Id", "integer", "Our shipping company used for N11 orders when set."),
    _f("cargo_company_mapping", "Cargo Company Mapping", "json",
       'N11 cargo provider name -> our shipping company, with a "default" entry.', required=True, default={}),
    _f("use_neighborhood", "Use Neighborhood", "bool", "Use the neighbourhood line of addresses.", default=False),
    _f("failed_integration", "Failed Integration", "json", "Retry penalties per record kind.", required=True,
       default=FAILED_INTEGRATION_DEFAULT),
    _f("send_shipping_info", "Send Shipping Info", "bool", "On: the brand ships; off: N11 manages shipping.",
       default=False),
    _f("cancellation_reason_type_id", "Cancellation Reason Type Id", "integer",
       "N11 reason sent with partial cancellations: 61, 62, 63, 64 or 65.", default=65),
    _f("attribute_set_strategy", "Attribute Set Strategy", "text", "Keep CategoryNode.", required=True,
       default="CategoryNode"),
    _f("exclude_cargo_company_ids", "Exclude Cargo Company Ids", "list",
       "N11 cargo company ids ignored when orders are fetched.", default=[]),
    _f("order_start_date", "Order Start Date", "text", "Start of the order integration, dd/MM/yyyy."),
    _f("get_discount_amount", "Get Discount Amount", "bool", "Use N11's discount figures in orders.", default=False),
    _f("order_number_format", "Order Number Format", "text", 'Default "{orderNumber}-{id}".'),
    _f("use_channel_id_in_address_mapping", "Use Channel ID In Address Mapping", "bool",
       "Address mapping per channel.", default=False),
    _f("buffer_stock", "Buffer Stock", "integer", "Subtracted from stock before it is sent (never below 0)."),
    _f("oms_enabled", "OMS Enabled", "bool", "Write N11's campaignNumber (else trackingNumber) as tracking number.",
       default=False),
    _f("shipment_template", "Shipment Template", "text", "N11 shipment template name sent with new products."),
    _f("preparing_day", "Preparing Day", "integer", "Days to prepare a product (preparingDay); 3 is our default.",
       default=3),
)

BATCH_SIZES: dict[str, int] = {kind: MAX_SKUS_PER_TASK for kind in ("productstock", "productprice", "product",
                                                                   "product_delete")}

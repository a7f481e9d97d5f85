"""Trendyol channel data: its flows (feature flags), config schema and per-request limits.

Data only: no Django, no HTTP. Trendyol has no seed setup guide (SPEC 3.1), so the schema
is the common keys of SPEC 3 plus what Trendyol's API needs (seller id, API key and secret,
the integrator name of the mandatory User-Agent, the storefront), and the flags are named
after the flows. Limits come from Trendyol's developer documentation as summarised in the
shared API reference (section 1); every value that is our own guess says so.
"""

from __future__ import annotations

from ..base import FlowSpec, SchemaField

EVERY_5_MIN = 300

PRODUCTION_URL = "https://apigw.trendyol.com/integration"
STAGE_URL = "https://stageapigw.trendyol.com/integration"
DEFAULT_INTEGRATOR = "SelfIntegration"  # Trendyol's word for a seller's own software

# --- documented limits -------------------------------------------------------------------
MAX_ITEMS_PER_REQUEST = 1000  # create, update, price-and-inventory, archive-state (documented)
MAX_STOCK = 20_000  # most sellable stock per product (documented)
MAX_IMAGES = 8  # images per product (v2 create schema)
VAT_RATES = (0, 1, 10, 20)  # accepted vatRate values in Turkey since July 2024
DUPLICATE_WINDOW_SECONDS = 15 * 60  # an identical price-and-inventory body is refused for 15 minutes
DUPLICATE_MESSAGE = "15 dakika boyunca aynı isteği tekrarlı olarak atamazsınız!"
MAX_VALUES_PAGE_SIZE = 1000  # category attribute values: size <= 1000, page <= 1000
MAX_FILTER_PAGE = 2500  # filterProducts: page <= 2500 (documented)
# Largest filterProducts page. Trendyol documents none for the v1 filter (its v2 filters
# allow 1000 unapproved / 100 approved); 200 is our guess, kept by client and simulator.
MAX_FILTER_PAGE_SIZE = 200
BARCODE_MAX_LENGTH = 40
TITLE_MAX_LENGTH = 100
DESCRIPTION_MAX_LENGTH = 30_000
INTEGRATOR_MAX_LENGTH = 30  # the User-Agent suffix: letters and digits, at most 30 (documented)
STOREFRONT_CODES = ("TR", "AE", "SA", "RO", "GR", "BG", "CZ", "HU", "SK", "AZ", "KW", "QA", "OM", "BH", "DE")
# Trendyol's own pace rule for every endpoint: at most 50 requests in 10 seconds, else 429.
RATE_LIMIT_CALLS = 50
RATE_LIMIT_SECONDS = 10

# --- orders, packages and claims (shared API reference 1.6, 1.7) --------------------------
MAX_ORDER_PAGE_SIZE = 200  # getShipmentPackages: size <= 200 (documented)
MAX_CLAIM_PAGE_SIZE = 200  # getClaims: size <= 200 (documented; default 50)
# getShipmentPackages reads at most 10,000 records per query (page 0-49 at size 200): Trendyol
# refuses a page whose first record lies beyond it (page * size >= 10,000). Announced for
# packages; that getClaims keeps the same rule is our guess.
MAX_RESULT_WINDOW = 10_000
ORDER_WINDOW_DAYS = 14  # the longest startDate-endDate span of a package query (stream API rule)
ORDER_HISTORY_DAYS = 90  # packages are kept for 3 months
MAX_PACKAGE_IDS = 50  # shipmentPackageIds per query (documented)
# Package statuses (query values), in the order a package normally goes through them.
PACKAGE_STATUSES = ("Awaiting", "Created", "Picking", "Invoiced", "Shipped", "AtCollectionPoint", "Delivered",
                    "UnDelivered", "Returned", "Cancelled", "UnSupplied", "UnPacked", "Repack", "Verified")
CLAIM_ITEM_STATUSES = ("Created", "WaitingInAction", "WaitingFraudCheck", "Accepted", "Cancelled", "Rejected",
                       "Unresolved", "InAnalysis")
# reasonId of items/unsupplied (documented).
UNSUPPLIED_REASONS = {500: "Stok tükendi", 501: "Kusurlu/Defolu/Bozuk Ürün", 502: "Hatalı Fiyat",
                      504: "Entegrasyon Hatası", 505: "Toplu Alım", 506: "Mücbir Sebep"}
CLAIM_ISSUE_DESCRIPTION_MAX = 500  # createClaimIssue description (documented)
CLAIM_ISSUE_REASONS_WITHOUT_FILES = (1651, 451, 2101)  # the only reasons a rejection may carry no file (documented)

# The flags, named after their flows (SPEC 4, "Others"), in the order of Hepsiburada's guide
# for the flows both have; then the maintenance flows that run without a flag.
FLOWS: tuple[FlowSpec, ...] = (
    FlowSpec("get_orders", "get_orders", "Get orders", "in", every_seconds=EVERY_5_MIN),
    FlowSpec("get_cancel_orders", "get_cancel_orders", "Get cancelled orders", "in", every_seconds=EVERY_5_MIN),
    FlowSpec("get_refund_orders", "get_refund_orders", "Get refund orders (claims)", "in", every_seconds=EVERY_5_MIN),
    FlowSpec("send_update_orders", "send_update_orders", "Send order updates", "out", every_seconds=EVERY_5_MIN),
    # Triggered from outside by the OMS, never on a schedule.
    FlowSpec("split_packages", "split_packages", "Split packages", "out"),
    FlowSpec("delete_product", "delete_product", "Delete products (stock 0, then archive)", "out",
             every_seconds=EVERY_5_MIN),
    FlowSpec("product_create", "product_create", "Create products", "out", every_seconds=EVERY_5_MIN),
    FlowSpec("product_update", "product_update", "Update products", "out", every_seconds=EVERY_5_MIN),
    FlowSpec("price", "price", "Send prices", "out", every_seconds=EVERY_5_MIN, kind="productprice"),
    FlowSpec("stock", "stock", "Send stock", "out", every_seconds=60, kind="productstock"),
    FlowSpec("get_updated_orders", "get_updated_orders", "Get shipped/delivered orders", "in", crontab="0 6 * * *"),
    FlowSpec("approve_refund", "approve_refund", "Approve refunds", "out", every_seconds=EVERY_5_MIN),
    # Rejecting a claim needs a reason, an explanation and files chosen by an operator.
    FlowSpec("reject_refund", "reject_refund", "Reject refunds", "out"),
    FlowSpec(
        "send_cancel_order_items", "send_cancel_order_items", "Send partial cancellations (unsupplied)", "out",
        every_seconds=EVERY_5_MIN,
    ),
    # Triggered by the OMS (POST /flow-trigger/{channel}/update_warehouse), never on a schedule.
    FlowSpec("update_warehouse", "update_warehouse", "Update warehouse", "out"),
    # Maintenance flows: no feature flag, queued after install or when category ids change.
    FlowSpec("schema_update", "", "Schema update", "maintenance"),
    FlowSpec("category_node", "", "Category node", "maintenance"),
    FlowSpec("category_attributes", "", "Category attributes", "maintenance"),
    FlowSpec("default_attributes", "", "Default attributes", "maintenance"),
    FlowSpec("compare_attributes", "", "Compare attributes", "maintenance"),
    # The Dashboard's figures: listings against the catalog, differences queued again.
    FlowSpec("reconcile", "", "Reconciliation", "maintenance", every_seconds=3600),
    FlowSpec("brands", "", "Brands", "maintenance"),
)

_RETRY_DEFAULTS = {"RETRY_INTERVAL": 28800, "EXPIRATION_DATE": 57601}

# The same shape and values as Hepsiburada's (SPEC 6): Trendyol has no guide of its own.
FAILED_INTEGRATION_DEFAULT: dict = {
    "order": {**_RETRY_DEFAULTS, "MAX_RETRY_COUNT": 3},
    "DEFAULT": {**_RETRY_DEFAULTS, "MAX_RETRY_COUNT": 2},
    "product": {**_RETRY_DEFAULTS, "MAX_RETRY_COUNT": 2},
    "productprice": {**_RETRY_DEFAULTS, "MAX_RETRY_COUNT": 2},
    "productstock": {**_RETRY_DEFAULTS, "MAX_RETRY_COUNT": 2},
    "sent_to_remote": {"EXPIRATION_HOUR": 6},
}

SCHEMA: tuple[SchemaField, ...] = (
    SchemaField(
        "base_url", "Base Url", "text", required=True, default=PRODUCTION_URL,
        help=f"Trendyol API gateway including /integration; the stage gateway is {STAGE_URL} (needs an allow-listed IP).",
    ),
    SchemaField(
        "seller_id", "Seller Id", "text", required=True,
        help="Satıcı ID (supplierId) from the seller panel: Hesap Bilgilerim > Entegrasyon Bilgileri.",
    ),
    SchemaField(
        "api_key", "API Key", "text", required=True, secret=True,
        help="API KEY from Entegrasyon Bilgileri (prod and stage keys differ).",
    ),
    SchemaField(
        "api_secret", "API Secret", "text", required=True, secret=True,
        help="API SECRET from Entegrasyon Bilgileri; used with the key for HTTP Basic auth.",
    ),
    SchemaField(
        "integrator_name", "Integrator Name", "text", required=True, default=DEFAULT_INTEGRATOR,
        help='Sent as User-Agent "{seller_id} - {integrator_name}" (mandatory, else 403); letters and digits, '
        "at most 30; SelfIntegration when the software is the seller's own.",
    ),
    SchemaField(
        "storefront_code", "Storefront Code", "text", default="TR",
        help="storeFrontCode header for international storefronts (TR, AE, SA, RO, GR, ...); TR when empty.",
    ),
    SchemaField(
        "category_ids", "Category Ids", "list", required=True, default=[],
        help="Root category ids whose trees are fetched; changing them queues the category flows.",
    ),
    SchemaField(
        "feature_flags", "Feature Flags", "json", required=True,
        help="Turns each flow on or off; every flag must be present, false when unused.",
    ),
    SchemaField(
        "failed_integration", "Failed Integration", "json", required=True, default=FAILED_INTEGRATION_DEFAULT,
        help="Retry penalties per record kind: RETRY_INTERVAL and EXPIRATION_DATE in seconds, MAX_RETRY_COUNT; "
        "sent_to_remote.EXPIRATION_HOUR bounds the wait for Trendyol's batch answer (Trendyol keeps it 4 hours).",
    ),
    SchemaField(
        "buffer_stock", "Buffer Stock", "integer",
        help="Units held back: subtracted from each stock figure before it is sent (never below 0).",
    ),
    SchemaField(
        "cargo_company_id", "Cargo Company Id", "integer",
        help="Trendyol cargo company id sent as cargoCompanyId when a product has none of its own.",
    ),
    SchemaField(
        "cargo_company_mapping", "Cargo Company Mapping", "json", required=True, default={},
        help='Trendyol cargo provider name -> our shipping company id, with a "default" entry.',
    ),
    SchemaField(
        "exclude_cargo_company_ids", "Exclude Cargo Company Ids", "list", default=[],
        help="Our shipping company ids never sent to Trendyol.",
    ),
    SchemaField(
        "delivery_duration", "Delivery Duration", "integer", default=3,
        help="Days until a product is handed to the carrier (deliveryDuration), when the product sets none. "
        "3 is our default, not Trendyol's.",
    ),
    SchemaField(
        "shipment_address_id", "Shipment Address Id", "integer",
        help="Seller address id products ship from (from the seller's addresses); Trendyol's default when empty.",
    ),
    SchemaField(
        "returning_address_id", "Returning Address Id", "integer",
        help="Seller address id returns go to; Trendyol's default when empty.",
    ),
    SchemaField(
        "order_number_format", "Order Number Format", "text",
        help='Format of imported order numbers; empty means "{orderNumber}-{id}" (id = shipment package id).',
    ),
    SchemaField(
        "order_start_date", "Order Start Date", "text",
        help="Earliest order (package) date fetched, as yyyy-MM-ddTHH:mm:ssZ; Trendyol keeps 3 months.",
    ),
    SchemaField(
        "refund_start_date", "Refund Start Date", "text",
        help="Earliest claim date fetched, as yyyy-MM-ddTHH:mm:ssZ.",
    ),
    SchemaField(
        # Trendyol's usual return window; a guess for categories with other rules.
        "orders_refundable_days", "Orders Refundable Days", "integer", default=15,
        help="Days after delivery during which an order can be returned.",
    ),
    SchemaField(
        "cancellation_reason_id", "Cancellation Reason Id", "integer", required=True,
        help="Our reason id given to orders cancelled on Trendyol.",
    ),
    SchemaField(
        "cancellation_reason_mapping", "Cancellation Reason Mapping", "json", default={},
        help="Trendyol cancellation reason -> our cancellation reason id.",
    ),
    SchemaField(
        "send_cancel_reason_id", "Send Cancel Reason Id", "integer", default=500,
        help="Trendyol reason sent with unsupplied (cancelled) lines: 500 out of stock, 501 defective, "
        "502 wrong price, 504 integration error, 505 bulk purchase, 506 force majeure.",
    ),
    SchemaField(
        "default_reason_id", "Default Reason Id", "integer", required=True,
        help="Our refund reason id used when a claim reason has no mapping.",
    ),
    SchemaField(
        "refund_reason_mapping", "Refund Reason Mapping", "json", default={},
        help="Trendyol claim reason id -> our refund reason id.",
    ),
    SchemaField(
        "claim_issue_reason_id", "Claim Issue Reason Id", "integer",
        help="Trendyol claimIssueReasonId used when a refund is rejected without a chosen reason "
        "(ids from the claim issue reasons list).",
    ),
    SchemaField(
        "send_shipping_info", "Send Shipping Info", "bool", default=False,
        help="On: the brand ships and sends tracking numbers. Off: Trendyol's contracted carrier ships.",
    ),
    SchemaField(
        "warehouse_mapping", "Warehouse Mapping", "json", default={},
        help="Warehouse erp_code -> Trendyol warehouseId, for warehouse updates (Trendyol Express sellers).",
    ),
    SchemaField(
        "use_neighborhood", "Use Neighborhood", "bool", default=False,
        help="Keep the neighbourhood from order addresses when creating addresses.",
    ),
    SchemaField(
        "use_channel_id_in_address_mapping", "Use Channel Id In Address Mapping", "bool", default=False,
        help="Prefix address mapping keys with the channel id (per-channel address mapping).",
    ),
    SchemaField(
        "erp_code", "Erp Code", "text",
        help="The brand's own code for this sales channel.",
    ),
    SchemaField(
        "attribute_set_strategy", "Attribute Set Strategy", "text", required=True, default="CategoryNode",
        help="How products are assigned attribute sets; keep CategoryNode.",
    ),
)

# Most records one request may carry, per record kind: Trendyol's documented 1,000 for
# create/update, price-and-inventory and archive-state. Product delete sends the same
# records to price-and-inventory (stock 0) and archive-state, so it shares the limit.
BATCH_SIZES: dict[str, int] = {
    "productstock": MAX_ITEMS_PER_REQUEST,
    "productprice": MAX_ITEMS_PER_REQUEST,
    "product": MAX_ITEMS_PER_REQUEST,
    "product_delete": MAX_ITEMS_PER_REQUEST,
}

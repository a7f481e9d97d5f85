"""Trendyol channel data: its flows (feature flags), config schema and per-request limits.

Data only: no Django, no HTTP. Trendyol has no seed setup guide (SPEC 3.1), so the schema
is the common keys of SPEC 3 plus what Trendyol's API needs (seller id, API key and secret,
the integrator name of the mandatory User-Agent, the storefront), and the flags are named
after the flows. Limits come from Trendyol's developer documentation as summarised in the
shared API reference (section 1); every value that is our own guess says so.
"""

from __future__ import annotations

from ..base import FlowSpec, SchemaField
from ..common_config import declare_flows, declare_schema

PRODUCTION_URL = "https://apigw.trendyol.com/integration"
STAGE_URL = "https://stageapigw.trendyol.com/integration"
DEFAULT_INTEGRATOR = "SelfIntegration"  # Trendyol's word for a seller's own software

# --- documented limits -------------------------------------------------------------------
MAX_ITEMS_PER_REQUEST = 1000  # create, the four updates, price-and-inventory, archive-state (documented)
MAX_STOCK = 20_000  # most sellable stock per product (documented)
MAX_IMAGES = 8  # images per product (v2 create schema)
VAT_RATES = (0, 1, 10, 20)  # accepted vatRate values in Turkey since July 2024
DUPLICATE_WINDOW_SECONDS = 15 * 60  # an identical price-and-inventory body is refused for 15 minutes
DUPLICATE_MESSAGE = "15 dakika boyunca aynı isteği tekrarlı olarak atamazsınız!"
MAX_VALUES_PAGE_SIZE = 1000  # category attribute values: size <= 1000, page <= 1000
# Product filters (V1 filterProducts retired 10 August 2026; checked 2026-12-07 on
# developers.trendyol.com/v2.0/docs/product-filter-filterproducts). Approved products v2
# (developers.trendyol.com/v2.0/docs/product-filtering-approved-products-v2, checked
# 2026-12-07): size <= 100, page x size <= 10,000, nextPageToken beyond that.
MAX_APPROVED_PAGE_SIZE = 100
MAX_APPROVED_WINDOW = 10_000
# Unapproved products v2: 1,000 a page, as the shared reference summarises it (guess: the
# unapproved page itself was not found in the search corpus on 2026-12-06).
MAX_UNAPPROVED_PAGE_SIZE = 1000
RETIRED_TRACKING_MESSAGE = ("update-tracking-number kullanımdan kaldırıldı: tracking-details servisine "
                            "cargoSenderNumber ve providerCode gönderin")
# The retired V1 filter: the simulator answers it with 410 Gone (guess: how the live service
# answers the retired path is not documented; checked 2026-12-07).
RETIRED_FILTER_MESSAGE = ("filterProducts (V1) 10 Ağustos 2026 itibarıyla kullanımdan kaldırıldı: "
                          "filterApprovedProducts veya filterUnapprovedProducts (v2) kullanın")
BARCODE_MAX_LENGTH = 40
TITLE_MAX_LENGTH = 100
DESCRIPTION_MAX_LENGTH = 30_000
INTEGRATOR_MAX_LENGTH = 30  # the User-Agent suffix: letters and digits, at most 30 (documented)
STOREFRONT_CODES = ("TR", "AE", "SA", "RO", "GR", "BG", "CZ", "HU", "SK", "AZ", "KW", "QA", "OM", "BH", "DE")
# Docs: developers.trendyol.com/docs/2-authorization ("aynı endpointe 10 saniye içerisinde
# maksimum 50 request"), checked 2026-12-07. We apply it to all of a seller's calls together
# (stricter than per endpoint, so never refused for it); the group budgets come on top.
RATE_LIMIT_CALLS = 50
RATE_LIMIT_SECONDS = 10
LISTING_TIERS = ("100000", "350000", "500000", "unlimited")  # product listing tiers (see the call budgets below)

# --- orders, packages and claims (shared API reference 1.6, 1.7) --------------------------
MAX_ORDER_PAGE_SIZE = 200  # getShipmentPackages and the stream: size <= 200 (documented)
MAX_CLAIM_PAGE_SIZE = 200  # getClaims: size <= 200 (documented; default 50)
# getShipmentPackages reads at most 10,000 records per query (page 0-49 at size 200) and, since
# its v2 of 15 October 2026, the last month only (developers.trendyol.com/docs/sipariş-paketlerini-
# çekme-getshipmentpackages, checked 2026-12-07; guess: "1 ay" taken as 30 days). It is left for
# lookups by package id; listings read getShipmentPackagesStream (developers.trendyol.com/docs/
# sipariş-paketlerini-akış-ile-çekme, checked 2026-12-07): lastModifiedStartDate-EndDate at most
# 14 days apart, the last 3 months (guess: 90 days), newest change first, no record window.
MAX_RESULT_WINDOW = 10_000
PACKAGES_HISTORY_DAYS = 30
ORDER_WINDOW_DAYS = 14
ORDER_HISTORY_DAYS = 90
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

# The flags, named after their flows (SPEC 4, "Others"): the common flows with Trendyol's
# labels, then brands (a maintenance flow without a flag).
FLOWS: tuple[FlowSpec, ...] = declare_flows(
    labels={"get_refund_orders": "Get refund orders (claims)",
            "delete_product": "Delete products (stock 0, then archive)",
            "send_cancel_order_items": "Send partial cancellations (unsupplied)"},
    extra=(FlowSpec("brands", "", "Brands", "maintenance"),),
)

SCHEMA: tuple[SchemaField, ...] = declare_schema(
    "Trendyol",
    first=(
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
            "listing_tier", "Listing Tier", "text", default=LISTING_TIERS[0],
            help="Your product listing limit on Trendyol (100000, 350000, 500000 or unlimited); it sets the "
            "per-minute call limits of product reads, product writes and stock & price updates.",
        ),
        SchemaField(
            "storefront_code", "Storefront Code", "text", default="TR",
            help="storeFrontCode header for international storefronts (TR, AE, SA, RO, GR, ...); TR when empty.",
        ),
    ),
    overrides={
        "base_url": {"default": PRODUCTION_URL, "help": f"Trendyol API gateway including /integration; the stage "
                     f"gateway is {STAGE_URL} (needs an allow-listed IP)."},
        "failed_integration": {"help": "Retry penalties per record kind: RETRY_INTERVAL and EXPIRATION_DATE in "
                               "seconds, MAX_RETRY_COUNT; sent_to_remote.EXPIRATION_HOUR bounds the wait for "
                               "Trendyol's batch answer (Trendyol keeps it 4 hours)."},
        "order_start_date": {"help": "Earliest order (package) date fetched, as yyyy-MM-ddTHH:mm:ssZ; "
                             "Trendyol keeps 3 months."},
        # Trendyol's usual return window; a guess for categories with other rules.
        "orders_refundable_days": {"help": "Days after delivery during which an order can be returned."},
        "send_cancel_reason_id": {
            "default": 500,
            "help": "Trendyol reason sent with unsupplied (cancelled) lines: 500 out of stock, 501 defective, "
            "502 wrong price, 504 integration error, 505 bulk purchase, 506 force majeure.",
        },
        "claim_issue_reason_id": {"help": "Trendyol claimIssueReasonId used when a refund is rejected without a "
                                  "chosen reason (ids from the claim issue reasons list)."},
        "send_shipping_info": {"help": "On: the brand ships and sends tracking numbers. Off: Trendyol's contracted "
                               "carrier ships."},
    },
    own=(
        SchemaField(
            "cargo_company_id", "Cargo Company Id", "integer",
            help="Trendyol cargo company id sent as cargoCompanyId when a product has none of its own.",
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
            "cargo_provider_code", "Cargo Provider Code", "text", default="",
            help="Trendyol providerCode of the brand's own carrier (e.g. ARASMP), sent with its tracking numbers "
            "when the order update names no carrier code.",
        ),
        SchemaField(
            "warehouse_mapping", "Warehouse Mapping", "json", default={},
            help="Warehouse erp_code -> Trendyol warehouseId, for warehouse updates (Trendyol Express sellers).",
        ),
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


# --- call budgets ------------------------------------------------------------------------------
# Docs: developers.trendyol.com/tr/v3.0/docs/6-service-limitations ("Service Limitations", the
# product limits in force since 14 September 2026), checked 2026-12-07. A limit is shared by every
# service of its group and depends on the seller's product listing tier (LISTING_TIERS); the smallest tier is the
# default (channel key ``listing_tier``). Unverified: the Turkish page (developers.trendyol.com/
# docs/1-servis-limitleri) names five tiers (50,000 / 75,000 / 150,000 / 500,000 / unlimited) whose
# figures the stored copy cuts off; the international page's four are used.
GROUP_LIMITS_PER_MINUTE: dict[str, tuple[int, ...]] = {  # one figure per tier, as LISTING_TIERS
    "product_read": (1000, 1250, 1500, 2000),  # Docs: "Product Integration Read", checked 2026-12-07
    "product_write": (200, 300, 400, 500),  # Docs: "Product Integration Write", checked 2026-12-07
    "inventory_write": (350, 500, 1000, 1500),  # Docs: "Inventory & Price Write", checked 2026-12-07
}
# Docs: same page, checked 2026-12-07: "a barcode-based limit of 30 req/min for price update".
# Guess: Trendyol refuses the whole request with 429 too.many.requests (the page shows no answer).
PRICE_UPDATES_PER_BARCODE = 30  # per minute
# Which group a call counts in: (group, method, path pattern under /integration). Guess: the page
# lists no endpoints per group; brands, categories and their attributes are taken as product reads.
SERVICE_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("product_write", "POST", r"/product/sellers/[^/]+/v2/products"),
    ("product_write", "POST", r"/product/sellers/[^/]+/products/(unapproved|content|variant|delivery-info)-bulk-update"),
    ("product_write", "PUT", r"/product/sellers/[^/]+/products/archive-state"),
    ("product_write", "DELETE", r"/product/sellers/[^/]+/products"),
    ("product_read", "GET", r"/product/sellers/[^/]+/products/batch-requests/[^/]+"),
    ("product_read", "GET", r"/product/sellers/[^/]+/products(/approved|/unapproved)?"),
    ("product_read", "GET", r"/product/(brands|brands/by-name|product-categories)"),
    ("product_read", "GET", r"/product/categories/[^/]+/attributes(/[^/]+/values)?"),
    ("inventory_write", "POST", r"/inventory/sellers/[^/]+/products/price-and-inventory"),
)
# Services outside those groups: (name, method, path pattern, calls, seconds).
OTHER_LIMITS: tuple[tuple[str, str, str, int, int], ...] = (
    # Docs: developers.trendyol.com/v3.0/docs/2-get-shipment-packages (1000 req/min), checked
    # 2026-12-07; guess: the stream shares it (no limit of its own is published).
    ("shipment_packages", "GET", r"/order/sellers/[^/]+/orders(/stream)?", 1000, 60),
    # Unverified: 1 per hour is the pre-September table's (developers.trendyol.com/docs/
    # 1-servis-limitleri before 14 September 2026); the new page does not list addresses.
    ("addresses", "GET", r"/sellers/[^/]+/addresses", 1, 3600),
)


def group_limit(group: str, tier: str | None = None) -> int:
    """Calls per minute of a service group at a listing tier (default: the smallest)."""
    return GROUP_LIMITS_PER_MINUTE[group][LISTING_TIERS.index(tier or LISTING_TIERS[0])]

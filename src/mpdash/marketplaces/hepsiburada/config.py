"""Hepsiburada channel data: its flows (feature flags), config schema and batch limits.

Data only: no Django, no HTTP. Sources: the Hepsiburada setup guide (channel settings
table, failed-integration defaults, feature flags in section 9) and Hepsiburada's
listing-integration documentation for the per-request limits.
"""

from __future__ import annotations

from ..base import FlowSpec, SchemaField
from ..common_config import EVERY_5_MIN, declare_flows, declare_schema

# The feature flags exactly as the setup guide lists them (section 9): the common flows, with
# Hepsiburada's own unpacked_orders after reject_refund. reject_refund: the guide says "done
# through the Marketplace dashboard" (an operator action), so no schedule.
FLOWS: tuple[FlowSpec, ...] = declare_flows(after={"reject_refund": (
    FlowSpec("unpacked_orders", "unpacked_orders", "Get unpacked packages", "in", every_seconds=EVERY_5_MIN),
)})

SCHEMA: tuple[SchemaField, ...] = declare_schema(
    "Hepsiburada",
    first=(
        SchemaField(
            "oms_url", "OMS Url", "text", required=True, default="https://oms-external.hepsiburada.com",
            help="Order API host, used for orders, packages and claims.",
        ),
        SchemaField(
            "listing_url", "Listing Url", "text", required=True, default="https://listing-external.hepsiburada.com",
            help="Listing API host, used for stock and price uploads and for reading listings.",
        ),
        SchemaField(
            "username", "Username", "text", required=True,
            help="API user name Hepsiburada gave the seller; normally the merchant id.",
        ),
        SchemaField(
            "password", "Password", "text", required=True, secret=True,
            help="The integrator service key Hepsiburada issued for this merchant.",
        ),
        SchemaField(
            "merchant_id", "Merchant Id", "text", required=True,
            help="The seller's merchant id (a UUID) as assigned by Hepsiburada.",
        ),
        SchemaField(
            "user_agent", "User Agent", "text", required=True,
            help="Integrator name Hepsiburada registered for us; sent as User-Agent on every call.",
        ),
    ),
    overrides={
        "base_url": {"default": "https://mpop.hepsiburada.com",
                     "help": "Catalog API host, used for categories and attributes. Test accounts use the -sit host."},
        "cargo_company_mapping": {"default": None},
        "cancellation_reason_mapping": {"default": None},
        "send_cancel_reason_id": {
            "label": "Send Cancellation Reason ID",
            "help": "Hepsiburada reason id sent with partial cancellations (80 WrongPrice, 83 MerchantCanNotBeSupplied); "
            "formerly send_cancellation_reason_id.",
        },
    },
    own=(
        SchemaField(
            "use_hb_tracking_number", "Use Hb Tracking Number", "bool", default=False,
            help="Use the Hepsiburada package barcode as the order's tracking number.",
        ),
        SchemaField(
            "automatic_packing", "Automatic Packing", "bool",
            help="Package paid orders ourselves before fetching them when Hepsiburada has not.",
        ),
        SchemaField(
            "check_hepsijet_format_type", "Check Hepsijet Format Type", "text",
            help="Format of the cargo label to fetch, e.g. png.",
        ),
        SchemaField(
            "store_account_cargo_company", "Store Account Cargo Company", "text",
            help="Carrier short name (e.g. YK) sent with automatic packing for merchant-own shipping.",
        ),
        SchemaField(
            "use_cargo_label", "Use Cargo Label", "bool",
            help="Fill the cargo label when orders are fetched.",
        ),
        SchemaField(
            "shipping_address_label_mapping", "Shipping Address Label Mapping", "json", default={},
            help="Warehouse erp_code -> Hepsiburada shipping address label, for warehouse updates.",
        ),
        SchemaField(
            "product_shipping_info_extra_data", "Product Shipping Info Extra Data", "json", default={},
            help="Extra fields sent with shipping info in product updates, e.g. claimAddressLabel.",
        ),
    ),
)

# Most listings one upload request may carry. Hepsiburada's listing guide limits an
# inventory upload to 4,000 listings per request (with at most 5 uploads pending at once
# and a daily allowance of 10 x the merchant's listing count). The guide states the limit
# for inventory uploads; we apply the same figure to the narrower stock and price uploads.
# Source: "Listeleme Entegrasyonu Önemli Bilgiler" as transcribed by public integrator
# notes; the official page itself could not be read here.
# guess: 4,000 per listings upload is unconfirmed; other clients cap at 1,000 and no
# documented figure was found on developers.hepsiburada.com (searched 2026-12-06), so the
# current figure is kept.
MAX_LISTINGS_PER_UPLOAD = 4000

# Most products one catalog import file (POST /product/api/products/import) or product
# update file (POST /ticket-api/api/integrator/import) may carry.
# guess: Hepsiburada documents no per-file product limit. Its status endpoints
# (GET /product/api/products/status/{trackingId}, …/integrator/status/{trackingId}) page
# with a default size of 1000, so 1000 products keep one tracking id's outcome on one page.
MAX_PRODUCTS_PER_IMPORT = 1000

BATCH_SIZES: dict[str, int] = {
    "productstock": MAX_LISTINGS_PER_UPLOAD,
    "productprice": MAX_LISTINGS_PER_UPLOAD,
    "product": MAX_PRODUCTS_PER_IMPORT,
    # Deleting is a stock upload with availableStock 0, so the stock upload limit applies.
    "product_delete": MAX_LISTINGS_PER_UPLOAD,
}

# Largest import/update request body in bytes (the multipart body with its JSON file).
# guess: undocumented; 10 MiB is the usual gateway ceiling for Hepsiburada's Spring
# services and leaves a full batch of 1000 typical products (≈3–5 kB each) far below it.
MAX_IMPORT_BYTES = 10 * 1024 * 1024

# Images per product: image1..image10. Source: Hepsiburada changelog "Hepsiburada
# Entegrasyon - Haziran 2025" (raised from 5 to 10); the setup guide: "The number of photos
# for the products to be sent must not exceed 10."
MAX_IMAGES_PER_PRODUCT = 10

# Page sizes of the catalog reads. Categories: "size can be raised up to 2000" (Katalog
# Önemli Bilgiler). Attribute values and status pages: the documented default, 1000.
CATEGORY_PAGE_SIZE = 2000
VALUE_PAGE_SIZE = 1000
STATUS_PAGE_SIZE = 1000

# Most merchantSku values one check-product-status call carries.
# guess: the endpoint takes a list per merchant and documents no ceiling; 100 keeps bodies small.
MAX_SKUS_PER_STATUS_CHECK = 100

# Most merchantSku values one listings query may filter on (official listing guide).
MAX_SKUS_PER_LISTINGS_QUERY = 50

# --- order side (OMS: oms-external.hepsiburada.com) ------------------------------------------
# Sources: Hepsiburada's order integration OpenAPI document ("SİPARİŞ OLUŞTURMA ENTEGRASYONU",
# host oms-external-sit) and claim document ("TALEP ENTEGRASYONU"), as scraped into a public
# SDK; "Sipariş Entegrasyonu Önemli Bilgiler" (1,000 requests/s, 429 with X-RateLimit-*); the
# Haziran 2023 changelog (limit/offset mandatory on paid orders, yyyy-MM-dd HH:mm dates).

# Largest page each listing answers. The OMS document: paid orders "at most and by default
# 100"; packages and unpacked packages "at most and by default 10"; shipped, delivered,
# undelivered packages and cancelled lines "at most and by default 50"; claims limit 1..100.
PAID_ORDERS_PAGE_SIZE = 100
PACKAGES_PAGE_SIZE = 10
STATUS_LIST_PAGE_SIZE = 50
UNPACKED_PAGE_SIZE = 10
CLAIMS_PAGE_SIZE = 100

# Dates in OMS query strings. guess (unofficial client's production observation): read as
# Turkey time (UTC+3 all year, no DST); an ISO-8601 value is accepted but matches nothing.
OMS_DATE_FORMAT = "%Y-%m-%d %H:%M"
OMS_UTC_OFFSET_HOURS = 3

# Longest window one listing call covers.
# guess: undocumented; the packages endpoint's own example looks back 96 hours (timespan=96).
ORDER_WINDOW_HOURS = 96.0

# How far back each inbound flow reads at least, in hours (setup guide, section 9: get_orders and
# get_cancel_orders "12 hours prior to the flow's runtime", get_updated_orders "24 hours").
FLOW_LOOKBACK_HOURS: dict[str, float] = {"get_orders": 12, "get_cancel_orders": 12, "get_updated_orders": 24}

# Merchant cancellation reasons (cancelbymerchant reasonId), as the setup guide lists them for
# "Send Cancellation Reason ID".
CANCEL_REASONS: dict[int, str] = {80: "WrongPrice", 83: "MerchantCanNotBeSupplied"}

# Claim statuses of GET /claims/merchantId/{merchantId}/status/{status} (the claim document's enum).
CLAIM_STATUSES = ("NewRequest", "Accepted", "AwaitingAction", "InDispute", "Rejected", "Refunded", "Cancelled",
                  "AwaitingPreApproval")
# Customer claim reasons (HX "Talep Entegrasyonu Önemli Bilgiler"; SizeTooLarge from the setup
# guide's refund reason mapping example).
CLAIM_REASONS = ("ProductIsBrokenOrDamaged", "NotArrivedWhenNeeded", "FoundCheaper", "PoorQuality",
                 "IncompatiblyProduct", "MissingProduct", "WrongProduct", "ProductHasExpired", "SizeTooLarge")
# guess: the claim document gives the merchant's statement as free text; 500 characters is the
# limit Hepsiburada's panel (and Trendyol's API) put on such statements.
MAX_MERCHANT_STATEMENT = 500

# Merchant-own-carrier ("Mağaza Hesabı") status dates must not be older than 7 days (changelog Temmuz 2022).
OWN_CARRIER_MAX_AGE_DAYS = 7

# Invoice links must point at a PDF (Hepsiburada FAQ: the link must end in ".pdf").
INVOICE_LINK_SUFFIX = ".pdf"

# Label formats of GET …/packagenumber/{pn}/labels?format= (check_hepsijet_format_type).
# guess: the document names the parameter only; these are the values integrators send.
LABEL_FORMATS = ("zpl", "base64zpl", "pdf", "png", "jpg")

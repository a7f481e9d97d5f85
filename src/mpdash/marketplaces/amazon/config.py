"""Amazon channel data: regions, marketplaces, per-operation call budgets, flows and config schema.

Data only: no Django, no HTTP. Flags and keys follow the Amazon setup guide (seed 004); the
rates are the usage plans printed in the official models (``specs/amazon/*.json``, "Usage Plan"
tables: rate in requests per second, burst).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..base import FlowSpec, SchemaField
from ..common_config import declare_flows, declare_schema

LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"

# SP-API regions and their hosts; the seed stores the AWS region name (eu-west-1).
REGION_HOSTS = {
    "NA": "https://sellingpartnerapi-na.amazon.com",
    "EU": "https://sellingpartnerapi-eu.amazon.com",
    "FE": "https://sellingpartnerapi-fe.amazon.com",
}
AWS_REGIONS = {"us-east-1": "NA", "eu-west-1": "EU", "us-west-2": "FE"}

# Marketplace id -> (region, country, currency, language tag). Türkiye is served from EU.
MARKETPLACES = {
    "ATVPDKIKX0DER": ("NA", "US", "USD", "en_US"),
    "A2EUQ1WTGCTBG2": ("NA", "CA", "CAD", "en_CA"),
    "A1AM78C64UM0Y8": ("NA", "MX", "MXN", "es_MX"),
    "A2Q3Y263D00KWC": ("NA", "BR", "BRL", "pt_BR"),
    "A1PA6795UKMFR9": ("EU", "DE", "EUR", "de_DE"),
    "A1F83G8C2ARO7P": ("EU", "GB", "GBP", "en_GB"),
    "A13V1IB3VIYZZH": ("EU", "FR", "EUR", "fr_FR"),
    "APJ6JRA9NG5V4": ("EU", "IT", "EUR", "it_IT"),
    "A1RKKUPIHCS9HS": ("EU", "ES", "EUR", "es_ES"),
    "A1805IZSGTT6HS": ("EU", "NL", "EUR", "nl_NL"),
    "A33AVAJ2PDY3EV": ("EU", "TR", "TRY", "tr_TR"),
    "A2VIGQ35RCS4UG": ("EU", "AE", "AED", "ar_AE"),
    "A1VC38T7YXB528": ("FE", "JP", "JPY", "ja_JP"),
    "A39IBJ37TRP1C6": ("FE", "AU", "AUD", "en_AU"),
    "A19VAU5U5O7RUS": ("FE", "SG", "SGD", "en_SG"),
}


@dataclass(frozen=True)
class Budget:
    """One operation's token bucket: ``rate`` requests a second refilling up to ``burst``."""

    rate: float
    burst: int

    @property
    def refill_seconds(self) -> float:
        """Seconds for one token to come back (the wait after a 429)."""
        return 1.0 / self.rate


# operationId -> its usage plan (from the models' descriptions).
BUDGETS: dict[str, Budget] = {
    "getOrders": Budget(0.0167, 20),
    "getOrder": Budget(0.5, 30),
    "getOrderItems": Budget(0.5, 30),
    "confirmShipment": Budget(2, 10),
    "createFeedDocument": Budget(0.5, 15),
    "createFeed": Budget(0.0083, 15),
    "getFeed": Budget(2, 15),
    "getFeedDocument": Budget(0.0222, 10),
    "getListingsItem": Budget(5, 10),
    "putListingsItem": Budget(5, 10),
    "patchListingsItem": Budget(5, 5),
    "deleteListingsItem": Budget(5, 5),
    "searchListingsItems": Budget(5, 5),
    "searchDefinitionsProductTypes": Budget(5, 10),
    "getDefinitionsProductType": Budget(5, 10),
    "searchOrders": Budget(0.0056, 20),  # Orders 2026-01-01
    # Reports 2021-06-30 (reference §4.2; the Reports model is not among the shared specs)
    "createReport": Budget(0.0167, 15),
    "getReports": Budget(0.0222, 10),
    "getReport": Budget(2, 15),
    "getReportDocument": Budget(0.0167, 15),
}
# The feed type's own limit, on top of createFeed's bucket: JSON_LISTINGS_FEED 5 submissions
# per 5 minutes (reference §4; the Feeds guide's "feed type limits" table) [UNVERIFIED per region].
FEED_TYPE = "JSON_LISTINGS_FEED"
FEED_TYPE_LIMIT = (5, 300.0)
# Feeds are paced at one a minute: the feed type's 5 per 5 minutes spread evenly. Under a steady
# stream of changes, 5 feeds within seconds would leave what follows waiting up to 5 minutes for
# the next slot; one a minute keeps each change within about a minute (plus Amazon's processing),
# each feed carrying everything gathered meanwhile. A burst still goes at once, in one feed, and
# up to PATCH_WHILE_FEEDS_WAIT changes go by patches while the minute runs.
FEED_PACE_SECONDS = 60.0
FEED_MAX_MESSAGES = 25_000
FEED_MAX_BYTES = 10 * 1024 * 1024
FEED_CONTENT_TYPE = "application/json; charset=UTF-8"
FEED_DONE, FEED_FATAL, FEED_CANCELLED = "DONE", "FATAL", "CANCELLED"
FEED_FINISHED = (FEED_DONE, FEED_FATAL, FEED_CANCELLED)

# How a request's changes go out, by count and budget:
# * up to PATCH_AT_MOST (patchListingsItem's burst), one patch each: the bucket (5/s, burst 5)
#   answers them within a second with the issues of each, while a feed costs three calls
#   before the first result and Amazon takes minutes to process it;
# * more go in one JSON_LISTINGS_FEED (up to 25,000 messages, under 10 MiB: with a 40-character
#   SKU a stock PATCH message is 257 bytes, a price one 303, so a full feed is 6.1-7.2 MiB and the
#   message count, not the size, is the limit), since createFeed refills
#   one token every two minutes (0.0083/s) and the feed type allows 5 submissions per 5 minutes;
# * while those feed budgets have no slot, up to PATCH_WHILE_FEEDS_WAIT changes still go by
#   patches, paced by their bucket (50 patches: 10 s), rather than waiting up to a minute for
#   the next feed slot and minutes more for its processing; more than that wait for the slot.
PATCH_AT_MOST = 5
PATCH_WHILE_FEEDS_WAIT = 50

# "The generic product type for offer-only updates" of the Listings guides: PATCH of
# fulfillment_availability / purchasable_offer needs a productType; "PRODUCT" when the record
# carries none [UNVERIFIED: documented in the Listings Items use-case guide, not in the models].
OFFER_PRODUCT_TYPE = "PRODUCT"
FULFILLMENT_CHANNEL = "DEFAULT"  # merchant-fulfilled (an FBA channel's stock is Amazon's)

# Orders (seed: get_orders 12 hours back; statuses in; Canceled -> cancellation requests).
ORDER_LOOKBACK_HOURS = 12
ORDER_STATUSES_IN = ("Unshipped", "PartiallyShipped", "Shipped", "InvoiceUnconfirmed")
ORDER_STATUSES_CANCELLED = ("Canceled",)
ORDER_STATUSES_ALL = ("PendingAvailability", "Pending", "Unshipped", "PartiallyShipped", "Shipped",
                      "InvoiceUnconfirmed", "Canceled", "Unfulfillable")
ORDERS_PAGE_SIZE = 100  # MaxResultsPerPage: 1..100
# Orders 2026-01-01 has package states (v0 has none): DELIVERED is the seed's "Delivered".
PACKAGE_DELIVERED = "DELIVERED"
# Returns of merchant-fulfilled orders: the Reports API's flat-file returns report, tab-separated
# with a header row [UNVERIFIED: the column names are the Seller Central help page's "Returns
# reports" table; the Reports model is not among the shared specs].
RETURNS_REPORT = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
LISTINGS_PAGE_SIZE = 20  # searchListingsItems pageSize: at most 20
REFUND_REASONS = ("CR-UNWANTED_ITEM", "AMZ-PG-BAD-DESC", "CR-DEFECTIVE", "CR-ORDERED_WRONG_ITEM",
                  "CR-FOUND_BETTER_PRICE", "CR-DAMAGED_BY_FC", "CR-MISSED_ESTIMATED_DELIVERY", "CR-MISSING_PARTS",
                  "CR-DAMAGED_BY_CARRIER", "CR-SWITCHEROO", "CR-EXTRA_ITEM")

# The seed's flags, for the generic flows Amazon has.
FLAGS = {
    "get_orders": "get_orders", "get_cancel_orders": "get_cancel_orders", "get_refund_orders": "get_refund_orders",
    "send_update_orders": "send_update_orders", "delete_product": "send_delete_products",
    "product_create": "send_products", "product_update": "send_products", "price": "send_updated_product_price",
    "stock": "send_updated_product_stock", "get_updated_orders": "get_updated_orders",
    "schema_update": "schema_update",
}
_MAINTENANCE = ("category_node", "category_attributes", "default_attributes", "compare_attributes", "reconcile")
FLOWS: tuple[FlowSpec, ...] = tuple(
    replace(flow, flag=FLAGS.get(flow.name, flow.flag))
    for flow in declare_flows(labels={"get_orders": "Get orders (Unshipped, PartiallyShipped, Shipped, "
                                                    "InvoiceUnconfirmed)",
                                      "get_cancel_orders": "Get cancelled orders (Canceled)"})
    if flow.name in FLAGS or flow.name in _MAINTENANCE
)


def _f(key, label, data_type, help="", **kw) -> SchemaField:  # noqa: A002
    return SchemaField(key, label, data_type, help=help, **kw)


SCHEMA: tuple[SchemaField, ...] = declare_schema(
    "Amazon",
    first=(
        _f("region", "Region", "text", "SP-API region: NA, EU (Türkiye too) or FE, or the seed's AWS name "
           "(us-east-1, eu-west-1, us-west-2).", required=True, default="eu-west-1"),
        _f("client_id", "Client Id", "text", "LWA client id of the application.", required=True),
        _f("client_secret", "Client Secret", "text", "LWA client secret.", required=True, secret=True),
        _f("refresh_token", "Refresh Token", "text", "LWA refresh token of the seller's authorisation.",
           required=True, secret=True),
        _f("seller_id", "Seller Id", "text", "Amazon's seller (merchant) id of the brand.", required=True),
        _f("marketplace_id", "Market Place Id", "text", "Marketplace id, e.g. ATVPDKIKX0DER (US), "
           "A33AVAJ2PDY3EV (Türkiye).", required=True),
    ),
    overrides={
        "base_url": {"default": REGION_HOSTS["EU"], "help": "SP-API host; empty means the region's host."},
        "category_ids": {"help": "Amazon browse node ids or product type keywords whose product types are fetched."},
        "orders_refundable_days": {"default": 7},
        "order_number_format": {"help": 'Format of imported order numbers, e.g. "AMZ-{n1}{n3}{n2}"; empty keeps '
                                "Amazon's 403-1234567-8765432."},
    },
    own=(
        _f("token_url", "Token Url", "text", "LWA token endpoint.", default=LWA_TOKEN_URL),
        _f("access_key", "Access Key", "text", "AWS access key (SigV4 signing is no longer required by "
           "SP-API; kept for the seed's form).", secret=True),
        _f("secret_key", "Secret Key", "text", "AWS secret key (unused, see Access Key).", secret=True),
        _f("cargo_company_id", "Cargo Company Id", "integer", "Our shipping company for Amazon orders."),
        _f("exclude_cargo_company_ids", "Exclude Cargo Company Ids", "list", "Carriers ignored when orders "
           "are read.", default=[]),
        _f("has_barcode_exemption", "Has Barcode Exemption", "bool", "Products go without UPC/EAN.",
           default=False),
        _f("is_fba_channel", "Is Fba Channel", "bool", "Fulfilled by Amazon: stock is not sent.", default=False),
        _f("validation_preview", "Validation Preview", "bool", "Product previews ask Amazon "
           "(mode=VALIDATION_PREVIEW); off: the product type's schema is checked here.", default=True),
        _f("delete_listing", "Delete Listing", "bool", "Delete Product removes the listing from Amazon "
           "(deleteListingsItem) instead of setting its stock to zero.", default=False),
    ),
)

BATCH_SIZES: dict[str, int] = {"productstock": FEED_MAX_MESSAGES, "productprice": FEED_MAX_MESSAGES,
                               "product_delete": FEED_MAX_MESSAGES,
                               # putListingsItem bursts to 10: one request's products take their slots at once
                               "product": 10}

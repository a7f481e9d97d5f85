"""N11 channel data: its flows (the seed's feature flags), config schema and limits.

Data only: no Django, no HTTP. The shared flows and keys come from
:mod:`~mpdash.marketplaces.common_config`; N11 renames the flags as its setup guide (seed
002) does (one flag may turn on several flows), drops the flows it has not (warehouse, schema
update), and adds its own keys. Where the seed names a concept the common config has under one name, the common key is
kept and the seed's label shown: ``cancellation_map`` is ``cancellation_reason_mapping``,
``refund_reason_id`` is ``default_reason_id`` and ``cancellation_reason_type_id`` is
``send_cancel_reason_id``. Limits follow the shared API reference §3.2.
"""

from __future__ import annotations

from dataclasses import replace

from ..base import FlowSpec, SchemaField
from ..common_config import declare_flows, declare_schema

EVERY_5_MIN = 300

PRODUCTION_URL = "https://api.n11.com/ws/"  # the seed's pre-filled value; REST paths hang off the host
# The seed's "Sales Url" (https://www.n11.com/) is not declared: no call and no screen uses the
# shop site's address (a channel that stored it keeps it as a key of its own).
INTEGRATOR = "mpdash"  # the "integrator" of task payloads: free text naming the software [UNVERIFIED rules]

MAX_SKUS_PER_TASK = 1000  # product-create and price-stock-update (documented)
MAX_ORDER_PAGE_SIZE = 100  # shipmentPackages size [3rd-party]
ORDER_WINDOW_DAYS = 30  # "month-wide windows": a span longer than this is refused by our simulator
RATE_LIMIT_CALLS = 1000  # shipmentPackages: 1,000 requests a minute (documented)
RATE_LIMIT_SECONDS = 60
TASK_PAGE_SIZE = 1000  # task-details page size [UNVERIFIED]
PRODUCT_PAGE_SIZE = 100  # product-query page size [3rd-party]
SOAP_PAGE_SIZE = 100  # ClaimCancelList / ClaimReturnList pageSize [UNVERIFIED: a client saw 20 a page by default]
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
# The seed's text of N11's refusal of a barcode it lists under another seller code, as a pattern
# ({code}: that code); send_delete_product_seller_code deletes that code [UNVERIFIED: N11's own wording].
SELLER_CODE_CLASH = ("The product you entered is listed with {code} seller code on your side. You can update your "
                     "product through this product.")

# The seed's flag for each generic flow N11 has (SPEC §4); common flows not named here
# (warehouse, schema update) do not exist on N11.
FLAGS = {
    "get_orders": "get_orders", "send_update_orders": "send_update_orders", "split_packages": "split_packages",
    "delete_product": "send_delete_products", "product_create": "send_products_inserted",
    "product_update": "send_products_inserted", "get_updated_orders": "get_updated_order_items",
    "get_cancel_orders": "get_cancel_orders", "price": "send_updated_product_price",
    "stock": "send_updated_product_stock", "send_cancel_order_items": "send_cancel_order_items",
    # Returns: the seed's "Cancel/Refund Orders" flow (get_cancel_orders) reads them; its
    # get_cancellation_request answers N11's requests, so it sends the return decisions too.
    "get_refund_orders": "get_cancel_orders", "approve_refund": "get_cancellation_request",
    "reject_refund": "get_cancellation_request",
}
_MAINTENANCE = ("category_node", "category_attributes", "default_attributes", "compare_attributes", "reconcile")
# The seed's own flows: get_cancellation_request and send_delete_product_seller_code (generic
# runners of those names); handle_package_combinations has no runner (see the package
# docstring): declared so that its flag exists (the seed wants every flag present, false when
# unused); triggering it is refused with a clear message.
_OWN_FLOWS = {
    "get_cancel_orders": (FlowSpec("get_cancellation_request", "get_cancellation_request", "Answer cancellation requests",
                                   "in", every_seconds=EVERY_5_MIN),),
    "send_cancel_order_items": (
        FlowSpec("handle_package_combinations", "handle_package_combinations", "Package combinations", "out",
                 every_seconds=EVERY_5_MIN),
        FlowSpec("send_delete_product_seller_code", "send_delete_product_seller_code", "Delete product seller code",
                 "out"),
    ),
}
FLOWS: tuple[FlowSpec, ...] = tuple(
    replace(flow, flag=FLAGS.get(flow.name, flow.flag))
    for flow in declare_flows(labels={"get_orders": "Get orders (Created, Picking)",
                                      "send_update_orders": "Send order updates (Picking, Shipped)"},
                              after=_OWN_FLOWS)
    if flow.name in FLAGS or flow.name in _MAINTENANCE or flow.name in {f.name for g in _OWN_FLOWS.values() for f in g}
)


def _f(key, label, data_type, help="", **kw) -> SchemaField:  # noqa: A002 (the SchemaField name)
    return SchemaField(key, label, data_type, help=help, **kw)


SCHEMA: tuple[SchemaField, ...] = declare_schema(
    "N11",
    first=(
        _f("app_key", "App Key", "text", "App key given to the brand by N11 (sent as the appkey header).",
           required=True, secret=True),
        _f("app_secret", "App Secret", "text", "App secret given by N11 (sent as the appsecret header).",
           required=True, secret=True),
    ),
    overrides={
        "base_url": {"default": PRODUCTION_URL, "help": "API URL for N11 (the seed's value); the REST paths are "
                     "called on its host."},
        "order_start_date": {"help": "Start of the order integration, dd/MM/yyyy (N11 lists no orders before "
                             "November 2024)."},
        "cancellation_reason_mapping": {"label": "Cancellation Map", "help": 'N11 reason id -> our reason id (the '
                                        'seed\'s cancellation_map), e.g. {"501": "7"}; UnSupplied and UnPacked '
                                        "packages come with those words as their reason."},
        "default_reason_id": {"label": "Refund Reason Id", "help": "Our refund reason id (the seed's "
                              "refund_reason_id)."},
        "send_cancel_reason_id": {"label": "Cancellation Reason Type Id", "default": 65, "help": "N11 reason sent "
                                  "with partial cancellations (the seed's cancellation_reason_type_id): 61 out of "
                                  "stock, 62 defective, 63 wrong price, 64 force majeure, 65 other."},
        "send_shipping_info": {"help": "On: the brand ships and tracking numbers are sent per line. Off: N11 "
                               "writes the order to the carrier."},
    },
    own=(
        _f("deny_reason_id", "Deny Reason Id", "integer",
           "N11 reason used to deny a cancellation request on an invoiced order, and a return claim rejected "
           "without an N11 reason: 61, 62, 63, 64 or 81.", required=True),
        _f("unsupplied_reason_id", "Unsupplied Reason Id", "integer", "Our reason id for UnSupplied packages."),
        _f("unpacked_reason_id", "Unpacked Reason Id", "integer", "Our reason id for UnPacked packages."),
        _f("cargo_company_id", "Cargo Company Id", "integer", "Our shipping company id for N11 orders: for every "
           "order, or only for those of the carriers below when that list is set; empty: cargo_company_mapping."),
        _f("exclude_cargo_company_ids", "Exclude Cargo Company Ids", "list",
           "N11 carriers (ids or names) whose orders take the Cargo Company Id instead of the mapping.", default=[]),
        _f("get_discount_amount", "Get Discount Amount", "bool", "Use N11's discount figures in orders.",
           default=False),
        _f("oms_enabled", "OMS Enabled", "bool",
           "Write N11's campaignNumber (else trackingNumber) as the tracking number.", default=False),
        _f("shipment_template", "Shipment Template", "text", "N11 shipment template name sent with new products."),
        _f("preparing_day", "Preparing Day", "integer", "Days to prepare a product (preparingDay); 3 is our "
           "default.", default=3),
    ),
)

BATCH_SIZES: dict[str, int] = {kind: MAX_SKUS_PER_TASK for kind in ("productstock", "productprice", "product",
                                                                   "product_delete")}

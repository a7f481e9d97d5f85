"""Seller Center channel data: flows (the Mono seed's feature flags), config schema, limits.

Data only. ``delete_product`` sets stock 0 as the seed says; the flows keep their generic names
and carry the seed's flags (see FLAGS); the common keys keep their names (``access_token`` is the
seed's static API key).
"""

from __future__ import annotations

from dataclasses import replace

from ..base import SchemaField
from ..common_config import declare_flows, declare_schema
from .marketplaces import SellerCenterMarketplace

MAX_OFFERS_PER_REQUEST = 100  # [UNVERIFIED] the channel_app's BATCH_SIZE; no limit found in the docs
PAGE_SIZE = 100  # `limit` we ask for; the documented default is 10, no maximum found [UNVERIFIED]
MAX_PAGE_SIZE = 100  # what our simulator refuses beyond [UNVERIFIED]
CURRENCY = "try"  # Akinon's currency_type words (reference §5.3)

# Package status (integer enum, PKG101 shows `2`); the meaning of each number is [UNVERIFIED].
WAITING, PREPARING, INVOICED, SHIPPED, DELIVERED, CANCELLED, REFUNDED = 1, 2, 3, 4, 5, 6, 7
# Preparing is where a paid package waits for the seller (the seed's get_orders reads "Preparing"):
# ours "created"; our "picking" sends Preparing, which it is already.
PACKAGE_STATUS = {WAITING: "created", PREPARING: "created", INVOICED: "invoiced", SHIPPED: "shipped",
                  DELIVERED: "delivered", CANCELLED: "cancelled", REFUNDED: "returned"}
STATUS_OF = {"picking": PREPARING, "invoiced": INVOICED, "shipped": SHIPPED, "delivered": DELIVERED}
CLAIM_STATUSES = ("open", "waiting", "approved", "rejected", "completed")  # CLM001, documented
CLAIM_TYPES = ("cancel", "refund")
CUSTOMER, SELLER = 1, 2  # cancelled_by (documented)

# Flow -> the Mono seed's flag (its "9. Feature Flags" table); flows not named keep a flag of
# their own name, which is the seed's. One flag may turn on several flows, as the seed means it:
# ``product`` sends added and updated products (our create and update), and
# ``send_refund_order_status`` approves or rejects refunds. The table says
# ``send_split_packages``; the seed's Feature Flags JSON example says ``split_packages``: the table
# is followed [UNVERIFIED which one a real Seller Center channel_app reads].
FLAGS: dict[str, str] = {"product_create": "product", "product_update": "product",
                         "approve_refund": "send_refund_order_status", "reject_refund": "send_refund_order_status",
                         "split_packages": "send_split_packages"}
# Flags stored by channels saved before FLAGS existed -> the flag that replaced them (a channel
# had the new flag on when any old one was on); read by channels/migrations/0005.
RENAMED_FLAGS: dict[str, str] = dict(FLAGS)
_DROPPED = {"update_warehouse", "schema_update"}
FLOWS = tuple(replace(f, flag=FLAGS.get(f.name, f.flag)) for f in declare_flows(labels={
    "get_orders": "Get orders (Preparing)", "get_cancel_orders": "Get cancelled orders (cancel claims completed)",
    "get_refund_orders": "Get refund claims (open, waiting)"}) if f.name not in _DROPPED)


def schema(market: SellerCenterMarketplace) -> tuple[SchemaField, ...]:
    label = market.label
    return declare_schema(
        label,
        first=(
            SchemaField("access_token", "Access Token", "text", required=True, secret=True, default="default",
                        help=f"API key of the Seller Center integration API, obtained from {label} (sent as the "
                             "Authorization header)."),
            SchemaField("api_version", "Api Version", "text", default="i2",
                        help="i2: the current API with the access token; i1: the older API, a token obtained "
                             "with email and password."),
            SchemaField("email", "Email", "text", help="i1 only: the seller user's email."),
            SchemaField("password", "Password", "text", secret=True, help="i1 only: the seller user's password."),
        ),
        overrides={"base_url": {"default": market.base_url, "help": f"API URL belonging to {label} (the host; "
                                "/api is added when missing)."}},
        own=(SchemaField("seller_cancel_reason", "Seller Cancel Reason", "text",
                         help=f"{label}'s reason (a uuid of GET claims/reasons/?type=cancel) sent with cancellations "
                              "made on our side, unless Cancellation Reason Mapping maps our reason to one."),
             SchemaField("reject_item_reason", "Reject Item Reason", "text",
                         help="Reason text sent when a refund is rejected, e.g. Damaged."),
             SchemaField("waybill_option", "Waybill Option", "json", default={"enabled": False, "default": ""},
                         help="enabled: shipped/delivered updates carry waybill_number (the invoice number, "
                              "else default).")),
    )


BATCH_SIZES = {kind: MAX_OFFERS_PER_REQUEST for kind in ("productstock", "productprice", "product", "product_delete")}

"""The flow registry: which generic flows the engine can run, and how.

A marketplace declares its flows (name, flag, schedule) in its ``config.py``; this maps
a flow name to the generic code that runs it. Flows declared by a marketplace but not
listed here are not runnable yet: they get no schedule, and a trigger is refused
with a clear message.
"""

from __future__ import annotations

from mpdash.marketplaces.base import MarketplaceAdapter

from . import catalog_flows, order_actions, order_flows, product_flow, reconcile
from .sync_flow import run_outbound_sync

RUNNERS = {
    "stock": run_outbound_sync,
    "price": run_outbound_sync,
    product_flow.CREATE: product_flow.run_product_sync,
    product_flow.UPDATE: product_flow.run_product_sync,
    product_flow.DELETE: product_flow.run_product_delete,
    "category_node": catalog_flows.run_category_node,
    "category_attributes": catalog_flows.run_category_attributes,
    "default_attributes": catalog_flows.run_default_attributes,
    "compare_attributes": catalog_flows.run_compare_attributes,
    "brands": catalog_flows.run_brands,
    "get_orders": order_flows.run_get_orders,
    "get_updated_orders": order_flows.run_get_updated_orders,
    "get_cancel_orders": order_flows.run_get_cancel_orders,
    "unpacked_orders": order_flows.run_unpacked_orders,
    "get_refund_orders": order_flows.run_get_refund_orders,
    "send_update_orders": order_actions.run_send_update_orders,
    "send_cancel_order_items": order_actions.run_send_cancel_order_items,
    "approve_refund": order_actions.run_approve_refund,
    "reject_refund": order_actions.run_reject_refund,
    "split_packages": order_actions.run_split_packages,
    "update_warehouse": order_actions.run_update_warehouse,
    "reconcile": reconcile.run_reconcile,
}

# The adapter method a flow needs: a marketplace whose adapter lacks it cannot run it yet.
NEEDS = {
    "stock": "send_stock", "price": "send_prices",
    product_flow.CREATE: "send_products", product_flow.UPDATE: "send_products", product_flow.DELETE: "delete_products",
    "category_node": "fetch_categories", "category_attributes": "fetch_attributes", "compare_attributes": "fetch_attributes",
    "default_attributes": "default_attributes", "brands": "fetch_brands",
    "get_orders": "list_orders", "get_updated_orders": "list_updated_orders",
    "get_cancel_orders": "list_cancellations", "unpacked_orders": "list_unpacked", "get_refund_orders": "list_claims",
    "send_update_orders": "send_order_update", "send_cancel_order_items": "cancel_lines",
    "approve_refund": "approve_claim", "reject_refund": "reject_claim", "split_packages": "split_package",
    "update_warehouse": "update_warehouse", "reconcile": "list_listings",
}


def supported(adapter_class, flow: str) -> bool:
    """True when the marketplace's adapter implements what the flow needs."""
    method = NEEDS.get(flow)
    if method is None:
        return True
    return getattr(adapter_class, method) is not getattr(MarketplaceAdapter, method)


def runnable(flow: str, adapter_class=None) -> bool:
    return flow in RUNNERS and (adapter_class is None or supported(adapter_class, flow))

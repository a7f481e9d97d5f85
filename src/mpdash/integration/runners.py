"""The generic runner of every flow, registered into the flow registry (:mod:`.flows`).

Imported once when the app loads (``IntegrationConfig.ready``): it is the one module that
knows every flow module, and nothing below it imports it.
"""

from __future__ import annotations

from . import catalog_flows, flows, order_actions, order_flows, product_flow, reconcile
from .sync_flow import run_outbound_sync

flows.RUNNERS.update({
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
    order_flows.CANCEL_REQUESTS: order_flows.run_get_cancellation_request,
    "get_refund_orders": order_flows.run_get_refund_orders,
    "send_update_orders": order_actions.run_send_update_orders,
    "send_cancel_order_items": order_actions.run_send_cancel_order_items,
    "approve_refund": order_actions.run_approve_refund,
    "reject_refund": order_actions.run_reject_refund,
    "split_packages": order_actions.run_split_packages,
    order_actions.SELLER_CODES: order_actions.run_delete_seller_codes,
    "update_warehouse": order_actions.run_update_warehouse,
    "reconcile": reconcile.run_reconcile,
})

flows.NEEDS.update({
    "stock": "send_stock", "price": "send_prices",
    product_flow.CREATE: "send_products", product_flow.UPDATE: "send_products", product_flow.DELETE: "delete_products",
    "category_node": "fetch_categories", "category_attributes": "fetch_attributes", "compare_attributes": "fetch_attributes",
    "default_attributes": "default_attributes", "brands": "fetch_brands",
    "get_orders": "list_orders", "get_updated_orders": "list_updated_orders",
    "get_cancel_orders": "list_cancellations", "unpacked_orders": "list_unpacked", "get_refund_orders": "list_claims",
    order_flows.CANCEL_REQUESTS: "list_cancel_requests", order_actions.SELLER_CODES: "delete_seller_code",
    "send_update_orders": "send_order_update", "send_cancel_order_items": "cancel_lines",
    "approve_refund": "approve_claim", "reject_refund": "reject_claim", "split_packages": "split_package",
    "update_warehouse": "update_warehouse", "reconcile": "list_listings",
})

# Products keep their own state (created, waiting for approval, rejected) from the answer.
flows.RESULT_HANDLERS.update({"product": product_flow.apply_results, "product_delete": product_flow.apply_results})


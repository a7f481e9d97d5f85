"""Orders, customers, addresses, shipping companies, cancellations and webhooks (the order
side of the commerce core). One module per topic; everything is importable from here."""

from .cancellations import (
    DESCRIPTION_MAX,
    MAX_PLANS_PER_ORDER,
    CancellationPlan,
    CancellationReason,
    CancellationRequest,
    CancellationRequestItem,
    CancellationType,
    RemoteStatus,
)
from .customers import Address, Customer
from .geo import AddressMapping, City, Country, District, Township
from .orders import Order, OrderItem, OrderStatus, StatusChange
from .shipping import ShippingCompany
from .webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

__all__ = [
    "DESCRIPTION_MAX", "MAX_PLANS_PER_ORDER",
    "Address", "AddressMapping", "CancellationPlan", "CancellationReason", "CancellationRequest",
    "CancellationRequestItem", "CancellationType", "City", "Country", "Customer", "District", "Order",
    "OrderItem", "OrderStatus", "RemoteStatus", "ShippingCompany", "StatusChange", "Township", "WebhookAttempt",
    "WebhookDelivery", "WebhookEndpoint", "WebhookEvent",
]

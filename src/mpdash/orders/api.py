"""REST routes of the orders app; mounted under ``/api/v1/`` by :mod:`mpdash.api.urls`."""

from django.urls import path

from mpdash.api import lookups  # noqa: F401  (registers the <id:…> path converter)

from . import views


def register(router) -> None:
    """Add this app's viewsets to the API router."""
    router.register("orders", views.OrderViewSet, basename="order")
    router.register("cancellation_requests", views.CancellationRequestViewSet, basename="cancellation-request")
    router.register("refund_requests", views.RefundRequestViewSet, basename="refund-request")
    router.register("shipping_companies", views.ShippingCompanyViewSet, basename="shipping-company")
    router.register("webhook_endpoints", views.WebhookEndpointViewSet, basename="webhook-endpoint")
    router.register("webhook_deliveries", views.WebhookDeliveryViewSet, basename="webhook-delivery")


urlpatterns: list = [
    path(
        "channel/<id:channel_id>/cancellation_reasons/",
        views.ChannelCancellationReasonList.as_view(),
        name="channel-cancellation-reasons",
    ),
    path(
        "channel/<id:channel_id>/cancellation_reasons/<id:pk>/",
        views.ChannelCancellationReasonDetail.as_view(),
        name="channel-cancellation-reason",
    ),
]

"""django-filter filter sets of the orders API."""

from __future__ import annotations

import django_filters

from .models import CancellationReason, CancellationRequest, Order, WebhookDelivery


class NumberInFilter(django_filters.BaseInFilter, django_filters.NumberFilter):
    """Comma-separated integers."""


class OrderFilter(django_filters.FilterSet):
    channel__slug = django_filters.CharFilter(field_name="channel__slug")
    status__in = NumberInFilter(field_name="status", help_text="Comma-separated status codes (integers)")
    date_placed__gte = django_filters.IsoDateTimeFilter(field_name="date_placed", lookup_expr="gte")
    date_placed__lte = django_filters.IsoDateTimeFilter(field_name="date_placed", lookup_expr="lte")
    created_at__gte = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_at__lte = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lte")
    modified_at__gte = django_filters.IsoDateTimeFilter(field_name="modified_at", lookup_expr="gte")

    class Meta:
        model = Order
        fields = [
            "channel", "channel__slug", "status", "status__in", "number", "marketplace_order_number", "package_id",
            "sent_to_erp", "date_placed__gte", "date_placed__lte", "created_at__gte", "created_at__lte",
            "modified_at__gte",
        ]


class CancellationReasonFilter(django_filters.FilterSet):
    class Meta:
        model = CancellationReason
        fields = ["cancellation_type", "is_active", "code"]


class CancellationRequestFilter(django_filters.FilterSet):
    order__number = django_filters.CharFilter(field_name="order__number")
    created_at__gte = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_at__lte = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lte")

    class Meta:
        model = CancellationRequest
        fields = [
            "channel", "order", "order__number", "cancellation_type", "status", "decision", "marketplace_claim_id",
            "created_at__gte", "created_at__lte",
        ]


class WebhookDeliveryFilter(django_filters.FilterSet):
    class Meta:
        model = WebhookDelivery
        fields = ["endpoint", "event", "status"]

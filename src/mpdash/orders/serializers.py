"""Serializers of the orders API (also the shape of webhook payloads)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mpdash.api.nul import SlugRelatedField
from mpdash.redaction import MASK

from .quantities import cancellable_quantity
from .schema import NamedChoiceField
from .models import (
    DESCRIPTION_MAX,
    Address,
    CancellationPlan,
    CancellationReason,
    CancellationRequest,
    CancellationRequestItem,
    CancellationType,
    Customer,
    Order,
    OrderItem,
    OrderStatus,
    ShippingCompany,
    StatusChange,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

def order_status_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(OrderStatus.choices, "OrderStatusEnum", **kwargs)


def cancellation_type_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(CancellationType.choices, "CancellationTypeEnum", **kwargs)


# --- reference data ---------------------------------------------------------------------------


class PlaceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ShippingCompanySerializer(serializers.ModelSerializer):
    class Meta:
        model = ShippingCompany
        fields = ["id", "slug", "name", "tracking_url_template", "is_active"]

    def validate_tracking_url_template(self, value: str) -> str:
        if value and "{tracking_number}" not in value:
            raise serializers.ValidationError("must contain {tracking_number} where the number goes")
        return value


class CancellationReasonSerializer(serializers.ModelSerializer):
    cancellation_type = cancellation_type_field(read_only=True)

    class Meta:
        model = CancellationReason
        fields = ["id", "cancellation_type", "code", "name", "is_active", "extra_information_needed", "sort_order"]


# --- orders ---------------------------------------------------------------------------------------


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "email", "first_name", "last_name", "phone", "marketplace_customer_id"]


class AddressSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code")
    city = PlaceSerializer()
    township = PlaceSerializer(allow_null=True)
    district = PlaceSerializer(allow_null=True)

    class Meta:
        model = Address
        fields = [
            "id", "title", "first_name", "last_name", "email", "phone", "country", "city", "township", "district",
            "neighbourhood", "line", "region", "postcode", "company_name", "tax_office", "tax_number", "e_bill_taxpayer",
        ]


class OrderItemSerializer(serializers.ModelSerializer):
    status = order_status_field(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = OrderItem
        fields = [
            "id", "product", "sku", "name", "quantity", "price", "retail_price", "discount_amount", "tax_rate",
            "status", "status_label", "remote_line_id", "tracking_number", "tracking_url", "extra_field",
        ]


class OrderSerializer(serializers.ModelSerializer):
    status = order_status_field(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    cargo_company = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Order
        fields = [
            "id", "number", "channel", "status", "status_label", "marketplace_order_number", "package_id", "currency",
            "amount", "discount_amount", "shipping_amount", "shipping_tax_rate", "cargo_company", "tracking_number",
            "tracking_url", "invoice_number", "invoice_date", "invoice_link", "extra_field", "date_placed",
            "sent_to_erp", "sent_to_erp_at", "created_at", "modified_at",
        ]
        read_only_fields = fields


class OrderDetailSerializer(OrderSerializer):
    items = OrderItemSerializer(many=True, read_only=True)
    customer = CustomerSerializer(read_only=True, allow_null=True)
    shipping_address = AddressSerializer(read_only=True, allow_null=True)
    billing_address = AddressSerializer(read_only=True, allow_null=True)

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "customer", "shipping_address", "billing_address", "items"]
        read_only_fields = fields


class StatusChangeSerializer(serializers.ModelSerializer):
    old_status = order_status_field(read_only=True, allow_null=True)
    new_status = order_status_field(read_only=True)

    class Meta:
        model = StatusChange
        fields = ["id", "item", "old_status", "new_status", "source", "note", "created_at"]


# --- order actions (request bodies) -------------------------------------------------------------


class StatusUpdateSerializer(serializers.Serializer):
    status = order_status_field(help_text="Status code, e.g. 500 (shipped)")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class InvoiceSerializer(serializers.Serializer):
    invoice_number = serializers.CharField(max_length=128)
    invoice_date = serializers.DateTimeField(required=False, allow_null=True)
    invoice_link = serializers.URLField(max_length=1000, required=False, allow_blank=True, default="")


class TrackingSerializer(serializers.Serializer):
    cargo_company = SlugRelatedField(
        slug_field="slug", queryset=ShippingCompany.objects.filter(is_active=True), help_text="Shipping company slug"
    )
    tracking_number = serializers.CharField(max_length=256)


class CancelLineSerializer(serializers.Serializer):
    order_item = serializers.IntegerField(help_text="Order item id")
    quantity = serializers.IntegerField(min_value=1, default=1)


class CancelItemsSerializer(serializers.Serializer):
    """Validated against the order in the context: items must belong to it and have units left."""

    items = CancelLineSerializer(many=True, allow_empty=False)
    reason = serializers.PrimaryKeyRelatedField(
        queryset=CancellationReason.objects.filter(cancellation_type=CancellationType.CANCEL, is_active=True),
        required=False, allow_null=True, help_text="An active cancel reason id",
    )
    description = serializers.CharField(max_length=DESCRIPTION_MAX, required=False, allow_blank=True, default="")

    def validate_items(self, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        order: Order = self.context["order"]
        items = {i.pk: i for i in order.items.all()}
        errors: list[dict[str, list[str]]] = []
        seen: set[int] = set()
        for line in lines:
            item = items.get(line["order_item"])
            error: dict[str, list[str]] = {}
            if item is None:
                error["order_item"] = [f"item {line['order_item']} is not an item of order {order.number}"]
            elif item.pk in seen:
                error["order_item"] = [f"item {item.pk} is named twice"]
            else:
                seen.add(item.pk)
                left = cancellable_quantity(item)
                if line["quantity"] > left:
                    error["quantity"] = [
                        f"{line['quantity']} exceeds the {left} unit(s) of item {item.pk} ({item.sku}) that can still be cancelled"
                    ]
            errors.append(error)
        if any(errors):
            raise serializers.ValidationError(errors)
        return lines


# --- cancellation requests -----------------------------------------------------------------------


class CancellationRequestItemSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="order_item.sku", read_only=True)

    class Meta:
        model = CancellationRequestItem
        fields = ["id", "order_item", "sku", "quantity", "marketplace_claim_line_id"]


class CancellationPlanSerializer(serializers.ModelSerializer):
    plan_type = cancellation_type_field(read_only=True)
    status = NamedChoiceField(CancellationPlan.Status.choices, "CancellationPlanStatusEnum", read_only=True)

    class Meta:
        model = CancellationPlan
        fields = ["id", "sequence", "plan_type", "status", "refund_amount", "created_at"]


class CancellationRequestSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    items = CancellationRequestItemSerializer(many=True, read_only=True)
    plans = CancellationPlanSerializer(many=True, read_only=True)
    cancellation_type = cancellation_type_field(read_only=True)
    status = NamedChoiceField(CancellationRequest.Status.choices, "CancellationRequestStatusEnum", read_only=True)
    decision = NamedChoiceField(CancellationRequest.Decision.choices, "RefundDecisionEnum", read_only=True)

    class Meta:
        model = CancellationRequest
        fields = [
            "id", "channel", "order", "order_number", "cancellation_type", "status", "reason", "description", "images",
            "marketplace_claim_id", "items", "plans", "decision", "decision_reason", "decision_description",
            "decision_images", "decided_at", "decided_by", "created_at", "modified_at",
        ]
        read_only_fields = fields


class RefundDecisionSerializer(serializers.Serializer):
    decision = NamedChoiceField(CancellationRequest.Decision.choices, "RefundDecisionEnum")
    reason = serializers.PrimaryKeyRelatedField(
        queryset=CancellationReason.objects.filter(cancellation_type=CancellationType.REFUND, is_active=True),
        required=False, allow_null=True, help_text="An active refund reason id; required to reject",
    )
    description = serializers.CharField(max_length=DESCRIPTION_MAX, required=False, allow_blank=True, default="")
    images = serializers.ListField(child=serializers.URLField(max_length=2000), required=False, default=list)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["decision"] == CancellationRequest.Decision.REJECT and not attrs.get("reason"):
            raise serializers.ValidationError({"reason": ["a rejection needs a reason"]})
        return attrs


# --- webhooks ------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class WriteOnlySecretField(serializers.CharField):
    """Taken in clear, shown as the mask; the mask or an empty value on update keeps the stored secret."""

    def to_representation(self, value) -> str:
        return MASK if value else ""


class WebhookEndpointSerializer(serializers.ModelSerializer):
    secret = WriteOnlySecretField(
        max_length=500, required=False, allow_blank=True, help_text="HMAC key; write-only, shown masked"
    )
    events = serializers.ListField(
        child=NamedChoiceField([*WebhookEvent.values, "*"], "WebhookSubscriptionEnum"), allow_empty=False, min_length=1,
        help_text='Events to receive; ["*"] for all',
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "name", "url", "secret", "events", "is_active", "created_at", "modified_at"]
        read_only_fields = ["created_at", "modified_at"]

    def validate_secret(self, value: str) -> str:
        if value == MASK:
            return ""
        if value and len(value) < 16:
            raise serializers.ValidationError("use at least 16 characters")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None and not attrs.get("secret"):
            raise serializers.ValidationError({"secret": ["a new endpoint needs a secret (at least 16 characters)"]})
        if not attrs.get("secret"):
            attrs.pop("secret", None)  # keep the stored one
        return attrs


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "status_code", "response_excerpt", "error", "duration_ms", "created_at"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)
    event = NamedChoiceField(WebhookEvent.choices, "WebhookEventEnum", read_only=True)
    status = NamedChoiceField(WebhookDelivery.Status.choices, "WebhookDeliveryStatusEnum", read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "uuid", "endpoint", "event", "payload", "status", "attempts", "last_status_code", "response_excerpt",
            "last_error", "next_retry_at", "created_at", "delivered_at", "attempt_log",
        ]
        read_only_fields = fields

from django import forms
from django.contrib import admin, messages
from django.db import models

from mpdash.redaction import MASK

from . import statuses, webhooks
from .errors import StatusTransitionError
from .models import (
    Address,
    AddressMapping,
    CancellationPlan,
    CancellationReason,
    CancellationRequest,
    CancellationRequestItem,
    City,
    Country,
    Customer,
    District,
    Order,
    OrderItem,
    ShippingCompany,
    StatusChange,
    Township,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

def _formfield(db_field, **kwargs):
    """URL fields assume https (Django 6's default) instead of warning about it."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class HttpsURLMixin:
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)


# --- geography --------------------------------------------------------------------------------


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_active")
    search_fields = ("code", "name")


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ("plate_code", "name", "country", "is_active")
    list_filter = ("country", "is_active")
    search_fields = ("name", "name_key", "plate_code")


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "name_key", "city__name")
    raw_id_fields = ("city",)


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("name", "township", "postcode", "is_active")
    search_fields = ("name", "name_key", "township__name")
    raw_id_fields = ("township",)


@admin.register(AddressMapping)
class AddressMappingAdmin(admin.ModelAdmin):
    list_display = ("model", "code", "channel", "parent_id", "object_id", "created_at")
    list_filter = ("model", "channel")
    search_fields = ("code", "code_key")


# --- reference data ----------------------------------------------------------------------------


@admin.register(ShippingCompany)
class ShippingCompanyAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "tracking_url_template", "is_active")
    list_filter = ("is_active",)
    search_fields = ("slug", "name")


@admin.register(CancellationReason)
class CancellationReasonAdmin(admin.ModelAdmin):
    list_display = ("id", "code", "name", "cancellation_type", "is_active", "sort_order")
    list_filter = ("cancellation_type", "is_active")
    search_fields = ("code", "name")


# --- customers and orders ------------------------------------------------------------------------


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("id", "email", "first_name", "last_name", "phone", "channel", "marketplace_customer_id")
    list_filter = ("channel",)
    search_fields = ("email", "first_name", "last_name", "phone", "marketplace_customer_id")


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ("id", "first_name", "last_name", "city", "township", "region", "line")
    search_fields = ("first_name", "last_name", "line", "city__name", "township__name")
    raw_id_fields = ("customer", "city", "township", "district")


class OrderItemInline(HttpsURLMixin, admin.TabularInline):
    model = OrderItem
    extra = 0
    fields = ("sku", "product", "quantity", "price", "status", "remote_line_id", "tracking_number")
    readonly_fields = ("status",)
    raw_id_fields = ("product",)


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    fields = ("created_at", "item", "old_status", "new_status", "source", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class OrderStatusForm(forms.ModelForm):
    """Status changes from the admin follow the same rule as everywhere: never backwards."""

    class Meta:
        model = Order
        fields = "__all__"
        formfield_callback = _formfield

    def clean_status(self):
        new = self.cleaned_data["status"]
        if self.instance.pk and new != self.instance.status:
            try:
                statuses.check_transition(self.instance.status, new)
            except StatusTransitionError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return new


@admin.register(Order)
class OrderAdmin(HttpsURLMixin, admin.ModelAdmin):
    form = OrderStatusForm
    list_display = ("number", "channel", "status", "marketplace_order_number", "package_id", "amount", "currency",
                    "sent_to_erp", "date_placed")
    list_filter = ("channel", "status", "sent_to_erp", "cargo_company")
    search_fields = ("number", "marketplace_order_number", "package_id", "items__sku", "customer__email")
    date_hierarchy = "date_placed"
    raw_id_fields = ("customer", "shipping_address", "billing_address")
    readonly_fields = ("created_at", "modified_at", "sent_to_erp_at")
    inlines = [OrderItemInline, StatusChangeInline]

    def save_model(self, request, obj, form, change):
        if change and "status" in form.changed_data:
            new = obj.status
            obj.status = form.initial["status"]
            super().save_model(request, obj, form, change)
            statuses.set_status(obj, new, source=f"admin:{request.user.get_username()}")
        else:
            super().save_model(request, obj, form, change)


class CancellationRequestItemInline(admin.TabularInline):
    model = CancellationRequestItem
    extra = 0
    raw_id_fields = ("order_item",)
    exclude = ("channel",)


class CancellationPlanInline(admin.TabularInline):
    model = CancellationPlan
    extra = 0
    readonly_fields = ("sequence", "created_at")


@admin.register(CancellationRequest)
class CancellationRequestAdmin(admin.ModelAdmin):
    list_display = ("id", "order", "channel", "cancellation_type", "status", "reason", "decision", "created_at")
    list_filter = ("cancellation_type", "status", "decision", "channel")
    search_fields = ("order__number", "marketplace_claim_id")
    raw_id_fields = ("order",)
    inlines = [CancellationRequestItemInline, CancellationPlanInline]


@admin.register(CancellationPlan)
class CancellationPlanAdmin(admin.ModelAdmin):
    list_display = ("order", "sequence", "plan_type", "status", "refund_amount", "created_at")
    list_filter = ("plan_type", "status")
    raw_id_fields = ("order", "request")


# --- webhooks ----------------------------------------------------------------------------------------


class WebhookEndpointForm(forms.ModelForm):
    secret = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False),
        help_text="Write-only. Leave empty to keep the stored secret.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "secret", "events", "is_active"]
        formfield_callback = _formfield

    def clean_secret(self):
        value = self.cleaned_data.get("secret") or ""
        if value in ("", MASK):
            if not self.instance.pk:
                raise forms.ValidationError("a new endpoint needs a secret")
            return self.instance.secret
        return value


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(HttpsURLMixin, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("id", "name", "url", "events", "is_active", "masked_secret")

    @admin.display(description="secret")
    def masked_secret(self, obj):
        return MASK if obj.secret else ""


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("number", "status_code", "response_excerpt", "error", "duration_ms", "created_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "event", "endpoint", "status", "attempts", "last_status_code", "next_retry_at", "created_at")
    list_filter = ("status", "event", "endpoint")
    readonly_fields = ("uuid", "endpoint", "event", "payload", "status", "attempts", "last_status_code",
                       "response_excerpt", "last_error", "next_retry_at", "created_at", "delivered_at")
    inlines = [WebhookAttemptInline]
    actions = ["redeliver"]

    @admin.action(description="Send the selected deliveries again now")
    def redeliver(self, request, queryset):
        for delivery in queryset:
            webhooks.redeliver(delivery)
        self.message_user(request, f"{queryset.count()} deliveries queued", messages.SUCCESS)

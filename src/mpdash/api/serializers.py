"""Serializers of the REST API. Products are named by SKU, lists and catalogs by code."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mpdash.catalog.models import (
    Catalog,
    CatalogItem,
    Category,
    PriceList,
    Product,
    ProductPrice,
    ProductStock,
    StockList,
)
from mpdash.channels.models import SalesChannel
from mpdash.integration.models import BatchRequest, FailedIntegration, FlowLogLine, FlowRun

from .nul import SlugRelatedField, no_nul

# --- catalog ------------------------------------------------------------------------------------


class CategorySerializer(serializers.ModelSerializer):
    parent = SlugRelatedField(
        slug_field="code", queryset=Category.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Category
        fields = ["id", "code", "name", "parent"]


class ProductSerializer(serializers.ModelSerializer):
    category = SlugRelatedField(
        slug_field="code", queryset=Category.objects.all(), allow_null=True, required=False
    )
    images = serializers.ListField(child=serializers.URLField(max_length=2000), required=False)
    attributes = serializers.DictField(required=False, validators=[no_nul])

    class Meta:
        model = Product
        fields = [
            "id", "sku", "base_code", "name", "description", "product_type", "is_active",
            "category", "images", "attributes", "created_at", "modified_at",
        ]
        read_only_fields = ["created_at", "modified_at"]

    def validate_sku(self, value: str) -> str:
        if self.instance is not None and value != self.instance.sku:
            raise serializers.ValidationError("the SKU of a product cannot change; create a new product instead")
        return value


class PriceListSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriceList
        fields = ["id", "code", "name", "currency"]


class StockListSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockList
        fields = ["id", "code", "name"]


class CatalogSerializer(serializers.ModelSerializer):
    class Meta:
        model = Catalog
        fields = ["id", "code", "name"]


class ProductPriceSerializer(serializers.ModelSerializer):
    product = SlugRelatedField(slug_field="sku", queryset=Product.objects.all())
    price_list = SlugRelatedField(slug_field="code", queryset=PriceList.objects.all())
    # As the bulk import takes it: a percentage from 0 to 100.
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False)

    class Meta:
        model = ProductPrice
        fields = ["id", "product", "price_list", "price", "retail_price", "currency", "tax_rate", "modified_at"]
        read_only_fields = ["modified_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        price = attrs.get("price", getattr(self.instance, "price", None))
        retail = attrs.get("retail_price", getattr(self.instance, "retail_price", None))
        if price is not None and retail is not None and retail < price:
            raise serializers.ValidationError({"retail_price": f"must be at least the price ({price})"})
        if self.instance is None and "currency" not in attrs and attrs.get("price_list") is not None:
            attrs["currency"] = attrs["price_list"].currency
        return attrs


class ProductStockSerializer(serializers.ModelSerializer):
    product = SlugRelatedField(slug_field="sku", queryset=Product.objects.all())
    stock_list = SlugRelatedField(slug_field="code", queryset=StockList.objects.all())
    quantity = serializers.IntegerField(min_value=0, max_value=2_147_483_647)
    extra = serializers.DictField(required=False, validators=[no_nul])

    class Meta:
        model = ProductStock
        fields = ["id", "product", "stock_list", "quantity", "extra", "modified_at"]
        read_only_fields = ["modified_at"]


class CatalogItemSerializer(serializers.ModelSerializer):
    catalog = SlugRelatedField(slug_field="code", queryset=Catalog.objects.all())
    product = SlugRelatedField(slug_field="sku", queryset=Product.objects.all())

    class Meta:
        model = CatalogItem
        fields = ["id", "catalog", "product", "added_at"]
        read_only_fields = ["added_at"]


# --- bulk (request/response shapes, for the schema) ------------------------------------------------


# What mpdash.catalog.importer accepts, stated for the schema: lengths, non-blank text (a
# value of spaces only is blank), 3-letter currencies, tax rates 0-100. Rows are closed objects
# (additionalProperties: false, see schema_hooks): an unknown field is refused by name.
_NON_BLANK = r"\S"


def _code(max_length: int, **kwargs):
    return serializers.RegexField(_NON_BLANK, max_length=max_length, **kwargs)


class BulkProductRowSerializer(serializers.Serializer):
    sku = _code(128)
    name = _code(512, required=False, help_text="Required for a new product")
    base_code = serializers.CharField(max_length=128, required=False, allow_blank=True)
    description = serializers.CharField(max_length=1_000_000, required=False, allow_blank=True)
    product_type = serializers.ChoiceField(choices=Product.ProductType.choices, required=False)
    is_active = serializers.BooleanField(required=False)
    category = _code(128, required=False, allow_null=True, help_text="Category code (an existing category)")
    # The importer takes an http(s) URL without white space (str.isspace, which counts more
    # characters than a schema's \S); stated as the URL characters of RFC 3986.
    images = serializers.ListField(child=serializers.RegexField(r"^https?://[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]+$",
                                                                max_length=2000), required=False, help_text="http(s) URLs")
    attributes = serializers.DictField(required=False)


class BulkPriceRowSerializer(serializers.Serializer):
    sku = _code(128, help_text="SKU of an existing product; once per price list in a request")
    price_list = _code(64, help_text="Price list code")
    price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    retail_price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True,
                                            help_text="At least the price")
    currency = serializers.RegexField(r"^\s*[A-Za-z]{3}\s*$", required=False, help_text="Defaults to the price list's currency")
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False)


class BulkStockRowSerializer(serializers.Serializer):
    sku = _code(128, help_text="SKU of an existing product; once per stock list in a request")
    stock_list = _code(64, help_text="Stock list code")
    quantity = serializers.IntegerField(min_value=0, max_value=2_147_483_647)
    extra = serializers.DictField(required=False)


class BulkCatalogItemRowSerializer(serializers.Serializer):
    catalog = _code(64, help_text="Catalog code")
    sku = _code(128, help_text="SKU of an existing product")


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="Index of the row in the request list")
    field = serializers.CharField()
    message = serializers.CharField()


class BulkErrorsSerializer(serializers.Serializer):
    errors = RowErrorSerializer(many=True)
    error_count = serializers.IntegerField(required=False)


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


# --- channels ---------------------------------------------------------------------------------------


class MaskedConfigField(serializers.JSONField):
    """Shows the config with secrets masked; takes a JSON object of changed keys."""

    def to_representation(self, value):
        return value

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if not isinstance(data, dict):
            raise serializers.ValidationError("must be a JSON object of config keys and values")
        no_nul(data)
        return data


@extend_schema_field(OpenApiTypes.OBJECT)
class _ConfigField(MaskedConfigField):
    pass


class SalesChannelSerializer(serializers.ModelSerializer):
    """Config is shown masked and written through ``update_config`` (a secret sent as the
    mask or empty keeps its stored value) and the channel's validation."""

    catalog = SlugRelatedField(slug_field="code", queryset=Catalog.objects.all())
    price_list = SlugRelatedField(slug_field="code", queryset=PriceList.objects.all())
    stock_list = SlugRelatedField(slug_field="code", queryset=StockList.objects.all())
    marketplace = serializers.CharField(max_length=32)
    config = _ConfigField(required=False, source="masked_config")
    schema = _ConfigField(required=False)

    class Meta:
        model = SalesChannel
        fields = [
            "id", "name", "slug", "marketplace", "catalog", "price_list", "stock_list", "is_active",
            "config", "schema", "created_at", "modified_at",
        ]
        read_only_fields = ["created_at", "modified_at"]
        extra_kwargs = {"slug": {"required": False}}

    def validate_marketplace(self, value: str) -> str:
        if self.instance is not None and value != self.instance.marketplace:
            raise serializers.ValidationError("the marketplace of a channel cannot change; create a new channel")
        return value

    def create(self, validated_data):
        return self._write(SalesChannel(), validated_data)

    def update(self, instance, validated_data):
        return self._write(instance, validated_data)

    def _write(self, channel: SalesChannel, data: dict[str, Any]) -> SalesChannel:
        changes = data.pop("masked_config", None)
        schema = data.pop("schema", None)
        for name, value in data.items():
            setattr(channel, name, value)
        if not channel.slug:
            channel.slug = _free_slug(slugify(channel.name)[:64] or channel.marketplace)
        try:
            if channel.marketplace and not channel.schema:
                channel.deploy_defaults()
            if schema is not None:
                channel.schema = _merged_schema(channel.schema, schema)
            if changes:
                flags = changes.get("feature_flags")
                if isinstance(flags, dict):
                    # A partial flags object changes the named flags only.
                    changes = dict(changes, feature_flags={**(channel.config or {}).get("feature_flags", {}), **flags})
                channel.update_config(changes)
        except LookupError as exc:
            raise serializers.ValidationError({"marketplace": [str(exc)]}) from exc
        try:
            channel.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(errors_by_key(exc)) from exc
        channel.save()
        return channel


def _merged_schema(stored: dict | None, changes: Any) -> dict:
    """``schema`` takes the keys to add or change, like ``config``; ``null`` removes a key you
    added (a shipped key stays: the channel's validation refuses removing or changing it)."""
    if not isinstance(changes, dict):
        raise serializers.ValidationError({"schema": ["must be a JSON object of the config keys to add or change "
                                                      "(null removes a key you added)"]})
    merged = dict(stored or {})
    for key, entry in changes.items():
        if entry is None:
            merged.pop(key, None)
        else:
            merged[key] = entry
    return merged


def _free_slug(wanted: str) -> str:
    """A slug derived from the name that no other channel has: ``wanted``, else ``wanted-2``…"""
    taken = set(SalesChannel.objects.filter(slug__startswith=wanted).values_list("slug", flat=True))
    slug, n = wanted, 1
    while slug in taken:
        n += 1
        suffix = f"-{n}"
        slug = wanted[: 64 - len(suffix)] + suffix
    return slug


def errors_by_key(exc: DjangoValidationError) -> dict[str, Any]:
    """``{"config": {"password": "is required …"}}`` from the model's ``"key: message"`` lists."""
    out: dict[str, Any] = {}
    for name, messages in exc.message_dict.items():
        if name in ("config", "schema"):
            keyed: dict[str, str] = {}
            for message in messages:
                key, sep, text = message.partition(": ")
                if sep:
                    keyed[key] = text
                else:
                    keyed.setdefault("non_field_errors", message)
            out[name] = keyed
        else:
            out[name] = messages
    return out


class FlowSerializer(serializers.Serializer):
    name = serializers.CharField()
    flag = serializers.CharField()
    label = serializers.CharField()
    direction = serializers.CharField()
    kind = serializers.CharField(allow_null=True)
    schedule = serializers.CharField(help_text="Default schedule, e.g. 'every 5 min'")
    enabled = serializers.BooleanField()
    runnable = serializers.BooleanField(help_text="Whether this version of mpdash can run the flow")


class QueuedSerializer(serializers.Serializer):
    queued = serializers.BooleanField()


class LiftRequestSerializer(serializers.Serializer):
    skus = serializers.ListField(child=serializers.CharField(max_length=128), required=False, allow_empty=True)
    all = serializers.BooleanField(required=False, default=False)
    kinds = serializers.ListField(child=serializers.CharField(max_length=32), required=False)

    def validate(self, attrs):
        if not attrs.get("all") and not attrs.get("skus"):
            raise serializers.ValidationError('name the SKUs with {"skus": [...]} or lift every penalty with {"all": true}')
        if attrs.get("all") and attrs.get("skus"):
            raise serializers.ValidationError('give either "skus" or "all", not both')
        return attrs


class LiftResultSerializer(serializers.Serializer):
    lifted = serializers.IntegerField()


class FailedIntegrationSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="object_key", read_only=True)

    class Meta:
        model = FailedIntegration
        fields = [
            "id", "channel", "kind", "object_id", "object_key", "sku", "retry_count", "settings",
            "first_failed_at", "last_failed_at", "next_retry_at", "expiration_date", "last_error",
        ]


# --- flow runs ----------------------------------------------------------------------------------------


class FlowRunSerializer(serializers.ModelSerializer):
    channel_slug = serializers.CharField(source="channel.slug", read_only=True)

    class Meta:
        model = FlowRun
        fields = [
            "id", "channel", "channel_slug", "flow", "status", "trigger", "phase", "created_at", "started_at",
            "finished_at", "duration_ms", "selected", "sent", "succeeded", "failed", "skipped", "message",
        ]


class FlowLogLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = FlowLogLine
        fields = ["id", "run", "object_key", "outcome", "message", "answer", "created_at"]


class BatchRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = BatchRequest
        fields = [
            "id", "local_batch_id", "channel", "flow", "kind", "run", "remote_batch_id", "status", "item_count",
            "created_at", "sent_at", "answered_at", "polls", "error", "exchange",
        ]

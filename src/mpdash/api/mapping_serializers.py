"""Serializers of the mapping API (see mapping_views)."""

from __future__ import annotations

from rest_framework import serializers

from mpdash.catalog.models import Category
from mpdash.channels.models import SalesChannel
from mpdash.channels.models_mapping import AttributeMapping, CategoryMapping
from mpdash.channels.models_remote import AttributeChange, RemoteAttribute, RemoteAttributeValue, RemoteBrand, RemoteCategory
from mpdash.integration.models import ProductIntegration

from .nul import no_nul


class RemoteCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = RemoteCategory
        fields = ["id", "channel", "remote_id", "name", "path", "parent", "is_leaf", "available", "is_active", "attributes_fetched_at"]


class RemoteAttributeSerializer(serializers.ModelSerializer):
    value_count = serializers.SerializerMethodField()

    class Meta:
        model = RemoteAttribute
        fields = [
            "id", "channel", "category", "remote_id", "name", "required", "variant", "slicer", "allow_custom",
            "multi_value", "data_type", "is_default", "source", "is_active", "value_count",
        ]

    def get_value_count(self, obj) -> int:
        return obj.values.filter(is_active=True).count()


class RemoteAttributeValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = RemoteAttributeValue
        fields = ["id", "remote_id", "name", "is_active"]


class RemoteBrandSerializer(serializers.ModelSerializer):
    class Meta:
        model = RemoteBrand
        fields = ["id", "channel", "remote_id", "name"]


class AttributeChangeSerializer(serializers.ModelSerializer):
    category_path = serializers.CharField(source="category.path", default="", read_only=True)

    class Meta:
        model = AttributeChange
        fields = ["id", "channel", "run", "category", "category_path", "attribute_name", "change", "detail", "affected_mappings", "found_at"]


class _ValidatedModelSerializer(serializers.ModelSerializer):
    """Runs the model's clean() so the API refuses what the admin refuses."""

    def validate(self, attrs):
        from django.core.exceptions import ValidationError as DjangoValidationError

        instance = self.Meta.model(**{**({f.name: getattr(self.instance, f.name) for f in self.Meta.model._meta.concrete_fields} if self.instance else {}), **attrs})
        if self.instance is not None:
            # The stored row itself is no duplicate: a model built in memory counts as new
            # ("adding") and its constraint check would find the row it is a copy of.
            instance._state.adding = False
        try:
            instance.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict if hasattr(exc, "message_dict") else exc.messages) from exc
        # DRF checks plain unique_together only; the mappings' uniqueness is conditional (per
        # category, or channel-wide without one), so ask the model's own constraints.
        try:
            instance.validate_constraints()
        except DjangoValidationError:
            raise serializers.ValidationError(
                "a mapping for this already exists on this channel (same category and attribute, or the same "
                "local category and conditions); change that one (PATCH its id) instead of adding another"
            ) from None
        return attrs


class CategoryMappingSerializer(_ValidatedModelSerializer):
    remote_category_path = serializers.CharField(source="remote_category.path", read_only=True)
    local_category_code = serializers.CharField(source="local_category.code", read_only=True, default=None)

    class Meta:
        model = CategoryMapping
        fields = ["id", "channel", "local_category", "local_category_code", "conditions", "remote_category", "remote_category_path", "created_at"]
        extra_kwargs = {"conditions": {"validators": [no_nul]}}


class AttributeMappingSerializer(_ValidatedModelSerializer):
    class Meta:
        model = AttributeMapping
        fields = ["id", "channel", "remote_category", "attribute", "source_type", "source", "value_map", "created_at", "updated_at"]
        extra_kwargs = {"value_map": {"validators": [no_nul]}}


class _JSONText(serializers.JSONField):
    """JSON given as an object, or as text in a CSV cell ('' means empty)."""

    def to_internal_value(self, data):
        import json

        if isinstance(data, str):
            if not data.strip():
                return {}
            try:
                data = json.loads(data)
            except ValueError as exc:
                raise serializers.ValidationError(f"not valid JSON: {exc}") from exc
        no_nul(data)
        return super().to_internal_value(data)


class _ImportBase(serializers.Serializer):
    channel = serializers.PrimaryKeyRelatedField(queryset=SalesChannel.objects.all())

    def _remote_category(self, attrs, required: bool):
        code = str(attrs.get("remote_category") or "").strip()
        if not code:
            if required:
                raise serializers.ValidationError({"remote_category": "give the marketplace category id"})
            attrs["remote_category"] = None
            return attrs
        found = RemoteCategory.objects.filter(channel=attrs["channel"], remote_id=code).first()
        if found is None:
            raise serializers.ValidationError(
                {"remote_category": f"no marketplace category {code!r} on this channel; run Category Node first or fix the id"}
            )
        attrs["remote_category"] = found
        return attrs


class CategoryMappingImportSerializer(_ImportBase):
    local_category = serializers.CharField(allow_blank=True, required=False, help_text="Local category code")
    conditions = _JSONText(required=False)
    remote_category = serializers.CharField()

    def validate(self, attrs):
        attrs = self._remote_category(attrs, required=True)
        code = (attrs.get("local_category") or "").strip()
        attrs["local_category"] = None
        if code:
            attrs["local_category"] = Category.objects.filter(code=code).first()
            if attrs["local_category"] is None:
                raise serializers.ValidationError({"local_category": f"no local category with code {code!r}"})
        mapping = CategoryMapping(channel=attrs["channel"], local_category=attrs["local_category"],
                                  conditions=attrs.get("conditions") or {}, remote_category=attrs["remote_category"])
        from django.core.exceptions import ValidationError as DjangoValidationError

        try:
            mapping.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return attrs


class AttributeMappingImportSerializer(_ImportBase):
    remote_category = serializers.CharField(allow_blank=True, required=False)
    attribute = serializers.CharField()
    source_type = serializers.ChoiceField(choices=AttributeMapping.Source.choices)
    source = serializers.CharField()
    value_map = _JSONText(required=False)

    def validate(self, attrs):
        attrs = self._remote_category(attrs, required=False)
        mapping = AttributeMapping(channel=attrs["channel"], remote_category=attrs["remote_category"], attribute=attrs["attribute"],
                                   source_type=attrs["source_type"], source=attrs["source"], value_map=attrs.get("value_map") or {})
        from django.core.exceptions import ValidationError as DjangoValidationError

        try:
            mapping.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return attrs


class ProductIntegrationSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    category_path = serializers.CharField(source="remote_category.path", read_only=True, default="")
    local_batch_id = serializers.UUIDField(source="last_batch.local_batch_id", read_only=True, default=None)

    class Meta:
        model = ProductIntegration
        fields = [
            "id", "channel", "sku", "state", "remote_sku", "category_path", "accepted_version", "sent_version",
            "reasons", "local_batch_id", "created_remotely", "updated_at",
        ]


class PreviewSerializer(serializers.Serializer):
    sku = serializers.CharField()
    channel = serializers.CharField()
    marketplace = serializers.CharField()
    category = serializers.CharField()
    valid = serializers.BooleanField()
    errors = serializers.ListField(child=serializers.CharField())
    payload = serializers.JSONField(allow_null=True)


class ResendRequestSerializer(serializers.Serializer):
    skus = serializers.ListField(child=serializers.CharField(), allow_empty=False)


class ResendResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unknown = serializers.ListField(child=serializers.CharField())
    not_in_catalog = serializers.ListField(child=serializers.CharField())
    in_flight = serializers.DictField(child=serializers.CharField())

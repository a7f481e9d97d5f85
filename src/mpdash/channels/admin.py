import json

from django import forms
from django.contrib import admin

from .models import SalesChannel


class SalesChannelForm(forms.ModelForm):
    """Edits the config as JSON; secrets are shown masked and kept when left masked."""

    class Meta:
        model = SalesChannel
        fields = ["name", "slug", "marketplace", "catalog", "price_list", "stock_list", "is_active", "config", "schema"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["config"] = self.instance.masked_config()

    def clean_config(self):
        value = self.cleaned_data.get("config")
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise forms.ValidationError(f"config is not valid JSON: {exc}") from exc
        if self.instance.pk:
            stored = SalesChannel.objects.get(pk=self.instance.pk)
            stored.update_config(value or {})
            return stored.config
        return value


@admin.register(SalesChannel)
class SalesChannelAdmin(admin.ModelAdmin):
    form = SalesChannelForm
    list_display = ("name", "slug", "marketplace", "is_active", "catalog", "modified_at")
    list_filter = ("marketplace", "is_active")
    search_fields = ("name", "slug")


# --- what the marketplace offers, and the Mapper's rules --------------------------------------
from .models_mapping import AttributeMapping, CategoryMapping  # noqa: E402
from .models_remote import AttributeChange, RemoteAttribute, RemoteAttributeValue, RemoteBrand, RemoteCategory  # noqa: E402


@admin.register(RemoteCategory)
class RemoteCategoryAdmin(admin.ModelAdmin):
    list_display = ("path", "remote_id", "channel", "is_leaf", "available", "is_active", "attributes_fetched_at")
    list_filter = ("channel", "is_leaf", "is_active", "available")
    search_fields = ("path", "remote_id")
    raw_id_fields = ("parent",)


@admin.register(RemoteAttribute)
class RemoteAttributeAdmin(admin.ModelAdmin):
    list_display = ("name", "remote_id", "category", "channel", "required", "variant", "slicer", "allow_custom", "is_default", "is_active")
    list_filter = ("channel", "required", "is_default", "is_active", "variant")
    search_fields = ("name", "remote_id", "category__path")
    raw_id_fields = ("category",)


@admin.register(RemoteAttributeValue)
class RemoteAttributeValueAdmin(admin.ModelAdmin):
    list_display = ("name", "remote_id", "attribute", "is_active")
    search_fields = ("name", "remote_id", "attribute__name")
    raw_id_fields = ("attribute",)


@admin.register(RemoteBrand)
class RemoteBrandAdmin(admin.ModelAdmin):
    list_display = ("name", "remote_id", "channel")
    list_filter = ("channel",)
    search_fields = ("name", "remote_id")


@admin.register(CategoryMapping)
class CategoryMappingAdmin(admin.ModelAdmin):
    list_display = ("__str__", "channel", "local_category", "remote_category", "created_at")
    list_filter = ("channel",)
    raw_id_fields = ("remote_category",)
    search_fields = ("local_category__name", "remote_category__path")


@admin.register(AttributeMapping)
class AttributeMappingAdmin(admin.ModelAdmin):
    list_display = ("attribute", "source_type", "source", "remote_category", "channel", "updated_at")
    list_filter = ("channel", "source_type")
    raw_id_fields = ("remote_category",)
    search_fields = ("attribute", "source")


@admin.register(AttributeChange)
class AttributeChangeAdmin(admin.ModelAdmin):
    list_display = ("attribute_name", "change", "category", "affected_mappings", "channel", "found_at")
    list_filter = ("channel", "change")
    readonly_fields = [f.name for f in AttributeChange._meta.fields]

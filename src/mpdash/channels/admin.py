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

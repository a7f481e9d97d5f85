"""Sales channels: one marketplace account of the brand."""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify

from mpdash.marketplaces import registry

from . import secrets
from .schema import ConfigErrors, validate_config, validate_schema


class SalesChannel(models.Model):
    name = models.CharField(max_length=255)
    slug = models.SlugField(max_length=64, unique=True, blank=True)
    marketplace = models.CharField(max_length=32, choices=registry.choices)
    catalog = models.ForeignKey("catalog.Catalog", on_delete=models.PROTECT, related_name="channels")
    price_list = models.ForeignKey("catalog.PriceList", on_delete=models.PROTECT, related_name="channels")
    stock_list = models.ForeignKey("catalog.StockList", on_delete=models.PROTECT, related_name="channels")
    is_active = models.BooleanField(default=False, help_text="A channel does nothing until it is activated.")
    config = models.JSONField(default=dict, blank=True)
    schema = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded = {
            f: getattr(instance, f)
            for f in ("is_active", "catalog_id", "price_list_id", "stock_list_id")
            if f in {fld.attname for fld in cls._meta.concrete_fields}
        }
        instance._loaded["config"] = copy.deepcopy(instance.__dict__.get("config"))
        return instance

    # --- marketplace --------------------------------------------------------------
    @property
    def adapter_class(self):
        return registry.adapter_class(self.marketplace)

    def adapter(self, **kwargs):
        from django.conf import settings

        kwargs.setdefault("timeout", settings.MPDASH_HTTP_TIMEOUT)
        return self.adapter_class(self.plain_config(), **kwargs)

    def shipped_schema(self) -> dict[str, dict[str, Any]]:
        return self.adapter_class.default_schema()

    def secret_keys(self) -> set[str]:
        return {k for k, entry in (self.schema or {}).items() if isinstance(entry, dict) and entry.get("secret")}

    # --- config ---------------------------------------------------------------------
    def deploy_defaults(self) -> None:
        """The "Schema Update" step: shipped schema and default config, user keys kept."""
        schema = dict(self.schema or {})
        schema.update(self.shipped_schema())
        self.schema = schema
        config = self.adapter_class.default_config()
        flags = dict(config.get("feature_flags", {}))
        stored = self.adapter_class.current_flags((self.config or {}).get("feature_flags", {}))
        flags.update({k: v for k, v in stored.items() if k in flags})
        config.update({k: v for k, v in (self.config or {}).items() if v is not None})
        config["feature_flags"] = flags
        self.config = config

    def update_config(self, changes: dict[str, Any]) -> None:
        """Apply changed keys; a secret given as the mask or left empty keeps its stored value."""
        config = dict(self.config or {})
        for key, value in changes.items():
            if key in self.secret_keys() and (value in (None, "") or value == secrets.mask("x")):
                continue
            config[key] = value
        self.config = config

    def clean(self) -> None:
        if not self.marketplace:
            return
        try:
            self.adapter_class
        except LookupError as exc:
            raise ValidationError({"marketplace": str(exc)}) from exc
        if not self.schema:
            self.deploy_defaults()
        errors: dict[str, list[str]] = {}
        try:
            validate_schema(self.schema, self.shipped_schema())
        except ConfigErrors as exc:
            errors["schema"] = [f"{k}: {v}" for k, v in exc.errors.items()]
        if not errors:
            try:
                self.config = validate_config(
                    self.plain_config(), self.schema, self.adapter_class, require_required=self.is_active
                )
            except ConfigErrors as exc:
                errors["config"] = [f"{k}: {v}" for k, v in exc.errors.items()]
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:64] or self.marketplace
        if not self.schema and self.marketplace:
            self.deploy_defaults()
        self.config = self._encrypted(self.config or {})
        super().save(*args, **kwargs)

    def _encrypted(self, config: dict[str, Any]) -> dict[str, Any]:
        out = dict(config)
        for key in self.secret_keys():
            value = out.get(key)
            if isinstance(value, str) and value:
                out[key] = secrets.encrypt(value)
        return out

    def plain_config(self) -> dict[str, Any]:
        """The config with secrets decrypted: for adapters only, never for display or logs."""
        out = dict(self.config or {})
        for key in self.secret_keys():
            if isinstance(out.get(key), str):
                out[key] = secrets.decrypt(out[key])
        return out

    def masked_config(self) -> dict[str, Any]:
        out = dict(self.config or {})
        for key in self.secret_keys():
            if key in out:
                out[key] = secrets.mask(out[key])
        return out

    # --- flags and penalties ----------------------------------------------------------
    def flag_on(self, flag: str) -> bool:
        return bool((self.config or {}).get("feature_flags", {}).get(flag))

    def flow_enabled(self, flow_name: str) -> bool:
        spec = self.adapter_class.flow(flow_name)
        if spec is None or not self.is_active:
            return False
        if not spec.flag:  # a maintenance flow: on a schedule it runs while the channel is active
            return spec.direction == "maintenance" and bool(spec.every_seconds or spec.crontab)
        return self.flag_on(spec.flag)

    def penalty_settings(self, kind: str) -> dict[str, Any]:
        fi = (self.config or {}).get("failed_integration") or {}
        settings = fi.get(kind) or fi.get("DEFAULT") or {"RETRY_INTERVAL": 28800, "EXPIRATION_DATE": 57601, "MAX_RETRY_COUNT": 2}
        return dict(settings)

    def sent_to_remote_hours(self) -> float:
        fi = (self.config or {}).get("failed_integration") or {}
        return float((fi.get("sent_to_remote") or {}).get("EXPIRATION_HOUR", 6))


from .models_mapping import AttributeMapping, CategoryMapping  # noqa: E402,F401
from .models_remote import (  # noqa: E402,F401
    AttributeChange,
    RemoteAttribute,
    RemoteAttributeValue,
    RemoteBrand,
    RemoteCategory,
)

"""The Mapper: a product of the commerce core → the record a marketplace adapter sends.

For each product it resolves, in this order:

1. **Sellable?** (SPEC 4) active, simple, in the catalog, a price, stock above 0, a local
   category and at least one image.
2. **Marketplace category**: the most specific :class:`CategoryMapping` that matches;
   none, or several equally specific ones pointing to different categories, is an error
   naming the product and the candidates.
3. **Default attributes** (title, barcode, brand, images, VAT, ...): from an attribute
   mapping, else from the product field the marketplace package names as its source.
4. **Category attributes**: from a mapping for that category, else a global mapping of
   the same attribute id or name, else a product attribute of the same name. Values go
   through the mapping's ``value_map`` and then match the marketplace's allowed values
   by id or name; a free-text value is kept only where the marketplace allows custom
   values.

Errors use the setup guide's wording ("`Renk` attribute is required", "`Renk`: `Mor`
was not defined for `Elbise`", "Price data not found", "Stock data not found").
Everything is loaded once per call, so mapping a batch of 1,000 products costs a handful
of queries, not thousands.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from mpdash.marketplaces.base import AttributeChoice, ProductRecord
from mpdash.marketplaces.errors import MarketplaceError

from .mapping_sources import PLACEHOLDER, check_template  # noqa: F401  (check_template: callers import it from here too)


def normalise(text: Any) -> str:
    """Case- and accent-insensitive key with Turkish rules (İ→i, I→ı first)."""
    return _normalise(str(text))


@lru_cache(maxsize=65536)
def _normalise(s: str) -> str:
    s = s.strip().replace("İ", "i").replace("I", "ı").lower()
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).replace("ı", "i")
    return re.sub(r"\s+", " ", s)


@dataclass
class MappedProduct:
    sku: str
    product_id: int
    record: ProductRecord | None
    errors: list[str] = field(default_factory=list)
    category_path: str = ""
    remote_category_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.record is not None and not self.errors


class MapperError(Exception):
    pass


class Mapper:
    """Resolves products for one channel. Build one per batch; it caches what it reads."""

    def __init__(self, channel, adapter_class=None):
        from mpdash.catalog.models import Category

        from .models_mapping import AttributeMapping, CategoryMapping
        from .models_remote import RemoteAttribute

        self.channel = channel
        self.adapter_class = adapter_class or channel.adapter_class
        self.max_images = getattr(self.adapter_class, "max_images", None)
        self._parents = dict(Category.objects.values_list("pk", "parent_id"))
        self._category_mappings = list(
            CategoryMapping.objects.filter(channel=channel).select_related("remote_category", "local_category")
        )
        self._depth_cache: dict[int, int] = {}
        self._global: dict[str, AttributeMapping] = {}
        self._per_category: dict[int, dict[str, AttributeMapping]] = defaultdict(dict)
        for m in AttributeMapping.objects.filter(channel=channel):
            target = self._per_category[m.remote_category_id] if m.remote_category_id else self._global
            target[normalise(m.attribute)] = m
        self.default_attributes = list(RemoteAttribute.objects.filter(channel=channel, category__isnull=True, is_active=True))
        if not self.default_attributes:
            # Default Attributes has not run yet: use the package's declaration as is.
            self.default_attributes = [
                RemoteAttribute(remote_id=d.key, name=d.label, required=d.required, data_type=d.data_type, source=d.source,
                                is_default=True)
                for d in self.adapter_class.default_attributes()
            ]
        self._attributes: dict[int, list] = {}
        self._brands: dict[str, str] | None = None
        self._values: dict[int, tuple[dict, dict]] = {}

    def _brand_id(self, name) -> str | None:
        if self._brands is None:
            from .models_remote import RemoteBrand

            self._brands = {normalise(n): rid for rid, n in RemoteBrand.objects.filter(channel=self.channel).values_list("remote_id", "name")}
        return self._brands.get(normalise(name))

    # --- category -----------------------------------------------------------------------
    def _ancestors(self, category_id: int | None) -> list[int]:
        chain, seen = [], set()
        while category_id is not None and category_id not in seen:
            seen.add(category_id)
            chain.append(category_id)
            category_id = self._parents.get(category_id)
        return chain  # the category first, then its parent, ...

    def _depth(self, category_id: int) -> int:
        if category_id not in self._depth_cache:
            self._depth_cache[category_id] = len(self._ancestors(category_id))
        return self._depth_cache[category_id]

    def resolve_category(self, product):
        """The marketplace category of ``product``; raises MapperError when not exactly one."""
        chain = set(self._ancestors(product.category_id))
        attrs = {normalise(k): v for k, v in (product.attributes or {}).items()}
        matches = []
        for m in self._category_mappings:
            if m.local_category_id is not None and m.local_category_id not in chain:
                continue
            if any(normalise(attrs.get(normalise(k), "")) != normalise(v) for k, v in (m.conditions or {}).items()):
                continue
            specificity = (self._depth(m.local_category_id) if m.local_category_id else 0, len(m.conditions or {}))
            matches.append((specificity, m))
        if not matches:
            raise MapperError(
                f"{product.sku}: no marketplace category is mapped for local category "
                f"{product.category.name if product.category_id else '(none)'}; add a category mapping"
            )
        best = max(s for s, _ in matches)
        targets = {m.remote_category_id: m.remote_category for s, m in matches if s == best}
        if len(targets) > 1:
            names = ", ".join(sorted(str(c) for c in targets.values()))
            raise MapperError(f"{product.sku} matches several marketplace categories: {names}; keep exactly one")
        remote = next(iter(targets.values()))
        if not remote.is_active or not remote.available:
            raise MapperError(f"{product.sku}: marketplace category {remote} is no longer available; map it to another one")
        return remote

    # --- values -------------------------------------------------------------------------
    def _attributes_of(self, remote_category) -> list:
        if remote_category.pk not in self._attributes:
            from .models_remote import RemoteAttribute

            attrs = list(
                RemoteAttribute.objects.filter(category=remote_category, is_active=True).prefetch_related("values")
            )
            self._attributes[remote_category.pk] = attrs
        return self._attributes[remote_category.pk]

    def mapping_for(self, attribute, remote_category_id: int | None):
        """The attribute mapping that applies to ``attribute`` in a category (per-category first, then global)."""
        keys = [normalise(attribute.remote_id), normalise(attribute.name)]
        for table in (self._per_category.get(remote_category_id, {}), self._global):
            for key in keys:
                if key in table:
                    return table[key]
        return None

    @staticmethod
    def field_value(product, context: dict[str, Any], name: str):
        if name.startswith("attributes."):
            key = name.split(".", 1)[1]
            attrs = product.attributes or {}
            if key in attrs:
                return attrs[key]
            wanted = normalise(key)
            return next((v for k, v in attrs.items() if normalise(k) == wanted), None)
        if name in context:
            return context[name]
        if name == "category":
            return product.category.name if product.category_id else None
        return getattr(product, name, None)

    def _raw_value(self, product, context, attribute, mapping):
        if mapping is None:
            if attribute.is_default and attribute.source:
                return self.field_value(product, context, attribute.source)
            # Implicit mapping: a product attribute named like the marketplace attribute.
            return self.field_value(product, context, f"attributes.{attribute.name}")
        if mapping.source_type == mapping.Source.CONSTANT:
            return mapping.source
        if mapping.source_type == mapping.Source.TEMPLATE:
            def fill(match):
                value = self.field_value(product, context, match.group(1))
                return "" if value is None else str(value)

            return re.sub(r"\s+", " ", PLACEHOLDER.sub(fill, mapping.source)).strip()
        if mapping.source_type == mapping.Source.FIELD:
            return self.field_value(product, context, mapping.source)
        return self.field_value(product, context, f"attributes.{mapping.source}")

    @staticmethod
    def _empty(value) -> bool:
        return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())

    def _value_index(self, attribute):
        """Allowed values of an attribute by id and by normalised name, built once per Mapper."""
        key = attribute.pk
        if key is None:
            return {}, {}
        if key not in self._values:
            active = [v for v in attribute.values.all() if v.is_active]
            self._values[key] = ({v.remote_id: v for v in active}, {normalise(v.name): v for v in active})
        return self._values[key]

    def _choose(self, attribute, raw, mapping, category_name: str) -> tuple[AttributeChoice | None, str]:
        values = list(raw) if isinstance(raw, (list, tuple)) else [raw]
        if len(values) > 1 and not attribute.multi_value:
            return None, f"`{attribute.name}` takes one value, got {len(values)}: {', '.join(map(str, values))}"
        by_id, by_name = self._value_index(attribute)
        choice = AttributeChoice(attribute_id=attribute.remote_id, attribute_name=attribute.name)
        if not by_id:
            choice.custom_value = ", ".join(str(v) for v in values)
            return choice, ""
        value_map = {normalise(k): v for k, v in ((mapping.value_map if mapping else None) or {}).items()}
        for value in values:
            target = value_map.get(normalise(value), value)
            found = by_id.get(str(target)) or by_name.get(normalise(target))
            if found is None:
                if attribute.allow_custom:
                    choice.custom_value = str(value)
                    continue
                return None, f"`{attribute.name}`: `{value}` was not defined for `{category_name}`"
            choice.value_ids.append(found.remote_id)
            choice.value_names.append(found.name)
        return choice, ""

    # --- products -----------------------------------------------------------------------
    def map(self, product, *, price=None, stock=None, in_catalog: bool = True, require_stock: bool = True) -> MappedProduct:
        """Resolve one product. ``price`` is a ProductPrice (or None), ``stock`` a ProductStock.

        ``require_stock``: a product is created only with stock above 0 (SPEC 4); an
        update of a product already on the marketplace goes out whatever its stock."""
        result = MappedProduct(sku=product.sku, product_id=product.pk, record=None)
        errors = result.errors
        if not product.is_active:
            errors.append("the product is not active")
        if product.product_type != "simple":
            errors.append(f"only simple products are sent; this one is {product.product_type}")
        if not in_catalog:
            errors.append("the product is not in the channel's catalog")
        if price is None:
            errors.append("Price data not found")
        if stock is None:
            errors.append("Stock data not found")
        elif stock.quantity <= 0 and require_stock:
            errors.append("no stock: a product is sent with a stock above 0")
        images = [u for u in (product.images or []) if u]
        if not images:
            errors.append("the product has no image")
        elif self.max_images and len(images) > self.max_images:
            errors.append(f"{len(images)} images; {self.adapter_class.label} accepts at most {self.max_images}")
        if product.category_id is None:
            errors.append("the product has no category")
            return result
        try:
            remote = self.resolve_category(product)
        except MapperError as exc:
            errors.append(str(exc))
            return result
        result.category_path = remote.path or remote.name
        result.remote_category_id = remote.pk
        if remote.attributes_fetched_at is None and remote.pk is not None:
            errors.append(f"the attributes of {remote} have not been fetched yet; run Category Attributes")
            return result
        context = {
            "images": images,
            "price": price.price if price else None,
            "list_price": (price.retail_price or price.price) if price else None,
            "currency": price.currency if price else None,
            "tax_rate": price.tax_rate if price else None,
            "stock": stock.quantity if stock else None,
        }
        fields: dict[str, Any] = {}
        for attribute in self.default_attributes:
            mapping = self.mapping_for(attribute, remote.pk)
            raw = self._raw_value(product, context, attribute, mapping)
            if self._empty(raw):
                if attribute.required:
                    errors.append(f"`{attribute.name}` attribute is required")
                continue
            value = self._coerce_default(attribute, raw, mapping)
            if attribute.remote_id == getattr(self.adapter_class, "brand_attribute", "") and not str(value).strip().isdigit():
                brand = self._brand_id(value)
                if brand is None:
                    errors.append(
                        f"`{attribute.name}`: `{value}` is not one of the channel's brands; run the Brands flow or map the brand to its id"
                    )
                    continue
                value = brand
            fields[attribute.remote_id] = value
        choices: list[AttributeChoice] = []
        for attribute in self._attributes_of(remote):
            mapping = self.mapping_for(attribute, remote.pk)
            raw = self._raw_value(product, context, attribute, mapping)
            if self._empty(raw):
                if attribute.required:
                    errors.append(f"`{attribute.name}` attribute is required")
                continue
            choice, problem = self._choose(attribute, raw, mapping, remote.name)
            if problem:
                errors.append(problem)
            elif choice is not None:
                choices.append(choice)
        result.record = ProductRecord(sku=product.sku, category_id=remote.remote_id, fields=fields, attributes=choices)
        return result

    @staticmethod
    def _coerce_default(attribute, raw, mapping):
        if attribute.data_type == "list":
            return list(raw) if isinstance(raw, (list, tuple)) else [raw]
        if attribute.data_type == "number":
            try:
                return raw if isinstance(raw, (int, Decimal)) else Decimal(str(raw))
            except Exception:
                return raw  # the adapter's check reports it
        if mapping is not None and mapping.value_map:
            table = {normalise(k): v for k, v in mapping.value_map.items()}
            return table.get(normalise(raw), raw)
        return raw


def map_products(channel, products: Iterable, *, adapter_class=None, require_stock: bool = True) -> list[MappedProduct]:
    """Map many products of one channel with their price, stock and catalog membership
    read in three queries."""
    from mpdash.catalog.models import CatalogItem, ProductPrice, ProductStock

    products = list(products)
    ids = [p.pk for p in products]
    prices = {p.product_id: p for p in ProductPrice.objects.filter(price_list_id=channel.price_list_id, product_id__in=ids)}
    stocks = {s.product_id: s for s in ProductStock.objects.filter(stock_list_id=channel.stock_list_id, product_id__in=ids)}
    in_catalog = set(
        CatalogItem.objects.filter(catalog_id=channel.catalog_id, product_id__in=ids).values_list("product_id", flat=True)
    )
    mapper = Mapper(channel, adapter_class)
    return [
        mapper.map(p, price=prices.get(p.pk), stock=stocks.get(p.pk), in_catalog=p.pk in in_catalog, require_stock=require_stock)
        for p in products
    ]


def preview(channel, product) -> dict[str, Any]:
    """What the product flow would send for one product, and why it would not."""
    mapped = map_products(channel, [product])[0]
    payload = None
    errors = list(mapped.errors)
    if mapped.record is not None:
        adapter = channel.adapter()
        try:
            errors += [e for e in adapter.check_product(mapped.record) if e not in errors]
            payload = adapter.build_product_payload(mapped.record)
            try:
                errors += [e for e in adapter.preview_problems(mapped.record) if e not in errors]
            except MarketplaceError as exc:
                errors.append(f"the marketplace's own check of the payload could not run: {exc}")
        finally:
            adapter.close()
    return {
        "sku": product.sku,
        "channel": channel.slug,
        "marketplace": channel.marketplace,
        "category": mapped.category_path,
        "valid": not errors,
        "errors": errors,
        "payload": payload,
    }

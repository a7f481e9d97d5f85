"""Categories & Mapping (reading): the marketplace's category tree, searched and
lazy-loaded; a category's attributes, their allowed values and where each takes its
value from; the category and attribute mappings; the payload preview of a product."""

from __future__ import annotations

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from mpdash.catalog.models import Product
from mpdash.channels.mapper import Mapper, preview
from mpdash.channels.models_mapping import AttributeMapping, CategoryMapping
from mpdash.channels.models_remote import RemoteAttribute, RemoteAttributeValue, RemoteCategory

from ..csv_actions import NOT_EXISTS
from ..pages import channel_for, render_channel
from ..roles import VIEWER, role_required

SEARCH_LIMIT = 50
VALUES_LIMIT = 100


def _attribute_rows(attributes, category_id, mapper: Mapper, errors: dict) -> list[dict]:
    """Each attribute with the mapping the Mapper would use for it in this category, and
    the errors of its form when that form was just rejected."""
    rows = []
    for attribute in attributes:
        mapping = mapper.mapping_for(attribute, category_id)
        rowid = f"{'c' if category_id else 'd'}-{attribute.remote_id}"
        rejected = errors.get("form") == f"attr-{rowid}"
        rows.append({
            "attribute": attribute,
            "mapping": mapping,
            "inherited": mapping is not None and mapping.remote_category_id is None and category_id is not None,
            "value_count": getattr(attribute, "active_values", 0),
            "rowid": rowid,
            "errors": {k: v for k, v in errors.items() if k != "form"} if rejected else None,
        })
    return rows


def mapping_context(channel, category: RemoteCategory | None = None, *, errors=None, posted=None, sku: str = "") -> dict:
    """Everything the mapping page shows; ``errors``/``posted`` redisplay a rejected form."""
    mapper = Mapper(channel)
    errors = errors or {}
    context = {
        "roots": RemoteCategory.objects.filter(channel=channel, parent__isnull=True).order_by("name"),
        "category_count": RemoteCategory.objects.filter(channel=channel).count(),
        "category": category,
        "category_mappings": CategoryMapping.objects.filter(channel=channel).select_related("local_category", "remote_category"),
        # The defaults the Mapper uses: fetched by Default Attributes, else the marketplace's declaration.
        "default_rows": _attribute_rows(mapper.default_attributes, None, mapper, errors),
        "source_types": AttributeMapping.Source.choices,
        "errors": errors,
        "posted": posted or {},
        "sku": sku,
    }
    if category is not None:
        attributes = (
            RemoteAttribute.objects.filter(category=category, is_active=True)
            .annotate(active_values=Count("values", filter=Q(values__is_active=True)))
            .order_by("-required", "name")
        )
        ancestors = _ancestors(category)
        open_ids = [a.pk for a in ancestors] + ([] if category.is_leaf else [category.pk])
        children: dict[int, list] = {}
        for node in RemoteCategory.objects.filter(channel=channel, parent_id__in=open_ids).order_by("name"):
            children.setdefault(node.parent_id, []).append(node)
        context.update({
            "ancestors": ancestors,
            "open_children": {pk: children.get(pk, []) for pk in open_ids},  # the tree opened down to the category
            "attribute_rows": _attribute_rows(attributes, category.pk, mapper, errors),
            "mappings_here": context["category_mappings"].filter(remote_category=category),
        })
    return context


def _ancestors(category: RemoteCategory) -> list[RemoteCategory]:
    chain, seen, node = [], set(), category.parent
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        chain.append(node)
        node = node.parent
    return chain[::-1]


@role_required(VIEWER)
def mapping_page(request, slug: str, category_id: int | None = None):
    channel = channel_for(slug)
    category = get_object_or_404(RemoteCategory, pk=category_id, channel=channel) if category_id else None
    return render_channel(request, channel, "dashboard/mapping.html", "mapping", mapping_context(channel, category))


@role_required(VIEWER)
def tree_children(request, slug: str, category_id: int):
    channel = channel_for(slug)
    parent = get_object_or_404(RemoteCategory, pk=category_id, channel=channel)
    nodes = RemoteCategory.objects.filter(channel=channel, parent=parent).order_by("name")
    return render(request, "dashboard/partials/tree_nodes.html", {"channel": channel, "nodes": nodes})


@role_required(VIEWER)
def tree_search(request, slug: str):
    channel = channel_for(slug)
    q = request.GET.get("q", "").strip()
    nodes = []
    if q:
        nodes = list(RemoteCategory.objects.filter(channel=channel, path__icontains=q).order_by("path")[: SEARCH_LIMIT + 1])
    return render(
        request, "dashboard/partials/tree_search.html",
        {"channel": channel, "nodes": nodes[:SEARCH_LIMIT], "more": len(nodes) > SEARCH_LIMIT, "q": q},
    )


@role_required(VIEWER)
def attribute_values(request, slug: str, attribute_id: int):
    channel = channel_for(slug)
    attribute = get_object_or_404(RemoteAttribute, pk=attribute_id, channel=channel)
    q = request.GET.get("q", "").strip()
    values = RemoteAttributeValue.objects.filter(attribute=attribute, is_active=True).order_by("name")
    if q:
        values = values.filter(name__icontains=q)
    values = list(values[: VALUES_LIMIT + 1])
    return render(
        request, "dashboard/partials/attribute_values.html",
        {"channel": channel, "attribute": attribute, "values": values[:VALUES_LIMIT], "more": len(values) > VALUES_LIMIT, "q": q},
    )


@role_required(VIEWER)
def product_preview(request, slug: str):
    """The exact payload the product flow would send for a SKU, and why it would not."""
    channel = channel_for(slug)
    sku = request.GET.get("sku", "").strip()
    result, problem = None, ""
    if sku:
        product = Product.objects.select_related("category").filter(sku=sku).first()
        if product is None:
            problem = NOT_EXISTS
        else:
            result = preview(channel, product)
    return render(request, "dashboard/partials/preview.html", {"channel": channel, "sku": sku, "result": result, "problem": problem})


CONTROL_PAGE = 200


@role_required(VIEWER)
def mapping_control(request, slug: str):
    """Mapping control: the catalog's products run through the Mapper a page at a time, and
    those whose mapping is incomplete listed with the reasons (what preview would say)."""
    from mpdash.catalog.models import CatalogItem
    from mpdash.channels.mapper import map_products

    channel = channel_for(slug)
    try:
        after = int(request.GET.get("after") or 0)
    except ValueError:
        after = 0
    ids = list(CatalogItem.objects.filter(catalog_id=channel.catalog_id, product_id__gt=after,
                                          product__is_active=True).order_by("product_id")
               .values_list("product_id", flat=True)[:CONTROL_PAGE])
    products = list(Product.objects.filter(pk__in=ids).select_related("category").order_by("pk"))
    mapped = map_products(channel, products, require_stock=False) if products else []
    incomplete = [{"product": p, "errors": m.errors} for p, m in zip(products, mapped) if m.errors]
    total = CatalogItem.objects.filter(catalog_id=channel.catalog_id, product__is_active=True).count()
    position = CatalogItem.objects.filter(catalog_id=channel.catalog_id, product__is_active=True,
                                          product_id__lte=ids[-1]).count() if ids else total
    return render_channel(request, channel, "dashboard/mapping_control.html", "mapping", {
        "incomplete": incomplete, "checked": len(products), "total": total, "position": position,
        "next_after": ids[-1] if len(ids) == CONTROL_PAGE else None, "after": after,
    })

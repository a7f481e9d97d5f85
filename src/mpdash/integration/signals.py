"""Reactions to writes: channel saves deploy schedules; price/stock writes queue flows.

Marking records pending is done by database triggers (change_tracking); these signals
only make the change travel in seconds instead of waiting for the next scheduled run.
Writers that bypass signals (bulk ORM operations, raw SQL) are still tracked by the
triggers and picked up by the schedule, or call ``notify_list_changed`` themselves
(the API's bulk endpoints and the CSV import do).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from mpdash.catalog.models import ProductPrice, ProductStock
from mpdash.channels.models import SalesChannel

from . import change_tracking, scheduling
from .dispatch import notify_list_changed


@receiver(post_save, sender=ProductStock)
def _stock_saved(sender, instance, **kwargs):
    list_id = instance.stock_list_id
    transaction.on_commit(lambda: notify_list_changed("productstock", list_id))


@receiver(post_save, sender=ProductPrice)
def _price_saved(sender, instance, **kwargs):
    list_id = instance.price_list_id
    transaction.on_commit(lambda: notify_list_changed("productprice", list_id))


@receiver(post_save, sender=SalesChannel)
def _channel_saved(sender, instance, created, **kwargs):
    from .runs import record_maintenance_run

    loaded = getattr(instance, "_loaded", {})
    if created:
        record_maintenance_run(
            instance,
            "schema_update",
            f"deployed the default {instance.adapter_class.label} schema ({len(instance.schema)} keys) and settings",
        )
    became_active = instance.is_active and not loaded.get("is_active", False)
    lists_changed = any(
        loaded.get(f) not in (None, getattr(instance, f)) for f in ("catalog_id", "price_list_id", "stock_list_id")
    )
    old_flags = ((loaded.get("config") or {}).get("feature_flags") or {}) if loaded else {}
    new_flags = (instance.config or {}).get("feature_flags") or {}
    flag_turned_on = any(v and not old_flags.get(k) for k, v in new_flags.items())
    if created or became_active or lists_changed:
        # Everything the channel sells must reach the marketplace once.
        change_tracking.mark_channel_all(instance.pk, change_tracking.KINDS + ("product",))
    scheduling.sync_channel(instance)
    instance._loaded = {
        "is_active": instance.is_active,
        "catalog_id": instance.catalog_id,
        "price_list_id": instance.price_list_id,
        "stock_list_id": instance.stock_list_id,
        "config": instance.config,
    }
    old_roots = (loaded.get("config") or {}).get("category_ids") if loaded else None
    new_roots = (instance.config or {}).get("category_ids")
    if new_roots and new_roots != old_roots and instance.adapter_class.flow("category_node"):
        # Category Node → Category Attributes → Default Attributes, once (see catalog_flows).
        from .dispatch import request_flow

        channel_id = instance.pk
        transaction.on_commit(lambda: request_flow(channel_id, "category_node", "system"))
    if instance.is_active and (became_active or lists_changed or flag_turned_on):
        for kind in change_tracking.KINDS:
            list_id = instance.stock_list_id if kind == "productstock" else instance.price_list_id
            transaction.on_commit(lambda k=kind, lid=list_id: notify_list_changed(k, lid))
        from .dispatch import request_flow
        from .flows import runnable
        from .product_flow import CREATE

        if instance.adapter_class.flow(CREATE) and instance.flow_enabled(CREATE) and runnable(CREATE, instance.adapter_class):
            channel_id = instance.pk
            transaction.on_commit(lambda: request_flow(channel_id, CREATE, "event"))


@receiver(post_delete, sender=SalesChannel)
def _channel_deleted(sender, instance, **kwargs):
    scheduling.remove_channel(instance.pk)


@receiver(post_migrate)
def _after_migrate(sender, **kwargs):
    if getattr(sender, "label", "") == "integration":
        scheduling.ensure_system_tasks()


# --- mappings: a rule that changes makes the products it affects pending again ----------------
def _products_affected(mapping) -> list[int]:
    from mpdash.catalog.models import CatalogItem, Category
    from mpdash.channels.models_mapping import CategoryMapping

    from .models import ProductIntegration

    channel = mapping.channel
    in_catalog = CatalogItem.objects.filter(catalog_id=channel.catalog_id)
    if isinstance(mapping, CategoryMapping):
        if mapping.local_category_id is None:
            return list(in_catalog.values_list("product_id", flat=True))
        subtree, frontier = {mapping.local_category_id}, [mapping.local_category_id]
        while frontier:
            frontier = list(Category.objects.filter(parent_id__in=frontier).exclude(pk__in=subtree).values_list("pk", flat=True))
            subtree.update(frontier)
        return list(in_catalog.filter(product__category_id__in=subtree).values_list("product_id", flat=True))
    if mapping.remote_category_id is None:
        return list(in_catalog.values_list("product_id", flat=True))
    return list(
        ProductIntegration.objects.filter(channel=channel, remote_category_id=mapping.remote_category_id).values_list("product_id", flat=True)
    )


def _mapping_changed(sender, instance, **kwargs):
    from mpdash.catalog.models import Product

    from . import penalties
    from .change_tracking import mark_products

    product_ids = _products_affected(instance)
    if not product_ids:
        return
    # The operator fixed a rule: products it held back are tried again now.
    skus = list(Product.objects.filter(pk__in=product_ids).values_list("sku", flat=True))
    penalties.lift(instance.channel, skus, kinds=["product"])
    mark_products(instance.channel_id, product_ids, "product")


def _connect_mapping_signals():
    from mpdash.channels.models_mapping import AttributeMapping, CategoryMapping

    for model in (CategoryMapping, AttributeMapping):
        post_save.connect(_mapping_changed, sender=model, dispatch_uid=f"mapping-changed-{model.__name__}")
        post_delete.connect(_mapping_changed, sender=model, dispatch_uid=f"mapping-deleted-{model.__name__}")


_connect_mapping_signals()


def _marketplace_work(sender, channel_id, flow, **kwargs):
    """Local order changes (status, invoice, cancellation, refund decision): send them now."""
    from .dispatch import request_flow
    from .flows import runnable

    channel = SalesChannel.objects.filter(pk=channel_id, is_active=True).first()
    if channel is None or not channel.flow_enabled(flow) or not runnable(flow, channel.adapter_class):
        return  # the scheduled run (or the flag being turned on) picks the records up later
    request_flow(channel.pk, flow)


def _connect_order_signals() -> None:
    from mpdash.orders.outbound import marketplace_work

    marketplace_work.connect(_marketplace_work, dispatch_uid="mpdash.integration.marketplace_work")


_connect_order_signals()

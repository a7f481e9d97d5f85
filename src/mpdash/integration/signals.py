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
        change_tracking.mark_channel_all(instance.pk)
    scheduling.sync_channel(instance)
    instance._loaded = {
        "is_active": instance.is_active,
        "catalog_id": instance.catalog_id,
        "price_list_id": instance.price_list_id,
        "stock_list_id": instance.stock_list_id,
        "config": instance.config,
    }
    if instance.is_active and (became_active or lists_changed or flag_turned_on):
        for kind in change_tracking.KINDS:
            list_id = instance.stock_list_id if kind == "productstock" else instance.price_list_id
            transaction.on_commit(lambda k=kind, lid=list_id: notify_list_changed(k, lid))


@receiver(post_delete, sender=SalesChannel)
def _channel_deleted(sender, instance, **kwargs):
    scheduling.remove_channel(instance.pk)


@receiver(post_migrate)
def _after_migrate(sender, **kwargs):
    if getattr(sender, "label", "") == "integration":
        scheduling.ensure_system_tasks()

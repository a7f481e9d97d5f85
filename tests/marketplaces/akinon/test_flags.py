"""The Mono seed's feature flags: one flag turning on two flows, and channels saved with the
earlier generic flags renamed by channels migration 0005 (and by the Schema Update)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from mpdash.channels.models import SalesChannel
from mpdash.marketplaces.akinon.adapter import MonoAdapter
from mpdash.marketplaces.akinon.demo import FASHFED_DEMO, MONO_DEMO

migration = importlib.import_module("mpdash.channels.migrations.0005_renamed_flags")

# The seed's "9. Feature Flags" table, exactly.
SEED_FLAGS = {"get_orders", "get_cancel_orders", "get_refund_orders", "send_update_orders", "send_split_packages",
              "product", "delete_product", "price", "stock", "get_updated_orders", "send_refund_order_status",
              "send_cancel_order_items"}
OLD_FLAGS = {"product_create", "product_update", "approve_refund", "reject_refund", "split_packages"}


def test_every_flow_flag_is_the_seeds():
    flags = {f.flag for f in MonoAdapter.flows if f.flag}
    assert flags == SEED_FLAGS
    assert set(MonoAdapter.default_config()["feature_flags"]) == SEED_FLAGS
    by_flow = {f.name: f.flag for f in MonoAdapter.flows}
    assert by_flow["product_create"] == by_flow["product_update"] == "product"
    assert by_flow["approve_refund"] == by_flow["reject_refund"] == "send_refund_order_status"
    assert by_flow["split_packages"] == "send_split_packages"


def test_demo_names_only_seed_flags():
    assert set(MONO_DEMO.flags) <= SEED_FLAGS and "product" in MONO_DEMO.flags
    assert set(FASHFED_DEMO.flags) <= SEED_FLAGS and "send_refund_order_status" in FASHFED_DEMO.flags


def _mono(lists, **flags):
    channel = SalesChannel(name="Mono", slug="mono", marketplace="mono", **lists)
    channel.save()
    config = dict(channel.config)
    config.update({"category_ids": ["x"], "default_reason_id": 1, "cancellation_reason_id": 1,
                   "cargo_company_mapping": {"default": 1}})
    config["feature_flags"] = {**config["feature_flags"], **flags}
    channel.update_config(config)
    channel.is_active = True
    channel.full_clean()
    channel.save()
    return channel


@pytest.mark.django_db
def test_one_flag_turns_on_both_flows_and_is_one_toggle(lists):
    channel = _mono(lists, product=True)
    assert channel.flow_enabled("product_create") and channel.flow_enabled("product_update")
    assert not channel.flow_enabled("approve_refund") and not channel.flow_enabled("reject_refund")
    from mpdash.dashboard.views.settings import _flags

    rows = [r for r in _flags(channel) if r["flag"] == "product"]
    assert len(rows) == 1 and rows[0]["on"]
    assert "Create products" in rows[0]["label"] and "Update products" in rows[0]["label"]
    assert len({r["flag"] for r in _flags(channel)}) == len(_flags(channel)) == len(SEED_FLAGS)


@pytest.mark.django_db
def test_migration_renames_old_flags_keeping_what_ran(lists):
    channel = _mono(lists)
    config = dict(channel.config)
    flags = {k: v for k, v in config["feature_flags"].items()
             if k not in ("product", "send_refund_order_status", "send_split_packages")}
    flags.update({"product_create": False, "product_update": True, "approve_refund": False, "reject_refund": False,
                  "split_packages": True, "stock": True})
    config["feature_flags"] = flags
    SalesChannel.objects.filter(pk=channel.pk).update(config=config)  # as saved before the seed's flags
    stale = SalesChannel.objects.get(pk=channel.pk)
    assert not stale.flow_enabled("product_update")  # the old flag is not read: it has to be renamed
    with pytest.raises(Exception, match="product"):
        stale.full_clean()

    migration.rename_flags(apps, None)

    channel = SalesChannel.objects.get(pk=channel.pk)
    stored = channel.config["feature_flags"]
    assert set(stored) == SEED_FLAGS and not OLD_FLAGS & set(stored)
    assert stored["product"] is True and stored["send_split_packages"] is True and stored["stock"] is True
    assert stored["send_refund_order_status"] is False and stored["price"] is False
    assert channel.flow_enabled("product_create") and channel.flow_enabled("product_update")
    channel.full_clean()
    fresh = SalesChannel.objects.get(pk=channel.pk)
    before = (fresh.config, fresh.modified_at)
    migration.rename_flags(apps, None)  # a current channel is left alone
    after = SalesChannel.objects.get(pk=channel.pk)
    assert (after.config, after.modified_at) == before


@pytest.mark.django_db
def test_schema_update_renames_old_flags_too(lists):
    channel = _mono(lists)
    flags = {k: v for k, v in channel.config["feature_flags"].items() if k != "send_refund_order_status"}
    flags.update({"approve_refund": True, "reject_refund": False})
    channel.config = {**channel.config, "feature_flags": flags}
    channel.deploy_defaults()
    stored = channel.config["feature_flags"]
    assert set(stored) == SEED_FLAGS and stored["send_refund_order_status"] is True


def test_current_flags_keeps_a_flag_already_current():
    assert MonoAdapter.current_flags({"product": False, "product_create": True}) == {"product": False}
    assert MonoAdapter.current_flags({"stock": True}) == {"stock": True}

"""Migration 0004: keys renamed to their shared name, shared keys added; the channel stays valid."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from mpdash.channels.models import SalesChannel

pytestmark = pytest.mark.django_db

migration = importlib.import_module("mpdash.channels.migrations.0004_shared_config_keys")


def test_saved_channel_gets_the_shared_names_and_keys(channel_factory):
    channel = channel_factory(active=True)
    # As saved before the shared config: the old key, and a schema without the new shared keys.
    config = dict(channel.config)
    config.pop("send_cancel_reason_id", None)
    config["send_cancellation_reason_id"] = 83
    schema = {k: v for k, v in channel.schema.items() if k not in ("send_cancel_reason_id", "reconciliation_days",
                                                                     "claim_issue_reason_id", "order_start_date")}
    schema["send_cancellation_reason_id"] = {"key": "send_cancellation_reason_id", "label": "Send Cancellation Reason ID",
                                             "required": False, "data_type": "integer"}
    SalesChannel.objects.filter(pk=channel.pk).update(config=config, schema=schema)
    stale = SalesChannel.objects.get(pk=channel.pk)
    with pytest.raises(Exception, match="send_cancel_reason_id"):
        stale.full_clean()  # a shipped key is missing from the saved schema

    migration.rename_and_add_keys(apps, None)

    channel = SalesChannel.objects.get(pk=channel.pk)
    assert channel.config["send_cancel_reason_id"] == 83 and "send_cancellation_reason_id" not in channel.config
    assert "send_cancellation_reason_id" not in channel.schema
    assert {"reconciliation_days", "claim_issue_reason_id", "order_start_date"} <= set(channel.schema)
    assert channel.config["password"] != "demo-service-key"  # secrets stay encrypted
    assert channel.plain_config()["password"] == "demo-service-key"
    channel.full_clean()
    assert channel.adapter().config["send_cancel_reason_id"] == 83


def test_migration_leaves_current_channels_alone(channel_factory):
    channel = channel_factory(send_cancel_reason_id=80)
    before = SalesChannel.objects.get(pk=channel.pk)
    migration.rename_and_add_keys(apps, None)
    after = SalesChannel.objects.get(pk=channel.pk)
    assert (after.config, after.schema, after.modified_at) == (before.config, before.schema, before.modified_at)

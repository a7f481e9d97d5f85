"""Config keys shared by every marketplace are now declared once, one name per concept
(mpdash.marketplaces.common_config): rename keys stored under an old name
(send_cancellation_reason_id -> send_cancel_reason_id) in each channel's config and schema,
and add the shared keys a channel's shipped schema gained (order_start_date,
claim_issue_reason_id, reconciliation_days, shipping_provider, ...), so that saved channels
stay valid. User keys and values are kept."""

from django.db import migrations

# Frozen here: a later rename gets its own migration.
RENAMED = {"send_cancellation_reason_id": "send_cancel_reason_id"}


def rename_and_add_keys(apps, schema_editor):
    from mpdash.marketplaces import registry

    SalesChannel = apps.get_model("channels", "SalesChannel")
    for channel in SalesChannel.objects.all():
        try:
            adapter = registry.adapter_class(channel.marketplace)
        except LookupError:
            continue
        config, schema = dict(channel.config or {}), dict(channel.schema or {})
        shipped = adapter.default_schema()
        for old, new in RENAMED.items():
            if old in config:
                value = config.pop(old)
                if config.get(new) in (None, ""):
                    config[new] = value
            schema.pop(old, None)
        for key, entry in shipped.items():
            if key not in schema:
                schema[key] = entry
        for key, value in adapter.default_config().items():
            if key not in config and key != "feature_flags":
                config[key] = value
        if config != channel.config or schema != channel.schema:
            channel.config, channel.schema = config, schema
            channel.save(update_fields=["config", "schema"])


class Migration(migrations.Migration):
    dependencies = [("channels", "0003_flags_of_new_flows")]
    operations = [migrations.RunPython(rename_and_add_keys, migrations.RunPython.noop)]

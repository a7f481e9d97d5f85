"""Channels saved before a marketplace gained a flow (update_warehouse) or a setting
(a warehouse_mapping): add the new feature flags (off) and schema keys, so the
channels stay valid. The same "Schema Update" step a new channel gets; user keys are kept."""

from django.db import migrations


def add_new_flags_and_keys(apps, schema_editor):
    from mpdash.marketplaces import registry

    SalesChannel = apps.get_model("channels", "SalesChannel")
    for channel in SalesChannel.objects.all():
        try:
            adapter = registry.adapter_class(channel.marketplace)
        except LookupError:
            continue
        config = dict(channel.config or {})
        flags = dict(config.get("feature_flags") or {})
        changed = False
        for spec in adapter.flows:
            if spec.flag and spec.flag not in flags:
                flags[spec.flag] = False
                changed = True
        schema = dict(channel.schema or {})
        for key, entry in adapter.default_schema().items():
            if key not in schema:
                schema[key] = entry
                changed = True
        defaults = adapter.default_config()
        for key, value in defaults.items():
            if key not in config and key != "feature_flags":
                config[key] = value
                changed = True
        if changed:
            config["feature_flags"] = flags
            channel.config = config
            channel.schema = schema
            channel.save(update_fields=["config", "schema"])


class Migration(migrations.Migration):
    dependencies = [("channels", "0002_remote_catalog_and_mapping")]
    operations = [migrations.RunPython(add_new_flags_and_keys, migrations.RunPython.noop)]

"""Feature flags a marketplace renamed (its adapter's ``renamed_flags``, e.g. generic flow flags
replaced by the marketplace's own, one flag turning on two flows): store each channel's flags
under the current names, on when any old flag was on, so saved channels stay valid and keep
running what they ran. Other flags and keys are kept."""

from django.db import migrations


def rename_flags(apps, schema_editor):
    from mpdash.marketplaces import registry

    SalesChannel = apps.get_model("channels", "SalesChannel")
    for channel in SalesChannel.objects.all():
        try:
            adapter = registry.adapter_class(channel.marketplace)
        except LookupError:
            continue
        config = dict(channel.config or {})
        flags = config.get("feature_flags") or {}
        renamed = adapter.current_flags(flags)
        if renamed != flags:
            config["feature_flags"] = renamed
            channel.config = config
            channel.save(update_fields=["config"])


class Migration(migrations.Migration):
    dependencies = [("channels", "0004_shared_config_keys")]
    operations = [migrations.RunPython(rename_flags, migrations.RunPython.noop)]

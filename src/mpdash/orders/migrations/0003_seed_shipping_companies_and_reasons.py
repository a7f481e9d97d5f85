"""Turkish carriers and default cancellation/refund reasons, from data/*.json."""

from django.db import migrations


def load(apps, schema_editor):
    from mpdash.orders.seed_data import load_cancellation_reasons, load_shipping_companies

    load_shipping_companies(apps.get_model("orders", "ShippingCompany"))
    load_cancellation_reasons(apps.get_model("orders", "CancellationReason"))


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0002_seed_geography"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]

"""Türkiye: 81 cities (by plate code) and their 973 townships, from data/tr_townships.json."""

from django.db import migrations


def load(apps, schema_editor):
    from mpdash.orders.seed_data import load_geography

    load_geography(apps.get_model("orders", "Country"), apps.get_model("orders", "City"), apps.get_model("orders", "Township"))


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]

from django.db import migrations

from mpdash.integration.change_tracking import install_product_triggers, remove_product_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("integration", "0003_productintegration"),
        ("catalog", "0002_product_version"),
    ]

    operations = [migrations.RunPython(install_product_triggers, remove_product_triggers)]

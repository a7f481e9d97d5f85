from django.db import migrations

from mpdash.integration.change_tracking import install_triggers, remove_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("integration", "0001_initial"),
        ("catalog", "0001_initial"),
        ("channels", "0001_initial"),
    ]

    operations = [migrations.RunPython(install_triggers, remove_triggers)]

"""Drop the single-column index on pending changes' channel: the unique (channel, product,
kind) and the ready (channel, kind, available_at) indexes both begin with it.

Only the index goes (found by its columns), not the table: an AlterField would rebuild the
table on SQLite and break the catalog's triggers that write into it."""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "integration_pendingchange"


def _channel_only_indexes(schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    return [name for name, c in constraints.items()
            if c["index"] and not c["unique"] and not c["primary_key"] and c["columns"] == ["channel_id"]]


def drop_index(apps, schema_editor):
    for name in _channel_only_indexes(schema_editor):
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def create_index(apps, schema_editor):
    if not _channel_only_indexes(schema_editor):
        schema_editor.execute(f"CREATE INDEX integration_pendingchange_channel_id_48f4db51 ON {TABLE} (channel_id)")


class Migration(migrations.Migration):

    dependencies = [
        ('channels', '0005_renamed_flags'),
        ('integration', '0010_longer_remote_batch_id'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='pendingchange',
                    name='channel',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+',
                                            to='channels.saleschannel'),
                ),
            ],
            database_operations=[migrations.RunPython(drop_index, create_index)],
        ),
    ]

"""Drop the person and household indexes no lookup uses: every row the import writes has to
maintain each of them.

- region_id on both tables: the (region, id) indexes serve every region range and the foreign
  key checks.
- name_initials: searched by prefix only, so one varchar_pattern_ops index replaces the plain
  one and its `_like` twin.
- the `_like` twins PostgreSQL gets for the unique id_number and household number: both are
  looked up by equality only, which the unique index serves.
"""

import django.db.models.deletion
from django.db import migrations, models

# (table, column) whose `_like` index goes; the unique constraint stays.
LIKE_INDEXES = (("registry_person", "id_number"), ("registry_household", "number"))


def drop_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in LIKE_INDEXES:
        name = schema_editor._create_index_name(table, [column], suffix="_like")
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def create_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in LIKE_INDEXES:
        name = schema_editor._create_index_name(table, [column], suffix="_like")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name)} "
            f"ON {schema_editor.quote_name(table)} ({schema_editor.quote_name(column)} "
            "varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_audit_append_only_trigger"),
        ("registry", "0002_seed_poverty_lines"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["name_initials"],
                name="person_initials_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="name_initials",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AlterField(
            model_name="household",
            name="region",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                to="core.region",
                verbose_name="所在区划",
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="region",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                to="core.region",
                verbose_name="所在区划",
            ),
        ),
        migrations.RunPython(drop_like_indexes, create_like_indexes),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):
    """The record-number filter asks for a prefix: on PostgreSQL the plain index does not serve
    LIKE 'prefix%' unless the database collation is C, the pattern operator class does."""

    dependencies = [
        ("core", "0009_audit_target_repr_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="auditevent", name="audit_target_repr"),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                fields=["target_repr"], name="audit_target_repr", opclasses=["varchar_pattern_ops"]
            ),
        ),
    ]

from django.db import migrations


def seed(apps, schema_editor):
    from shegong.casework.instrument import DEFAULT_DOMAINS, DEFAULT_NAME

    Instrument = apps.get_model("casework", "AssessmentInstrument")
    Instrument.objects.get_or_create(
        name=DEFAULT_NAME, version=1, defaults={"domains": DEFAULT_DOMAINS, "is_active": True}
    )


class Migration(migrations.Migration):
    dependencies = [("casework", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

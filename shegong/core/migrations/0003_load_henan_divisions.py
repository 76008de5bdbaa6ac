"""Load Henan's division codes (NBS 2022 edition, to township level) as reference data.

Reads the CSV shipped in shegong/data/ and does not import app code, so it keeps working as
the models change.
"""

import csv
from pathlib import Path

from django.db import migrations

CSV = Path(__file__).resolve().parents[2] / "data" / "henan-divisions.csv"


def load(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    with CSV.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    # Parents before children: the CSV is in code order, and a parent's code is smaller.
    rows.sort(key=lambda r: r["code"])
    Region.objects.bulk_create(
        [
            Region(
                code=r["code"],
                name=r["name"],
                level=r["level"],
                parent_id=r["parent_code"] or None,
            )
            for r in rows
        ],
        batch_size=1000,
    )


def unload(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    Region.objects.filter(is_synthetic=False).update(parent=None)
    Region.objects.filter(is_synthetic=False).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_membership_region_links")]
    operations = [migrations.RunPython(load, unload)]

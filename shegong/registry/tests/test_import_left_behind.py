"""The import suggests left-behind flags for the households it writes, like a household change."""

import pytest

from shegong.conftest import GUSHI
from shegong.core.models import Region
from shegong.core.testing import make_village
from shegong.registry.importer.testing import import_rows, person_row
from shegong.registry.models import Person
from shegong.registry.tests.factories import make_id_number

pytestmark = pytest.mark.django_db


def _rows(village, away_months):
    away = {"务工状况": "省外务工", "务工月数": away_months}
    return [
        person_row(
            "411525001200501", village, "户主", "刘强", make_id_number("411525", "19850101"), **away
        ),
        person_row(
            "411525001200501",
            village,
            "配偶",
            "王丽",
            make_id_number("411525", "19870202", sex="female"),
            **away,
        ),
        person_row(
            "411525001200501", village, "之子", "刘小宝", make_id_number("411525", "20170303")
        ),
    ]


def test_both_parents_away_makes_the_child_a_suggested_left_behind_child(gushi_officer, tmp_path):
    township = Region.objects.filter(parent_id=GUSHI).order_by("code").first()
    village = make_village(township.code).code
    batch = import_rows(gushi_officer, tmp_path, _rows(village, 10))
    assert batch.created == 3
    child = Person.objects.get(name="刘小宝")
    assert (child.left_behind, child.left_behind_confirmed) == ("child", False)
    # The parents come home: re-importing with 0 months clears the suggestion.
    import_rows(gushi_officer, tmp_path, _rows(village, 0), name="again.xlsx")
    child.refresh_from_db()
    assert child.left_behind == ""


def test_a_dry_run_changes_no_flag(gushi_officer, tmp_path):
    township = Region.objects.filter(parent_id=GUSHI).order_by("code").first()
    village = make_village(township.code).code
    import_rows(gushi_officer, tmp_path, _rows(village, 10), dry_run=True)
    assert not Person.objects.exists()

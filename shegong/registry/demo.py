"""Demo registry: a few made-up households in every demo village of 固始 and 新蔡.

Names are drawn from common surnames and given names; ID numbers are valid (real county code,
birth date, sequence, check character) but belong to nobody. Deterministic: the same seed gives
the same registry; running it twice adds nothing.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from shegong.core.demo import register_demo
from shegong.core.idnumbers import citizen_id_check_char
from shegong.core.models import Region

from .models import Household, Person
from .names import name_initials
from .services import household_derive_left_behind

SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曾单解"
MALE = ["伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "建国", "志强", "海涛"]
FEMALE = ["芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀英", "桂兰", "玉梅", "丹"]
CAUSES = ["illness", "disability", "schooling", "lack_skills", "lack_labour", "lack_capital"]


def _child_years(rng: random.Random, n: int) -> list[int]:
    """Birth years of `n` siblings, two or three years apart (never a week), 2008 to 2022."""
    gaps = [rng.randint(2, 3) for _ in range(n - 1)]
    year = rng.randint(2008, 2022 - sum(gaps))
    years = [year]
    for gap in gaps:
        year += gap
        years.append(year)
    return years


def _id(county: str, birth: datetime.date, seq: int, sex: str) -> str:
    s = seq % 1000
    if (s % 2 == 1) != (sex == "male"):
        s = (s + 1) % 1000
    body = f"{county}{birth:%Y%m%d}{s:03d}"
    return body + citizen_id_check_char(body)


@transaction.atomic
def load(per_village: int = 4, seed: int = 2016) -> int:
    rng = random.Random(seed)
    villages = Region.objects.filter(is_synthetic=True, level="village").order_by("code")
    created = 0
    seq = 0
    used = set(Person.objects.values_list("id_number", flat=True))
    births: set[datetime.date] = set()
    for village in villages:
        county = village.code[:6]
        for n in range(per_village):
            number = f"{village.code}{n + 1:03d}"
            if Household.objects.filter(number=number).exists():
                continue
            household = Household.objects.create(
                number=number,
                region=village,
                address=f"{village.name}{n + 1}号",
                household_type=rng.choice(["ordinary", "ordinary", "dibao", "tekun"]),
                poverty_status=rng.choice(["not_out", "not_out", "out", "relapse_risk"]),
                year_identified=rng.choice([2014, 2015, 2016]),
                main_cause=rng.choice(CAUSES),
                net_income_per_person=rng.randint(1800, 6000),
                helper_name=rng.choice(SURNAMES) + rng.choice(MALE),
            )
            surname = rng.choice(SURNAMES)
            away = rng.random() < 0.4
            members = [
                ("head", "male", rng.randint(1965, 1990), surname + rng.choice(MALE), away),
                (
                    "spouse",
                    "female",
                    rng.randint(1967, 1992),
                    rng.choice(SURNAMES) + rng.choice(FEMALE),
                    away and rng.random() < 0.6,
                ),
            ]
            for year in _child_years(rng, rng.randint(1, 3)):
                sex = rng.choice(["male", "female"])
                members.append(
                    (
                        "son" if sex == "male" else "daughter",
                        sex,
                        year,
                        surname + rng.choice(MALE if sex == "male" else FEMALE),
                        False,
                    )
                )
            if rng.random() < 0.5:
                members.append(
                    ("father", "male", rng.randint(1940, 1960), surname + rng.choice(MALE), False)
                )
            people = []
            taken: set[str] = set()
            for relation, sex, year, name, is_away in members:
                # No two members of one household share a name (a father named like his son).
                while name in taken:
                    name = name[0] + rng.choice(MALE if sex == "male" else FEMALE)
                taken.add(name)
                birth = datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
                # One person per birthday: made-up people must not look like duplicates by
                # chance (same name, same day); the review gets the one planted below.
                for _try in range(50):  # bounded: a larger demo may run out of days
                    if birth not in births:
                        break
                    birth = datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
                births.add(birth)
                number = ""
                while not number or number in used:
                    seq += 1
                    number = _id(county, birth, seq, sex)
                used.add(number)
                people.append(
                    Person(
                        household=household,
                        region=village,
                        name=name,
                        name_initials=name_initials(name),
                        id_number=number,
                        sex=sex,
                        birth_date=birth,
                        ethnicity="汉族",
                        relation=relation,
                        health=rng.choice(["healthy", "healthy", "chronic", "serious"]),
                        labour="ordinary" if 1960 < year < 2008 else "none",
                        work_status="out_of_province" if is_away else "none",
                        months_away=10 if is_away else 0,
                    )
                )
            Person.objects.bulk_create(people)
            household.member_count = len(people)
            household.save(update_fields=["member_count"])
            household_derive_left_behind(household=household)
            created += 1
    if created:
        _plant_duplicate(rng, used)
    return created


def _plant_duplicate(rng: random.Random, used: set[str]) -> None:
    """One person registered twice (a second ID number, another household of the county), so
    the duplicate review has something to show; then run the detection for 固始."""
    from .duplicates import find_duplicates

    gushi = Household.objects.filter(region_id__gte="411525", region_id__lt="411526")
    first, second = gushi.order_by("id")[:2]
    original = first.members.get(relation="head")
    seq = 900
    number = ""
    while not number or number in used:
        seq += 1
        number = _id("411525", original.birth_date, seq, original.sex)
    Person.objects.create(
        household=second,
        region_id=second.region_id,
        name=original.name,
        name_initials=original.name_initials,
        id_number=number,
        sex=original.sex,
        birth_date=original.birth_date,
        ethnicity="汉族",
        relation="other",
    )
    second.member_count += 1
    second.save(update_fields=["member_count"])
    find_duplicates(region_prefix="411525")


register_demo("registry", order=20, load=lambda: {"households": load()})

"""Factories for the registry's scoped models (used by the jurisdiction harness and tests)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from shegong.core.idnumbers import citizen_id_check_char
from shegong.core.models import User
from shegong.core.testing import next_seq, register_factory
from shegong.registry.models import (
    DuplicateCandidate,
    Household,
    ImportBatch,
    LeftBehindReview,
    MergeRecord,
    Person,
    PovertyExit,
)
from shegong.registry.names import name_initials


def make_id_number(
    county: str = "411525",
    birth: str = "19800101",
    seq: int | None = None,
    sex: str = "male",
    spread: bool = False,
) -> str:
    """A valid 18-character ID number: county code, birth date, sequence, check character."""
    n = next_seq() if seq is None else seq
    if spread and seq is None and n >= 500:
        # Only 500 sequence numbers per sex and birth date: move the birth date along.
        day = datetime.date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
        birth = (day + datetime.timedelta(days=n // 500)).strftime("%Y%m%d")
    s = (n * 2 + (1 if sex == "male" else 0)) % 1000
    if sex == "male" and s % 2 == 0:
        s += 1
    if sex == "female" and s % 2 == 1:
        s -= 1
    body = f"{county}{birth}{s:03d}"
    return body + citizen_id_check_char(body)


def make_household(
    region_code: str, number: str | None = None, head_name: str = "张伟", **fields
) -> Household:
    household = Household.objects.create(
        number=number or f"4100{next_seq():012d}",
        region_id=region_code,
        member_count=1,
        **fields,
    )
    make_person(household, head_name, relation="head")
    return household


def make_person(
    household: Household,
    name: str,
    relation: str = "spouse",
    birth: str | None = None,
    sex: str = "male",
    **fields,
) -> Person:
    id_number = fields.pop("id_number", None) or make_id_number(
        household.region_id[:6], birth or "19800101", sex=sex, spread=birth is None
    )
    return Person.objects.create(
        household=household,
        region_id=household.region_id,
        name=name,
        name_initials=name_initials(name),
        id_number=id_number,
        sex=sex,
        birth_date=datetime.date(
            int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])
        ),
        relation=relation,
        **fields,
    )


@register_factory(Household)
def household_factory(*, region_code: str, marker: str, owner=None) -> Household:
    return make_household(region_code, head_name=marker, address=marker)


@register_factory(Person)
def person_factory(*, region_code: str, marker: str, owner=None) -> Person:
    return make_household(region_code, head_name=marker).members.get()


@register_factory(PovertyExit)
def exit_factory(*, region_code: str, marker: str, owner=None) -> PovertyExit:
    household = make_household(region_code, head_name=marker, address=marker)
    day = datetime.date(2020, 10, 1)
    recorder = owner or User.objects.create_user(username=f"x{next_seq()}", password="x")
    return PovertyExit.objects.create(
        household=household,
        region_id=region_code,
        year=2020,
        net_income_per_person=Decimal("6000"),
        poverty_line=Decimal("4000"),
        food_clothing_secure=True,
        schooling_assured=True,
        medical_assured=True,
        housing_assured=True,
        village_review_date=day,
        verification_date=day,
        household_agreed=True,
        notice_start=day,
        notice_end=day,
        objections=marker,
        announced_date=day,
        recorded_by=recorder,
    )


@register_factory(ImportBatch)
def import_factory(*, region_code: str, marker: str, owner=None) -> ImportBatch:
    actor = owner or User.objects.create_user(username=f"i{next_seq()}", password="x")
    return ImportBatch.objects.create(
        region_id=region_code, actor=actor, file_name=f"{marker}.xlsx", status="done"
    )


def make_running_batch(
    actor,
    region: str,
    *,
    file_name: str = "花名册.xlsx",
    beat_ago: datetime.timedelta | None = datetime.timedelta(0),
    started_ago: datetime.timedelta = datetime.timedelta(0),
    dry_run: bool = False,
) -> ImportBatch:
    """An import batch another process is running (its heartbeat `beat_ago`, None: never)."""
    from django.utils import timezone

    now = timezone.now()
    return ImportBatch.objects.create(
        region_id=region,
        actor=actor,
        file_name=file_name,
        status="running",
        dry_run=dry_run,
        rows=6,
        started_at=now - started_ago,
        heartbeat_at=None if beat_ago is None else now - beat_ago,
    )


@register_factory(DuplicateCandidate)
def duplicate_factory(*, region_code: str, marker: str, owner=None) -> DuplicateCandidate:
    a = make_household(region_code, head_name=marker).members.get()
    b = make_household(region_code, head_name=marker).members.get()
    return DuplicateCandidate.objects.create(
        person_a=a,
        person_b=b,
        region_id=region_code,
        region_b_id=region_code,
        score=Decimal("90"),
        reasons=["同名同出生日期"],
    )


@register_factory(MergeRecord)
def merge_factory(*, region_code: str, marker: str, owner=None) -> MergeRecord:
    candidate = duplicate_factory(region_code=region_code, marker=marker)
    actor = owner or User.objects.create_user(username=f"g{next_seq()}", password="x")
    return MergeRecord.objects.create(
        candidate=candidate,
        kept=candidate.person_a,
        removed_snapshot={"name": marker},
        region_id=region_code,
        merged_by=actor,
    )


@register_factory(LeftBehindReview)
def flag_review_factory(*, region_code: str, marker: str, owner=None) -> LeftBehindReview:
    person = make_household(region_code, head_name=marker).members.get()
    return LeftBehindReview.objects.create(
        person=person,
        region_id=person.region_id,
        confirmed="woman",
        suggested="",
        opened_on=datetime.date(2025, 6, 1),
    )

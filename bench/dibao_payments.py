"""A county's monthly Dibao payment list at full size: `payment_list_build` against a plain
INSERT … SELECT of the same lines, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shegong_bench_pay \
        python bench/dibao_payments.py [N]

Loads once (kept for later runs) N paying households in 固始 (default 100,000), each with a
head and one to three further members, an application and an award whose snapshot counts
them all, bulk-created. Then builds the list for this month three times (the first a new list,
the others rebuilding the draft) and prints each time, next to the baseline: one INSERT …
SELECT of the lines (with their snapshot built in SQL) and one of their persons, rolled back.
The goal is under 10 seconds for the build.
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shegong.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from shegong.core.models import Membership, Region, RuleSet, User  # noqa: E402
from shegong.dibao.models import Application, Award, PaymentList  # noqa: E402
from shegong.dibao.selectors_payments import first_of_month  # noqa: E402
from shegong.dibao.services.payments import payment_list_build  # noqa: E402
from shegong.registry.models import Household, Person  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
COUNTY = "411525000000"
PREFIX = "BP"  # household numbers of the bench's households
BATCH = 5000


def villages() -> list[str]:
    township = (
        Region.objects.filter(level="township", code__startswith=COUNTY[:6])
        .order_by("code")
        .first()
    )
    assert township is not None, "the region tree is not loaded"
    codes = []
    for n in range(200, 300):
        code = f"{township.code[:9]}{n:03d}"
        Region.objects.get_or_create(
            code=code,
            defaults={
                "name": f"测试村{n}",
                "level": "village",
                "parent_id": township.code,
                "is_synthetic": True,
            },
        )
        codes.append(code)
    return codes


def load(n: int) -> None:
    have = Household.objects.filter(number__startswith=PREFIX).count()
    if have >= n:
        return
    codes = villages()
    rules = RuleSet.objects.filter(kind="dibao_procedure").order_by("-valid_from").first()
    assert rules is not None
    now = timezone.now()
    today = timezone.localdate()
    start = first_of_month(today) - datetime.timedelta(days=365)
    for begin in range(have, n, BATCH):
        end = min(n, begin + BATCH)
        with transaction.atomic():
            households = Household.objects.bulk_create(
                [
                    Household(
                        number=f"{PREFIX}{i:012d}",
                        region_id=codes[i % len(codes)],
                        member_count=1 + i % 4,
                        created_at=now,
                        updated_at=now,
                    )
                    for i in range(begin, end)
                ]
            )
            persons = []
            for h, i in zip(households, range(begin, end), strict=True):
                for k in range(h.member_count):
                    persons.append(
                        Person(
                            household=h,
                            region_id=h.region_id,
                            name=f"测{i % 997}{'甲乙丙丁'[k]}",
                            id_number=f"X{i:012d}{k:05d}",
                            sex="male" if k % 2 == 0 else "female",
                            birth_date=datetime.date(1960 + k * 10, 1, 1),
                            relation="head" if k == 0 else "son",
                        )
                    )
            persons = Person.objects.bulk_create(persons)
            by_household: dict[int, list[Person]] = {}
            for p in persons:
                by_household.setdefault(p.household_id, []).append(p)
            applications = Application.objects.bulk_create(
                [
                    Application(
                        region_id=h.region_id,
                        household=h,
                        applicant=by_household[h.pk][0],
                        number=f"DBBENCH{h.pk:012d}",
                        programme="dibao",
                        channel="written",
                        applied_by="household",
                        reasons="因病致贫",
                        accepted_on=start - datetime.timedelta(days=40),
                        stage="approved",
                        amount=Decimal("300.00") + h.pk % 200,
                        rules=rules,
                    )
                    for h in households
                ]
            )
            Award.objects.bulk_create(
                [
                    Award(
                        region_id=a.region_id,
                        household_id=a.household_id,
                        application=a,
                        programme="dibao",
                        amount=a.amount or Decimal("0"),
                        members=len(by_household[a.household_id]),
                        payment_from=start,
                        schedule="stable",
                        next_review_on=today + datetime.timedelta(days=200),
                        snapshot={
                            "household": f"{PREFIX}{a.household_id:012d}",
                            "members": [
                                {"person": p.pk, "name": p.name, "counted": True}
                                for p in by_household[a.household_id]
                            ],
                            "amount": str(a.amount),
                        },
                        rules=rules,
                    )
                    for a in applications
                ]
            )
        print(f"  loaded {end:,} households", flush=True)
    with connection.cursor() as cur:
        for table in ("registry_household", "registry_person", "dibao_application", "dibao_award"):
            cur.execute(f"ANALYZE {table}")


BASELINE_LINES = """
INSERT INTO dibao_paymentline
    (payment_list_id, region_id, month, award_id, household_id, amount, members, snapshot)
SELECT %(list)s, a.region_id, %(month)s, a.id, a.household_id, a.amount, a.members,
       jsonb_build_object('award', a.id, 'application', ap.number, 'household', h.number,
                          'amount', a.amount::text, 'members', a.members,
                          'persons', a.snapshot -> 'members')
FROM dibao_award a
JOIN dibao_application ap ON ap.id = a.application_id
JOIN registry_household h ON h.id = a.household_id
WHERE a.region_id >= '411525' AND a.region_id < '411526'
  AND a.status IN ('active', 'gradual_exit')
  AND a.payment_from <= %(month)s AND (a.payment_to IS NULL OR a.payment_to >= %(month)s)
"""
BASELINE_PERSONS = """
INSERT INTO dibao_paymentperson (line_id, month, person_id)
SELECT l.id, l.month, (m ->> 'person')::bigint
FROM dibao_paymentline l, jsonb_array_elements(l.snapshot -> 'persons') m
WHERE l.payment_list_id = %(list)s
"""


def baseline(month: datetime.date) -> float:
    """The same lines and persons by two INSERT … SELECT statements, rolled back."""
    started = time.perf_counter()
    try:
        with transaction.atomic():
            pl = PaymentList.objects.create(region_id=COUNTY, month=month)
            with connection.cursor() as cur:
                # Foreign keys checked as each statement runs, not at a commit that never
                # comes: the baseline pays for them as the build does.
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cur.execute(BASELINE_LINES, {"list": pl.pk, "month": month})
                cur.execute(BASELINE_PERSONS, {"list": pl.pk, "month": month})
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return elapsed


class _Rollback(Exception):
    pass


def main() -> None:
    assert connection.vendor == "postgresql", "this benchmark measures PostgreSQL"
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    load(N)
    print(f"data ready in {time.perf_counter() - started:.0f} s")
    user, _ = User.objects.get_or_create(username="bench_pay_county")
    Membership.objects.get_or_create(user=user, role="civil_affairs_officer", region_id=COUNTY)
    county = Region.objects.get(code=COUNTY)
    month = first_of_month(timezone.localdate())
    # The baseline writes next to a list of another month, so its lines clash with nothing.
    other = (month - datetime.timedelta(days=1)).replace(day=1)
    # Run 1 builds a new list (any list left by an earlier run is removed first, untimed);
    # runs 2 and 3 rebuild the draft, which first removes its 100,000 lines.
    existing = PaymentList.objects.filter(region_id=COUNTY, month=month).first()
    if existing is not None:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "DELETE FROM dibao_paymentperson WHERE line_id IN "
                "(SELECT id FROM dibao_paymentline WHERE payment_list_id = %s)",
                [existing.pk],
            )
            cur.execute("DELETE FROM dibao_paymentline WHERE payment_list_id = %s", [existing.pk])
            cur.execute("DELETE FROM dibao_paymentlist WHERE id = %s", [existing.pk])
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE dibao_paymentline")
        cur.execute("VACUUM ANALYZE dibao_paymentperson")
    for run in range(3):
        base = baseline(other)
        t = time.perf_counter()
        pl = payment_list_build(actor=user, county=county, month=month)
        build = time.perf_counter() - t
        kind = "new list" if run == 0 else "rebuild "
        print(
            f"run {run + 1} ({kind}): payment_list_build {build:6.2f} s "
            f"({pl.households:,} households, {pl.persons:,} persons, {pl.total} yuan); "
            f"INSERT … SELECT baseline {base:6.2f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()

"""The Dibao monitoring run at scale, against a plain SQL scan of the same tables.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shegong_bench_monitor \\
        python bench/dibao_monitor.py [N]

Builds once (kept for the next run) N Dibao households (default 1,000,000) with three members
each, an approved application, its members and an award, in two villages per township, with
set-based INSERT ... SELECT (not the services). About one award in fifty has something for a
rule to find (an overdue review, income at the standard, a member newly working, the household
size changed, a member moved out, assets flagged, a special-hardship person of working age, a
near-poor household whose award ended). Then, from no alert at all:

- the monitoring run (`monitor_run`), which opens the alerts;
- a second run with nothing changed, which must open none;
- in the same run, a plain scan: SELECT count(*) over the joins the run reads (paying awards
  with their households and applications; their members with the persons; the households).

Prints the times, the ratio of each run to the scan, and the process's peak memory (RSS) before
and after the runs.
"""

from __future__ import annotations

import datetime
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shegong.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from shegong.core.models import Region, RuleSet  # noqa: E402
from shegong.dibao.models import Alert, Award  # noqa: E402
from shegong.dibao.services.monitoring import monitor_run  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
ON = datetime.date(2026, 12, 1)
PAYING = ("active", "gradual_exit")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def villages() -> list[str]:
    """Two made-up villages (codes 201 and 202) under every township."""
    have = list(
        Region.objects.filter(level="village", code__endswith="201")
        .union(Region.objects.filter(level="village", code__endswith="202"))
        .values_list("code", flat=True)
    )
    if have:
        return sorted(have)
    rows = []
    for township in Region.objects.filter(level="township").values_list("code", flat=True):
        for n in (201, 202):
            rows.append(
                Region(
                    code=f"{township[:9]}{n}",
                    name=f"测试村{n}",
                    level="village",
                    parent_id=township,
                    is_synthetic=True,
                )
            )
    Region.objects.bulk_create(rows)
    return sorted(r.code for r in rows)


def build(n: int) -> None:
    if Award.objects.count() >= n:
        return
    codes = villages()
    procedure = RuleSet.objects.get(kind="dibao_procedure", version=2).pk
    review = RuleSet.objects.get(kind="dibao_review", version=1).pk
    t = time.perf_counter()
    with connection.cursor() as cur:
        # The rows are made consistent by construction: skip the foreign-key triggers while
        # filling (bench database only; needs a superuser).
        cur.execute("SET session_replication_role = replica")
        cur.execute(
            "TRUNCATE dibao_alert, dibao_award, dibao_member, dibao_application, registry_person,"
            " registry_household, dibao_standard CASCADE"
        )
        cur.execute(
            """
            INSERT INTO dibao_standard (area, valid_from, monthly, yearly, hardship_basic,
                care_self, care_partial, care_full, note, entered_at, region_id)
            SELECT a, DATE '2016-01-01', 246.67, 2960, 321.67, 50, 150, 300, '测试', now(), code
            FROM core_region, (VALUES ('rural'), ('urban')) AS areas(a) WHERE level = 'county'
            """
        )
        # Households 1..n; income 1,500 a year per person, except: i % 100 = 11 at the standard
        # (2,960); i % 33 = 1 (award ended) 3,500, near-poor. i % 200 = 17: four members now.
        cur.execute(
            """
            INSERT INTO registry_household (id, number, address, phone, household_type,
                poverty_status, main_cause, secondary_causes, housing_structure, helper_name,
                helper_phone, member_count, version, created_at, updated_at, region_id,
                net_income_per_person)
            SELECT i, 'BM' || lpad(i::text, 14, '0'), '', '', 'dibao', 'not_out', 'illness',
                '[]', '', '', '', CASE WHEN i %% 200 = 17 THEN 4 ELSE 3 END, 1, now(), now(),
                (%(codes)s::text[])[1 + i %% %(v)s],
                CASE WHEN i %% 100 = 11 THEN 2960 WHEN i %% 33 = 1 THEN 3500 ELSE 1500 END
            FROM generate_series(1, %(n)s) AS i
            """,
            {"codes": codes, "v": len(codes), "n": n},
        )
        # Persons 3i-2 (head), 3i-1 (spouse), 3i (son) of household i. A spouse in a hundred
        # works in the county now; a son in 500 moved to the next household; heads of
        # special-hardship households (i % 10 = 0) are 76, one in a hundred of them 36.
        cur.execute(
            """
            INSERT INTO registry_person (id, name, name_initials, id_number, sex, birth_date,
                ethnicity, relation, education, in_school, health, labour, work_status,
                is_dibao, has_medical_insurance, has_pension, has_serious_illness_insurance,
                phone, left_behind, left_behind_confirmed, version, created_at, updated_at,
                household_id, region_id)
            SELECT g, '成员' || g, 'cy', 'BM' || lpad(g::text, 16, '0'), 'male',
                CASE WHEN k = 0 AND h %% 1000 = 0 THEN DATE '1990-03-01'
                     WHEN k = 0 AND h %% 10 = 0 THEN DATE '1950-03-01'
                     WHEN k = 2 THEN DATE '2000-03-01' ELSE DATE '1975-03-01' END,
                '汉族', CASE k WHEN 0 THEN 'head' WHEN 1 THEN 'spouse' ELSE 'son' END, '',
                'none', '', '', CASE WHEN k = 1 AND h %% 100 = 7 THEN 'county' ELSE 'none' END,
                true, true, false, false, '', '', false, 1, now(), now(),
                hh, (%(codes)s::text[])[1 + hh %% %(v)s]
            FROM (SELECT g, h, k,
                         CASE WHEN k = 2 AND h %% 500 = 3 AND h < %(n)s THEN h + 1 ELSE h END AS hh
                  FROM (SELECT g, (g + 2) / 3 AS h, (g - 1) %% 3 AS k
                        FROM generate_series(1, 3 * %(n)s) AS g) AS x) AS s
            """,
            {"codes": codes, "v": len(codes), "n": n},
        )
        cur.execute(
            """
            INSERT INTO dibao_application (id, number, programme, area, applies_alone,
                alone_reason, channel, applied_by, authorisation, consent_data_matching,
                separately_registered, relation_to_staff, complaint, reasons, accepted_on,
                materials_missing, stage, matching_findings, matching_assets_flagged, opinion,
                opinion_reasons, objection_note, spot_check, refusal_reasons, extension_reason,
                care_tier, support_mode, supporters, created_at, updated_at, version,
                applicant_id, household_id, region_id, rules_id, assessment_note, decided_on,
                amount)
            SELECT i, 'BMA' || lpad(i::text, 13, '0'),
                CASE WHEN i %% 10 = 0 THEN 'hardship' ELSE 'dibao' END, 'rural', false, '',
                'written', 'household', '', true, false, '', false, '测试', DATE '2025-11-01',
                '', 'approved', CASE WHEN i %% 200 = 5 THEN '名下有车辆' ELSE '' END,
                i %% 200 = 5, 'approve', '', '', false, '', '', '', '', '', now(), now(), 1,
                3 * i - 2, i, h.region_id, %(procedure)s, '', DATE '2025-12-01', 400
            FROM generate_series(1, %(n)s) AS i JOIN registry_household h ON h.id = i
            """,
            {"n": n, "procedure": procedure},
        )
        cur.execute(
            """
            INSERT INTO dibao_member (id, exclusion, note, disability_kind, application_id,
                person_id, region_id)
            SELECT g, '', '', '', (g + 2) / 3, g, a.region_id
            FROM generate_series(1, 3 * %(n)s) AS g JOIN dibao_application a ON a.id = (g + 2) / 3
            """,
            {"n": n},
        )
        # Awards: one in 33 ended (terminated), one in 100 in its gradual exit; one in 50 with
        # the review due before the run day.
        cur.execute(
            """
            INSERT INTO dibao_award (id, programme, status, amount, members, payment_from,
                schedule, next_review_on, care_tier, support_mode, snapshot, created_at,
                updated_at, version, application_id, household_id, region_id, rules_id)
            SELECT i, a.programme,
                CASE WHEN i %% 33 = 1 THEN 'terminated' WHEN i %% 100 = 3 THEN 'gradual_exit'
                     ELSE 'active' END,
                400, 3, DATE '2026-01-01', 'stable',
                CASE WHEN i %% 50 = 9 THEN DATE '2026-11-01' ELSE DATE '2027-06-01' END,
                '', '',
                jsonb_build_object('on', '2025-12-01', 'household', 'BM' || i,
                    'members', jsonb_build_array(
                        jsonb_build_object('person', 3 * i - 2, 'counted', true,
                                           'work_status', 'none', 'months_away', null),
                        jsonb_build_object('person', 3 * i - 1, 'counted', true,
                                           'work_status', 'none', 'months_away', null),
                        jsonb_build_object('person', 3 * i, 'counted', true,
                                           'work_status', 'none', 'months_away', null)),
                    'incomes', '[]'::jsonb, 'amount', '400.00'),
                now(), now(), 1, i, i, a.region_id, %(review)s
            FROM generate_series(1, %(n)s) AS i JOIN dibao_application a ON a.id = i
            """,
            {"n": n, "review": review},
        )
        for table in ("registry_household", "registry_person", "dibao_application"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {3 * n + 1})")
        for table in ("dibao_member", "dibao_award"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {3 * n + 1})")
        cur.execute("VACUUM ANALYZE" if False else "ANALYZE")
    print(f"built {n:,} households with awards in {time.perf_counter() - t:.1f} s")


SCAN = (
    """SELECT count(*) FROM dibao_award a
       JOIN registry_household h ON h.id = a.household_id
       JOIN dibao_application p ON p.id = a.application_id
       WHERE a.status IN ('active', 'gradual_exit')""",
    """SELECT count(*) FROM dibao_member m
       JOIN dibao_application p ON p.id = m.application_id
       JOIN dibao_award a ON a.application_id = p.id
       JOIN registry_person s ON s.id = m.person_id
       WHERE a.status IN ('active', 'gradual_exit')""",
    "SELECT count(*) FROM registry_household",
)


def scan() -> tuple[float, list[int]]:
    t = time.perf_counter()
    counts = []
    with connection.cursor() as cur:
        for sql in SCAN:
            cur.execute(sql)
            counts.append(cur.fetchone()[0])
    return time.perf_counter() - t, counts


def timed_run() -> tuple[float, dict[str, int]]:
    t = time.perf_counter()
    counts = monitor_run(on=ON)
    return time.perf_counter() - t, counts


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("run it on PostgreSQL (DATABASE_URL)")
    call_command("migrate", verbosity=0)
    build(N)
    Alert.objects.all().delete()
    with connection.cursor() as cur:
        cur.execute("ANALYZE dibao_alert")
    scan()  # warm the cache the same way for both
    scan_s, scan_counts = scan()
    rss_before = rss_mb()
    first_s, first = timed_run()
    rss_first = rss_mb()
    second_s, second = timed_run()
    rss_second = rss_mb()
    scan2_s, _counts = scan()
    base = min(scan_s, scan2_s)
    paying = Award.objects.filter(status__in=PAYING).count()
    print(f"{connection.vendor}: {N:,} households, {paying:,} paying awards, run day {ON}")
    print(f"  plain scan (3 counts: {', '.join(f'{c:,}' for c in scan_counts)})   {base:7.2f} s")
    print(f"  first run  (opens alerts)   {first_s:7.2f} s   {first_s / base:5.1f} × the scan")
    print(f"  second run (nothing new)    {second_s:7.2f} s   {second_s / base:5.1f} × the scan")
    print("  found: " + ", ".join(f"{k} {v:,}" for k, v in first.items()))
    print(f"  second run opened {second['opened']} alerts")
    print(
        f"  peak RSS: {rss_before:.0f} MB before, {rss_first:.0f} MB after the first run, "
        f"{rss_second:.0f} MB after the second"
    )
    assert second["opened"] == 0, "a second run with nothing changed opened alerts"


if __name__ == "__main__":
    main()

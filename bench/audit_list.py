"""Audit list paging at scale: keyset (what the page does) against OFFSET and COUNT baselines.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shegong_bench python bench/audit_list.py [N]

Fills the audit table with N events (default 1,000,000) spread over Henan's counties, then
times, for a county officer of 固始, the first page and a page 2,000 pages deep with the keyset
cursor the page uses, against what a plain Paginator would do (COUNT(*) and OFFSET) in the same
run. Prints medians of 5 runs in milliseconds.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shegong.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from shegong.core.models import AuditEvent, Membership, Region, User  # noqa: E402
from shegong.core.selectors import audit_list  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
PAGE = 50


def fill(n: int) -> None:
    have = AuditEvent.objects.count()
    if have >= n:
        return
    counties = list(Region.objects.filter(level="county").values_list("code", flat=True))
    now = timezone.now()
    batch = []
    for i in range(have, n):
        batch.append(
            AuditEvent(
                at=now,
                action="bench.event",
                target_type="core.region",
                target_id=str(i),
                target_repr=f"事件{i}",
                region_id=counties[i % len(counties)],
            )
        )
        if len(batch) == 10_000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)
    with connection.cursor() as cur:
        cur.execute("ANALYZE core_auditevent" if connection.vendor == "postgresql" else "ANALYZE")


def timed(fn, runs: int = 5) -> float:
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def main() -> None:
    call_command("migrate", verbosity=0)
    fill(N)
    user, _ = User.objects.get_or_create(username="bench_officer")
    Membership.objects.get_or_create(
        user=user, role="civil_affairs_officer", region_id="411525000000"
    )
    qs = audit_list(actor=user, filters={}).order_by("-pk")
    rows = qs.count()
    depth = min(2000, rows // PAGE - 1)
    cursor = qs.values_list("pk", flat=True)[depth * PAGE]

    keyset_first = timed(lambda: list(qs[: PAGE + 1]))
    keyset_deep = timed(lambda: list(qs.filter(pk__lt=cursor)[: PAGE + 1]))
    offset_deep = timed(lambda: list(qs[depth * PAGE : depth * PAGE + PAGE]))
    count = timed(lambda: qs.count())
    print(
        f"{connection.vendor}: {AuditEvent.objects.count():,} events, {rows:,} in 固始, "
        f"page {depth} deep"
    )
    print(f"  keyset first page   {keyset_first:8.2f} ms")
    print(
        f"  keyset deep page    {keyset_deep:8.2f} ms   baseline OFFSET same page "
        f"{offset_deep:8.2f} ms"
    )
    print(f"  (a Paginator would also run COUNT(*): {count:8.2f} ms)")


if __name__ == "__main__":
    main()

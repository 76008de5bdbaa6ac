"""Dynamic monitoring (动态监测): the daily run over every paying award and the registry's
households, and a township closing an alert with its outcome.

The run is set-based: for each rule one query selects the rows the rule could find something on
that have no open alert for the same finding yet (an anti-join on the open alerts), so it
answers the day's new findings only (the registry's households at large are streamed in
chunks); `dibao.monitoring` decides each one from its plain facts. A second run with nothing
changed therefore reads nothing but the anti-joins and opens nothing. The number of queries
does not depend on the number of awards.

A finding that no longer holds is never closed by the run: the township checks and closes it
with an outcome (the alert page says so). A closed alert whose finding still holds is raised
again by the next run, except two: data matching's asset flag is a fact of the application, so
it is raised once per award; a near-poor household whose alert was closed is on the watch list
for `near_poor_watch_months` and raised again only after that. The household's size and its
members are compared with the latest review where there is one (a review records the household
as it then was), so a review that records the change ends those two findings.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import CharField, Exists, F, Func, IntegerField, OuterRef, Q, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import audit
from shegong.core.actors import Actor
from shegong.core.models import RuleSet
from shegong.core.regions import prefix_bounds, prefix_of
from shegong.core.roles import Perm
from shegong.core.scoping import can
from shegong.registry.codes import WorkStatus
from shegong.registry.models import Household

from .. import monitoring, rules
from ..calculations import county_of
from ..models import (
    PAYING,
    Alert,
    AlertStatus,
    Area,
    Award,
    Member,
    Programme,
    Review,
    Standard,
)
from ..rulesets import (
    HARDSHIP,
    MONITORING_RULES,
    R_ASSETS_FLAGGED,
    R_HARDSHIP_CONDITION,
    R_INCOME_ABOVE,
    R_MEMBER_GONE,
    R_MEMBER_WORKING,
    R_NEAR_POOR,
    R_REVIEW_OVERDUE,
    R_SIZE_CHANGED,
    monitoring_rules,
    review_rules,
)
from ..workflow import rules_pk

CHUNK = 5000
BATCH = 5000
TOWNSHIP_ONLY = _("只有该户所在乡镇(街道)的低保经办人可以处理这条预警。")


def _range(county: str | None) -> Q:
    if not county:
        return Q()
    low, high = prefix_bounds(prefix_of(county))
    return Q(region_id__gte=low, region_id__lt=high)


def _open(rule: str, subject: Any = "") -> Exists:
    """An open alert of `rule` on the outer row's household about `subject`."""
    return Exists(
        Alert.objects.filter(
            household_id=OuterRef("household_id"), rule=rule, subject=subject, status="open"
        )
    )


def _rows(qs: Any, *fields: str, stream: bool = False) -> Iterator[dict[str, Any]]:
    """The rows of `qs`, unordered. Each rule's query answers its new findings only (the open
    ones are anti-joined away), so it is read whole: PostgreSQL plans it in parallel, which it
    never does for a server-side cursor. `stream`: read in chunks through a server-side cursor,
    for a query whose rows may be many (the registry's households at large)."""
    rows = qs.order_by().values(*fields)
    return rows.iterator(chunk_size=CHUNK) if stream else iter(list(rows))


class _ListedMembers(Func):
    """How many members the snapshot lists (its "members" array)."""

    output_field = IntegerField()
    template = "COALESCE(json_array_length(%(expressions)s, '$.members'), 0)"  # SQLite

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="COALESCE(jsonb_array_length(%(expressions)s -> 'members'), 0)",
            **extra,
        )


class _Run:
    """One run: the rule versions of the day, the standards in force, the alerts to write."""

    def __init__(self, on: datetime.date, county: str | None) -> None:
        self.on, self.county = on, county
        self.values = monitoring_rules(on)
        self.rules_pk = rules_pk(self.values)
        self.review = review_rules(on)
        from shegong.core.rulesets import rules_for

        self.hardship = rules_for(HARDSHIP, on)
        self.counts = {rule: 0 for rule in MONITORING_RULES}
        self.pending: list[Alert] = []
        self.opened = 0
        rows = Standard.objects.filter(valid_from__lte=on)
        if county:
            rows = rows.filter(region_id=county_of(county))
        self.standards = monitoring.standards_in_force(
            rows.values_list("region_id", "area", "valid_from", "yearly")
        )

    def enabled(self, rule: str) -> bool:
        return rule in self.values["rules"]

    def standard(self, region_id: str, area: str) -> Decimal | None:
        return self.standards.get((county_of(region_id), area or Area.RURAL))

    def add(self, rule: str, row: dict[str, Any], detail: str | None, subject: Any = "") -> None:
        if detail is None:
            return
        self.counts[rule] += 1
        self.pending.append(
            Alert(
                region_id=row["household__region_id"],
                household_id=row["household_id"],
                award_id=row.get("award_id"),
                rule=rule,
                subject=str(subject),
                detail=detail,
                opened_on=self.on,
                rules_id=self.rules_pk,
            )
        )
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            # The constraint is the last word: a finding opened meanwhile is not opened twice.
            Alert.objects.bulk_create(self.pending, ignore_conflicts=True)
            self.opened += len(self.pending)
            self.pending = []

    def awards(self) -> Any:
        return Award.objects.filter(_range(self.county), status__in=PAYING).annotate(
            award_id=F("pk")
        )


def _review_overdue(run: _Run) -> None:
    limit = run.on - datetime.timedelta(days=run.values["review_grace_days"])
    qs = run.awards().filter(next_review_on__lt=limit).exclude(_open(R_REVIEW_OVERDUE))
    for row in _rows(qs, "award_id", "household_id", "household__region_id", "next_review_on"):
        run.add(
            R_REVIEW_OVERDUE,
            row,
            monitoring.review_overdue(row["next_review_on"], run.on, run.values),
        )


def _income_above(run: _Run) -> None:
    if not run.standards:
        return
    lowest = min(run.standards.values()) * run.values["income_factor"]
    qs = (
        run.awards()
        .filter(household__net_income_per_person__gte=lowest)
        .exclude(_open(R_INCOME_ABOVE))
    )
    fields = ("award_id", "household_id", "household__region_id", "region_id", "application__area")
    for row in _rows(qs, *fields, "household__net_income_per_person"):
        standard = run.standard(row["region_id"], row["application__area"])
        if standard is not None:
            detail = monitoring.income_above(
                row["household__net_income_per_person"], standard, run.values
            )
            run.add(R_INCOME_ABOVE, row, detail)


def _members(run: _Run) -> Any:
    """The members each paying award's decision listed (the snapshot's members)."""
    qs = Member.objects.filter(application__award__status__in=PAYING)
    if run.county:
        low, high = prefix_bounds(prefix_of(run.county))
        qs = qs.filter(
            application__award__region_id__gte=low, application__award__region_id__lt=high
        )
    return qs.annotate(
        household_id=F("application__award__household_id"),
        award_id=F("application__award__id"),
    )


def _member_working(run: _Run) -> None:
    v = run.values
    qs = (
        _members(run)
        .filter(exclusion="", person__household_id=F("application__award__household_id"))
        .filter(
            Q(person__work_status__in=v["working_statuses"])
            | Q(person__months_away__gte=v["months_away_min"])
        )
    )
    # The open findings are left out here rather than by an anti-join: PostgreSQL probes the
    # alerts' index without the household for this one (a full index scan per member).
    open_now = set(
        Alert.objects.filter(_range(run.county), rule=R_MEMBER_WORKING, status="open")
        .order_by()
        .values_list("household_id", "subject")
    )
    labels = dict(WorkStatus.choices)
    fields = ("award_id", "household_id", "person__region_id", "person_id", "person__name")
    for row in _rows(
        qs, *fields, "person__work_status", "person__months_away", "application__award__snapshot"
    ):
        if (row["household_id"], str(row["person_id"])) in open_now:
            continue
        row["household__region_id"] = row["person__region_id"]
        status = row["person__work_status"]
        detail = monitoring.member_working(
            person_id=row["person_id"],
            name=row["person__name"],
            status=status,
            months_away=row["person__months_away"],
            snapshot=row["application__award__snapshot"] or {},
            values=v,
            status_label=str(labels.get(status, ""))
            if status not in monitoring.NOT_WORKING
            else "",
        )
        run.add(R_MEMBER_WORKING, row, detail, row["person_id"])


def _size_changed(run: _Run) -> None:
    # The size the township last recorded: the latest review's household (a review keeps the
    # registry's member count), else the decision's members. Read for the changed rows only.
    reviewed = (
        Review.objects.filter(award_id=OuterRef("pk"))
        .order_by("-reviewed_on", "-id")
        .annotate(n=Cast(KT("snapshot__member_count"), IntegerField()))
        .values("n")[:1]
    )
    qs = (
        run.awards()
        .annotate(decided=_ListedMembers(F("snapshot")))
        .exclude(household__member_count=F("decided"))
        .exclude(_open(R_SIZE_CHANGED))
        .annotate(reviewed=Subquery(reviewed, output_field=IntegerField()))
    )
    fields = ("award_id", "household_id", "household__region_id", "household__member_count")
    for row in _rows(qs, *fields, "decided", "reviewed"):
        then = row["reviewed"] if row["reviewed"] is not None else row["decided"]
        detail = monitoring.size_changed(row["household__member_count"], then)
        run.add(R_SIZE_CHANGED, row, detail)


# Written out: every member of every paying award is compared, and the ORM's path from a member
# to its award goes through the application, one more join of a million rows for nothing.
MEMBER_GONE_SQL = """
SELECT a.id, a.household_id, m.person_id, p.name, p.household_id,
       (SELECT h.region_id FROM {household} h WHERE h.id = a.household_id)
FROM {member} m
JOIN {award} a ON a.application_id = m.application_id
LEFT JOIN {person} p ON p.id = m.person_id
WHERE a.status IN (%s, %s) AND a.region_id >= %s AND a.region_id < %s
  AND (p.id IS NULL OR p.household_id <> a.household_id)
  AND NOT EXISTS (
    SELECT 1 FROM {alert} x
    WHERE x.household_id = a.household_id AND x.rule = %s AND x.status = %s
      AND x.subject = CAST(m.person_id AS varchar(32)))
"""


def _reviewed_members(award_ids: set[int]) -> dict[int, set[int]]:
    """{award: the persons its latest review listed} for the awards that have a review."""
    latest: dict[int, set[int]] = {}
    ids = sorted(award_ids)
    for start in range(0, len(ids), CHUNK):
        rows = (
            Review.objects.filter(award_id__in=ids[start : start + CHUNK])
            .order_by("award_id", "-reviewed_on", "-id")
            .values_list("award_id", "snapshot")
        )
        for award_id, snapshot in rows:
            if award_id not in latest:
                members = (snapshot or {}).get("members") or ()
                latest[award_id] = {m.get("person") for m in members}
    return latest


def _member_gone(run: _Run) -> None:
    from shegong.registry.models import Person

    low, high = prefix_bounds(prefix_of(run.county)) if run.county else ("", "~")
    sql = MEMBER_GONE_SQL.format(
        household=Household._meta.db_table,
        member=Member._meta.db_table,
        award=Award._meta.db_table,
        person=Person._meta.db_table,
        alert=Alert._meta.db_table,
    )
    with connection.cursor() as cur:
        cur.execute(sql, [*PAYING, low, high, R_MEMBER_GONE, AlertStatus.OPEN])
        found = cur.fetchall()  # the findings only: members no longer in their household
    reviewed = _reviewed_members({row[0] for row in found})
    for award_id, household_id, person_id, name, now_household, region_id in found:
        row = {"award_id": award_id, "household_id": household_id}
        row["household__region_id"] = region_id
        detail = monitoring.member_gone(
            name=name or str(person_id),
            now_household=now_household,
            award_household=household_id,
            person_id=person_id,
            reviewed_members=reviewed.get(award_id),
        )
        run.add(R_MEMBER_GONE, row, detail, person_id)


def _assets_flagged(run: _Run) -> None:
    # Raised once per award: the flag is a fact of the application the county decided on.
    raised = Exists(Alert.objects.filter(award_id=OuterRef("pk"), rule=R_ASSETS_FLAGGED))
    qs = run.awards().filter(application__matching_assets_flagged=True).exclude(raised)
    fields = ("award_id", "household_id", "household__region_id", "application__matching_findings")
    for row in _rows(qs, *fields):
        detail = monitoring.assets_flagged(True, row["application__matching_findings"] or "")
        run.add(R_ASSETS_FLAGGED, row, detail)


def _hardship_condition(run: _Run) -> None:
    born_by, born_after = monitoring.hardship_age_bounds(run.on, run.hardship)
    kind = Member.objects.filter(
        application_id=OuterRef("application_id"), person_id=OuterRef("application__applicant_id")
    ).values("disability_kind")[:1]
    qs = (
        run.awards()
        .filter(
            programme=Programme.HARDSHIP,
            application__applicant__birth_date__lte=born_by,
            application__applicant__birth_date__gt=born_after,
        )
        .annotate(disability_kind=Subquery(kind), subject_id=F("application__applicant_id"))
        .exclude(
            Exists(
                Alert.objects.filter(
                    household_id=OuterRef("household_id"),
                    rule=R_HARDSHIP_CONDITION,
                    subject=Cast(OuterRef("application__applicant_id"), CharField()),
                    status="open",
                )
            )
        )
    )
    fields = ("award_id", "household_id", "household__region_id", "subject_id", "disability_kind")
    person = ("name", "birth_date", "disability_grade", "in_school")
    for row in _rows(qs, *fields, *(f"application__applicant__{f}" for f in person)):
        detail = monitoring.hardship_condition(
            name=row["application__applicant__name"],
            birth=row["application__applicant__birth_date"],
            disability_kind=row["disability_kind"] or "",
            disability_grade=row["application__applicant__disability_grade"],
            in_school=row["application__applicant__in_school"],
            on=run.on,
            values=run.hardship,
        )
        run.add(R_HARDSHIP_CONDITION, row, detail, row["subject_id"])


def _near_poor(run: _Run) -> None:
    if not run.standards:
        return
    factor = run.review["near_poor_factor"]
    highest = max(run.standards.values()) * factor
    watched_since = rules.add_months(run.on, -run.values["near_poor_watch_months"])
    watched = Exists(
        Alert.objects.filter(household_id=OuterRef("pk"), rule=R_NEAR_POOR).filter(
            Q(status="open") | Q(closed_on__gt=watched_since)
        )
    )
    paying = Exists(Award.objects.filter(household_id=OuterRef("pk"), status__in=PAYING))
    qs = (
        Household.objects.filter(_range(run.county), net_income_per_person__lt=highest)
        .exclude(paying)
        .exclude(watched)
    )
    for row in _rows(qs, "id", "region_id", "net_income_per_person", stream=True):
        standard = run.standard(row["region_id"], Area.RURAL)
        if standard is None:
            continue
        fact = {"household_id": row["id"], "household__region_id": row["region_id"]}
        run.add(
            R_NEAR_POOR, fact, monitoring.near_poor(row["net_income_per_person"], standard, factor)
        )


STEPS = (
    (R_REVIEW_OVERDUE, _review_overdue),
    (R_INCOME_ABOVE, _income_above),
    (R_MEMBER_WORKING, _member_working),
    (R_SIZE_CHANGED, _size_changed),
    (R_MEMBER_GONE, _member_gone),
    (R_ASSETS_FLAGGED, _assets_flagged),
    (R_HARDSHIP_CONDITION, _hardship_condition),
    (R_NEAR_POOR, _near_poor),
)


@transaction.atomic
def monitor_run(*, on: datetime.date | None = None, county: str | None = None) -> dict[str, int]:
    """Run every rule enabled in the `dibao_monitoring` version in force on `on` over the
    paying awards (and households) of `county` (a county code; None: the whole province).
    Opens one alert per new finding, in the household's village; answers the number found per
    rule and `opened`. One audit event without an actor, with the counts."""
    on = on or timezone.localdate()
    if county:
        county = county_of(county)
    run = _Run(on, county)
    if connection.vendor == "postgresql":
        # The rows are streamed through server-side cursors; plan them for reading them all,
        # not for the first tenth (the default), which picks nested loops over hash joins.
        with connection.cursor() as cur:
            cur.execute("SET LOCAL cursor_tuple_fraction = 1.0")
    # One run at a time: a second waits here and then finds what the first opened.
    RuleSet.objects.select_for_update().filter(pk=run.rules_pk).first()
    for rule, step in STEPS:
        if run.enabled(rule):
            step(run)
    run.flush()
    counts = {**run.counts, "opened": run.opened}
    audit.record(
        actor=None,
        action="dibao.monitor_run",
        region_id=county,
        changes={
            "on": on,
            "county": county or "",
            "rules": f"{run.values.kind} v{run.values.version}",
            **counts,
        },
    )
    return counts


@transaction.atomic
def alert_close(*, actor: Actor, alert: Alert, outcome: str) -> Alert:
    """The township closes an alert with what it found and did (required). An alert already
    closed is refused; closing never changes the finding itself."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if not can(actor, Perm.HANDLE_DIBAO, alert.region_id):
        raise PermissionDenied(TOWNSHIP_ONLY)
    text = (outcome or "").strip()
    if alert.status != AlertStatus.OPEN:
        raise ValidationError(
            _("这条预警已于 %(date)s 处理,不能再次处理。") % {"date": alert.closed_on}
        )
    if not text:
        raise ValidationError({"outcome": _("请填写核实情况和处理结果。")})
    if len(text) > 2000:
        raise ValidationError({"outcome": _("处理结果最多 2000 字。")})
    alert.status = AlertStatus.CLOSED
    alert.closed_on = timezone.localdate()
    alert.outcome = text
    alert.closed_by = actor  # type: ignore[assignment]
    alert.save(update_fields=["status", "closed_on", "outcome", "closed_by"])
    audit.record(
        actor=actor,
        action="dibao.alert_close",
        target=alert,
        changes={"rule": alert.rule, "outcome": text},
    )
    return alert

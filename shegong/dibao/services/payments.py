"""The county's monthly payment list (发放名册): built from the awards paying that month,
checked, then finalised for the bank.

Who is paid in month M: every award of the county whose status is active or in its gradual
exit, with `payment_from` ≤ M and `payment_to` empty or ≥ M. Suspended and terminated awards
are not paid. The status is the award's today: a list is built for this month or the next and
finalised, after which it is the record of what was paid; a list built late for a past month
leaves out an award suspended since (its amount in force then is still right, see below).

The amount in force in month M: a review changes the amount from its `effective_from` month and
keeps the amount before and after. So the amount in force in M is the `amount_before` of the
earliest review that takes effect after M (the amount then had not yet changed), or, when no
review takes effect after M, the award's current amount. Every review (continue, adjust,
suspend, terminate) stores both amounts, so the rule holds whatever the outcomes were; for the
current or a later month it is simply `award.amount`. Members paid are the award's (`members`;
the persons are the counted members of the award's snapshot).

Each line keeps a snapshot of what was paid (award, application number, amount, members, the
persons, the head's name, the village), so a later registry edit never rewrites what was paid.
Never two lines for the same household, nor two for the same person, in one month anywhere in
the province: the constraints on `PaymentLine` and `PaymentPerson` hold it, and the build says
first, in words, which household is already on which county's list. Rebuilding a draft replaces
its lines; a final list is never changed.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    CharField,
    Count,
    DateField,
    F,
    Func,
    IntegerField,
    JSONField,
    Sum,
    Value,
)
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast, JSONObject
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core import audit
from shegong.core.actors import Actor
from shegong.core.models import Region
from shegong.core.roles import Perm
from shegong.core.scoping import can

from ..models import Award, ListStatus, PaymentLine, PaymentList, PaymentPerson
from ..selectors_payments import first_of_month, next_month, paying_awards, totals_problems

audit.register_actions(
    {
        "dibao.payment_list_build": gettext_lazy("编制低保特困发放名册"),
        "dibao.payment_list_finalise": gettext_lazy("确认低保特困发放名册"),
    }
)

COUNTY_ONLY = _("只有该县(市、区)民政部门可以编制和确认发放名册。")
BATCH = 5000
CENT = Decimal("0.01")
# Lists may be prepared ahead for next month, never further.
MONTHS_AHEAD = 1


def _require_county(actor: Actor, county: Region) -> None:
    if not can(actor, Perm.DECIDE_DIBAO, county.code):
        raise PermissionDenied(COUNTY_ONLY)


def _check_month(month: Any) -> datetime.date:
    if not isinstance(month, datetime.date) or isinstance(month, datetime.datetime):
        raise ValidationError({"month": _("请选择发放月份。")})
    if month.day != 1:
        raise ValidationError({"month": _("发放月份须为该月第一天。")})
    latest = first_of_month(timezone.localdate())
    for _i in range(MONTHS_AHEAD):
        latest = next_month(latest)
    if month > latest:
        raise ValidationError({"month": _("最多只能提前编制下个月的发放名册。")})
    return month


def _check_county(county: Any) -> Region:
    if not isinstance(county, Region) or county.level != "county":
        raise ValidationError({"county": _("发放名册按县(市、区)编制,请选择一个县。")})
    return county


class _Json(Func):
    """A JSON value placed inside JSONObject: SQLite hands JSON_EXTRACT's arrays back as text,
    JSON() makes them JSON again."""

    template = "%(expressions)s"
    output_field = JSONField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="JSON(%(expressions)s)", **extra)


LINE_COLUMNS = {
    "payment_list_id": "c_list",
    "region_id": "c_region",
    "month": "c_month",
    "award_id": "c_award",
    "household_id": "c_household",
    "amount": "c_amount",
    "members": "c_members",
    "snapshot": "c_snapshot",
}


def _insert_lines(county_code: str, month: datetime.date, payment_list: PaymentList) -> None:
    """One INSERT … SELECT of the list's lines, their snapshot built by the database."""
    awards = (
        paying_awards(county_code, month)
        .order_by()
        .annotate(
            c_list=Value(payment_list.pk, output_field=IntegerField()),
            c_region=F("region_id"),
            c_month=Value(month, output_field=DateField()),
            c_award=F("pk"),
            c_household=F("household_id"),
            c_amount=F("amount_then"),
            c_members=F("members"),
            c_snapshot=JSONObject(
                award=F("pk"),
                application=F("application__number"),
                programme=F("programme"),
                status=F("status"),
                household=F("household__number"),
                head=F("head_name"),
                village=F("region__name"),
                amount=Cast("amount_then", CharField()),
                members=F("members"),
                persons=_Json(KeyTransform("members", "snapshot")),
            ),
        )
        .values(*LINE_COLUMNS.values())
    )
    select, params = awards.query.sql_with_params()
    table = PaymentLine._meta.db_table
    columns = ", ".join(LINE_COLUMNS)
    picked = ", ".join(f"s.{alias}" for alias in LINE_COLUMNS.values())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {picked} FROM ({select}) s",  # noqa: S608
            params,
        )


PERSONS_SQL = {
    "postgresql": """
        INSERT INTO {persons} (line_id, month, person_id)
        SELECT l.id, l.month, p.id
        FROM {lines} l
        CROSS JOIN LATERAL jsonb_array_elements(l.snapshot -> 'persons') m
        JOIN {people} p ON p.id = (m ->> 'person')::bigint
        WHERE l.payment_list_id = %s AND COALESCE((m ->> 'counted')::boolean, false)
    """,
    "sqlite": """
        INSERT INTO {persons} (line_id, month, person_id)
        SELECT l.id, l.month, p.id
        FROM {lines} l, json_each(l.snapshot, '$.persons') m
        JOIN {people} p ON p.id = json_extract(m.value, '$.person')
        WHERE l.payment_list_id = %s AND json_extract(m.value, '$.counted') = 1
    """,
}


def _insert_persons(payment_list: PaymentList) -> None:
    """The persons paid (the counted members of each line's snapshot), in one statement."""
    from shegong.registry.models import Person

    sql = PERSONS_SQL[connection.vendor].format(
        persons=PaymentPerson._meta.db_table,
        lines=PaymentLine._meta.db_table,
        people=Person._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [payment_list.pk])


def _already_paid(payment_list: PaymentList, county_code: str, month: datetime.date) -> None:
    """Refuse, in words, a household or person already on another county's list this month."""
    candidates = paying_awards(county_code, month)
    other = (
        PaymentLine.objects.filter(month=month, household_id__in=candidates.values("household_id"))
        .exclude(payment_list=payment_list)
        .select_related("household", "payment_list__region")
        .order_by("id")
        .first()
    )
    if other is not None:
        raise ValidationError(
            _(
                "户 %(household)s 已列入%(county)s %(month)s 的发放名册,"
                "同一户同一月份只能发放一次。请先核实该户的保障关系。"
            )
            % {
                "household": other.household.number,
                "county": other.payment_list.region.name,
                "month": f"{month:%Y年%m月}",
            }
        )


def _person_clash(payment_list: PaymentList, month: datetime.date) -> str:
    """Which person is paid twice (on another list this month, or twice on this one), in
    words. Only asked after the database refused the persons, so it may take its time."""
    seen: dict[int, str] = {}
    lines = PaymentLine.objects.filter(payment_list=payment_list).values_list(
        "household__number", "snapshot"
    )
    for number, snapshot in lines.iterator(chunk_size=BATCH):
        for m in (snapshot or {}).get("persons") or []:
            if not m.get("counted") or not isinstance(m.get("person"), int):
                continue
            if m["person"] in seen:
                return _person_message(
                    m.get("name", ""), seen[m["person"]], payment_list.region.name, month
                )
            seen[m["person"]] = number
    ids = list(seen)
    for start in range(0, len(ids), BATCH):
        found = (
            PaymentPerson.objects.filter(month=month, person_id__in=ids[start : start + BATCH])
            .exclude(line__payment_list=payment_list)
            .select_related("person", "line__payment_list__region", "line__household")
            .order_by("id")
            .first()
        )
        if found is not None:
            return _person_message(
                found.person.name,
                found.line.household.number,
                found.line.payment_list.region.name,
                month,
            )
    return _("有人员已列入其他名册同月的发放,请刷新后重新编制。")


def _person_message(name: str, household: str, where: str, month: datetime.date) -> str:
    return _(
        "%(name)s(户 %(household)s)已在%(where)s %(month)s 的发放名册中领取保障金,"
        "同一人同一月份只能发放一次。请先核实其所在户的保障关系。"
    ) % {"name": name, "household": household, "where": where, "month": f"{month:%Y年%m月}"}


def _clear(payment_list: PaymentList) -> None:
    """Remove a draft's lines in two statements (the ORM would load every line first)."""
    persons = PaymentPerson._meta.db_table
    lines = PaymentLine._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {persons} WHERE line_id IN "  # noqa: S608 - table names only
            f"(SELECT id FROM {lines} WHERE payment_list_id = %s)",
            [payment_list.pk],
        )
        cursor.execute(
            f"DELETE FROM {lines} WHERE payment_list_id = %s",  # noqa: S608
            [payment_list.pk],
        )


@transaction.atomic
def payment_list_build(*, actor: Actor, county: Region, month: datetime.date) -> PaymentList:
    """Build (or rebuild, while a draft) the county's payment list for `month`: one line per
    award paying that month, with the amount in force then and a snapshot of what is paid."""
    county = _check_county(county)
    _require_county(actor, county)
    month = _check_month(month)
    payment_list = (
        PaymentList.objects.select_for_update().filter(region=county, month=month).first()
    )
    rebuilt = payment_list is not None
    if payment_list is None:
        try:
            with transaction.atomic():
                payment_list = PaymentList.objects.create(
                    region=county, month=month, created_by=actor
                )
        except IntegrityError:
            raise ValidationError(_("该月的发放名册正在由他人编制,请稍后刷新页面。")) from None
    elif payment_list.status == ListStatus.FINAL:
        raise ValidationError(_("该月的发放名册已确认,不能再修改。"))
    before = {
        "households": payment_list.households,
        "persons": payment_list.persons,
        "total": payment_list.total,
    }
    if rebuilt:
        _clear(payment_list)
    _already_paid(payment_list, county.code, month)

    candidates = paying_awards(county.code, month)
    twice = (
        Award.objects.filter(pk__in=candidates.values("pk"))
        .values("household_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("household_id")
        .first()
    )
    if twice is not None:
        both = list(
            Award.objects.filter(pk__in=candidates.values("pk"), household_id=twice["household_id"])
            .select_related("household", "application")
            .order_by("id")[:2]
        )
        raise ValidationError(
            _(
                "户 %(household)s 同时有两项正在发放的保障(申请 %(first)s 和 %(second)s),"
                "同一户同一月份只能发放一次。请先核实并停发其中一项。"
            )
            % {
                "household": both[0].household.number,
                "first": both[0].application.number,
                "second": both[1].application.number,
            }
        )
    expected = candidates.aggregate(
        households=Count("id"), persons=Sum("members"), total=Sum("amount_then")
    )
    households = expected["households"] or 0
    persons = expected["persons"] or 0
    total = Decimal(expected["total"] or 0).quantize(CENT)
    try:
        with transaction.atomic():
            _insert_lines(county.code, month, payment_list)
    except IntegrityError:
        # Another county's list took one of the households meanwhile.
        _already_paid(payment_list, county.code, month)
        raise ValidationError(_("有户已列入其他县同月的发放名册,请刷新后重新编制。")) from None
    try:
        with transaction.atomic():
            _insert_persons(payment_list)
    except IntegrityError:
        raise ValidationError(_person_clash(payment_list, month)) from None

    payment_list.households = households
    payment_list.persons = persons
    payment_list.total = total
    payment_list.created_by = actor
    payment_list.created_at = timezone.now()
    payment_list.save()
    problems = totals_problems(payment_list)
    if problems:  # the header is the awards' sums, the lines what was written: never apart
        raise ValidationError(problems)
    audit.record(
        actor=actor,
        action="dibao.payment_list_build",
        target=payment_list,
        changes={
            "month": f"{month:%Y-%m}",
            "rebuilt": rebuilt,
            **audit.diff(before, {"households": households, "persons": persons, "total": total}),
        },
    )
    return payment_list


@transaction.atomic
def payment_list_finalise(*, actor: Actor, payment_list: PaymentList) -> PaymentList:
    """Confirm a draft list once its totals add up; a final list is never changed again."""
    locked = (
        PaymentList.objects.select_for_update().select_related("region").get(pk=payment_list.pk)
    )
    _require_county(actor, locked.region)
    if locked.status == ListStatus.FINAL:
        raise ValidationError(_("该月的发放名册已确认,不能重复确认。"))
    problems = totals_problems(locked)
    if problems:
        raise ValidationError(problems)
    if locked.households == 0:
        raise ValidationError(_("名册中没有发放对象,不能确认。"))
    locked.status = ListStatus.FINAL
    locked.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="dibao.payment_list_finalise",
        target=locked,
        changes={
            "month": f"{locked.month:%Y-%m}",
            "status": [ListStatus.DRAFT, ListStatus.FINAL],
            "households": locked.households,
            "persons": locked.persons,
            "total": locked.total,
        },
    )
    return locked

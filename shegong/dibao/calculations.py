"""What the Dibao rules make of an application's records: the county's standard and policy,
the members counted, per-person income, the amount, eligibility, what the procedure requires
next, and the snapshot of the household as decided. Reads only; the services store results."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shegong.core.rulesets import RuleValues

from . import rules
from .models import (
    EXCLUDED_INCOME,
    AmountMethod,
    Application,
    Area,
    CountyPolicy,
    Member,
    Programme,
    Standard,
)
from .rulesets import procedure_rules, review_rules


def procedure(application: Application, on: datetime.date) -> RuleValues:
    """The procedure in force on `on` for this application's programme."""
    return procedure_rules(on, hardship=application.programme == Programme.HARDSHIP)


def dibao_procedure(on: datetime.date) -> RuleValues:
    """The Dibao procedure in force on `on`: its review quorum and investigator count apply to
    special hardship too (the hardship measures give no figures of their own for them)."""
    return procedure_rules(on)


def county_of(region_id: str) -> str:
    return region_id[:6] + "000000"


def standard_for(application: Application, on: datetime.date) -> Standard:
    """The county's standard for the application's area in force on `on`."""
    found = (
        Standard.objects.filter(
            region_id=county_of(application.region_id), area=application.area, valid_from__lte=on
        )
        .order_by("-valid_from")
        .first()
    )
    if found is None:
        raise ValidationError(
            _("%(date)s 本县尚无%(area)s低保标准,请县级民政部门先录入保障标准。")
            % {"date": on.isoformat(), "area": Area(application.area).label}
        )
    return found


def policy_for(region_id: str) -> CountyPolicy:
    return CountyPolicy.objects.filter(region_id=county_of(region_id)).first() or CountyPolicy(
        region_id=county_of(region_id)
    )


def counted_members(application: Application) -> list[Member]:
    return [m for m in application.members.select_related("person") if not m.exclusion]


def per_person_income(application: Application) -> Decimal:
    members = counted_members(application)
    return rules.monthly_per_person(
        [(i.source, i.yearly) for i in application.incomes.all()],
        [d.yearly for d in application.deductions.all()],
        len(members),
        frozenset(str(s) for s in EXCLUDED_INCOME),
    )


def amount_for(application: Application, on: datetime.date) -> Decimal:
    """The monthly amount the rules give this application on `on`."""
    standard = standard_for(application, on)
    review = review_rules(on)
    members = counted_members(application)
    if application.programme == Programme.HARDSHIP:
        tier = application.care_tier or "self"
        care = {
            "self": standard.care_self,
            "partial": standard.care_partial,
            "full": standard.care_full,
        }
        return rules.rounded(
            (standard.hardship_basic + care[tier]) * max(len(members), 1), review["rounding"]
        )
    policy = policy_for(application.region_id)
    return rules.household_amount(
        method=policy.amount_method,
        standard=standard.monthly,
        per_person=per_person_income(application),
        members=len(members),
        bands=policy.bands if policy.amount_method == AmountMethod.BANDS else (),
        rounding=review["rounding"],
    )


def assets_within_limit(application: Application) -> bool:
    limit = policy_for(application.region_id).asset_limit_per_person
    if limit is None:
        return True
    members = max(len(counted_members(application)), 1)
    total = sum((a.value for a in application.assets.all() if not a.exempt), Decimal(0))
    return total <= limit * members


def eligibility_problems(application: Application, on: datetime.date) -> list[str]:
    """Why the rules do not let this application be approved on `on` (empty: they do)."""
    standard = standard_for(application, on)
    per_person = per_person_income(application)
    within = assets_within_limit(application)
    if application.programme == Programme.HARDSHIP:
        if application.supporter_able is None:
            return [_("尚未登记法定赡养、抚养、扶养义务人的情况(特困认定情况)。")]
        person = application.applicant
        member = application.members.filter(person=person).first()
        facts = rules.HardshipFacts(
            birth=person.birth_date,
            disability_kind=member.disability_kind if member else "",
            disability_grade=person.disability_grade,
            per_person=per_person,
            standard=standard.monthly,
            assets_within_limit=within,
            supporter_able=bool(application.supporter_able),
        )
        return rules.hardship_problems(facts, on, procedure(application, on))
    problems = []
    if not rules.eligible_by_income(per_person, standard.monthly):
        problems.append(
            _("共同生活家庭成员月人均收入 %(income)s 元,不低于低保标准 %(standard)s 元。")
            % {"income": rules.rounded(per_person, ("fen",)), "standard": standard.monthly}
        )
    if not within:
        problems.append(_("家庭财产超过本县规定的限额。"))
    return problems


def review_needed(application: Application) -> bool:
    """Whether a valid democratic review must be on record before the file goes to the county:
    under a rule that holds one on every case, where the county does so, or after an objection
    (when the township chose a review over a re-investigation, it is on record)."""
    if application.programme != Programme.DIBAO:
        return False  # special hardship: a review may be held, it is not required
    values = dibao_procedure(application.opinion_on or application.accepted_on)
    return rules.review_required(
        values,
        objection=False,
        county_every_case=policy_for(application.region_id).review_every_case,
    )


def county_visit_needed(application: Application) -> bool:
    return application.separately_registered or application.complaint or application.spot_check


def snapshot(application: Application, on: datetime.date) -> dict[str, Any]:
    """The household as decided: members counted and excluded, incomes, standard, amount."""
    standard = standard_for(application, on)
    return {
        "on": on.isoformat(),
        "household": application.household.number,
        "members": [
            {
                "person": m.person_id,
                "name": m.person.name,
                "relation": m.person.relation,
                "counted": not m.exclusion,
                "exclusion": m.exclusion,
                # What the monitoring run compares a member's work with (dibao.monitoring).
                "work_status": m.person.work_status,
                "months_away": m.person.months_away,
            }
            for m in application.members.select_related("person").order_by("id")
        ],
        "incomes": [
            {"source": i.source, "yearly": str(i.yearly), "person": i.person_id}
            for i in application.incomes.all()
        ],
        "deductions": [str(d.yearly) for d in application.deductions.all()],
        "per_person": str(rules.rounded(per_person_income(application), ("fen",))),
        "standard": str(standard.monthly),
        "standard_from": standard.valid_from.isoformat(),
        "amount": str(application.amount),
        "care_tier": application.care_tier,
    }

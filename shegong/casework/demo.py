"""Demo casework: cases of the demo social worker at every stage, written through the services
so every record is one a real worker could have made. Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from shegong.core.demo import register_demo
from shegong.core.models import User
from shegong.registry.models import Household

from . import services
from .instrument import DEFAULT_DOMAINS
from .models import Case, Stage

# (presenting problem, stage to reach, low scores)
STORIES: list[tuple[str, str, dict[str, int]]] = [
    ("丈夫因病去世,家中缺少劳动力,两个孩子上学开支大", Stage.INTAKE, {}),
    ("户主腰椎残疾,无法外出务工,家庭收入低", Stage.ASSESSMENT, {}),
    ("留守老人独居,子女外出务工,日常照料缺失", Stage.PLANNING, {"disability_care": 2}),
    ("因学致贫,长子读大学学费无着", Stage.INTERVENTION, {"income": 2, "education": 1}),
    ("家庭成员患慢性病,医疗支出大,情绪低落", Stage.INTERVENTION, {"health": 1, "psychology": 2}),
    ("缺少技术,务工收入不稳定", Stage.EVALUATION, {"employment": 1, "income": 2}),
    ("房屋年久失修,安全隐患大", Stage.CLOSED, {"housing": 1, "income": 3}),
]


def _scores(low: dict[str, int], better: int = 0) -> dict[str, Any]:
    return {
        d["code"]: {
            "score": min(5, low.get(d["code"], 4) + better),
            "evidence": "入户访谈、查看收入凭证" if low.get(d["code"], 4) <= 3 else "",
        }
        for d in DEFAULT_DOMAINS
    }


def _refresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def _advance(case: Case, worker: Any, target: str, low: dict[str, int]) -> None:
    today = timezone.localdate()
    order: list[str] = [Stage.ASSESSMENT, Stage.PLANNING, Stage.INTERVENTION, Stage.EVALUATION]
    last = Stage.EVALUATION if target == Stage.CLOSED else target
    for stage in order[: order.index(last) + 1]:
        case = _refresh(case)
        services.case_move(actor=worker, case=case, to=stage, version=case.version)
        if stage == Stage.ASSESSMENT:
            services.assessment_record(
                actor=worker,
                case=_refresh(case),
                scores=_scores(low or {"income": 2}),
                summary="家庭收入低于当年贫困线,主要劳动力不足",
            )
        elif stage == Stage.PLANNING:
            plan = services.plan_start(actor=worker, case=_refresh(case), summary="增收与照料并重")
            services.goal_add(
                actor=worker,
                plan=plan,
                need=next(iter(low), "income"),
                description="三个月内解决最迫切的困难",
                measures="链接资源、定期探访、技能培训",
                target_date=today + datetime.timedelta(days=90),
            )
            services.follow_up_add(
                actor=worker,
                case=_refresh(case),
                due_on=today + datetime.timedelta(days=3),
                purpose="了解计划落实情况",
            )
        elif stage == Stage.INTERVENTION:
            services.service_add(
                actor=worker,
                case=_refresh(case),
                service_type="resource_linking",
                served_on=today,
                duration_minutes=90,
                place="服务对象家中",
                people_present="户主、村妇联主席",
                content="讲解医疗救助和临时救助政策,协助准备申请材料",
                next_step="陪同到乡镇便民服务中心递交申请",
            )
    if target == Stage.CLOSED:
        _evaluate(case, worker, low, close=True)


def _evaluate(case: Case, worker: Any, low: dict[str, int], close: bool) -> None:
    case = _refresh(case)
    services.assessment_record(actor=worker, case=case, scores=_scores(low, better=1))
    plan = services.current_plan(case)
    goals = {g.pk: "met" for g in plan.goals.all()} if plan else {}
    services.evaluation_record(
        actor=worker,
        case=_refresh(case),
        summary="危房改造完成,家庭收入稳定",
        attainment=goals,
        left_poverty=True,
        income_before=Decimal("3100"),
        income_after=Decimal("4800"),
        employed_before=0,
        employed_after=1,
    )
    if close:
        case = _refresh(case)
        services.case_close(actor=worker, case=case, reason="goals_met", version=case.version)


@transaction.atomic
def load() -> int:
    worker = User.objects.filter(username="gushi_worker").first()
    if worker is None or Case.objects.filter(worker=worker).exists():
        return 0
    households = Household.objects.filter(region__code__startswith="411525").order_by("pk")[
        : len(STORIES)
    ]
    made = 0
    for household, (problem, target, low) in zip(households, STORIES, strict=False):
        case = services.case_open(
            actor=worker,
            household=household,
            presenting_problem=problem,
            source="registry",
            consent=True,
        )
        if target != Stage.INTAKE:
            _advance(case, worker, target, low)
        made += 1
    return made


register_demo("casework", order=40, load=lambda: {"cases": load()})

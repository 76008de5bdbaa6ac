"""What every Dibao service shares: who may act where, the locked row, the step log, the rule
version of a day."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.actors import Actor
from shegong.core.models import RuleSet
from shegong.core.rulesets import RuleValues
from shegong.core.scoping import can
from shegong.core.selectors import work_calendar
from shegong.core.services import check_version
from shegong.core.workdays import WorkCalendar

from .models import Application, ApplicationStep

STALE = _("该申请已被他人修改,请刷新页面后重新操作。您填写的内容尚未保存。")


def require(actor: Actor, perm: str, region_id: str, message: str) -> None:
    if not can(actor, perm, region_id):
        raise PermissionDenied(message)


def lock(application: Application, version: int | None) -> Application:
    """The application row locked for this transaction; refused if `version` is not current."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    check_version(locked, version, STALE)
    return locked


def save(application: Application) -> None:
    application.version += 1
    application.updated_at = timezone.now()
    application.save()


def not_future(on: datetime.date, field: str) -> None:
    if on > timezone.localdate():
        raise ValidationError({field: _("日期不能晚于今天。")})


def not_before(on: datetime.date, earlier: datetime.date | None, field: str, what: str) -> None:
    if earlier is not None and on < earlier:
        raise ValidationError(
            {field: _("日期不能早于%(what)s(%(date)s)。") % {"what": what, "date": earlier}}
        )


def rules_pk(values: RuleValues) -> int:
    """The stored version's id (values read from the database always have one)."""
    assert values.pk is not None
    return values.pk


def ruleset(values: RuleValues) -> RuleSet:
    return RuleSet.objects.get(pk=rules_pk(values))


def calendar() -> WorkCalendar:
    return work_calendar()


def step(
    application: Application,
    actor: Actor,
    name: str,
    on: datetime.date,
    rules: RuleValues,
    *,
    due: datetime.date | None = None,
    note: str = "",
) -> ApplicationStep:
    """One line of the application's procedure, with the version that governed it."""
    return ApplicationStep.objects.create(
        application=application,
        region_id=application.region_id,
        step=name,
        on=on,
        due=due,
        late=due is not None and on > due,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        rules_id=rules_pk(rules),
        note=note,
    )


def field_errors(problems: dict[str, Any]) -> None:
    if problems:
        raise ValidationError(problems)

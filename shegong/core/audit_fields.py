"""How the audit trail reads: the label of each change key and how its values show.

An event's `changes` are plain JSON written by a service (`{"reason": "goals_met",
"pending": false, "stage": ["intake", "assessment"]}`). People read them as
"结案原因:服务目标达成", "待督导审批:否", "阶段:接案 → 预估". Each app declares, per action code
or per target model, what its keys mean:

    audit.register_fields("casework.case_close", {
        "reason": (_("结案原因"), ClosureReason),   # choices: values shown by their labels
        "pending": (_("待督导审批"), BOOL),
        "persons": (_("人员"), LIST),                # a list of values, never [old, new]
        "note": _("说明"),                            # a label alone: the value as written
    })

A key not declared falls back to the target model's field of that name (its verbose_name,
choices, and whether it is a boolean, date or time), then to the key itself. A two-item list
is a change `[old, new]` (what `audit.diff` writes) unless the key is declared a LIST.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

BOOL, DATE, DATETIME, LIST = "bool", "date", "datetime", "list"


@dataclass(frozen=True)
class FieldShown:
    label: Any
    choices: Mapping[str, Any] | None = None
    kind: str = ""


@dataclass(frozen=True)
class ChangeLine:
    key: str
    label: Any
    value: str


# scope (an action code or a model label such as "casework.case") → key → how it shows
FIELDS: dict[str, dict[str, FieldShown]] = {}


def register_fields(scope: str, fields: Mapping[str, Any]) -> None:
    """Declare the labels (and choices or kinds) of the change keys of an action or model."""
    declared = FIELDS.setdefault(scope, {})
    for key, spec in fields.items():
        label, how = spec if isinstance(spec, tuple) else (spec, "")
        if isinstance(how, type) and issubclass(how, models.Choices):
            declared[key] = FieldShown(label, dict(how.choices))
        elif isinstance(how, Mapping):
            declared[key] = FieldShown(label, dict(how))
        else:
            declared[key] = FieldShown(label, kind=how)


def register_model_fields(scope: str, model: type[models.Model]) -> None:
    """Declare every named field of `model` under `scope`: for the fields of a related
    record written into another's events (a member's fields in the household's trail)."""
    for field in model._meta.get_fields():
        shown = _shown_field(field)
        if shown is not None:
            FIELDS.setdefault(scope, {}).setdefault(field.name, shown)


@lru_cache(maxsize=512)
def _model_field(target_type: str, key: str) -> FieldShown | None:
    if not target_type:
        return None
    try:
        field = apps.get_model(target_type)._meta.get_field(key)
    except (LookupError, ValueError, FieldDoesNotExist):
        return None
    return _shown_field(field)


def _shown_field(field: Any) -> FieldShown | None:
    label = getattr(field, "verbose_name", None)
    if not label or label == field.name.replace("_", " "):
        return None  # no Chinese name given: the key is as readable
    kind = ""
    if isinstance(field, models.BooleanField):
        kind = BOOL
    elif isinstance(field, models.DateTimeField):
        kind = DATETIME
    elif isinstance(field, models.DateField):
        kind = DATE
    choices = {str(k): v for k, v in field.flatchoices} if field.choices else None
    return FieldShown(label, choices, kind)


def field_shown(action: str, target_type: str, key: str) -> FieldShown | None:
    for scope in (action, target_type):
        if scope and (found := FIELDS.get(scope, {}).get(key)):
            return found
    return _model_field(target_type, key)


def change_lines(action: str, target_type: str, changes: Mapping[str, Any]) -> list[ChangeLine]:
    """The changes of one event as (label, value shown) lines, in the order written."""
    lines = []
    for key, value in changes.items():
        shown = field_shown(action, target_type, key)
        label = shown.label if shown else key
        lines.append(ChangeLine(key, label, _value(value, shown, (action, target_type))))
    return lines


Where = tuple[str, str]  # (action, target_type): where nested keys are looked up


def _value(value: Any, shown: FieldShown | None, where: Where) -> str:
    if isinstance(value, list) and len(value) == 2 and not (shown and shown.kind == LIST):
        return f"{_one(value[0], shown, where)} → {_one(value[1], shown, where)}"
    return _one(value, shown, where)


def _one(value: Any, shown: FieldShown | None, where: Where) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(_one(v, shown, where) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{line.label}:{line.value}" for line in change_lines(*where, value))
    if shown and shown.choices and str(value) in shown.choices:
        return str(shown.choices[str(value)])
    if shown and shown.kind in (DATE, DATETIME) and isinstance(value, str):
        return _when(value, shown.kind)
    return str(value)


def _when(value: str, kind: str) -> str:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    if kind == DATE or len(value) == 10:
        return moment.date().isoformat()
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M")


def action_choices() -> list[tuple[Any, Any]]:
    """The registered actions for a filter's select, grouped by module: each app's group
    opens with "all of it" (the code prefix, which the audit selector matches)."""
    from .audit import ACTION_LABELS

    groups: dict[str, list[tuple[str, str]]] = {}
    for code, label in ACTION_LABELS.items():
        groups.setdefault(code.split(".", 1)[0], []).append((code, str(label)))
    out: list[tuple[Any, Any]] = [("", _("全部操作"))]
    modules = [(p, apps.get_app_config(p).verbose_name) for p in groups if p in _app_labels()]
    for prefix, name in sorted(modules, key=lambda m: str(m[1])):
        codes = sorted(groups.pop(prefix), key=lambda c: c[1])
        out.append((str(name), [(f"{prefix}.", _("%(module)s 全部") % {"module": name}), *codes]))
    rest = sorted((c for codes in groups.values() for c in codes), key=lambda c: c[1])
    out.append((_("账号与基础设置"), rest))
    return out


def _app_labels() -> set[str]:
    return {config.label for config in apps.get_app_configs()}

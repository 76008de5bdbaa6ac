"""The rules between fields of one household or one person, in one place: the importer's row
check, the services (and through them the pages and the API) all ask these functions, so a
value one path refuses, every path refuses, with the same words.

Pure functions over plain values; each answers {field: [messages]} (empty when all is well),
which a service raises as a ValidationError shown next to those fields and the importer lists
for the row. Single-field rules (formats, negative money) live in `shegong.core.validators`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .codes import Cause, Health, WorkStatus

# Rule table, versioned: the number of secondary causes comes from the 建档立卡 form of 2016.
CAUSE_RULES: dict[str, Any] = {"version": "建档立卡 2016", "max_secondary": 2}
# Disability grades 1–4 (GB/T 26341-2010); months worked in a year.
PERSON_RULES: dict[str, Any] = {
    "version": "建档立卡 2016",
    "disability_grades": (1, 2, 3, 4),
    "max_months_away": 12,
}

Problems = dict[str, list[str]]

_CAUSES = frozenset(Cause.values)


def _add(problems: Problems, field: str, message: str) -> None:
    problems.setdefault(field, []).append(message)


def cause_problems(main: Any, secondary: Any) -> Problems:
    """Why a household's causes of poverty cannot stand: one main cause, and with it at most two
    secondary causes, each a known code, none repeated and none equal to the main cause.
    `main` is a code or "" (none); `secondary` a list of codes (None or "" for none).
    Anything else a client can send (numbers, objects) is refused, never an error."""
    problems: Problems = {}
    main = main or ""
    if not isinstance(main, str):
        _add(problems, "main_cause", _("主要致贫原因格式不正确。"))
        main = ""
    elif main and main not in _CAUSES:
        _add(problems, "main_cause", _("未知的致贫原因“%(code)s”。") % {"code": main[:20]})
    if secondary in (None, ""):
        secondary = []
    if not isinstance(secondary, list | tuple) or not all(isinstance(c, str) for c in secondary):
        _add(problems, "secondary_causes", _("其他致贫原因应为致贫原因代码的列表。"))
        return problems
    most = CAUSE_RULES["max_secondary"]
    if len(secondary) > most:
        _add(
            problems,
            "secondary_causes",
            _("其他致贫原因最多 %(most)d 项,当前为 %(count)d 项。")
            % {"most": most, "count": len(secondary)},
        )
    unknown = [c for c in secondary if c not in _CAUSES]
    if unknown:
        _add(
            problems,
            "secondary_causes",
            _("未知的致贫原因“%(code)s”。") % {"code": "、".join(c[:20] for c in unknown[:3])},
        )
    if secondary and not main:
        _add(problems, "main_cause", _("填写了其他致贫原因,请同时填写主要致贫原因。"))
    if main and main in secondary:
        _add(problems, "secondary_causes", _("其他致贫原因不能与主要致贫原因相同。"))
    if len(set(secondary)) != len(secondary):
        _add(problems, "secondary_causes", _("其他致贫原因不能重复填写。"))
    return problems


def person_problems(
    *,
    health: Any = "",
    disability_grade: Any = None,
    work_status: Any = "",
    months_away: Any = None,
) -> Problems:
    """Why a person's health, disability grade, work status and months worked away cannot stand
    together. A disability grade (1–4) belongs only to a person whose health is 残疾 (it may be
    left blank there: the grade is often assessed later, and the import file has no column for
    it); months worked are 0–12 in a year, and more than 0 only for someone who works (a work
    status other than 无). None or "" means "not given" and checks nothing."""
    problems: Problems = {}
    grades = PERSON_RULES["disability_grades"]
    most = PERSON_RULES["max_months_away"]
    if disability_grade not in (None, ""):
        if isinstance(disability_grade, bool) or disability_grade not in grades:
            _add(
                problems,
                "disability_grade",
                _("残疾等级应为 %(low)d 至 %(high)d 级。") % {"low": grades[0], "high": grades[-1]},
            )
        elif health != Health.DISABLED:
            _add(problems, "disability_grade", _("健康状况为“残疾”时才能填写残疾等级。"))
    if months_away not in (None, ""):
        if isinstance(months_away, bool) or not isinstance(months_away, int):
            _add(problems, "months_away", _("务工时间应为 0 至 %(most)d 的整数。") % {"most": most})
        elif not 0 <= months_away <= most:
            _add(
                problems,
                "months_away",
                _("务工时间应为 0 至 %(most)d 个月,不能为 %(value)d。")
                % {"most": most, "value": months_away},
            )
        elif months_away > 0 and work_status == WorkStatus.NONE:
            _add(problems, "months_away", _("务工状况为“无”时,务工时间只能为 0 或不填。"))
    return problems


def messages(problems: Problems) -> list[str]:
    """Every message of a problems dict, in order (for the import's row report)."""
    return [m for field_messages in problems.values() for m in field_messages]

"""The registry's rule sets (see `core.rulesets`): exits, left-behind groups, duplicate scores.

The shipped versions are seeded by migration `core/0007`; their values are the figures of
DOMAIN.md and the policy texts, and a province administrator enters later versions.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.rulesets import Field, RuleKind, register

from .codes import WorkStatus

POVERTY_EXIT = "poverty_exit"
LEFT_BEHIND = "left_behind"
DUPLICATES = "duplicates"

register(
    RuleKind(
        code=POVERTY_EXIT,
        label=gettext_lazy("脱贫标准"),
        used_by=gettext_lazy("标记脱贫:按录入当天生效的版本,取脱贫年度的贫困线"),
        fields=(
            Field(
                "poverty_lines",
                gettext_lazy("各年度贫困线(元/人·年)"),
                "year_amounts",
                low=Decimal("1000"),
                high=Decimal("100000"),
                help=gettext_lazy(
                    "每行一个年度,例如 2019: 3218。没有录入的年度不能办理脱贫,不会借用往年的线。"
                ),
            ),
            Field("notice_days", gettext_lazy("公示天数不少于"), "int", low=1, high=60),
        ),
    )
)


register(
    RuleKind(
        code=LEFT_BEHIND,
        label=gettext_lazy("三留守认定"),
        used_by=gettext_lazy("刷新留守儿童、妇女、老人的建议标识"),
        fields=(
            Field(
                "away_statuses",
                gettext_lazy("算作外出的务工状况"),
                "codes",
                choices=tuple(WorkStatus.values),
                help=format_lazy(
                    "{}{}", gettext_lazy("代码,用逗号分隔:"), ", ".join(WorkStatus.values)
                ),
            ),
            Field("away_months", gettext_lazy("外出务工至少(月)"), "int", low=1, high=12),
            Field("child_under", gettext_lazy("儿童:未满(周岁)"), "int", low=1, high=18),
            Field("elderly_from", gettext_lazy("老人:年满(周岁)"), "int", low=50, high=80),
        ),
    )
)


def _duplicates_check(values: Mapping[str, Any]) -> dict[str, str]:
    if values["pinyin_score_min"] > values["pinyin_score_max"]:
        return {"pinyin_score_min": _("读音相近的最低分不能高于最高分。")}
    return {}


def _score(name: str, label: Any) -> Field:
    return Field(name, label, "int", low=0, high=100)


register(
    RuleKind(
        code=DUPLICATES,
        label=gettext_lazy("查重评分"),
        used_by=gettext_lazy("查找疑似重复人员:每次查找按当天生效的版本打分"),
        check=_duplicates_check,
        fields=(
            _score("same_name_score", gettext_lazy("同名同生日、同县")),
            _score("same_name_other_county_score", gettext_lazy("同名同生日、不同县")),
            Field(
                "pinyin_threshold",
                gettext_lazy("读音相似度门槛(0-100)"),
                "int",
                low=50,
                high=100,
            ),
            _score("pinyin_score_min", gettext_lazy("读音相近:门槛处得分")),
            _score("pinyin_score_max", gettext_lazy("读音相同、字不同得分")),
            _score("sex_differs_penalty", gettext_lazy("性别不同扣分")),
            Field("fuzzy_initials", gettext_lazy("模糊声母"), "text_map"),
            Field("fuzzy_finals", gettext_lazy("模糊韵母"), "text_map"),
        ),
    )
)

"""Forms of the standards, county policy and award pages: they parse input; every rule (the
1.3 × minimum, the bands, what a review may change) stays in the services."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.forms import FilterForm, RegionFilterField
from shegong.core.params import BoundedDateField
from shegong.core.roles import Perm

from .models import AmountMethod, Area, AwardStatus, Programme, ReviewOutcome

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *list(choices)]


def _money(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=12,
        decimal_places=2,
        localize=False,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class VersionedForm(forms.Form):
    # A hidden field still needs a Chinese label: a stray error names it.
    version = forms.IntegerField(
        label=gettext_lazy("版本"), widget=forms.HiddenInput, required=False
    )


# --- standards ---------------------------------------------------------------------------------


class StandardFilterForm(FilterForm):
    region = RegionFilterField(label=gettext_lazy("县(市、区)"), perm=Perm.VIEW_DIBAO)


class CountyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        parent = obj.parent.name if obj.parent_id and obj.parent else ""
        return f"{parent}{obj.name}"


class StandardForm(forms.Form):
    region = CountyChoiceField(
        label=gettext_lazy("县(市、区)"),
        queryset=None,
        empty_label="—",
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择您所辖的县(市、区)。")},
    )
    area = forms.ChoiceField(label=gettext_lazy("城乡"), choices=Area.choices)
    valid_from = BoundedDateField(label=gettext_lazy("执行日期"), widget=DATE)
    monthly = _money(
        gettext_lazy("低保标准(元/人·月)"),
        required=False,
        help_text=gettext_lazy("填写月标准或年标准之一即可,另一项按 12 个月换算"),
    )
    yearly = _money(gettext_lazy("低保标准(元/人·年)"), required=False)
    hardship_basic = _money(gettext_lazy("特困人员基本生活标准(元/人·月)"))
    care_self = _money(gettext_lazy("照料护理标准:生活自理(元/人·月)"))
    care_partial = _money(gettext_lazy("照料护理标准:部分失能(元/人·月)"))
    care_full = _money(gettext_lazy("照料护理标准:完全失能(元/人·月)"))
    note = forms.CharField(
        label=gettext_lazy("依据"),
        max_length=200,
        help_text=gettext_lazy("文件名称或文号,例如 豫民〔2016〕5号"),
    )

    def __init__(self, *args: Any, counties: Any, basic_factor: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        region: Any = self.fields["region"]
        region.queryset = counties
        if basic_factor is not None:
            self.fields["hardship_basic"].help_text = _("不得低于低保月标准的 %(factor)s 倍") % {
                "factor": basic_factor
            }


# --- county policy -----------------------------------------------------------------------------

_BAND_LINE = re.compile(
    r"^(?:收入低于)?\s*(?P<below>[0-9]+(?:\.[0-9]+)?)\s*元?\s*[:,=\s]\s*(?:每人)?\s*"
    r"(?P<amount>[0-9]+(?:\.[0-9]+)?)\s*元?$"
)


def bands_text(bands: list[dict[str, Any]]) -> str:
    """A county's bands as the form shows them: one "收入低于: 每人金额" line each."""
    return "\n".join(f"{b['below']}: {b['amount']}" for b in bands or [])


class PolicyForm(VersionedForm):
    amount_method = forms.ChoiceField(
        label=gettext_lazy("保障金计算方式"),
        choices=AmountMethod.choices,
    )
    bands = forms.CharField(
        label=gettext_lazy("分档标准"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "按分档计算时填写,每行一档:月人均收入低于(元): 每人每月金额(元),例如 100: 300"
        ),
    )
    review_every_case = forms.BooleanField(
        label=gettext_lazy("每个申请都进行民主评议"), required=False
    )
    abc_schedule = forms.BooleanField(
        label=gettext_lazy("按 A/B/C 分类确定复核周期"), required=False
    )
    asset_limit_per_person = _money(
        gettext_lazy("家庭财产限额(元/人)"),
        required=False,
        help_text=gettext_lazy("不填:财产是否超标由调查人员判断"),
    )

    def clean_bands(self) -> list[dict[str, str]]:
        """Each line "below: amount"; a line that cannot be read is named with its number."""
        rows: list[dict[str, str]] = []
        problems: list[str] = []
        text = self.cleaned_data.get("bands") or ""
        for n, raw in enumerate(text.splitlines(), start=1):
            line = unicodedata.normalize("NFKC", raw).strip()
            if not line:
                continue
            match = _BAND_LINE.match(line)
            if match is None:
                problems.append(
                    _("第 %(n)d 行“%(line)s”无法识别,请写成 收入低于: 每人金额,例如 100: 300。")
                    % {"n": n, "line": raw.strip()[:40]}
                )
                continue
            try:
                below, amount = Decimal(match["below"]), Decimal(match["amount"])
            except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
                problems.append(_("第 %(n)d 行的金额无法识别。") % {"n": n})
                continue
            if below >= Decimal("1e8") or amount >= Decimal("1e8"):
                problems.append(_("第 %(n)d 行的金额须小于 1 亿元。") % {"n": n})
                continue
            if below != below.quantize(Decimal("0.01")) or amount != amount.quantize(
                Decimal("0.01")
            ):
                problems.append(_("第 %(n)d 行的金额最多两位小数。") % {"n": n})
                continue
            rows.append({"below": str(below), "amount": str(amount)})
        if problems:
            raise forms.ValidationError(problems)
        return rows

    def clean(self):
        data = super().clean()
        if (
            data.get("amount_method") == AmountMethod.BANDS
            and "bands" in data
            and not data["bands"]
        ):
            self.add_error("bands", _("按分档计算时至少填写一档。"))
        return data


# --- awards ------------------------------------------------------------------------------------


class AwardFilterForm(FilterForm):
    status = forms.ChoiceField(
        label=gettext_lazy("状态"), required=False, choices=_blank(AwardStatus.choices)
    )
    programme = forms.ChoiceField(
        label=gettext_lazy("救助类别"), required=False, choices=_blank(Programme.choices)
    )
    region = RegionFilterField(perm=Perm.VIEW_DIBAO)
    review_due = forms.BooleanField(label=gettext_lazy("只看已到复核日期"), required=False)


class ReviewForm(VersionedForm):
    reviewed_on = BoundedDateField(label=gettext_lazy("复核日期"), widget=DATE)
    outcome = forms.ChoiceField(
        label=gettext_lazy("复核结果"), choices=_blank(ReviewOutcome.choices)
    )
    reason = forms.CharField(
        label=gettext_lazy("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    amount_after = _money(
        gettext_lazy("新的保障金额(元/月)"),
        required=False,
        help_text=gettext_lazy("仅“调整保障金额”时填写,自下月起执行"),
    )
    gradual_exit = forms.BooleanField(
        label=gettext_lazy("因就业收入超过标准,给予渐退期"),
        required=False,
        help_text=gettext_lazy("仅“停止保障”时可选"),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("initial", {}).setdefault("reviewed_on", timezone.localdate())
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome and data.get("gradual_exit") and outcome != ReviewOutcome.TERMINATE:
            self.add_error("gradual_exit", _("渐退期只在停止保障时适用。"))
        if outcome and data.get("amount_after") is not None and outcome != ReviewOutcome.ADJUST:
            self.add_error("amount_after", _("只有“调整保障金额”时才填写新金额。"))
        return data


class JobOfferForm(VersionedForm):
    person = forms.TypedChoiceField(
        label=gettext_lazy("家庭成员"),
        coerce=int,
        error_messages={"invalid_choice": gettext_lazy("请从计入保障的家庭成员中选择。")},
    )
    offered_on = BoundedDateField(label=gettext_lazy("推荐日期"), widget=DATE)
    job = forms.CharField(label=gettext_lazy("推荐岗位"), max_length=200)
    refused = forms.BooleanField(label=gettext_lazy("无正当理由拒绝"), required=False)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any):
        kwargs.setdefault("initial", {}).setdefault("offered_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        person: Any = self.fields["person"]
        person.choices = _blank(members)

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shegong.core.forms import FilterForm, RegionFilterField
from shegong.core.params import BoundedDateField, BoundedModelMultipleChoiceField
from shegong.core.roles import Perm
from shegong.core.validators import HouseholdNumber, PlainText

from .codes import (
    Education,
    Health,
    HouseholdType,
    InSchool,
    Labour,
    LeftBehind,
    PovertyStatus,
    Relation,
    WorkStatus,
)
from .rules import ExitChecks

NONE = None  # each form is given its household's members
DATE = forms.DateInput(attrs={"type": "date"})
NON_HEAD = [(v, label) for v, label in Relation.choices if v != Relation.HEAD]


def _blank(choices):
    return [("", "—")] + list(choices)


class HouseholdFilterForm(FilterForm):
    q = forms.CharField(label=_("姓名/拼音首字母/证件号码/户编号"), required=False, max_length=40)
    region = RegionFilterField(perm=Perm.VIEW_REGISTRY)
    household_type = forms.ChoiceField(
        label=_("贫困户属性"), required=False, choices=_blank(HouseholdType.choices)
    )
    poverty_status = forms.ChoiceField(
        label=_("脱贫状态"), required=False, choices=_blank(PovertyStatus.choices)
    )


class PersonFilterForm(FilterForm):
    q = forms.CharField(label=_("姓名/拼音首字母/证件号码/户编号"), required=False, max_length=40)
    region = RegionFilterField(perm=Perm.VIEW_REGISTRY)
    left_behind = forms.ChoiceField(
        label=_("三留守"), required=False, choices=_blank([c for c in LeftBehind.choices if c[0]])
    )
    is_dibao = forms.BooleanField(label=_("仅低保对象"), required=False)


class HouseholdApiFilterForm(HouseholdFilterForm):
    """The API's filters: `region` stays a 12-digit code, as API clients send it."""

    region = forms.CharField(required=False, max_length=12)  # type: ignore[assignment]


class PersonApiFilterForm(PersonFilterForm):
    region = forms.CharField(required=False, max_length=12)  # type: ignore[assignment]


class _ReasonForm(forms.Form):
    reason = forms.CharField(label=_("变更原因"), max_length=200)


class PersonAddForm(_ReasonForm):
    name = forms.CharField(label=_("姓名"), max_length=50, validators=[PlainText("姓名")])
    id_number = forms.CharField(label=_("证件号码"), max_length=30)
    relation = forms.ChoiceField(label=_("与户主关系"), choices=NON_HEAD)
    ethnicity = forms.CharField(label=_("民族"), max_length=20, required=False, initial="汉族")
    education = forms.ChoiceField(
        label=_("文化程度"), choices=_blank(Education.choices), required=False
    )
    in_school = forms.ChoiceField(
        label=_("在校情况"), choices=_blank(InSchool.choices), required=False
    )
    health = forms.ChoiceField(label=_("健康状况"), choices=_blank(Health.choices), required=False)
    # Ranges and how these fit together are record_rules.person_problems' (through the service).
    disability_grade = forms.IntegerField(
        label=_("残疾等级"), required=False, widget=forms.NumberInput(attrs={"min": 1, "max": 4})
    )
    labour = forms.ChoiceField(label=_("劳动能力"), choices=_blank(Labour.choices), required=False)
    work_status = forms.ChoiceField(
        label=_("务工状况"), choices=_blank(WorkStatus.choices), required=False
    )
    months_away = forms.IntegerField(
        label=_("务工时间(月)"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 12}),
    )
    field_order = [
        "name",
        "id_number",
        "relation",
        "ethnicity",
        "education",
        "in_school",
        "health",
        "disability_grade",
        "labour",
        "work_status",
        "months_away",
        "reason",
    ]


class _MemberChoiceForm(_ReasonForm):
    def __init__(self, *args: Any, members: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):  # includes the multiple choice
                chooser: Any = field
                chooser.queryset = members
                chooser.label_from_instance = lambda p: f"{p.name}({p.get_relation_display()})"


class PersonRemoveForm(_MemberChoiceForm):
    person: Any = forms.ModelChoiceField(label=_("减少的成员"), queryset=NONE)
    field_order = ["person", "reason"]


class PersonMoveForm(_MemberChoiceForm):
    person: Any = forms.ModelChoiceField(label=_("迁出的成员"), queryset=NONE)
    to_household = forms.CharField(label=_("迁入户编号"), max_length=32)
    relation = forms.ChoiceField(label=_("在新户中与户主关系"), choices=NON_HEAD)
    field_order = ["person", "to_household", "relation", "reason"]


class HeadChangeForm(_MemberChoiceForm):
    new_head: Any = forms.ModelChoiceField(label=_("新户主"), queryset=NONE)
    old_head_relation = forms.ChoiceField(label=_("原户主改为"), choices=NON_HEAD)
    version = forms.IntegerField(widget=forms.HiddenInput)
    field_order = ["new_head", "old_head_relation", "reason"]


class SplitForm(_MemberChoiceForm):
    members: Any = BoundedModelMultipleChoiceField(
        label=_("分出的成员"), queryset=NONE, widget=forms.CheckboxSelectMultiple
    )
    new_head: Any = forms.ModelChoiceField(label=_("新户户主"), queryset=NONE)
    new_number = forms.CharField(label=_("新户编号"), max_length=32, validators=[HouseholdNumber()])
    field_order = ["members", "new_head", "new_number", "reason"]


class LeftBehindForm(forms.Form):
    group = forms.ChoiceField(label=_("三留守类别"), choices=LeftBehind.choices, required=False)


class RelapseForm(_ReasonForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ExitForm(forms.Form):
    year = forms.IntegerField(label=_("脱贫年度"), min_value=2014, max_value=2100)
    net_income_per_person = forms.DecimalField(
        label=_("家庭年人均纯收入(元)"), min_value=0, max_digits=12, decimal_places=2
    )
    food_clothing_secure = forms.BooleanField(label=_("不愁吃、不愁穿"), required=False)
    schooling_assured = forms.BooleanField(label=_("义务教育有保障"), required=False)
    medical_assured = forms.BooleanField(label=_("基本医疗有保障"), required=False)
    housing_assured = forms.BooleanField(label=_("住房安全有保障"), required=False)
    village_review_date = BoundedDateField(label=_("村民主评议日期"), widget=DATE)
    verification_date = BoundedDateField(label=_("乡镇核实日期"), widget=DATE)
    household_agreed = forms.BooleanField(label=_("贫困户认可"), required=False)
    notice_start = BoundedDateField(label=_("公示开始"), widget=DATE)
    notice_end = BoundedDateField(label=_("公示结束"), widget=DATE)
    objections = forms.CharField(
        label=_("公示异议(无则不填)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    announced_date = BoundedDateField(label=_("公告日期"), widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def checks(self) -> ExitChecks:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("year", "version")}
        return ExitChecks(**data)

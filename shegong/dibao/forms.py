"""Forms of the Dibao application pages: they parse input; every rule stays in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.forms import FilterForm, RegionFilterField
from shegong.core.params import BoundedDateField, BoundedIdField
from shegong.core.roles import Perm

from .models import (
    AppliedBy,
    Area,
    AssetKind,
    Channel,
    Exclusion,
    IncomeSource,
    Opinion,
    Programme,
    Stage,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *list(choices)]


def _text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _date(label: Any, **kwargs: Any) -> BoundedDateField:
    return BoundedDateField(label=label, widget=DATE, **kwargs)


def _money(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, min_value=0, max_digits=12, decimal_places=2, localize=False
    )


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=10000)


class ApplicationFilterForm(FilterForm):
    stage = forms.ChoiceField(label=_("办理环节"), required=False, choices=_blank(Stage.choices))
    programme = forms.ChoiceField(
        label=_("救助类别"), required=False, choices=_blank(Programme.choices)
    )
    region = RegionFilterField(perm=Perm.VIEW_DIBAO)
    overdue = forms.BooleanField(label=_("只看已逾期"), required=False)


class HouseholdFindForm(forms.Form):
    household = forms.CharField(
        label=_("户编号"), max_length=40, help_text=_("本乡镇(街道)建档立卡户的户编号")
    )


class ApplicationNewForm(forms.Form):
    applicant: Any = forms.ModelChoiceField(label=_("申请人"), queryset=None, empty_label="—")
    programme = forms.ChoiceField(label=_("救助类别"), choices=Programme.choices)
    area = forms.ChoiceField(label=_("城乡"), choices=Area.choices, initial=Area.RURAL)
    channel = forms.ChoiceField(label=_("申请方式"), choices=Channel.choices)
    applied_by = forms.ChoiceField(label=_("申请人类型"), choices=AppliedBy.choices)
    authorisation = forms.CharField(
        label=_("委托书或代为申请说明"),
        required=False,
        max_length=200,
        help_text=_("村(居)委会或他人代为申请时必填"),
    )
    consent_data_matching = forms.BooleanField(
        label=_("已签署家庭经济状况核对授权书"), required=False
    )
    materials_missing = forms.CharField(
        label=_("需补齐的材料(每行一项)"),
        required=False,
        max_length=2000,
        widget=_text(3),
        help_text=_("一次性告知需要补齐的全部材料;材料不全也先受理登记"),
    )
    separately_registered = forms.BooleanField(
        label=_("单独登记备案(申请人是经办人员或村干部的近亲属)"), required=False
    )
    relation_to_staff = forms.CharField(
        label=_("与经办人员或村干部的关系"), required=False, max_length=200
    )
    applies_alone = forms.BooleanField(label=_("单独提出申请"), required=False)
    alone_reason = forms.CharField(label=_("单独申请的理由"), required=False, max_length=200)
    reasons = forms.CharField(label=_("申请理由"), max_length=2000, widget=_text(3))
    accepted_on = _date(_("受理日期"))

    def __init__(self, *args: Any, members: Any, **kwargs: Any):
        kwargs.setdefault("initial", {}).setdefault("accepted_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        applicant: Any = self.fields["applicant"]
        applicant.queryset = members
        applicant.label_from_instance = lambda p: f"{p.name}({p.get_relation_display()})"


# --- the actions of the application page ------------------------------------------------------


class VersionedForm(forms.Form):
    # Hidden fields still need a Chinese label: a stray error names it.
    version = forms.IntegerField(label=_("版本"), widget=forms.HiddenInput, required=False)


class OnForm(VersionedForm):
    on = _date(_("日期"))

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)


class InvestigationStartForm(OnForm):
    """The registry household's members, each counted or excluded with the reason."""

    def __init__(self, *args: Any, persons: Any = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.persons = list(persons)
        for p in self.persons:
            self.fields[f"exclusion_{p.pk}"] = forms.ChoiceField(
                label=_("%(name)s:是否计入") % {"name": p.name},
                choices=Exclusion.choices,
                required=False,
            )
            self.fields[f"note_{p.pk}"] = forms.CharField(
                label=_("%(name)s:说明") % {"name": p.name}, required=False, max_length=200
            )

    def exclusions(self) -> dict[int, tuple[str, str]]:
        d = self.cleaned_data
        return {
            p.pk: (d.get(f"exclusion_{p.pk}") or "", d.get(f"note_{p.pk}") or "")
            for p in self.persons
        }


class _MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.person.name


class MemberSetForm(VersionedForm):
    member: Any = _MemberChoice(label=_("家庭成员"), queryset=None, empty_label="—")
    exclusion = forms.ChoiceField(label=_("是否计入"), choices=Exclusion.choices, required=False)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    def __init__(self, *args: Any, members: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]


class VisitForm(VersionedForm):
    visited_on = _date(_("入户日期"))
    investigators = forms.CharField(label=_("调查人员(姓名,用逗号或顿号分隔)"), max_length=200)
    members_present = forms.CharField(label=_("在场家庭成员"), max_length=200)
    findings = forms.CharField(label=_("入户情况"), max_length=4000, widget=_text(3))
    signed = forms.BooleanField(label=_("调查人员和在场成员已签字"), required=False)
    remote = forms.BooleanField(label=_("电话或视频入户(仅限紧急状态)"), required=False)
    emergency = forms.CharField(label=_("紧急状态说明"), required=False, max_length=200)

    def __init__(self, *args: Any, county: bool = False, **kwargs: Any):
        kwargs.setdefault("initial", {}).setdefault("visited_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        if county:
            del self.fields["remote"], self.fields["emergency"]


class InterviewForm(VersionedForm):
    on = _date(_("访问日期"))
    who = forms.CharField(label=_("访问对象(姓名、关系)"), max_length=100)
    said = forms.CharField(label=_("了解到的情况"), max_length=4000, widget=_text(3))

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)


class EvidenceForm(VersionedForm):
    description = forms.CharField(label=_("材料名称"), max_length=200)
    file = forms.FileField(label=_("附件(可不上传)"), required=False)


class _PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class IncomeForm(VersionedForm):
    source = forms.ChoiceField(label=_("收入类别"), choices=_blank(IncomeSource.choices))
    yearly = _money(_("年收入(元)"))
    person: Any = _PersonChoice(
        label=_("收入成员(可不选)"), queryset=None, required=False, empty_label=_("全家")
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=200)

    def __init__(self, *args: Any, persons: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons  # type: ignore[attr-defined]


class AssetForm(VersionedForm):
    kind = forms.ChoiceField(label=_("财产类别"), choices=_blank(AssetKind.choices))
    value = _money(_("价值(元)"))
    exempt = forms.BooleanField(label=_("按规定不计入(如唯一住房、生产用车)"), required=False)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class DeductionForm(VersionedForm):
    description = forms.CharField(label=_("刚性支出"), max_length=200)
    yearly = _money(_("年支出(元)"))


class ItemRemoveForm(VersionedForm):
    kind = forms.ChoiceField(
        label=_("类别"),
        choices=[(k, k) for k in ("income", "asset", "deduction", "interview")],
        widget=forms.HiddenInput,
    )
    item = BoundedIdField(label=_("记录"), widget=forms.HiddenInput)


class MatchingResultForm(OnForm):
    findings = forms.CharField(label=_("核对结果"), max_length=4000, widget=_text(3))
    assets_flagged = forms.BooleanField(label=_("发现财产超标线索"), required=False)


class OpinionForm(OnForm):
    opinion = forms.ChoiceField(label=_("初审意见"), choices=_blank(Opinion.choices))
    reasons = forms.CharField(label=_("初审理由"), max_length=4000, widget=_text(3))
    notice_from = _date(_("公示开始"))
    notice_to = _date(_("公示结束"), help_text=_("在村(居)公示不少于 7 天"))


class NoteOnForm(OnForm):
    note = forms.CharField(label=_("异议内容"), max_length=4000, widget=_text(3))


class ReviewForm(VersionedForm):
    held_on = _date(_("评议日期"))
    members = _count(_("评议小组成员数"))
    present = _count(_("到会人数"))
    in_favour = _count(_("同意票"))
    against = _count(_("不同意票"))
    record = forms.CharField(label=_("评议记录"), max_length=4000, widget=_text(3))

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("initial", {}).setdefault("held_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class DecideForm(OnForm):
    decision = forms.ChoiceField(
        label=_("审核确认结果"),
        choices=[("", "—"), ("approve", _("批准")), ("refuse", _("不予批准"))],
    )
    refusal_reasons = forms.CharField(
        label=_("不予批准的理由"), required=False, max_length=4000, widget=_text(3)
    )
    irregular_income = forms.BooleanField(
        label=_("收入不固定且有劳动能力成员(每半年复核)"), required=False
    )


class ReasonOnForm(OnForm):
    reason = forms.CharField(label=_("撤回原因"), max_length=2000, widget=_text(2))


class ReasonForm(VersionedForm):
    reason = forms.CharField(label=_("延长办理期限的理由"), max_length=200)


class ComplaintForm(VersionedForm):
    note = forms.CharField(label=_("投诉举报内容"), max_length=4000, widget=_text(3))


CARE_ITEMS = (
    ("eating", _("自主吃饭")),
    ("dressing", _("自主穿衣")),
    ("transfer", _("自主上下床")),
    ("toileting", _("自主如厕")),
    ("walking", _("室内行走")),
    ("bathing", _("自主洗澡")),
)


class CareCheckForm(VersionedForm):
    person: Any = _PersonChoice(label=_("评估对象"), queryset=None, empty_label="—")
    checked_on = _date(_("评估日期"))

    def __init__(self, *args: Any, persons: Any, **kwargs: Any):
        kwargs.setdefault("initial", {}).setdefault("checked_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons  # type: ignore[attr-defined]
        for code, label in CARE_ITEMS:
            self.fields[code] = forms.BooleanField(label=label, required=False)

    def items(self) -> dict[str, bool]:
        return {code: bool(self.cleaned_data.get(code)) for code, _label in CARE_ITEMS}


class HardshipFactsForm(VersionedForm):
    """What the special-hardship conditions need beyond the registry."""

    supporters = forms.CharField(
        label=_("法定赡养、抚养、扶养义务人及其履行能力"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("没有义务人也请写明,例如“无子女,配偶已故”"),
    )
    supporter_able = forms.BooleanField(label=_("有义务人且其有履行能力"), required=False)
    disability_kind = forms.ChoiceField(
        label=_("残疾类别"),
        required=False,
        choices=[
            ("", _("无残疾")),
            ("physical", _("肢体残疾")),
            ("visual", _("视力残疾")),
            ("hearing", _("听力残疾")),
            ("speech", _("言语残疾")),
            ("intellectual", _("智力残疾")),
            ("mental", _("精神残疾")),
        ],
    )
    support_mode = forms.ChoiceField(
        label=_("供养方式"),
        choices=[("home", _("分散供养")), ("institution", _("集中供养"))],
    )


class _AssessmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.case.number} {obj.get_kind_display()} {obj.assessed_on:%Y-%m-%d}"


class AssessmentAttachForm(VersionedForm):
    assessment: Any = _AssessmentChoice(label=_("需求与能力评估"), queryset=None, empty_label="—")
    note = forms.CharField(label=_("社工评估意见"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, assessments: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = assessments  # type: ignore[attr-defined]

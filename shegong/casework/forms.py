"""Forms of the casework pages: they parse input; every rule stays in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.forms import FilterForm, RegionFilterField
from shegong.core.params import BoundedDateField, BoundedIdField
from shegong.core.roles import Perm

from .models import (
    AssigneeKind,
    Attainment,
    CaseSource,
    ClosureReason,
    Priority,
    ReferralStatus,
    ServiceType,
    Stage,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NONE_USERS: Any = None  # querysets are given per form instance


def _blank(choices):
    return [("", "—")] + list(choices)


def _text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class VersionedForm(forms.Form):
    # Hidden fields still need a Chinese label: a stray error on the case page names it.
    version = forms.IntegerField(label=_("版本"), widget=forms.HiddenInput, required=False)


class _Users(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name


class CaseFilterForm(FilterForm):
    q = forms.CharField(label=_("户编号/成员姓名"), required=False, max_length=40)
    stage = forms.ChoiceField(label=_("阶段"), required=False, choices=_blank(Stage.choices))
    region = RegionFilterField(perm=Perm.VIEW_CASES)
    mine = forms.BooleanField(label=_("只看我负责的"), required=False)


class CaseOpenForm(forms.Form):
    person: Any = forms.ModelChoiceField(
        label=_("服务对象(个人,可不选)"), queryset=None, required=False, empty_label="—"
    )
    source = forms.ChoiceField(label=_("案主来源"), choices=CaseSource.choices)
    priority = forms.ChoiceField(label=_("紧急程度"), choices=Priority.choices)
    presenting_problem = forms.CharField(label=_("求助问题"), widget=_text(4), max_length=2000)
    consent = forms.BooleanField(label=_("服务对象已知情同意"), required=False)
    worker = _Users(label=_("负责社工"), queryset=None, required=False, empty_label="—")

    def __init__(self, *args: Any, members: Any, workers: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        person: Any = self.fields["person"]
        person.queryset = members
        person.empty_label = _("整户")
        person.label_from_instance = lambda p: f"{p.name}({p.get_relation_display()})"
        if workers is None:
            del self.fields["worker"]
        else:
            worker: Any = self.fields["worker"]
            worker.queryset = workers
            worker.required = True


class CaseEditForm(VersionedForm):
    presenting_problem = forms.CharField(label=_("求助问题"), widget=_text(4), max_length=2000)
    priority = forms.ChoiceField(label=_("紧急程度"), choices=Priority.choices)
    consent = forms.BooleanField(label=_("服务对象已知情同意"), required=False)


class MoveForm(VersionedForm):
    to = forms.ChoiceField(label=_("目标阶段"), choices=Stage.choices, widget=forms.HiddenInput)
    note = forms.CharField(label=_("说明(可不填)"), required=False, max_length=500)


class AssessmentForm(forms.Form):
    """One row per domain of the instrument: a score 1–5 and the evidence for it."""

    SCORES = [(str(n), str(n)) for n in range(1, 6)]

    assessed_on = BoundedDateField(label=_("评估日期"), widget=DATE, initial=timezone.localdate)
    summary = forms.CharField(label=_("评估小结"), widget=_text(3), required=False)

    def __init__(self, *args: Any, domains: list[dict[str, Any]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.domains = domains
        for d in domains:
            self.fields[f"score_{d['code']}"] = forms.TypedChoiceField(
                label=d["label"],
                choices=self.SCORES,
                coerce=int,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "scores"}),
            )
            self.fields[f"evidence_{d['code']}"] = forms.CharField(
                label=_("依据"), required=False, max_length=500
            )

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"score_{d['code']}"], self[f"evidence_{d['code']}"]) for d in self.domains]

    def scores(self) -> dict[str, Any]:
        data = self.cleaned_data
        out = {}
        for d in self.domains:
            score = data.get(f"score_{d['code']}")
            out[d["code"]] = {
                "score": score if score != "" else None,
                "evidence": data.get(f"evidence_{d['code']}", ""),
            }
        return out

    def field_for(self, code: str) -> str:
        """The form field that shows a problem the service reported for a domain code."""
        return f"score_{code}" if f"score_{code}" in self.fields else code


class PlanForm(VersionedForm):
    summary = forms.CharField(label=_("计划概要"), widget=_text(3), required=False)


class GoalForm(VersionedForm):
    need = forms.ChoiceField(label=_("对应需求"))
    description = forms.CharField(label=_("目标"), max_length=300)
    measures = forms.CharField(label=_("服务措施"), widget=_text(2))
    target_date = BoundedDateField(label=_("目标日期"), widget=DATE)

    def __init__(self, *args: Any, needs: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        need: Any = self.fields["need"]
        need.choices = _blank(needs)


class TaskForm(VersionedForm):
    title = forms.CharField(label=_("任务"), max_length=200)
    assignee_kind = forms.ChoiceField(label=_("执行人类型"), choices=AssigneeKind.choices)
    assignee = _Users(
        label=_("执行人(社工或志愿者)"), queryset=None, required=False, empty_label="—"
    )
    partner: Any = forms.ModelChoiceField(
        label=_("合作机构"), queryset=None, required=False, empty_label="—"
    )
    goal: Any = forms.ModelChoiceField(
        label=_("对应目标"), queryset=None, required=False, empty_label="—"
    )
    due_on = BoundedDateField(label=_("完成期限"), widget=DATE)
    detail = forms.CharField(label=_("说明"), widget=_text(2), required=False)

    def __init__(self, *args: Any, people: Any, partners: Any, goals: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignee: Any = self.fields["assignee"]
        assignee.queryset = people
        partner: Any = self.fields["partner"]
        partner.queryset = partners
        goal: Any = self.fields["goal"]
        goal.queryset = goals


class DecisionForm(VersionedForm):
    """Approve or return (plans and closures); the button pressed carries the decision."""

    decision = forms.ChoiceField(choices=[("approve", "approve"), ("return", "return")])
    note = forms.CharField(label=_("审批意见"), widget=_text(2), required=False)


class ServiceForm(forms.Form):
    service_type = forms.ChoiceField(label=_("服务类型"), choices=_blank(ServiceType.choices))
    served_on = BoundedDateField(label=_("服务日期"), widget=DATE, initial=timezone.localdate)
    duration_minutes = forms.IntegerField(
        label=_("时长(分钟)"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    place = forms.CharField(label=_("地点"), max_length=100)
    people_present = forms.CharField(label=_("在场人员"), max_length=200, required=False)
    content = forms.CharField(label=_("服务内容"), widget=_text(4))
    next_step = forms.CharField(label=_("下一步"), widget=_text(2), required=False)


class ReferralForm(forms.Form):
    institution: Any = forms.ModelChoiceField(label=_("转介机构"), queryset=None, empty_label="—")
    need = forms.CharField(label=_("转介需求"), widget=_text(2))
    consent_on = BoundedDateField(label=_("服务对象同意日期"), widget=DATE, required=False)
    sent_on = BoundedDateField(
        label=_("转介日期"), widget=DATE, initial=timezone.localdate, required=False
    )

    def __init__(self, *args: Any, institutions: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        institution: Any = self.fields["institution"]
        institution.queryset = institutions
        institution.label_from_instance = lambda i: f"{i.name}({i.get_kind_display()})"


class ReferralUpdateForm(VersionedForm):
    referral = BoundedIdField(label=_("转介"), widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("新状态"),
        choices=[
            (s.value, s.label)
            for s in (
                ReferralStatus.ACCEPTED,
                ReferralStatus.DECLINED,
                ReferralStatus.SERVED,
                ReferralStatus.CANCELLED,
            )
        ],
    )
    on = BoundedDateField(label=_("日期"), widget=DATE, initial=timezone.localdate, required=False)
    note = forms.CharField(label=_("说明(拒绝原因/服务结果)"), required=False, max_length=1000)


class FollowUpForm(forms.Form):
    due_on = BoundedDateField(label=_("回访日期"), widget=DATE)
    purpose = forms.CharField(label=_("回访目的"), max_length=200)


class FollowUpDoneForm(VersionedForm):
    follow_up = BoundedIdField(label=_("回访"), widget=forms.HiddenInput)
    done_on = BoundedDateField(
        label=_("实际回访日期"), widget=DATE, initial=timezone.localdate, required=False
    )
    note = forms.CharField(label=_("回访记录"), widget=_text(2), required=False)


class EvaluationForm(forms.Form):
    income_before = forms.DecimalField(
        label=_("服务前家庭年人均纯收入(元)"), required=False, max_digits=10, decimal_places=2
    )
    income_after = forms.DecimalField(
        label=_("服务后家庭年人均纯收入(元)"), required=False, max_digits=10, decimal_places=2
    )
    employed_before = forms.IntegerField(
        label=_("服务前就业人数"), required=False, min_value=0, max_value=50
    )
    employed_after = forms.IntegerField(
        label=_("服务后就业人数"), required=False, min_value=0, max_value=50
    )
    left_poverty = forms.BooleanField(label=_("家庭已脱贫"), required=False)
    summary = forms.CharField(label=_("评估结论"), widget=_text(4), required=False)

    def __init__(self, *args: Any, goals: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.goals = goals
        for g in goals:
            self.fields[f"goal_{g.pk}"] = forms.ChoiceField(
                label=_("目标达成情况:%(goal)s") % {"goal": g.description},
                choices=_blank(Attainment.choices),
                required=False,
                initial=g.attainment,
            )
        self.order_fields([f"goal_{g.pk}" for g in goals])

    def attainment(self) -> dict[int, str]:
        return {g.pk: self.cleaned_data.get(f"goal_{g.pk}", "") for g in self.goals}


CLOSURE_CHOICE_LABELS = {
    ("task", "done"): _("已完成"),
    ("task", "cancel"): _("取消"),
    ("task", "hand_over"): _("移交他人继续"),
    ("referral", "done"): _("已服务"),
    ("referral", "cancel"): _("撤回转介"),
    ("referral", "hand_over"): _("移交机构继续跟进"),
}


class CloseForm(VersionedForm):
    """The closure: a reason, and one choice and note per task or referral still open."""

    reason = forms.ChoiceField(label=_("结案原因"), choices=_blank(ClosureReason.choices))
    note = forms.CharField(label=_("结案说明"), widget=_text(2), required=False)

    def __init__(self, *args: Any, items: list[Any] = (), **kwargs: Any):  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[item.key] = forms.ChoiceField(
                label=_("处理方式"),
                choices=_blank((c, CLOSURE_CHOICE_LABELS[(item.kind, c)]) for c in item.choices),
                required=False,
            )
            self.fields[f"{item.key}_note"] = forms.CharField(
                label=_("处理说明"), required=False, max_length=1000
            )

    def item_rows(self) -> list[tuple[Any, Any, Any]]:
        return [(item, self[item.key], self[f"{item.key}_note"]) for item in self.items]

    def resolutions(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {
            item.key: (data.get(item.key) or "", data.get(f"{item.key}_note") or "")
            for item in self.items
        }


class ConsentWithdrawForm(VersionedForm):
    on = BoundedDateField(
        label=_("撤回日期"), widget=DATE, initial=timezone.localdate, required=False
    )
    note = forms.CharField(
        label=_("撤回情况(服务对象的意见)"), widget=_text(2), required=False, max_length=1000
    )


class ConsentRegainForm(VersionedForm):
    on = BoundedDateField(
        label=_("再次同意日期"), widget=DATE, initial=timezone.localdate, required=False
    )
    note = forms.CharField(
        label=_("说明(可不填)"), widget=_text(2), required=False, max_length=1000
    )


class ReopenForm(VersionedForm):
    reason = forms.CharField(label=_("重新开案原因"), widget=_text(2), required=False)


class TransferForm(VersionedForm):
    to_worker = _Users(label=_("接收社工"), queryset=None, empty_label="—")
    reason = forms.CharField(label=_("转案原因"), widget=_text(2), required=False)

    def __init__(self, *args: Any, workers: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        to_worker: Any = self.fields["to_worker"]
        to_worker.queryset = workers


class NoteForm(forms.Form):
    body = forms.CharField(label=_("保密记录"), widget=_text(3), required=False)


class TaskDoneForm(VersionedForm):
    done_on = BoundedDateField(
        label=_("完成日期"), widget=DATE, initial=timezone.localdate, required=False
    )
    result = forms.CharField(label=_("完成情况"), widget=_text(3), required=False)


class StudyFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=40)
    need = forms.ChoiceField(label=_("需求"), required=False)
    service_type = forms.ChoiceField(
        label=_("服务类型"), required=False, choices=_blank(ServiceType.choices)
    )

    def __init__(self, *args: Any, needs: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        need: Any = self.fields["need"]
        need.choices = _blank(needs)


class StudyForm(VersionedForm):
    title = forms.CharField(label=_("标题"), max_length=200)
    background = forms.CharField(label=_("案例背景"), widget=_text(4))
    needs = forms.MultipleChoiceField(
        label=_("主要需求"), required=False, widget=forms.CheckboxSelectMultiple
    )
    service_types = forms.MultipleChoiceField(
        label=_("服务类型"),
        required=False,
        choices=ServiceType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    process = forms.CharField(label=_("服务过程"), widget=_text(5))
    outcome = forms.CharField(label=_("服务成效"), widget=_text(3))
    reflection = forms.CharField(label=_("经验与反思"), widget=_text(3), required=False)

    def __init__(self, *args: Any, needs: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["needs"]
        field.choices = needs


class SummaryForm(forms.Form):
    by = forms.ChoiceField(
        label=_("汇总方式"),
        required=False,
        choices=[("worker", _("按社工")), ("agency", _("按机构")), ("county", _("按县(市、区)"))],
    )

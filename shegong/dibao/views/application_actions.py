"""The forms of the application page and the service each one calls.

Every action is a builder: given the page (the application, its file, the actor) and the
posted data (or None to show an empty form), it returns the form and the call that runs its
service. Which actions the page shows is `selectors.application_actions`'s answer, never this
module's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .. import selectors, services
from ..forms import (
    AssessmentAttachForm,
    AssetForm,
    CareCheckForm,
    ComplaintForm,
    DecideForm,
    DeductionForm,
    EvidenceForm,
    HardshipFactsForm,
    IncomeForm,
    InterviewForm,
    InvestigationStartForm,
    ItemRemoveForm,
    MatchingResultForm,
    MemberSetForm,
    NoteOnForm,
    OnForm,
    OpinionForm,
    ReasonForm,
    ReasonOnForm,
    ReviewForm,
    VisitForm,
)
from ..models import Application


@dataclass
class Page:
    actor: Any
    application: Application
    file: selectors.ApplicationFile
    files: Any = None  # request.FILES of a posted form

    @property
    def version(self) -> dict[str, Any]:
        return {"version": self.application.version}


Built = tuple[Any, Callable[[], Any]]


def _v(form: Any) -> int | None:
    return form.cleaned_data.get("version")


def _on(service: Callable[..., Any]) -> Callable[[Page, Any], Built]:
    """An action that records only its date."""

    def build(page: Page, data: Any) -> Built:
        form = OnForm(data, initial=page.version)

        def call():
            service(
                actor=page.actor,
                application=page.application,
                on=form.cleaned_data["on"],
                version=_v(form),
            )

        return form, call

    return build


def _investigation_start(page: Page, data: Any) -> Built:
    persons = list(page.application.household.members.order_by("id"))
    form = InvestigationStartForm(data, persons=persons, initial=page.version)

    def call():
        try:
            services.investigation_start(
                actor=page.actor,
                application=page.application,
                on=form.cleaned_data["on"],
                exclusions=form.exclusions(),
                version=_v(form),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "exclusions" in exc.error_dict:
                raise ValidationError(exc.error_dict["exclusions"]) from exc
            raise

    return form, call


def _members(page: Page) -> Any:
    return page.application.members.select_related("person").order_by("id")


def _persons(page: Page) -> Any:
    ids = [m.person_id for m in page.file.members]
    return page.application.household.members.filter(pk__in=ids).order_by("id")


def _member_set(page: Page, data: Any) -> Built:
    form = MemberSetForm(data, members=_members(page), initial=page.version)

    def call():
        d = form.cleaned_data
        services.member_set(
            actor=page.actor,
            application=page.application,
            member=d["member"],
            exclusion=d["exclusion"] or "",
            note=d["note"],
            version=_v(form),
        )

    return form, call


def _visit(page: Page, data: Any) -> Built:
    form = VisitForm(data, initial=page.version)

    def call():
        d = form.cleaned_data
        services.visit_add(
            actor=page.actor,
            application=page.application,
            visited_on=d["visited_on"],
            investigators=d["investigators"],
            members_present=d["members_present"],
            findings=d["findings"],
            signed=d["signed"],
            remote=d["remote"],
            emergency=d["emergency"],
            version=_v(form),
        )

    return form, call


def _county_visit(page: Page, data: Any) -> Built:
    form = VisitForm(data, county=True, initial=page.version)

    def call():
        d = form.cleaned_data
        services.county_visit(
            actor=page.actor,
            application=page.application,
            visited_on=d["visited_on"],
            investigators=d["investigators"],
            members_present=d["members_present"],
            findings=d["findings"],
            signed=d["signed"],
            version=_v(form),
        )

    return form, call


def _interview(page: Page, data: Any) -> Built:
    form = InterviewForm(data, initial=page.version)

    def call():
        d = form.cleaned_data
        services.interview_add(
            actor=page.actor,
            application=page.application,
            on=d["on"],
            who=d["who"],
            said=d["said"],
            version=_v(form),
        )

    return form, call


def _evidence(page: Page, data: Any) -> Built:
    form = EvidenceForm(data, page.files if data is not None else None, initial=page.version)

    def call():
        d = form.cleaned_data
        services.evidence_add(
            actor=page.actor,
            application=page.application,
            description=d["description"],
            file=d.get("file") or None,
            version=_v(form),
        )

    return form, call


def _income(page: Page, data: Any) -> Built:
    form = IncomeForm(data, persons=_persons(page), initial=page.version)

    def call():
        d = form.cleaned_data
        services.income_add(
            actor=page.actor,
            application=page.application,
            source=d["source"],
            yearly=d["yearly"],
            person=d.get("person"),
            note=d["note"],
            version=_v(form),
        )

    return form, call


def _asset(page: Page, data: Any) -> Built:
    form = AssetForm(data, initial=page.version)

    def call():
        d = form.cleaned_data
        services.asset_add(
            actor=page.actor,
            application=page.application,
            kind=d["kind"],
            value=d["value"],
            exempt=d["exempt"],
            note=d["note"],
            version=_v(form),
        )

    return form, call


def _deduction(page: Page, data: Any) -> Built:
    form = DeductionForm(data, initial=page.version)

    def call():
        d = form.cleaned_data
        services.deduction_add(
            actor=page.actor,
            application=page.application,
            description=d["description"],
            yearly=d["yearly"],
            version=_v(form),
        )

    return form, call


def _item_remove(page: Page, data: Any) -> Built:
    form = ItemRemoveForm(data, initial=page.version)

    def call():
        d = form.cleaned_data
        services.item_remove(
            actor=page.actor,
            application=page.application,
            kind=d["kind"],
            pk=d["item"],
            version=_v(form),
        )

    return form, call


def _matching_result(page: Page, data: Any) -> Built:
    form = MatchingResultForm(data, initial=page.version)

    def call():
        d = form.cleaned_data
        services.matching_result(
            actor=page.actor,
            application=page.application,
            on=d["on"],
            findings=d["findings"],
            assets_flagged=d["assets_flagged"],
            version=_v(form),
        )

    return form, call


def _opinion(page: Page, data: Any) -> Built:
    form = OpinionForm(data, initial=page.version)

    def call():
        d = form.cleaned_data
        services.opinion_give(
            actor=page.actor,
            application=page.application,
            on=d["on"],
            opinion=d["opinion"],
            reasons=d["reasons"],
            notice_from=d["notice_from"],
            notice_to=d["notice_to"],
            version=_v(form),
        )

    return form, call


def _objection(page: Page, data: Any) -> Built:
    form = NoteOnForm(data, initial=page.version)

    def call():
        d = form.cleaned_data
        services.objection_record(
            actor=page.actor,
            application=page.application,
            on=d["on"],
            note=d["note"],
            version=_v(form),
        )

    return form, call


def _review(page: Page, data: Any) -> Built:
    form = ReviewForm(data, initial=page.version)

    def call():
        d = form.cleaned_data
        services.review_record(
            actor=page.actor,
            application=page.application,
            held_on=d["held_on"],
            members=d["members"],
            present=d["present"],
            in_favour=d["in_favour"],
            against=d["against"],
            record=d["record"],
            version=_v(form),
        )

    return form, call


def _decide(page: Page, data: Any) -> Built:
    form = DecideForm(data, initial=page.version)

    def call():
        d = form.cleaned_data
        services.decide(
            actor=page.actor,
            application=page.application,
            on=d["on"],
            approve=d["decision"] == "approve",
            refusal_reasons=d["refusal_reasons"],
            irregular_income=d["irregular_income"],
            version=_v(form),
        )

    return form, call


def _withdraw(page: Page, data: Any) -> Built:
    form = ReasonOnForm(data, initial=page.version)

    def call():
        d = form.cleaned_data
        services.withdraw(
            actor=page.actor,
            application=page.application,
            on=d["on"],
            reason=d["reason"],
            version=_v(form),
        )

    return form, call


def _extend(page: Page, data: Any) -> Built:
    form = ReasonForm(data, initial=page.version)

    def call():
        services.extend(
            actor=page.actor,
            application=page.application,
            reason=form.cleaned_data["reason"],
            version=_v(form),
        )

    return form, call


def _complaint(page: Page, data: Any) -> Built:
    form = ComplaintForm(data, initial=page.version)

    def call():
        services.complaint_record(
            actor=page.actor,
            application=page.application,
            note=form.cleaned_data["note"],
            version=_v(form),
        )

    return form, call


def _care_check(page: Page, data: Any) -> Built:
    form = CareCheckForm(data, persons=_persons(page), initial=page.version)

    def call():
        d = form.cleaned_data
        services.care_check(
            actor=page.actor,
            application=page.application,
            person=d["person"],
            checked_on=d["checked_on"],
            items=form.items(),
            version=_v(form),
        )

    return form, call


def _hardship_facts(page: Page, data: Any) -> Built:
    a = page.application
    member = next((m for m in page.file.members if m.person_id == a.applicant_id), None)
    initial = {
        **page.version,
        "supporters": a.supporters,
        "supporter_able": bool(a.supporter_able),
        "disability_kind": member.disability_kind if member else "",
        "support_mode": a.support_mode or "home",
    }
    form = HardshipFactsForm(data, initial=initial)

    def call():
        d = form.cleaned_data
        services.hardship_facts_set(
            actor=page.actor,
            application=a,
            supporters=d["supporters"],
            supporter_able=d["supporter_able"],
            disability_kind=d["disability_kind"],
            support_mode=d["support_mode"],
            version=_v(form),
        )

    return form, call


def _assessment_attach(page: Page, data: Any) -> Built:
    form = AssessmentAttachForm(
        data,
        assessments=selectors.household_assessments(actor=page.actor, application=page.application),
        initial={**page.version, "note": page.application.assessment_note},
    )

    def call():
        d = form.cleaned_data
        services.assessment_attach(
            actor=page.actor,
            application=page.application,
            assessment=d["assessment"],
            note=d["note"],
            version=_v(form),
        )

    return form, call


ACTIONS: dict[str, Callable[[Page, Any], Built]] = {
    "materials_complete": _on(services.materials_complete),
    "investigation_start": _investigation_start,
    "member_set": _member_set,
    "visit_add": _visit,
    "county_visit": _county_visit,
    "interview_add": _interview,
    "evidence_add": _evidence,
    "income_add": _income,
    "asset_add": _asset,
    "deduction_add": _deduction,
    "item_remove": _item_remove,
    "form_sign": _on(services.form_sign),
    "matching_request": _on(services.matching_request),
    "matching_result": _matching_result,
    "opinion_give": _opinion,
    "objection_record": _objection,
    "review_record": _review,
    "to_county": _on(services.to_county),
    "decide": _decide,
    "notify": _on(services.notify),
    "publish": _on(services.publish),
    "withdraw": _withdraw,
    "extend": _extend,
    "complaint_record": _complaint,
    "care_check": _care_check,
    "hardship_facts": _hardship_facts,
    "assessment_attach": _assessment_attach,
}

# (summary of the folded form, button label, section of the page it sits in), in the order
# the page shows them.
LABELS: dict[str, tuple[Any, Any, str]] = {
    "materials_complete": (_("材料已补齐"), _("记录材料补齐"), "application"),
    "investigation_start": (_("启动家庭经济状况调查"), _("启动调查"), "next"),
    "form_sign": (_("核查表签字"), _("记录签字"), "next"),
    "matching_request": (_("申请信息核对"), _("申请核对"), "next"),
    "matching_result": (_("录入信息核对结果"), _("保存核对结果"), "next"),
    "opinion_give": (_("乡镇初审并公示"), _("保存初审意见"), "next"),
    "objection_record": (_("记录公示异议"), _("保存异议"), "next"),
    "to_county": (_("报县级审核确认"), _("报县级"), "next"),
    "county_visit": (_("记录县级入户核查"), _("保存县级入户核查"), "next"),
    "decide": (_("审核确认"), _("保存审核确认"), "next"),
    "notify": (_("书面告知"), _("记录书面告知"), "next"),
    "publish": (_("公布"), _("记录公布"), "next"),
    "extend": (_("延长办理期限"), _("记录延长理由"), "next"),
    "complaint_record": (_("记录投诉举报"), _("保存投诉举报"), "next"),
    "withdraw": (_("撤回申请"), _("撤回"), "next"),
    "member_set": (_("调整成员认定"), _("保存认定"), "members"),
    "care_check": (_("生活自理能力评估"), _("保存评估"), "members"),
    "hardship_facts": (_("特困认定情况(义务人、残疾、供养方式)"), _("保存"), "members"),
    "assessment_attach": (_("附上社工需求与能力评估"), _("附上评估"), "application"),
    "visit_add": (_("记录入户调查"), _("保存入户调查"), "visits"),
    "interview_add": (_("记录邻里访问"), _("保存邻里访问"), "visits"),
    "evidence_add": (_("添加证明材料"), _("添加材料"), "evidence"),
    "income_add": (_("登记家庭收入"), _("添加收入"), "income"),
    "asset_add": (_("登记家庭财产"), _("添加财产"), "income"),
    "deduction_add": (_("登记刚性支出"), _("添加支出"), "income"),
    "review_record": (_("记录民主评议"), _("保存评议"), "reviews"),
    "item_remove": (_("删除"), _("删除"), "income"),
}

"""Selectors of the printed Dibao and special-hardship forms: what each of the six shows, read
through the actor's scope like the application page (another county's answers 404).

- 申请书 (application), 家庭经济状况核查表 (verification), 民主评议记录 (review), 公示 (notice),
  审核确认表 (approval), 不予批准通知书 (refusal).
- A form is offered only where the application's stage gives it a meaning (`available_forms`);
  asking for another answers 404.
- ID numbers are masked as on every printout. The two forms the household signs (the
  application and the verification form) print full numbers only when a role that may reveal
  there asks for them, through `registry.services_reveal.id_numbers_reveal` (one access event
  naming the persons). The public notice holds nothing about the household but the applicant's
  name, the number of members counted and the amount.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shegong.core.actors import Actor
from shegong.core.idnumbers import mask_citizen_id

from . import rules
from .models import EXCLUDED_INCOME, Application, Opinion, Stage
from .procedure import STEPS
from .selectors import ApplicationFile, application_file, application_get

FORMS: dict[str, Any] = {
    "application": gettext_lazy("申请书"),
    "verification": gettext_lazy("家庭经济状况核查表"),
    "review": gettext_lazy("民主评议记录"),
    "notice": gettext_lazy("公示"),
    "approval": gettext_lazy("审核确认表"),
    "refusal": gettext_lazy("不予批准通知书"),
}
# The forms the household signs: the only ones that may carry full ID numbers.
REVEALABLE = frozenset({"application", "verification"})

# Democratic review thresholds when a review's rule set does not state them (2/3 and 2/3).
_DEFAULT_REVIEW = {"quorum_num": 2, "quorum_den": 3, "pass_num": 2, "pass_den": 3}
_NAME_SPLIT = re.compile(r"[,,、;;\s]+")


class FormUnavailable(Exception):
    """The application exists and is the actor's, but the form makes no sense at its stage."""

    def __init__(self, application: Application, form: str, forms: list[str]):
        super().__init__(form)
        self.application, self.form, self.forms = application, form, forms

    @property
    def form_links(self) -> list[tuple[str, Any, str]]:
        from django.urls import reverse

        return [
            (code, FORMS[code], reverse(f"dibao:print_{code}", args=[self.application.pk]))
            for code in self.forms
        ]


def available_forms(application: Application, *, has_review: bool) -> list[str]:
    """The forms that make sense for the application as it stands, in the order they arise."""
    a = application
    out = ["application"]
    if a.investigation_started_on is not None:
        out.append("verification")
    if has_review:
        out.append("review")
    if a.opinion == Opinion.APPROVE and a.notice_from and a.notice_to:
        out.append("notice")
    if a.stage == Stage.APPROVED:
        out.append("approval")
    if a.stage == Stage.REFUSED:
        out.append("refusal")
    return out


@dataclass
class PrintedMember:
    name: str
    relation: str
    sex: str
    id_number: str
    counted: bool | None  # None: not yet chosen (the registry household at acceptance)
    exclusion: str
    note: str
    able_to_work: bool | None


@dataclass
class DibaoDocument:
    """One printed form: the application and its file, what the form shows, who signs."""

    form: str
    application: Application
    file: ApplicationFile
    printed_at: datetime.datetime
    printed_by: str
    forms: list[str]
    revealed: bool = False
    may_reveal: bool = False
    signers: list[Any] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> Any:
        return FORMS[self.form]

    @property
    def form_links(self) -> list[tuple[str, Any, str]]:
        """(code, label, url) of every form this application can print now."""
        from django.urls import reverse

        return [
            (code, FORMS[code], reverse(f"dibao:print_{code}", args=[self.application.pk]))
            for code in self.forms
        ]

    @property
    def programme_label(self) -> Any:
        return self.application.get_programme_display()


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _names(text: str) -> list[str]:
    return [n for n in _NAME_SPLIT.split(text or "") if n]


def _investigators(visits: list[Any]) -> list[str]:
    seen: list[str] = []
    for v in visits:
        names = v.investigators if isinstance(v.investigators, list) else _names(v.investigators)
        for n in names:
            n = str(n).strip()
            if n and n not in seen:
                seen.append(n)
    return seen


def _present(visits: list[Any]) -> list[str]:
    seen: list[str] = []
    for v in visits:
        for n in _names(v.members_present):
            if n not in seen:
                seen.append(n)
    return seen


def document(*, actor: Actor, pk: Any, form: str, reveal: bool = False) -> DibaoDocument:
    """The form `form` of the application `pk` as the actor may print it: 404 when the form
    does not exist or the application is not the actor's; `FormUnavailable` when the form
    makes no sense at the application's stage (the page says so and offers the others)."""
    if form not in FORMS:
        raise Http404
    application = application_get(actor=actor, pk=pk)
    file = application_file(actor=actor, application=application)
    forms = available_forms(application, has_review=bool(file.reviews))
    if form not in forms:
        raise FormUnavailable(application, form, forms)
    doc = DibaoDocument(
        form=form,
        application=application,
        file=file,
        printed_at=timezone.localtime(),
        printed_by=actor.display_name,  # type: ignore[union-attr]
        forms=forms,
    )
    if form in REVEALABLE:
        from shegong.registry.services_reveal import Disclosure

        doc.may_reveal = Disclosure(actor).may_reveal(application.region_id)
    revealed: set[int] = set()
    if reveal and doc.may_reveal:
        revealed = _reveal(actor, doc, form)
        doc.revealed = bool(revealed)
    _BUILDERS[form](doc, revealed)
    return doc


def _people(doc: DibaoDocument) -> list[Any]:
    if doc.file.members:
        return [m.person for m in doc.file.members]
    return list(doc.application.household.members.order_by("id"))


def _reveal(actor: Actor, doc: DibaoDocument, form: str) -> set[int]:
    from shegong.registry.services_reveal import id_numbers_reveal

    return id_numbers_reveal(
        actor=actor, persons=_people(doc), via=f"dibao.print_{form}", target=doc.application
    )


def _shown_id(person: Any, revealed: set[int]) -> str:
    return person.id_number if person.pk in revealed else mask_citizen_id(person.id_number)


def _members(doc: DibaoDocument, revealed: set[int]) -> list[PrintedMember]:
    if doc.file.members:
        return [
            PrintedMember(
                name=m.person.name,
                relation=m.person.get_relation_display(),
                sex=m.person.get_sex_display(),
                id_number=_shown_id(m.person, revealed),
                counted=not m.exclusion,
                exclusion=m.get_exclusion_display() if m.exclusion else "",
                note=m.note,
                able_to_work=m.able_to_work,
            )
            for m in doc.file.members
        ]
    return [
        PrintedMember(
            name=p.name,
            relation=p.get_relation_display(),
            sex=p.get_sex_display(),
            id_number=_shown_id(p, revealed),
            counted=None,
            exclusion="",
            note="",
            able_to_work=None,
        )
        for p in _people(doc)
    ]


def _counted(doc: DibaoDocument) -> int:
    return sum(1 for m in doc.file.members if not m.exclusion)


def _per_person(doc: DibaoDocument) -> Decimal | None:
    members = _counted(doc)
    if members < 1:
        return None
    value = rules.monthly_per_person(
        [(i.source, i.yearly) for i in doc.file.incomes],
        [d.yearly for d in doc.file.deductions],
        members,
        frozenset(str(s) for s in EXCLUDED_INCOME),
    )
    return rules.rounded(value, ("fen",))


def _standard(application: Application, on: datetime.date) -> Any:
    from django.core.exceptions import ValidationError

    from .calculations import standard_for

    try:
        return standard_for(application, on)
    except ValidationError:
        return None


def _build_application(doc: DibaoDocument, revealed: set[int]) -> None:
    a = doc.application
    doc.data = {
        "applicant_id": _shown_id(a.applicant, revealed),
        "members": _members(doc, revealed),
        "missing": [line for line in a.materials_missing.splitlines() if line.strip()],
    }
    doc.signers = [gettext_lazy("申请人")]
    if a.applied_by != "household":
        doc.signers.append(gettext_lazy("代为申请人"))
    doc.signers.append(gettext_lazy("乡镇(街道)受理人"))


def _build_verification(doc: DibaoDocument, revealed: set[int]) -> None:
    f = doc.file
    excluded = frozenset(str(s) for s in EXCLUDED_INCOME)
    counted = [i for i in f.incomes if i.source not in excluded]
    not_counted = [i for i in f.incomes if i.source in excluded]
    on = doc.application.form_signed_on or doc.application.investigation_started_on
    standard = _standard(doc.application, on) if on else None
    township_visits = [v for v in f.visits if not v.by_county]
    doc.data = {
        "members": _members(doc, revealed),
        "counted_members": _counted(doc),
        "incomes": counted,
        "income_total": sum((i.yearly for i in counted), Decimal(0)),
        "excluded_incomes": not_counted,
        "excluded_total": sum((i.yearly for i in not_counted), Decimal(0)),
        "deduction_total": sum((d.yearly for d in f.deductions), Decimal(0)),
        "asset_total": sum((x.value for x in f.assets if not x.exempt), Decimal(0)),
        "per_person": _per_person(doc),
        "standard": standard,
        "investigators": _investigators(township_visits or f.visits),
    }
    doc.signers = [
        *(gettext_lazy("调查人员 %(name)s") % {"name": n} for n in doc.data["investigators"]),
        *(
            gettext_lazy("在场家庭成员 %(name)s") % {"name": n}
            for n in _present(township_visits or f.visits)
        ),
    ]
    if len(doc.data["investigators"]) < 2:
        # At least two investigators visit; lines for those not recorded by name.
        doc.signers += [gettext_lazy("调查人员")] * (2 - len(doc.data["investigators"]))
    if not _present(township_visits or f.visits):
        doc.signers.append(gettext_lazy("在场家庭成员"))


def _build_review(doc: DibaoDocument, revealed: set[int]) -> None:
    records = []
    for r in doc.file.reviews:
        values = {**_DEFAULT_REVIEW, **{k: v for k, v in (r.rules.values or {}).items()}}
        records.append(
            {
                "review": r,
                "quorum": f"{values['quorum_num']}/{values['quorum_den']}",
                "pass": f"{values['pass_num']}/{values['pass_den']}",
                # Blank name boxes for the members present to sign (two to a row).
                "boxes": range(min(r.present, 60) + min(r.present, 60) % 2),
            }
        )
    doc.data = {"records": records}
    doc.signers = [
        gettext_lazy("主持人"),
        gettext_lazy("记录人"),
        gettext_lazy("乡镇(街道)工作人员"),
    ]


def _build_notice(doc: DibaoDocument, revealed: set[int]) -> None:
    a = doc.application
    doc.data = {
        "name": a.applicant.name,
        "members": _counted(doc),
        "amount": a.proposed_amount,
        "days": (a.notice_to - a.notice_from).days + 1 if a.notice_from and a.notice_to else 0,
        "issuer": _issuer(_township_name(a)),
    }


def _issuer(township: str) -> str:
    if not township:
        return str(gettext_lazy("乡镇人民政府(街道办事处)"))
    return township + ("办事处" if township.endswith("街道") else "人民政府")


def _up_to(a: Application, level: str) -> str:
    region: Any = a.region
    while region is not None and region.level != level:
        region = region.parent
    return region.name if region is not None else ""


def _township_name(a: Application) -> str:
    return _up_to(a, "township")


def _county_name(a: Application) -> str:
    return _up_to(a, "county")


def _decision_step(doc: DibaoDocument) -> Any:
    return next((s for s in reversed(doc.file.steps) if s.step == "decided"), None)


def _build_approval(doc: DibaoDocument, revealed: set[int]) -> None:
    a = doc.application
    snap = doc.file.award.snapshot if doc.file.award else {}
    step = _decision_step(doc)
    doc.data = {
        "members": (
            sum(1 for m in snap["members"] if m.get("counted"))
            if snap.get("members")
            else _counted(doc)
        ),
        "per_person": snap.get("per_person") or _per_person(doc),
        "standard": snap.get("standard"),
        "standard_from": snap.get("standard_from"),
        "rules": step.rules if step else a.rules,
        "decided_by": step.actor.display_name if step and step.actor else "",
        "county": _county_name(a),
        "township": _township_name(a),
        "steps": [(STEPS.get(s.step, s.step), s) for s in doc.file.steps],
    }
    doc.signers = [
        gettext_lazy("经办人"),
        gettext_lazy("审核人"),
        gettext_lazy("县级民政部门负责人"),
    ]


def _build_refusal(doc: DibaoDocument, revealed: set[int]) -> None:
    a = doc.application
    doc.data = {
        "county": _county_name(a),
        "reasons": [line for line in a.refusal_reasons.splitlines() if line.strip()],
    }
    doc.signers = [gettext_lazy("受送达人"), gettext_lazy("送达人")]


_BUILDERS = {
    "application": _build_application,
    "verification": _build_verification,
    "review": _build_review,
    "notice": _build_notice,
    "approval": _build_approval,
    "refusal": _build_refusal,
}

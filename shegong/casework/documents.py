"""Selectors of the printed case documents: what each printout shows, read through the actor's
scope like the case page. A printout never shows the confidential notes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from shegong.core.idnumbers import mask_citizen_id
from shegong.core.roles import Perm
from shegong.core.scoping import access

from .models import Case, Referral
from .selectors import CaseFile, case_file, case_get


@dataclass
class CaseRecord:
    """The printed case record: the case file without its confidential notes or its log."""

    case: Case
    file: CaseFile
    head: Any
    members: list[dict[str, str]]
    printed_at: datetime.datetime
    printed_by: str
    signers: tuple[Any, ...] = (gettext_lazy("经办社工"), gettext_lazy("服务对象"))


def case_record(*, actor: Any, pk: Any) -> CaseRecord:
    case = case_get(actor=actor, pk=pk)
    file = case_file(actor=actor, case=case, with_notes=False)
    return CaseRecord(
        case=case,
        file=file,
        head=next((p for p in file.members if p.relation == "head"), None),
        members=[
            {
                "name": p.name,
                "relation": p.get_relation_display(),
                "id_number": mask_citizen_id(p.id_number),
            }
            for p in file.members
        ],
        printed_at=timezone.localtime(),
        printed_by=actor.display_name,
    )


@dataclass
class ReferralForm:
    """The printed referral form (转介单): who refers whom, to whom, for what."""

    referral: Referral
    case: Case
    client: str
    printed_at: datetime.datetime
    printed_by: str
    signers: tuple[Any, ...] = (
        gettext_lazy("转出机构经办人"),
        gettext_lazy("服务对象"),
        gettext_lazy("接收机构经办人"),
    )


def referral_form(*, actor: Any, pk: Any) -> ReferralForm:
    referral = access(
        Referral.objects.select_related(
            "case__household",
            "case__person",
            "case__worker",
            "case__organisation",
            "case__region",
            "institution",
            "created_by",
        ),
        actor,
        Perm.VIEW_CASES,
        pk=pk,
    )
    case = referral.case
    client = case.person.name if case.person else _head_name(case)
    return ReferralForm(
        referral=referral,
        case=case,
        client=client,
        printed_at=timezone.localtime(),
        printed_by=actor.display_name,
    )


def _head_name(case: Case) -> str:
    head = case.household.members.filter(relation="head").order_by("id").first()
    return head.name if head else ""

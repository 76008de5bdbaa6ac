"""Case studies: search the published ones, write one from a closed case, publish it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shegong.core.roles import Perm
from shegong.core.scoping import can
from shegong.core.services import StaleEdit

from .. import selectors, services
from ..forms import StudyFilterForm, StudyForm, VersionedForm
from ..instrument import DEFAULT_DOMAINS
from ..models import ServiceType
from ._common import run, version_of

NEEDS = [(d["code"], d["label"]) for d in DEFAULT_DOMAINS]


def _require(request) -> None:
    if not can(request.user, Perm.VIEW_CASE_STUDIES):
        raise PermissionDenied(_("您无权查看个案经验库。"))


def _labels(study) -> None:
    needs, types = dict(NEEDS), dict(ServiceType.choices)
    study.need_labels = [needs.get(n, n) for n in study.needs]
    study.type_labels = [types.get(t, t) for t in study.service_types]


@login_required
def study_list_view(request):
    _require(request)
    form = StudyFilterForm(request.GET or None, needs=NEEDS)
    filters = form.cleaned_data if form.is_valid() else {}
    studies = list(
        selectors.case_studies(
            actor=request.user,
            need=filters.get("need", ""),
            service_type=filters.get("service_type", ""),
            q=filters.get("q", ""),
        ).select_related("organisation")[:100]
    )
    for s in studies:
        _labels(s)
    drafts = list(selectors.my_studies(actor=request.user).filter(status="draft")[:50])
    return render(
        request,
        "casework/study_list.html",
        {"form": form, "studies": studies, "drafts": drafts},
    )


@login_required
def study_detail_view(request, pk):
    _require(request)
    actor = request.user
    study = selectors.study_get(actor=actor, pk=pk)
    is_author = study.author_id == actor.pk
    problems: list = []
    errors: list = []
    if request.method == "POST":
        if not is_author:
            raise PermissionDenied(_("只有作者可以发布经验总结。"))
        publish = VersionedForm(request.POST)
        try:
            services.study_publish(
                actor=actor,
                study=study,
                version=publish.cleaned_data.get("version") if publish.is_valid() else None,
            )
        except StaleEdit as exc:
            errors = exc.messages
        except ValidationError as exc:
            # De-identification problems, one per field, named as the form names them.
            labels = {n: str(f.label) for n, f in StudyForm.base_fields.items()}
            if hasattr(exc, "error_dict"):
                problems = [(labels.get(f, f), m) for f, m in exc.message_dict.items()]
            else:
                errors = exc.messages
        else:
            messages.success(request, _("经验总结已发布,全省同行可以查阅。"))
            return redirect("casework:study_detail", pk=study.pk)
    _labels(study)
    words = []
    if is_author and study.status == "draft":
        labels = {n: str(f.label) for n, f in StudyForm.base_fields.items()}
        texts = {f: getattr(study, f) for f in services.STUDY_TEXT_FIELDS}
        for field, found in services.identifying_words(study.case, texts).items():
            words += [(labels.get(field, field), f) for f in found]
    return render(
        request,
        "casework/study_detail.html",
        {
            "study": study,
            "is_author": is_author,
            "problems": problems,
            "errors": errors,
            "words": words,
        },
    )


def _study_form(request, study, case):
    file = selectors.case_file(actor=request.user, case=case)
    initial: dict = {"needs": [n.code for n in file.ranked_needs]}
    if study is not None:
        initial = {
            f: getattr(study, f)
            for f in ("title", "background", "needs", "service_types", "process", "outcome")
        }
        initial.update({"reflection": study.reflection, "version": study.version})
    return StudyForm(request.POST or None, needs=NEEDS, initial=initial)


@login_required
def study_new_view(request, pk):
    """Write up a closed case (pk: the case)."""
    _require(request)
    actor = request.user
    case = selectors.case_get(actor=actor, pk=pk)
    return _edit(request, case=case, study=None)


@login_required
def study_edit_view(request, pk):
    _require(request)
    study = selectors.study_get(actor=request.user, pk=pk)
    if study.author_id != request.user.pk:
        raise PermissionDenied(_("只有作者可以修改经验总结。"))
    return _edit(request, case=study.case, study=study)


def _edit(request, *, case, study):
    form = _study_form(request, study, case)
    holder = {}
    if request.method == "POST":

        def call():
            d = dict(form.cleaned_data)
            d.pop("version", None)
            holder["study"] = services.study_save(
                actor=request.user, case=case, study=study, version=version_of(form), **d
            )

        if run(form, call):
            messages.success(request, _("已保存。发布前请确认已删去姓名、证件号码等可识别信息。"))
            return redirect("casework:study_detail", pk=holder["study"].pk)
    elif study is None and not services.may_work(request.user, case):
        raise PermissionDenied(_("只有负责该个案的社工可以编写经验总结。"))
    return render(request, "casework/study_form.html", {"form": form, "case": case, "study": study})

"""Forms of the third-party check pages (fields only; the rules are the services')."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.params import BoundedDateField

from .models import Verdict
from .services.checks import STRATA


class CheckContractForm(forms.Form):
    county = forms.ChoiceField(label=_("县(市、区)"))
    organisation = forms.TypedChoiceField(label=_("第三方机构"), coerce=int)
    title = forms.CharField(label=_("项目名称"), max_length=200)
    period_from = BoundedDateField(
        label=_("核查范围起(审核确认日期)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    period_to = BoundedDateField(
        label=_("核查范围止"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    sample_percent = forms.IntegerField(
        label=_("抽样比例(%)"), min_value=1, max_value=100, initial=10
    )
    strata = forms.ChoiceField(
        label=_("分层方式"), choices=list(STRATA.items()), initial="township"
    )

    def __init__(
        self,
        *args: Any,
        counties: list[tuple[str, str]],
        organisations: list[tuple[int, str]],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        county, organisation = self.fields["county"], self.fields["organisation"]
        assert isinstance(county, forms.ChoiceField) and isinstance(organisation, forms.ChoiceField)
        county.choices = counties
        organisation.choices = organisations


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(label=_("核查结论"), choices=Verdict.choices)
    reasons = forms.CharField(
        label=_("理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    checked_on = BoundedDateField(
        label=_("核查日期"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ReturnForm(forms.Form):
    on = BoundedDateField(
        label=_("反馈日期"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

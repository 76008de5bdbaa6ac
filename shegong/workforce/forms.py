from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from shegong.core.forms import RegionField
from shegong.core.params import BoundedDateField

from .models import OrganisationKind


class OrganisationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("机构名称"), max_length=200)
    uscc = forms.CharField(label=gettext_lazy("统一社会信用代码"), max_length=40, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("机构类型"), choices=OrganisationKind.choices)
    region = RegionField(label=gettext_lazy("登记区划"))
    address = forms.CharField(label=gettext_lazy("地址"), max_length=200, required=False)
    contact_person = forms.CharField(label=gettext_lazy("联系人"), max_length=50, required=False)
    phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=20, required=False)
    is_active = forms.BooleanField(label=gettext_lazy("在册"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, regions: Any, roots: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        region: Any = self.fields["region"]
        region.allowed = regions
        region.widget.roots = roots


class _UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name or obj.username}({obj.username})"


class SupervisionAssignForm(forms.Form):
    supervisor = _UserChoice(label=gettext_lazy("督导"), queryset=None)
    supervisee = _UserChoice(label=gettext_lazy("被督导社工"), queryset=None)
    start = BoundedDateField(
        label=gettext_lazy("开始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("留空为今天"),
    )

    def __init__(self, *args: Any, supervisors: Any, supervisees: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        supervisor: Any = self.fields["supervisor"]
        supervisor.queryset = supervisors
        supervisee: Any = self.fields["supervisee"]
        supervisee.queryset = supervisees


class SupervisionEndForm(forms.Form):
    end = BoundedDateField(
        label=gettext_lazy("结束日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "aria-label": gettext_lazy("结束日期")}),
    )

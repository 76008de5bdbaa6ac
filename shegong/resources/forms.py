from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shegong.core.forms import FilterForm, RegionField, RegionFilterField
from shegong.core.roles import Perm
from shegong.core.validators import PlainText

from .models import InstitutionKind
from .rules import PHONE_MESSAGE, phone_is_dialable


class InstitutionFilterForm(FilterForm):
    q = forms.CharField(label=_("机构名称或服务内容"), required=False, max_length=50)
    kind = forms.ChoiceField(
        label=_("类型"),
        required=False,
        choices=[("", _("全部类型")), *InstitutionKind.choices],
    )
    region = RegionFilterField(perm=Perm.VIEW_RESOURCES)
    include_inactive = forms.BooleanField(label=_("包括已停用的机构"), required=False)


class InstitutionApiFilterForm(InstitutionFilterForm):
    """The API's filters: `region` stays a 12-digit code, as API clients send it."""

    region = forms.CharField(required=False, max_length=12)  # type: ignore[assignment]


class InstitutionForm(forms.Form):
    name = forms.CharField(label=_("机构名称"), max_length=200, validators=[PlainText("机构名称")])
    kind = forms.ChoiceField(label=_("类型"), choices=InstitutionKind.choices)
    region = RegionField(
        label=_("服务区域"),
        help_text=_("机构服务的地区:县级机构选到县,乡镇服务站选到乡镇。"),
    )
    services = forms.CharField(
        label=_("提供的服务"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("例如:集中供养、康复训练、职业介绍、大病救助申请指导"),
    )
    capacity = forms.IntegerField(
        label=_("可接收人数"), required=False, min_value=0, max_value=100000
    )
    contact_person = forms.CharField(label=_("联系人"), max_length=50, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    opening_hours = forms.CharField(
        label=_("服务时间"),
        max_length=100,
        required=False,
        help_text=_("例如:工作日 8:30-12:00,14:30-17:30"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, regions: Any, roots: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        region: Any = self.fields["region"]
        region.allowed = regions
        region.widget.roots = roots

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not phone_is_dialable(phone):
            raise forms.ValidationError(PHONE_MESSAGE)
        return phone


class VersionForm(forms.Form):
    """The version a stop/restart button was shown with."""

    version = forms.IntegerField(widget=forms.HiddenInput)

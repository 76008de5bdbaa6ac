from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from shegong.core.forms import RegionField

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

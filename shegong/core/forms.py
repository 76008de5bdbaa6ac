from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .audit_fields import action_choices
from .models import Region
from .params import BoundedDateField
from .regions import is_code
from .roles import Role
from .selectors import region_chain, region_exists, region_in


def apply_validation_error(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: each message next to its field, the rest
    at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class LoginForm(forms.Form):
    """The fields of a sign-in; the checks (password, lockout) are `core.services.login_attempt`."""

    username = forms.CharField(label=gettext_lazy("用户名"), max_length=150)
    password = forms.CharField(label=gettext_lazy("密码"), max_length=4096, strip=False)


class RegionPickerWidget(forms.Widget):
    """Cascading selects province → city → county → township → village, loaded with htmx.

    Each level is its own <select>; the submitted value is the deepest level chosen, so the
    form works with or without htmx (without it, only the first level is offered).
    """

    template_name = "core/widgets/region_picker.html"
    levels = ("l1", "l2", "l3", "l4", "l5")

    def __init__(self, *args: Any, roots: list[Region] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.roots = roots or []

    def value_from_datadict(self, data, files, name):
        chosen = ""
        for level in self.levels:
            value = (data.get(f"{name}_{level}") or "").strip()
            if value:
                chosen = value
        return chosen or (data.get(name) or "").strip()

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chain = region_chain(code=str(value), roots=self.roots) if value else []
        context["widget"]["roots"] = self.roots
        context["widget"]["chain"] = chain
        context["widget"]["levels"] = self.levels
        return context


class RegionField(forms.CharField):
    default_error_messages = {
        "invalid": gettext_lazy("请选择有效的区划。"),
        "outside": gettext_lazy("该区划不在您的管辖范围内。"),
    }

    def __init__(self, *args: Any, allowed: Any = None, **kwargs: Any):
        self.allowed = allowed  # a QuerySet of regions the actor may choose
        kwargs.setdefault("widget", RegionPickerWidget())
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = (super().to_python(value) or "").strip()
        if not value:
            return None
        if not is_code(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        region = region_in(code=value, allowed=self.allowed)
        if region is None:
            if region_exists(code=value):
                raise forms.ValidationError(self.error_messages["outside"], code="outside")
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return region


class RegionFilterWidget(forms.TextInput):
    """A search box for a place: suggestions (htmx, `core:region_search`) fill its datalist as
    one types; after an ambiguous entry the datalist already holds the places to choose from."""

    template_name = "core/widgets/region_filter.html"
    input_type = "search"

    def __init__(self, attrs: dict[str, Any] | None = None):
        base = {"autocomplete": "off", "placeholder": gettext_lazy("名称、拼音首字母或区划代码")}
        super().__init__({**base, **(attrs or {})})
        self.matches: list[Region] = []

    def value_from_datadict(self, data, files, name):
        # A place picked from the offered matches wins over the text typed before.
        picked = (data.get(f"{name}_pick") or "").strip()
        return picked or super().value_from_datadict(data, files, name)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["matches"] = self.matches
        return context


class RegionFilterField(forms.CharField):
    """A list filter's place: a code, a name or pinyin initials, resolved to one region in the
    actor's jurisdiction for `perm` (`core.region_lookup.region_resolve`). An unknown or
    ambiguous place is an error next to the field, never a filter quietly dropped."""

    widget = RegionFilterWidget

    def __init__(self, *args: Any, perm: str | None = None, **kwargs: Any):
        kwargs.setdefault("label", gettext_lazy("区划"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)
        self.perm = perm
        self.actor: Any = None  # set by FilterForm

    def clean(self, value):
        from .region_lookup import RegionNotResolved, region_resolve

        text = super().clean(value)
        try:
            return region_resolve(actor=self.actor, text=text, perm=self.perm)
        except RegionNotResolved as exc:
            self.widget.matches = exc.matches  # type: ignore[attr-defined]
            raise forms.ValidationError(exc.messages, code=exc.code) from None


class FilterForm(forms.Form):
    """A list's filters: GET data, read for one actor (whose jurisdiction bounds the places)."""

    def __init__(self, *args: Any, actor: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, RegionFilterField):
                field.actor = actor


class MembershipForm(forms.Form):
    """Role, region and organisation: the fields of a membership, limited to what the actor
    may grant (roles), reach (regions) and staff (organisations)."""

    role = forms.ChoiceField(label=gettext_lazy("角色"), choices=Role.choices)
    region = RegionField(label=gettext_lazy("区划"))
    organisation: forms.ModelChoiceField = forms.ModelChoiceField(
        label=gettext_lazy("所属机构"), queryset=None, required=False
    )

    def __init__(
        self,
        *args: Any,
        roles: list[str],
        regions: Any,
        roots: list[Region],
        organisations: Any,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        role: Any = self.fields["role"]
        role.choices = [(r, Role(r).label) for r in roles]
        region: Any = self.fields["region"]
        region.allowed = regions
        region.widget.roots = roots
        organisation: Any = self.fields["organisation"]
        organisation.queryset = organisations


class UserCreateForm(MembershipForm):
    username = forms.CharField(label=gettext_lazy("用户名"), max_length=150)
    full_name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=20, required=False)
    password = forms.CharField(
        label=gettext_lazy("初始密码"), widget=forms.PasswordInput(render_value=False)
    )

    field_order = ["username", "full_name", "phone", "password", "role", "region", "organisation"]


class UserEditForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=20, required=False)
    is_active = forms.BooleanField(label=gettext_lazy("账号启用"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("用途"),
        max_length=50,
        required=False,
        help_text=gettext_lazy("例如 县级数据对接脚本"),
    )


class PasswordResetForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("新密码"), widget=forms.PasswordInput)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=gettext_lazy("原密码"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=gettext_lazy("新密码"), widget=forms.PasswordInput)
    new_password2 = forms.CharField(label=gettext_lazy("确认新密码"), widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return data


class AuditFilterForm(forms.Form):
    """The trail's filters. `action` is a select of the registered actions (a module's group
    opens with its code prefix); the API may send any code or prefix."""

    actor = forms.CharField(
        label=gettext_lazy("操作人"),
        required=False,
        max_length=150,
        help_text=gettext_lazy("姓名或用户名"),
    )
    action = forms.CharField(
        label=gettext_lazy("操作"),
        required=False,
        max_length=64,
        widget=forms.Select,
        validators=[RegexValidator(r"^[a-z_]+(\.[a-z_]*)?$", gettext_lazy("请从列表中选择操作。"))],
    )
    target = forms.CharField(
        label=gettext_lazy("记录编号"),
        required=False,
        max_length=64,
        help_text=gettext_lazy("户编号、个案编号等,可只填开头部分"),
    )
    person = forms.CharField(
        label=gettext_lazy("人员姓名"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("事件所涉人员的完整姓名"),
    )
    date_from = BoundedDateField(
        label=gettext_lazy("开始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = BoundedDateField(
        label=gettext_lazy("结束日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["action"].widget.choices = action_choices()

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年份"), min_value=2000, max_value=2100)
    holidays = forms.CharField(
        label=gettext_lazy("放假日期(工作日中放假的日子)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=gettext_lazy("每行一个:日期 名称,例如 2027-01-01 元旦"),
    )
    workdays = forms.CharField(
        label=gettext_lazy("调休上班日期(周末上班的日子)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=gettext_lazy("每行一个:日期 名称,例如 2027-02-07 春节调休"),
    )
    source = forms.CharField(
        label=gettext_lazy("依据"),
        max_length=100,
        help_text=gettext_lazy("例如 国务院办公厅关于2027年部分节假日安排的通知"),
    )
    confirm_no_statutory_holidays = forms.BooleanField(
        label=gettext_lazy("确认该年无法定节假日安排"),
        required=False,
        help_text=gettext_lazy(
            "只在放假日期确实不含元旦、春节、清明节、劳动节、端午节、中秋节、国庆节中的某些节日时勾选。"
        ),
    )

    def _parse(self, field: str):
        import datetime

        rows = []
        for n, line in enumerate((self.cleaned_data.get(field) or "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            parts = line.split(maxsplit=1)
            try:
                day = datetime.date.fromisoformat(parts[0])
            except ValueError:
                raise forms.ValidationError(
                    _("第 %(n)s 行的日期“%(value)s”无法识别,请写成 2027-01-01 的格式。")
                    % {"n": n, "value": parts[0]}
                ) from None
            rows.append((day, parts[1] if len(parts) > 1 else ""))
        return rows

    def clean_holidays(self):
        return self._parse("holidays")

    def clean_workdays(self):
        return self._parse("workdays")


class DesignationForm(forms.Form):
    is_sanqu = forms.BooleanField(label=gettext_lazy("三区县"), required=False)
    is_poverty_county = forms.BooleanField(label=gettext_lazy("贫困县"), required=False)
    is_pilot_community = forms.BooleanField(label=gettext_lazy("试点社区"), required=False)

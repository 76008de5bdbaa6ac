"""The entry form of a new rule-set version, built from the kind's schema (`core.rulesets`).

The form only turns text into the raw values the service checks; the bounds and types are the
schema's, applied by `services_rulesets.ruleset_enter`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from .params import BoundedDateField
from .rulesets import RuleKind, RuleValues


class RuleSetForm(forms.Form):
    valid_from = BoundedDateField(
        label=gettext_lazy("生效日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("从这一天起(含当天)的业务按新版本办理"),
    )
    note = forms.CharField(
        label=gettext_lazy("依据或说明"),
        max_length=200,
        help_text=gettext_lazy("例如文件名称和文号"),
    )

    def __init__(self, *args: Any, kind: RuleKind, current: RuleValues | None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.kind = kind
        for spec in kind.fields:
            multiline = spec.kind in ("year_amounts", "text_map")
            self.fields[spec.name] = forms.CharField(
                label=spec.label,
                max_length=4000,
                help_text=spec.help,
                widget=forms.Textarea(attrs={"rows": 6}) if multiline else forms.TextInput(),
            )
            if current is not None:
                self.initial[spec.name] = spec.to_text(current[spec.name])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values: dict[str, Any] = {}
        for spec in self.kind.fields:
            if spec.name not in cleaned:
                continue
            try:
                values[spec.name] = spec.from_text(cleaned[spec.name])
            except ValidationError as exc:
                self.add_error(spec.name, exc.messages)
        cleaned["values"] = values
        return cleaned

"""Filters for API lists that refuse what they cannot read instead of ignoring it."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Region

# The spellings of a JSON boolean, as the schema promises; Python's for hand-typed URLs.
_TRUE = ("true", "True")
_FALSE = ("false", "False")


class _YesNoField(forms.NullBooleanField):
    """true or false; empty means not given; anything else is an error.

    django-filter's own boolean filter reads any other value as "not given", so a typo
    returned the whole list as though it had been filtered.
    """

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ValidationError(_("请填写 true 或 false。"), code="invalid")

    def validate(self, value):
        pass


class YesNoFilter(django_filters.BooleanFilter):
    field_class = _YesNoField


class RegionFilter(django_filters.FilterSet):
    is_sanqu = YesNoFilter()
    is_poverty_county = YesNoFilter()
    is_pilot_community = YesNoFilter()

    class Meta:
        model = Region
        fields = ["level", "parent", "is_sanqu", "is_poverty_county", "is_pilot_community"]

"""A form field renders its label above the input, except a checkbox, which sits before its
label on one line."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string


class Sample(forms.Form):
    consent = forms.BooleanField(label="服务对象知情同意", required=False)
    name = forms.CharField(label="姓名")


def test_a_checkbox_sits_inside_its_label_before_the_text():
    html = render_to_string("core/_field.html", {"field": Sample()["consent"]})
    assert (
        '<label class="check" for="id_consent">'
        '<input type="checkbox" name="consent" id="id_consent"> 服务对象知情同意</label>'
    ) in html


def test_a_text_field_keeps_its_label_above():
    html = render_to_string("core/_field.html", {"field": Sample()["name"]})
    assert '<label for="id_name">姓名</label>' in html
    assert 'class="check"' not in html

"""The main forms with wrong input read in Chinese under the default language (login,
password change, new user). `english_runs` says what a reader would see in English: it keeps
the text between tags and the attributes people read (placeholder, title, aria-label, alt),
drops scripts, styles, `<code>` and code-like tokens (identifiers, URLs, codes, numbers,
names in capitals such as API or CSV, product names), and returns every run of two or more
English words left over.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from shegong.conftest import PASSWORD

pytestmark = pytest.mark.django_db

# Product and format names people read as they are.
NAMES = {"Excel", "OpenAPI", "Swagger", "PDF", "WeasyPrint", "ECharts", "htmx", "English"}

_HIDDEN = re.compile(r"<(script|style|code|pre)\b.*?</\1>", re.S | re.I)
_READ_ATTRS = re.compile(r'\b(?:placeholder|title|aria-label|alt)="([^"]*)"', re.I)
_TAG = re.compile(r"<[^>]+>")
_TOKEN = re.compile(
    r"https?://\S+|\S+@\S+|/\S*"  # URLs, addresses, paths
    r"|\b\w*[_.\d]\w*\b"  # identifiers and codes: anything with _ . or a digit
    r"|\b[A-Z]{2,}s?\b"  # names in capitals: API, ID, CSV, IDs
)
_RUN = re.compile(r"\b[A-Za-z]+(?:[ \t'’-]+[A-Za-z]+)+\b")


def english_runs(html: str) -> list[str]:
    """The runs of two or more English words a reader of the page would see."""
    attrs = " | ".join(_READ_ATTRS.findall(html))
    text = unescape(_TAG.sub(" | ", _HIDDEN.sub(" ", html)) + " | " + attrs)
    text = _TOKEN.sub(" | ", text)
    for name in NAMES:
        text = re.sub(rf"\b{re.escape(name)}\b", " | ", text)
    return sorted({run for run in _RUN.findall(text)})


def test_the_detector_finds_english_and_lets_codes_through():
    page = (
        '<p title="Enter a name">导出 Excel</p><code>casework.case_close</code>'
        "<script>var a = document.body;</script><td>gushi_officer 4115 API ID CSV</td>"
        "<li>This password is too short.</li><a href='https://x.example/y'>链接</a>"
    )
    assert english_runs(page) == ["Enter a name", "This password is too short"]


def test_the_main_forms_with_wrong_input_read_in_chinese(client, gushi_officer):
    anonymous = Client()
    pages = {
        "login": anonymous.post(reverse("core:login"), {"username": "x", "password": "y"}),
        "login empty": anonymous.post(reverse("core:login"), {}),
    }
    client.force_login(gushi_officer)
    pages["password too short"] = client.post(
        reverse("core:password_change"),
        {"old_password": PASSWORD, "new_password": "a1", "new_password2": "a1"},
    )
    pages["password common"] = client.post(
        reverse("core:password_change"),
        {"old_password": "wrong", "new_password": "12345678901", "new_password2": "1"},
    )
    pages["user create"] = client.post(
        reverse("core:user_create"),
        {"username": "bad name!", "full_name": "", "password": "short", "role": "nope"},
    )
    assert {name: english_runs(r.content.decode()) for name, r in pages.items()} == {
        name: [] for name in pages
    }
    assert "密码太短,至少需要 10 个字符。" in pages["password too short"].content.decode()

"""Every page of every journey reads in Chinese under the default language, and names each
element id once (a repeated id sends a label, and a screen reader, to another form's field).

Each page route is opened (GET) and each form sent empty (POST) as a county officer, a
social worker and the province administrator; `english_runs` (test_chinese_forms) says what
a reader would see in English.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse

from shegong.core.leakcheck import iter_routes
from shegong.core.models import Region
from shegong.core.testing import FACTORIES, make_village

from .test_chinese_forms import english_runs

pytestmark = pytest.mark.django_db

# Pages whose content is not ours to translate (the API's own browsable views and docs).
SKIP_PREFIXES = ("api", "schema", "swagger", "redoc")
SKIP_ROUTES = {"core:logout", "core:healthz", "set_language"}


def _village():
    township = Region.objects.filter(parent_id="411525000000").order_by("code").first()
    return make_village(township.code).code


def _readable(response) -> bool:
    return response.status_code == 200 and response["Content-Type"].startswith("text/html")


_ID = re.compile(r"""\sid=["']([^"']+)["']""")


def repeated_ids(html: str) -> list[str]:
    return sorted(k for k, n in Counter(_ID.findall(html)).items() if n > 1)


def _pages(client, user, village) -> tuple[int, dict[str, list[str]], dict[str, list[str]]]:
    """(pages read, {method and url: English runs on it}, {method and url: repeated ids})."""
    read = 0
    objects: dict = {}
    found: dict[str, list[str]] = {}
    repeated: dict[str, list[str]] = {}
    for route in iter_routes():
        if route.spec is None or not route.name or route.name in SKIP_ROUTES:
            continue
        if route.name.split(":")[0].startswith(SKIP_PREFIXES):
            continue
        kwargs = {}
        if route.kwargs:
            model = route.spec.model
            if route.spec.kind != "object" or model not in FACTORIES or "format" in route.kwargs:
                continue
            if model not in objects:
                objects[model] = FACTORIES[model](region_code=village, marker="测试", owner=user)
            kwargs = {key: objects[model].pk for key in route.kwargs}
        url = reverse(route.name, kwargs=kwargs)
        if url.startswith("/api/"):
            continue
        sends = [("POST", client.post)] if route.spec.post_only else [("GET", client.get)]
        if not route.spec.post_only:
            sends.append(("POST", client.post))
        for method, send in sends:
            response = send(url, {})
            if not _readable(response):
                continue
            read += 1
            html = response.content.decode()
            if runs := english_runs(html):
                found[f"{method} {url}"] = runs
            if ids := repeated_ids(html):
                repeated[f"{method} {url}"] = ids
    return read, found, repeated


@pytest.mark.parametrize("who", ["gushi_officer", "gushi_worker", "province_admin"])
def test_every_page_and_empty_form_reads_in_chinese(request, who, capsys):
    user = request.getfixturevalue(who)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    read, found, repeated = _pages(client, user, _village())
    with capsys.disabled():
        print(f"\n{who}: {read} pages read in Chinese")
    assert found == {}
    assert repeated == {}


def test_repeated_ids_are_found():
    assert repeated_ids('<input id="id_note"><label for="id_note"><p id="id_note">') == ["id_note"]
    assert repeated_ids('<input id="id_a_note"><input id="id_b_note">') == []

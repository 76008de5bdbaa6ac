"""The API docs are for developers: linked from the API-token card of 我的账号, not from the
field staff's menu."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["gushi_officer", "gushi_worker", "province_admin"])
def test_the_menu_has_no_api_docs_and_the_account_page_links_them(client, personas, persona):
    client.force_login(personas[persona])
    docs = reverse("api-docs")
    home = client.get(reverse("core:home")).content.decode()
    assert f'href="{docs}"' not in home
    account = client.get(reverse("core:account")).content.decode()
    assert account.count(f'<a href="{docs}">接口文档(API v1,供开发人员)</a>') == 1

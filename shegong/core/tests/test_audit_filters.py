"""The audit trail's action filter: a select of the registered Chinese labels."""

import pytest
from django.urls import reverse

from shegong.casework.tests.factories import make_case
from shegong.conftest import GUSHI, _township
from shegong.core import audit
from shegong.core.testing import make_village


@pytest.fixture
def village(db):
    return make_village(_township(GUSHI)).code


def _events(client, **params):
    response = client.get(reverse("core:audit_list"), params)
    assert response.status_code == 200
    return [row.event for row in response.context["rows"]]


def test_the_action_filter_is_a_select_of_chinese_labels(client, gushi_officer, village):
    audit.record(actor=gushi_officer, action="user.create", region_id=GUSHI, changes={})
    audit.record(
        actor=gushi_officer,
        action="casework.case_close",
        target=make_case(region_code=village),
        changes={},
    )
    client.force_login(gushi_officer)
    page = client.get(reverse("core:audit_list")).content.decode()
    assert '<option value="casework.case_close">结案</option>' in page
    assert '<optgroup label="个案工作">' in page
    assert '<option value="casework.">个案工作 全部</option>' in page
    assert [e.action for e in _events(client, action="casework.case_close")] == [
        "casework.case_close"
    ]
    assert [e.action for e in _events(client, action="casework.")] == ["casework.case_close"]
    bad = client.get(reverse("core:audit_list"), {"action": "<script>"})
    assert bad.status_code == 200
    assert bad.context["form"].errors == {"action": ["请从列表中选择操作。"]}

"""The summary's total row carries the same column labels as its rows, so it reads on a phone
where the table header is hidden."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shegong.casework.tests.factories import make_case
from shegong.conftest import GUSHI

pytestmark = pytest.mark.django_db


def test_the_total_row_labels_each_figure(client, gushi_officer):
    make_case(region_code=GUSHI)
    make_case(region_code=GUSHI)
    client.force_login(gushi_officer)
    body = client.get(reverse("casework:summary")).content.decode()
    assert (
        '<tfoot><tr><th scope="row">合计</th><th data-label="个案总数">2</th>'
        '<th data-label="在案">2</th><th data-label="已结案">0</th>'
        '<th data-label="已完成评估">0</th><th data-label="评估时已脱贫">0</th></tr></tfoot>'
    ) in body

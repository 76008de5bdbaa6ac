"""A 0 in an evaluation is a figure, not a gap: it shows as 0; only a missing one shows as —."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from shegong.casework.tests.factories import make_case, make_evaluation

pytestmark = pytest.mark.django_db


def test_zero_employed_and_zero_income_show_as_zero(client, gushi_worker, village):
    case = make_case(region_code=village, owner=gushi_worker)
    e = make_evaluation(region_code=village, case=case)
    e.employed_before, e.employed_after = 0, 2
    e.income_before, e.income_after = Decimal("0.00"), Decimal("4200.00")
    e.save()
    client.force_login(gushi_worker)
    body = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert "<dd>0 → 2</dd>" in body
    assert "<dd>0.00 → 4200.00</dd>" in body
    assert "<dd>— → —</dd>" in body  # capability scores not recorded

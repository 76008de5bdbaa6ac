"""The casework summary's chart: its table, its data island and the selector agree."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shegong.casework.charts import caseload_summary_chart
from shegong.casework.models import Stage
from shegong.casework.selectors import caseload_summary
from shegong.casework.tests.factories import make_case, make_worker
from shegong.conftest import GUSHI, _township
from shegong.core.testing import chart_figures, make_village


@pytest.fixture
def village(db):
    return make_village(_township(GUSHI)).code


def test_the_summary_chart_shows_the_figures_of_its_table(
    client, gushi_officer, gushi_worker, village
):
    for stage in (Stage.INTAKE, Stage.PLANNING, Stage.CLOSED):
        make_case(region_code=village, owner=gushi_worker, stage=stage)
    other, _ = make_worker(GUSHI, username="other_worker")
    make_case(region_code=village, owner=other, stage=Stage.CLOSED)
    client.force_login(gushi_officer)

    table, island = chart_figures(
        client.get(reverse("casework:summary")).content.decode(), "caseload-summary"
    )

    expected = {
        "categories": ["测试gushi_worker", "测试社工"],
        "series": {"在案": [2, 0], "已结案": [1, 1]},
    }
    assert table == expected
    assert island == expected
    chart = caseload_summary_chart(caseload_summary(actor=gushi_officer, by="worker"), "worker")
    assert [str(c) for c in chart.categories] == expected["categories"]
    assert {str(s.name): list(s.values) for s in chart.series} == expected["series"]


# Session, user, memberships, the grouped cases, the grouped evaluations and the session's
# save (with its savepoint and release): the chart is drawn from the rows already read.
SUMMARY_QUERIES = 8


@pytest.mark.parametrize("cases", [1, 9])
def test_the_summary_page_runs_a_fixed_number_of_queries(
    client, gushi_officer, gushi_worker, village, cases
):
    for _ in range(cases):
        make_case(region_code=village, owner=gushi_worker)
    client.force_login(gushi_officer)
    client.get(reverse("casework:summary"))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("casework:summary"), {"by": "county"})
    assert response.status_code == 200
    assert len(ctx.captured_queries) == SUMMARY_QUERIES


def test_an_empty_summary_has_no_chart(client, gushi_officer):
    client.force_login(gushi_officer)
    page = client.get(reverse("casework:summary")).content.decode()
    assert '<figure class="chart"' not in page
    assert "暂无个案。" in page

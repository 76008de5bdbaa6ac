"""Home-page charts: the table, the data island and the selector give the same figures."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shegong.casework.charts import my_caseload_chart
from shegong.casework.models import Stage
from shegong.casework.tests.factories import make_case
from shegong.conftest import GUSHI, XINCAI, _township
from shegong.core.charts import Chart
from shegong.core.testing import chart_figures, make_village
from shegong.registry.charts import households_by_status_chart
from shegong.registry.codes import PovertyStatus
from shegong.registry.tests.factories import make_household


@pytest.fixture
def gushi_village(db):
    return make_village(_township(GUSHI)).code


@pytest.fixture
def xincai_village(db):
    return make_village(_township(XINCAI)).code


def _selector_figures(chart: Chart) -> dict:
    return {
        "categories": [str(c) for c in chart.categories],
        "series": {str(s.name): list(s.values) for s in chart.series},
    }


def test_a_county_officer_sees_households_by_status(
    client, gushi_officer, gushi_village, xincai_village
):
    for status in (PovertyStatus.NOT_OUT, PovertyStatus.NOT_OUT, PovertyStatus.OUT):
        make_household(gushi_village, poverty_status=status)
    make_household(gushi_village, poverty_status=PovertyStatus.RELAPSE_RISK)
    make_household(xincai_village, poverty_status=PovertyStatus.NOT_OUT)  # not theirs
    client.force_login(gushi_officer)

    table, island = chart_figures(
        client.get(reverse("core:home")).content.decode(), "households-by-status"
    )

    expected = {"categories": ["未脱贫", "已脱贫", "返贫风险"], "series": {"户数": [2, 1, 1]}}
    assert table == expected
    assert island == expected
    assert _selector_figures(households_by_status_chart(gushi_officer)) == expected


def test_a_social_worker_sees_their_open_caseload_by_stage(client, gushi_worker, gushi_village):
    for stage in (Stage.INTAKE, Stage.INTAKE, Stage.PLANNING, Stage.CLOSED):
        make_case(region_code=gushi_village, owner=gushi_worker, stage=stage)
    make_case(region_code=gushi_village, stage=Stage.INTAKE)  # another worker's
    client.force_login(gushi_worker)

    table, island = chart_figures(client.get(reverse("core:home")).content.decode(), "my-caseload")

    expected = {
        "categories": ["接案", "预估", "计划", "介入", "评估"],
        "series": {"个案数": [2, 0, 1, 0, 0]},
    }
    assert table == expected
    assert island == expected
    assert _selector_figures(my_caseload_chart(gushi_worker)) == expected


def test_the_worker_gets_no_household_chart_and_the_officer_no_caseload_chart(
    client, gushi_officer, gushi_worker
):
    client.force_login(gushi_worker)
    page = client.get(reverse("core:home")).content.decode()
    assert 'aria-labelledby="chart-households-by-status-title"' not in page
    assert 'aria-labelledby="chart-my-caseload-title"' in page
    client.force_login(gushi_officer)
    page = client.get(reverse("core:home")).content.decode()
    assert 'aria-labelledby="chart-my-caseload-title"' not in page
    assert 'aria-labelledby="chart-households-by-status-title"' in page


def test_province_and_city_home_pages_count_nothing_live(client, province_admin, db):
    """Above a county the figures belong to summary tables: no household count is run."""
    from shegong.conftest import make_user

    city = make_user("xinyang_officer", "civil_affairs_officer", GUSHI[:4] + "00000000")
    for user in (province_admin, city):
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(reverse("core:home")).content.decode()
        assert '<figure class="chart"' not in page
        assert not [q for q in ctx.captured_queries if "registry_household" in q["sql"]]


# Session, user, memberships, the grouped household count, recent actions, tasks and the
# session's save (with its savepoint and release): the count is the one query the chart adds.
# Home-page panels (core.home) add theirs: Dibao's due steps read the open applications and
# the working-day calendar (its years and days).
HOME_QUERIES = 9 + 3


@pytest.mark.parametrize("households", [1, 12])
def test_the_officer_home_page_runs_a_fixed_number_of_queries(
    client, gushi_officer, gushi_village, households
):
    for _ in range(households):
        make_household(gushi_village)
    client.force_login(gushi_officer)
    client.get(reverse("core:home"))
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("core:home"))
    # The chart's grouped count: the one query that reads households (panels may join them).
    counts = [
        q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "registry_household"')
    ]
    assert len(counts) == 1
    assert len(ctx.captured_queries) == HOME_QUERIES

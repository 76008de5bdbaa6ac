"""The API keeps its own OpenAPI promises under generated input.

Schemathesis reads the schema the project serves at `/api/schema/` and sends every operation
(reads and writes) generated requests, valid and invalid, in-process through the WSGI app, as a
county officer of 固始 with a little demo-like data. Every response must satisfy every check that
means something here: no 500, a documented status code, content type and headers, a body that
matches the documented schema, invalid input refused with a 4xx.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import load_all_checks
from schemathesis.specs.openapi import checks as openapi_checks

from shegong.casework.models import Stage
from shegong.casework.tests.factories import (
    make_case,
    make_follow_up,
    make_goal,
    make_plan,
    make_referral,
    make_service,
    make_task,
)
from shegong.conftest import GUSHI, PASSWORD
from shegong.core.models import Region
from shegong.core.testing import make_village
from shegong.core.tests.factories import task_factory
from shegong.registry.tests.factories import make_household, make_person
from shegong.resources.tests.factories import make_institution

pytestmark = pytest.mark.django_db

load_all_checks()
APP = get_wsgi_application()

# Checks that cannot mean anything for one actor on an in-process app:
EXCLUDED = [
    # Valid-by-schema data is refused for reasons the schema cannot say (a case id that is not
    # in the actor's jurisdiction, a stage move the rules forbid): a 400/404 is the right answer.
    openapi_checks.positive_data_acceptance,
]

OPERATIONS = sorted(
    (path, method.upper())
    for path, item in SchemaGenerator().get_schema(request=None, public=True)["paths"].items()
    for method in item
)

# Per operation; with about 50 operations the whole run stays near a minute on two cores.
MAX_EXAMPLES = 20

_served: dict[str, dict] = {}


@pytest.fixture
def one_connection(officer_token):
    """Keep the test's database connection across requests, as Django's test client does.

    The WSGI handler closes old connections when a request starts and ends; on PostgreSQL
    that would close the connection holding the test's transaction. (After the token: the
    test client connects the handlers again when its request is done.)
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def existing(gushi_officer, gushi_worker):
    """Demo-like records in 固始 and the id an object route of each resource can open."""
    township = Region.objects.filter(parent_id=GUSHI).order_by("code").first()
    village = make_village(township.code).code
    household = make_household(village, head_name="王秀英")
    person = make_person(household, "李建国", relation="spouse")
    case = make_case(region_code=village, owner=gushi_worker, stage=Stage.INTERVENTION)
    make_case(region_code=village, owner=gushi_worker, marker="张桂兰")
    plan = make_plan(region_code=village, case=case)
    make_goal(region_code=village, plan=plan)
    make_task(region_code=village, plan=plan)
    return {
        "/api/v1/households/": household.pk,
        "/api/v1/persons/": person.pk,
        "/api/v1/cases/": case.pk,
        "/api/v1/service-records/": make_service(region_code=village, case=case).pk,
        "/api/v1/referrals/": make_referral(region_code=village, case=case).pk,
        "/api/v1/follow-ups/": make_follow_up(region_code=village, case=case).pk,
        "/api/v1/institutions/": make_institution(region_code=GUSHI).pk,
        "/api/v1/organisations/": gushi_worker.memberships.get().organisation_id,
        "/api/v1/users/": gushi_worker.pk,
        "/api/v1/regions/": village,
        # A task that does not know its total yet: its percent is null.
        "/api/v1/tasks/": task_factory(region_code=GUSHI, marker="导出", owner=gushi_officer).pk,
        **_dibao(village),
    }


def _dibao(village: str) -> dict[str, int]:
    """An award paying this month with a review, an alert and 固始's payment list."""
    from shegong.dibao import services as dibao_services
    from shegong.dibao.selectors_payments import first_of_month
    from shegong.dibao.services.payments import payment_list_build
    from shegong.dibao.tests.factories import alert_factory, make_award, officers

    month = first_of_month(timezone.localdate())
    award = make_award(village, marker="模糊")
    type(award).objects.filter(pk=award.pk).update(payment_from=month)
    township, county = officers(village)
    review = dibao_services.award_review(
        actor=township,
        award=award,
        reviewed_on=award.application.decided_on,
        outcome="continue",
        reason="家庭状况无变化",
        version=award.version,
    )
    payments = payment_list_build(actor=county, county=Region.objects.get(code=GUSHI), month=month)
    line = payments.lines.get()
    return {
        "/api/v1/dibao-applications/": award.application_id,
        "/api/v1/dibao-awards/": award.pk,
        "/api/v1/dibao-reviews/": review.pk,
        "/api/v1/dibao-alerts/": alert_factory(region_code=village, marker="模糊").pk,
        "/api/v1/dibao-payment-lists/": payments.pk,
        "/api/v1/dibao-payment-lines/": line.pk,
    }


@pytest.fixture
def officer_token(existing, gushi_officer):
    response = Client().post(
        "/api/v1/auth/token/",
        {"username": gushi_officer.username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _schema(headers):
    if "raw" not in _served:
        loaded = schemathesis.openapi.from_wsgi("/api/schema/?format=json", APP, headers=headers)
        _served["raw"] = loaded.raw_schema
    schema = schemathesis.openapi.from_dict(_served["raw"])
    schema.app = APP
    # The actor's token is sent with every request; generated credentials would only be refused.
    schema.config.generation.update(with_security_parameters=False)
    return schema


def _strategy(operation, path, existing):
    """Valid and invalid requests, and valid ones aimed at a record that exists."""
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    names = [p.name for p in operation.path_parameters]
    resource = next((r for r in existing if path.startswith(r)), None)
    if names and resource:
        fixed = {names[0]: existing[resource]}
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed))
    return st.one_of(strategies)


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_the_operation_keeps_its_schema(path, method, officer_token, existing, one_connection):
    headers = {"Authorization": f"Token {officer_token}"}
    operation = _schema(headers)[path][method]

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(_strategy(operation, path, existing))
    def run(case):
        case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)

    run()

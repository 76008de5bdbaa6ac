"""Opening a case page that shows confidential notes leaves an access event; the case's own
worker reads their case without one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shegong.casework.tests.factories import make_case, make_note
from shegong.conftest import GUSHI, make_user
from shegong.core.models import AuditEvent
from shegong.workforce.services import supervision_assign

pytestmark = pytest.mark.django_db
NOTE = "家暴线索,勿外传"


@pytest.fixture
def case(gushi_worker):
    case = make_case(region_code=GUSHI, owner=gushi_worker)
    make_note(region_code=GUSHI, case=case, marker=NOTE)
    return case


@pytest.fixture
def sup(gushi_org, gushi_worker):
    sup = make_user("gushi_sup", "supervisor", GUSHI, gushi_org)
    admin = make_user("gushi_orgadmin", "org_admin", GUSHI, gushi_org)
    supervision_assign(actor=admin, supervisor=sup, supervisee=gushi_worker)
    return sup


def reads(case):
    return list(
        AuditEvent.objects.filter(action="casework.case_read", target_id=str(case.pk))
        .order_by("id")
        .values_list("actor__username", "changes")
    )


def test_a_supervisor_reading_the_notes_is_logged(client, case, sup):
    client.force_login(sup)
    body = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert NOTE in body
    assert reads(case) == [("gushi_sup", {"detail": "confidential_notes"})]


def test_the_page_shown_again_after_a_refused_form_is_logged_too(client, case, sup):
    client.force_login(sup)
    url = reverse("casework:case_note", args=[case.pk])
    body = client.post(url, {"body": ""}).content.decode()
    assert NOTE in body
    assert reads(case) == [("gushi_sup", {"detail": "confidential_notes"})]


def test_the_cases_own_worker_reads_without_an_event(client, case, gushi_worker):
    client.force_login(gushi_worker)
    body = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert NOTE in body
    assert reads(case) == []


def test_an_officer_reads_the_case_but_not_the_notes_and_is_logged(client, case, gushi_officer):
    client.force_login(gushi_officer)
    body = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert NOTE not in body
    assert reads(case) == [("gushi_officer", {})]

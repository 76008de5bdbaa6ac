"""The smaller holes: region pages follow the API's rule, request ids are checked, and no
form puts the CSRF token into a URL."""

import re
import uuid

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from shegong.conftest import GUSHI
from shegong.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_volunteer_gets_the_same_refusal_from_region_pages_and_the_api(client, volunteer):
    client.force_login(volunteer)
    assert client.get(reverse("core:region_list")).status_code == 403
    assert client.get(reverse("core:region_detail", args=[GUSHI])).status_code == 403
    picker = client.get(
        reverse("core:region_picker_options"), {"name": "region", "level": "2", "region_l1": GUSHI}
    )
    assert "<option" not in picker.content.decode().replace('<option value="">', "")
    api = APIClient()
    api.force_authenticate(volunteer)
    assert api.get("/api/v1/regions/").status_code == 403
    assert api.get(f"/api/v1/regions/{GUSHI}/").status_code == 403


def test_staff_still_see_region_pages(client, gushi_worker):
    client.force_login(gushi_worker)
    assert client.get(reverse("core:region_list")).status_code == 200
    assert client.get(reverse("core:region_detail", args=[GUSHI])).status_code == 200


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("0f8fad5bd9cb469fa16570867728950e", True),
        ("0F8FAD5B-D9CB-469F-A165-70867728950E", True),
        ("forged-id-of-another-request", False),
        ("x", False),
        ("../../etc/passwd", False),
        ("0f8fad5bd9cb469fa16570867728950e0", False),
    ],
)
def test_only_a_well_formed_request_id_reaches_the_audit_trail(client, gushi_officer, sent, kept):
    client.force_login(gushi_officer)
    client.post(reverse("core:account") + "tokens/", {"name": "x"}, HTTP_X_REQUEST_ID=sent)
    rid = AuditEvent.objects.get(action="api_token.issue").request_id
    if kept:
        assert rid == sent.lower()
    else:
        assert rid != sent and re.fullmatch(r"[0-9a-f]{32}", rid)
        uuid.UUID(rid)


@pytest.mark.parametrize(
    "page", ["registry:household_list", "registry:person_list", "core:audit_list"]
)
def test_filter_forms_that_travel_by_get_carry_no_csrf_token(client, gushi_officer, page):
    client.force_login(gushi_officer)
    body = client.get(reverse(page), {"q": "张"}).content.decode()
    for form in re.findall(r"<form[^>]*method=\"get\".*?</form>", body, flags=re.S):
        assert "csrfmiddlewaretoken" not in form
    # The export still posts, with the token, and keeps the filters in its query string.
    post_forms = re.findall(
        r"<form id=\"(?:export-xlsx|audit-export)\"[^>]*>.*?</form>", body, flags=re.S
    )
    assert len(post_forms) == 1
    assert "csrfmiddlewaretoken" in post_forms[0]
    assert "?q=%E5%BC%A0" in post_forms[0]

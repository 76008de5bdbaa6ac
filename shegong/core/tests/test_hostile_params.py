"""Every parameter every route reads, with hostile values: never a server error.

The parameters are not listed by hand: a first request to each route, with one probe
parameter, records every name the view asks `request.GET` / `request.POST` for (forms,
serializers and plain `.get()` alike). Each of those names is then sent with every hostile
value, as a county officer and as a social worker of 固始; object routes are also asked for
ids no column can hold.
"""

from __future__ import annotations

from functools import cached_property

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.http import QueryDict
from django.test import Client
from django.urls import NoReverseMatch, reverse

from shegong.core.leakcheck import iter_routes
from shegong.core.models import Region
from shegong.core.testing import FACTORIES, make_village

pytestmark = pytest.mark.django_db

HOSTILE = [
    "²",
    "٣",
    "９９",
    "-1",
    "0",
    "1.5",
    "1e5",
    "99999999999999999999",
    str(2**63),
    str(2**64),
    str(10**30),
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "2026-02-30",
    "9999-12-31T23:59:59",
    "0001-01-01T00:00:00",
    "abc",
    "' OR 1=1 --",
    "%",
]
PATH_INTS = [2**63, 2**64, 10**30]
PROBE = "_probe"
# Read by iterating over the whole query (`request.GET.dict()`), so not seen by the recorder.
ITERATED = ["region", "q", "household_type", "poverty_status", "left_behind", "format"]

_read: set[str] = set()


class _RecordingQueryDict(QueryDict):
    """A QueryDict that notes every name a view asks for (once it is built)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.recording = True

    def _note(self, key):
        if getattr(self, "recording", False):
            _read.add(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def getlist(self, key, default=None):
        self._note(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)


@pytest.fixture
def recording(monkeypatch):
    def get(request):
        return _RecordingQueryDict(request.META.get("QUERY_STRING", ""))

    prop = cached_property(get)
    prop.__set_name__(WSGIRequest, "GET")
    monkeypatch.setattr(WSGIRequest, "GET", prop)
    original = WSGIRequest._load_post_and_files

    def load(request):
        original(request)
        if isinstance(request._post, QueryDict) and not isinstance(
            request._post, _RecordingQueryDict
        ):
            post = _RecordingQueryDict(mutable=True)
            for key, values in request._post.lists():
                post.setlist(key, values)
            post._mutable = False
            request._post = post

    monkeypatch.setattr(WSGIRequest, "_load_post_and_files", load)


def _village():
    township = Region.objects.filter(parent_id="411525000000").order_by("code").first()
    return make_village(township.code).code


def _url(route, pk_of) -> str | None:
    kwargs = {}
    for key in route.kwargs:
        if key == "format":
            return None
        kwargs[key] = pk_of(route)
    return reverse(route.name, kwargs=kwargs)


def _read_by(client, method, url) -> set[str]:
    _read.clear()
    if method == "get":
        client.get(url, {PROBE: "1"})
    else:
        client.post(url, {PROBE: "1"})
    names = set(_read) - {PROBE, "csrfmiddlewaretoken"}
    if PROBE in _read:  # the view iterates over the whole query
        names |= set(ITERATED)
    return names


@pytest.mark.parametrize("who", ["gushi_officer", "gushi_worker"])
def test_no_parameter_value_causes_a_server_error(request, who, recording, capsys):
    user = request.getfixturevalue(who)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    village = _village()
    objects = {}

    def inside(route):
        model = route.spec.model
        if model not in objects:
            objects[model] = FACTORIES[model](region_code=village, marker="探测", owner=user)
        return objects[model].pk

    failures = []
    requests = 0
    routes = [r for r in iter_routes() if r.spec is not None and r.name]
    for route in routes:
        if route.kwargs and (route.spec.kind != "object" or route.spec.model not in FACTORIES):
            continue
        if route.name.endswith("logout"):
            continue  # would end the session every later request needs
        url = _url(route, inside)
        if url is None:
            continue
        methods = ["post"] if route.spec.post_only else ["get", "post"]
        for method in methods:
            send = client.get if method == "get" else client.post
            for name in sorted(_read_by(client, method, url)):
                for value in HOSTILE:
                    response = send(url, {name: value})
                    requests += 1
                    if response.status_code >= 500:
                        failures.append(f"{method.upper()} {url} {name}={value!r}")
            if route.spec.kind == "object":
                for big in PATH_INTS:
                    try:
                        huge = _url(route, lambda _route, big=big: big)
                    except NoReverseMatch:  # a UUID or code route: no integer fits it
                        break
                    assert huge is not None
                    response = send(huge)
                    requests += 1
                    if response.status_code >= 500:
                        failures.append(f"{method.upper()} {huge}")
    shown: dict[str, list[str]] = {}
    for failure in failures:
        where, _sep, value = failure.partition("=")
        shown.setdefault(where, []).append(value)
    with capsys.disabled():
        print(f"\n{who}: {requests} hostile requests over {len(routes)} routes")
        for where, values in shown.items():
            print(f"{where}: {', '.join(values)}")
    assert shown == {}

"""The jurisdiction harness: walk every route with every persona and report any leak.

For each persona it makes, with the registered factories, one object of every scoped model
inside the persona's jurisdiction and one outside (in the other county). Then for every URL
pattern of the project (pages and API alike):

- a route that declares nothing is a failure (a new module cannot forget to join);
- an object route must answer 404 for the outside object, and 200 for the inside one when the
  persona's role allows it (403/404 otherwise);
- a list or public route must answer without a server error, refuse roles without the
  permission, and never show the name or code of any outside object;
- anonymous visitors get the login page (or 401/403 from the API) for everything not public.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .routing import RouteSpec, spec_of
from .scoping import can
from .testing import FACTORIES

_markers = itertools.count(1)


@dataclass
class Route:
    name: str
    pattern: Any
    kwargs: list[str]
    spec: RouteSpec | None


def iter_routes(urlconf: str | None = None) -> Iterator[Route]:
    def walk(patterns: list, namespace: str) -> Iterator[Route]:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                yield from walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern):
                kwargs = list(p.pattern.regex.groupindex)
                name = f"{namespace}{p.name}" if p.name else ""
                yield Route(name=name, pattern=p, kwargs=kwargs, spec=spec_of(p))

    yield from walk(get_resolver(urlconf).url_patterns, "")


@dataclass
class Persona:
    label: str
    user: Any
    inside: str | None  # a village code inside the persona's jurisdiction
    outside: str | None  # one outside it (None for the province: nothing in Henan is outside)


@dataclass
class Pair:
    inside: Any
    outside: Any
    markers: list[str]  # strings that must never appear to this persona


def _make_pairs(persona: Persona, other_owner: Any) -> dict[type, Pair]:
    pairs: dict[type, Pair] = {}
    for model, factory in FACTORIES.items():
        inside_marker = f"内部标记{next(_markers)}号"
        inside = factory(region_code=persona.inside, marker=inside_marker, owner=persona.user)
        outside = None
        markers: list[str] = []
        if persona.outside:
            outside_marker = f"越界标记{next(_markers)}号"
            outside = factory(region_code=persona.outside, marker=outside_marker, owner=other_owner)
            markers.append(outside_marker)
            code = getattr(outside, "region_id", None) or getattr(outside, "code", None)
            if code and not str(code).startswith((persona.inside or "")[:6]):
                markers.append(str(code))
        pairs[model] = Pair(inside=inside, outside=outside, markers=markers)
    return pairs


def _visible(model: Any, user: Any, obj: Any) -> bool:
    return model._default_manager.visible_to(user).filter(pk=obj.pk).exists()


def _url(route: Route, obj: Any = None, urlconf: str | None = None) -> str | None:
    kwargs = {}
    for key in route.kwargs:
        if key == "format":
            return None  # format-suffix variants repeat their base route
        if obj is None:
            return None
        kwargs[key] = obj.pk
    return reverse(route.name, kwargs=kwargs, urlconf=urlconf)


def check_routes(
    personas: list[Persona], *, urlconf: str | None = None, other_owner: Any = None
) -> list[str]:
    """Every leak, missing declaration or wrong answer, as readable lines; [] when clean."""
    failures: list[str] = []
    routes = list(iter_routes(urlconf))
    for route in routes:
        if route.spec is None:
            failures.append(f"{route.name or route.pattern}: route declares nothing")
        elif not route.name:
            failures.append(f"{route.pattern}: route has no name")
    for persona in personas:
        client = Client(raise_request_exception=False)
        if persona.user is not None:
            client.force_login(persona.user)
        pairs = _make_pairs(persona, other_owner) if persona.inside else {}
        all_markers = [m for pair in pairs.values() for m in pair.markers]
        for route in routes:
            if route.spec is None or not route.name:
                continue
            failures += _check_route(route, persona, client, pairs, all_markers, urlconf)
    return failures


def _allowed(persona: Persona, spec: RouteSpec, region: str | None = None) -> bool:
    if persona.user is None:
        return False
    if spec.perm is None:
        return True
    return can(persona.user, spec.perm, region)


def _request(client: Client, url: str, post: bool) -> Any:
    return client.post(url, {}) if post else client.get(url)


def _check_route(
    route: Route,
    persona: Persona,
    client: Client,
    pairs: dict[type, Pair],
    markers: list[str],
    urlconf: str | None,
) -> list[str]:
    spec = route.spec
    assert spec is not None
    who = f"{route.name} as {persona.label}"
    out: list[str] = []

    def leaks(response: Any, what: str, url: str = "") -> None:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        # A code the visitor typed into the URL may be echoed back; that reveals nothing.
        out.extend(
            f"{who}: {what} shows outside data {m!r}" for m in markers if m in text and m not in url
        )

    if spec.kind in ("public", "list"):
        url = _url(route, urlconf=urlconf)
        if url is None:
            return (
                [f"{who}: list route takes arguments it cannot be given"]
                if route.kwargs and "format" not in route.kwargs
                else []
            )
        response = client.get(url)
        if response.status_code >= 500:
            out.append(f"{who}: GET answered {response.status_code}")
        elif spec.kind == "list":
            if persona.user is None:
                if response.status_code not in (302, 401, 403, 405):
                    out.append(f"{who}: anonymous got {response.status_code}")
            elif _allowed(persona, spec):
                if response.status_code not in (200, 405):
                    out.append(f"{who}: allowed role got {response.status_code}")
            elif response.status_code not in (403, 404, 405):
                out.append(f"{who}: role without {spec.perm} got {response.status_code}")
        leaks(response, "GET", url)
        return out

    pair = pairs.get(spec.model) if spec.model is not None else None
    if persona.user is None:
        # Anonymous: make an object to aim at, anywhere.
        factory = FACTORIES.get(spec.model)  # type: ignore[arg-type]
        if factory is None:
            return [f"{who}: no factory registered for {spec.model}"]
        obj = factory(region_code=_any_village(), marker=f"匿名标记{next(_markers)}号")
        url = _url(route, obj, urlconf)
        if url is None:
            return []
        response = _request(client, url, spec.post_only)
        if response.status_code not in (302, 401, 403, 404):
            out.append(f"{who}: anonymous got {response.status_code}")
        if obj.__str__() and str(obj) in response.content.decode("utf-8", "replace"):
            out.append(f"{who}: anonymous sees the object")
        return out
    if pair is None:
        return [f"{who}: no factory registered for {spec.model}"]
    if pair.outside is not None:
        url = _url(route, pair.outside, urlconf)
        missing_url = _url(route, _Missing(spec.model), urlconf)
        if url is not None and missing_url is not None:
            for post in sorted({spec.post_only, True}):
                response = _request(client, url, post)
                missing = _request(client, missing_url, post)
                method = "POST" if post else "GET"
                # Outside must answer exactly as a record that does not exist (404, or the
                # same 403/405 a role or method check gives before any record is looked up).
                if response.status_code != missing.status_code or response.status_code < 400:
                    out.append(
                        f"{who}: {method} outside object got {response.status_code}, "
                        f"not {missing.status_code} as for a missing record"
                    )
                leaks(response, "outside object", url)
    if not spec.post_only:
        url = _url(route, pair.inside, urlconf)
        if url is not None:
            response = client.get(url)
            region = getattr(pair.inside, "region_id", None) or getattr(pair.inside, "code", None)
            if _allowed(persona, spec, region) and _visible(spec.model, persona.user, pair.inside):
                if response.status_code != 200:
                    out.append(f"{who}: inside object got {response.status_code}, not 200")
            elif response.status_code not in (403, 404):
                out.append(f"{who}: inside object without permission got {response.status_code}")
            leaks(response, "inside object", url)
    return out


class _Missing:
    """Stands for a record that does not exist: a primary key no factory will ever make."""

    def __init__(self, model: Any):
        import uuid

        field = model._meta.pk
        kind = field.get_internal_type()
        if kind == "UUIDField":
            self.pk: Any = uuid.uuid4()
        elif kind == "CharField":
            self.pk = "419999999999"
        else:
            self.pk = 2_000_000_000


def _any_village() -> str:
    from .models import Region

    township = Region.objects.filter(level="township").order_by("code").first()
    assert township is not None
    return township.code[:9] + "000"

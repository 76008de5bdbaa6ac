from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from shegong.core.routing import RouteSpec

schema = path("api/schema/", SpectacularAPIView.as_view(), name="api-schema")
docs = path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs")
lang = path("i18n/setlang/", set_language, name="set_language")
for p, spec in (
    (schema, RouteSpec(kind="list")),
    (docs, RouteSpec(kind="list")),
    (lang, RouteSpec(kind="public")),
):
    p.shegong = spec  # type: ignore[attr-defined]

urlpatterns = [
    path("", include("shegong.core.urls")),
    path("workforce/", include("shegong.workforce.urls")),
    path("registry/", include("shegong.registry.urls")),
    path("casework/", include("shegong.casework.urls")),
    path("dibao/", include("shegong.dibao.urls")),
    path("resources/", include("shegong.resources.urls")),
    path("api/v1/", include(("shegong.api_urls", "api"), namespace="api")),
    schema,
    docs,
    lang,
]

# Under /api/ the refusals Django gives before any view are JSON too, as the schema says.
handler400 = "shegong.core.api_base.bad_request"
handler404 = "shegong.core.api_base.page_not_found"

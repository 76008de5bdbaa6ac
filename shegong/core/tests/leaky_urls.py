"""A deliberately unscoped urlconf: the harness test proves the harness catches it."""

from django.http import HttpResponse
from django.urls import path

from shegong.core.routing import route
from shegong.workforce.models import Organisation


def leaky_detail(request, pk):
    # Wrong on purpose: no visible_to, so 固始 sees 新蔡's agency.
    return HttpResponse(Organisation.objects.get(pk=pk).name)


def leaky_list(request):
    return HttpResponse(", ".join(o.name for o in Organisation.objects.all()))


urlpatterns = [
    route("o/<int:pk>/", leaky_detail, name="leaky_org_detail", kind="object", model=Organisation),
    route("o/", leaky_list, name="leaky_org_list", kind="list"),
    path("undeclared/", leaky_list, name="undeclared"),
]

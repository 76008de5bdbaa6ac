"""Routes of the Dibao pages: alerts (joined in `dibao.urls`)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

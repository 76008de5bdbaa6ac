"""Routes of the Dibao pages: applications (joined in `dibao.urls`)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

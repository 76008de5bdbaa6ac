"""Routes of the Dibao pages: records (joined in `dibao.urls`)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

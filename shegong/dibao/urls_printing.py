"""Routes of the Dibao pages: printing (joined in `dibao.urls`)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

"""Routes of the Dibao pages: payments (joined in `dibao.urls`)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

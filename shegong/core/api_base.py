"""What every module's API shares: scoped viewsets, cursor pagination, error shape."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, permissions, viewsets
from rest_framework.views import exception_handler as drf_exception_handler

from .routing import RouteSpec
from .scoping import can
from .services import StaleEdit


def pop_version(data: dict[str, Any]) -> int:
    """The version the client last read; an update without one could overwrite someone."""
    version = data.pop("version", None)
    if version is None:
        raise exceptions.ValidationError({"version": [_("请提供版本号,以免覆盖他人的修改。")]})
    return version


def exception_handler(exc: Exception, context: dict[str, Any]):
    if isinstance(exc, StaleEdit):
        exc = exceptions.ValidationError({"version": exc.messages})
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or _("您无权执行此操作。"))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("记录不存在。"))
    return drf_exception_handler(exc, context)


def page_not_found(request, exception):
    """Django's 404 (a URL no route matches): JSON under /api/, the page everywhere else."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("记录不存在。")}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception):
    """Django's 400 (a request it refuses before any view): JSON under /api/."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("请求无效。")}, status=400)
    return defaults.bad_request(request, exception)


class HasPerm(permissions.BasePermission):
    """The role must grant the viewset's `required_perm` somewhere; where is up to the scope."""

    message = "您无权访问该接口。"

    def has_permission(self, request, view):
        perm = getattr(view, "required_perm", None)
        return bool(request.user and request.user.is_authenticated) and (
            perm is None or can(request.user, perm)
        )


class ScopedViewSetMixin:
    """A viewset over a scoped model. `get_queryset` must go through a selector."""

    scoped_model: Any = None
    required_perm: str | None = None
    permission_classes: Any = [permissions.IsAuthenticated, HasPerm]

    @classmethod
    def route_spec(cls, pattern: Any) -> RouteSpec:
        is_detail = (
            "<" in str(pattern.pattern) and "format" not in str(pattern.pattern).split("<")[-1]
        )
        if is_detail and cls.scoped_model is not None:
            return RouteSpec(kind="object", model=cls.scoped_model, perm=cls.required_perm)
        return RouteSpec(kind="list", perm=cls.required_perm)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass

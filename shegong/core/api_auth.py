"""API authentication by expiring, revocable tokens (`Authorization: Token <key>`)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from .models import ApiToken
from .services import api_token_for_key

# How stale `last_used_at` may get before a request refreshes it: one write per token per
# interval, not one per request.
_TOUCH_EVERY = datetime.timedelta(minutes=5)


class ExpiringTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确。"))
        try:
            key = parts[1].decode("ascii")
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确。")) from exc
        token = api_token_for_key(key=key) if len(key) <= 100 else None
        if token is None:
            raise exceptions.AuthenticationFailed(_("令牌无效、已过期或已撤销,请重新获取。"))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.owner, token

    def authenticate_header(self, request):
        return self.keyword


class ExpiringTokenScheme(OpenApiAuthenticationExtension):
    """How the schema describes `Authorization: Token <key>`."""

    target_class = "shegong.core.api_auth.ExpiringTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": _("“Token ”加令牌;令牌由 POST /api/v1/auth/token/ 签发,会过期。"),
        }

import re
import uuid

from .audit import request_id_var

# A proxy's or client's X-Request-ID is kept only when it is a UUID (with or without hyphens):
# anything else a client sends could forge or pollute what the audit trail says.
_SAFE_ID = re.compile(
    r"^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)
_ADDRESS = re.compile(r"^[0-9A-Fa-f:.]{2,45}$")


def client_address(request) -> str:
    """The client's address: the connection's, or the proxy header LOGIN_CLIENT_IP_HEADER names."""
    from django.conf import settings

    header = settings.LOGIN_CLIENT_IP_HEADER
    value = (request.META.get(header, "") if header else "").split(",")[0].strip()
    if not _ADDRESS.match(value):
        value = request.META.get("REMOTE_ADDR", "")
    return value if _ADDRESS.match(value) else "unknown"


class RequestIdMiddleware:
    """Give every request an id that audit events and logs carry (X-Request-ID if a UUID)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "").lower()
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = rid
        token = request_id_var.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = rid
        return response


class ContentSecurityPolicyMiddleware:
    """No inline scripts and no third-party origins: everything is served by the app."""

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The API docs page (swagger-ui) needs inline bootstrapping; it gets its own header.
        if not request.path.startswith("/api/docs"):
            response.setdefault("Content-Security-Policy", self.POLICY)
        return response


class LanguageMiddleware:
    """Chinese unless the user chose otherwise; the browser's Accept-Language is ignored.

    Offices share machines and many browsers in Henan report English; the interface must not
    switch language behind a clerk's back. The choice made with the language menu is kept in
    the language cookie.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RejectNulBytesMiddleware:
    """A NUL character in a parameter is never meaningful input; PostgreSQL cannot store it.

    Refuse the request up front with a clear message instead of letting a query fail deep
    inside a view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import HttpResponseBadRequest, JsonResponse

        values = [*request.GET.lists(), *(request.POST.lists() if request.method == "POST" else [])]
        if any("\x00" in key or any("\x00" in v for v in vals) for key, vals in values):
            message = "输入中包含无效字符(空字符),请求未被处理。"
            if request.path.startswith("/api/"):
                # The API answers in JSON, as its schema documents for a 400.
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(
                message.encode(), content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)

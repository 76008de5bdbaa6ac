from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .api_auth import ExpiringTokenAuthentication
from .api_base import ScopedReadOnlyViewSet
from .api_filters import RegionFilter
from .forms import AuditFilterForm
from .middleware import client_address
from .models import ApiToken, AuditEvent, Region, TaskProgress, User
from .roles import Perm
from .scoping import memberships_of
from .selectors import (
    audit_get,
    audit_list,
    region_get,
    region_list,
    task_get,
    task_list,
    user_get,
    user_list,
)
from .serializers import (
    AuditEventSerializer,
    MembershipSerializer,
    RegionSerializer,
    TaskProgressSerializer,
    TokenRequestSerializer,
    UserSerializer,
)
from .services import LoginRefused, api_token_issue, api_token_revoke, login_attempt
from .services_audit import audit_event_reveal


class MeView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "id": serializers.IntegerField(),
                "username": serializers.CharField(),
                "full_name": serializers.CharField(),
                "memberships": MembershipSerializer(many=True),
            },
        )
    )
    def get(self, request):
        user = request.user
        return Response(
            {
                "id": user.pk,
                "username": user.username,
                "full_name": user.full_name,
                "memberships": MembershipSerializer(memberships_of(user), many=True).data,
            }
        )


class TokenView(APIView):
    """Exchange a username and password for an API token (same sign-in rules as the login
    page); DELETE with a token revokes that token."""

    permission_classes = [permissions.AllowAny]

    def get_authenticators(self):
        # Signing in needs no credentials; revoking needs the token being revoked.
        request = getattr(self, "request", None)
        if request is None or request.method == "DELETE":
            return [ExpiringTokenAuthentication()]
        return []

    @extend_schema(
        request=TokenRequestSerializer,
        responses=inline_serializer(
            "Token", {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()}
        ),
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = login_attempt(
                username=data.validated_data["username"],
                password=data.validated_data["password"],
                address=client_address(request),
                request=request,
            )
        except LoginRefused as exc:
            if exc.code == "invalid_login":
                raise exceptions.AuthenticationFailed(exc.messages[0]) from exc
            raise exceptions.PermissionDenied(exc.messages[0]) from exc
        token, key = api_token_issue(actor=user, name=data.validated_data.get("name", ""))
        return Response({"token": key, "expires_at": token.expires_at})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        if not isinstance(request.auth, ApiToken):
            raise exceptions.NotAuthenticated()
        api_token_revoke(actor=request.user, token=request.auth)
        return Response(status=204)


class RegionViewSet(ScopedReadOnlyViewSet):
    serializer_class = RegionSerializer
    scoped_model = Region
    required_perm = Perm.VIEW_REGIONS
    cursor_ordering = "code"
    lookup_field = "code"
    filterset_class = RegionFilter

    def get_queryset(self):
        return region_list(actor=self.request.user)

    def get_object(self):
        return region_get(actor=self.request.user, code=self.kwargs["code"])


class UserViewSet(ScopedReadOnlyViewSet):
    serializer_class = UserSerializer
    scoped_model = User
    required_perm = Perm.MANAGE_USERS
    cursor_ordering = "id"

    def get_queryset(self):
        return user_list(actor=self.request.user, query=self.request.query_params.get("q", ""))

    def get_object(self):
        return user_get(actor=self.request.user, pk=self.kwargs["pk"])


class AuditEventViewSet(ScopedReadOnlyViewSet):
    serializer_class = AuditEventSerializer
    scoped_model = AuditEvent
    required_perm = Perm.VIEW_AUDIT
    cursor_ordering = "-id"

    def get_queryset(self):
        form = AuditFilterForm(self.request.query_params or None)
        if form.is_bound and not form.is_valid():
            raise exceptions.ValidationError(form.errors)
        filters = form.cleaned_data if form.is_bound else {}
        return audit_list(actor=self.request.user, filters=filters)

    def get_object(self):
        return audit_get(actor=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "reveal",
                str,
                description="1: personal numbers whole, if you may reveal ID numbers in the "
                "event's region; the reveal is logged.",
            )
        ]
    )
    def retrieve(self, request, *args, **kwargs):
        event = self.get_object()
        context = self.get_serializer_context()
        if request.query_params.get("reveal") == "1":
            context["revealed"] = audit_event_reveal(actor=request.user, event=event)
        return Response(AuditEventSerializer(event, context=context).data)


class TaskViewSet(ScopedReadOnlyViewSet):
    serializer_class = TaskProgressSerializer
    scoped_model = TaskProgress
    cursor_ordering = "-created_at"

    def get_queryset(self):
        return task_list(actor=self.request.user)

    def get_object(self):
        return task_get(actor=self.request.user, pk=self.kwargs["pk"])

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from .api_base import ScopedReadOnlyViewSet
from .api_filters import RegionFilter
from .forms import AuditFilterForm
from .models import AuditEvent, Region, TaskProgress, User
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
from .services import login_failure_record, login_locked_until, login_success_record
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
    """Exchange a username and password for an API token; same lockout as the login page."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=TokenRequestSerializer,
        responses=inline_serializer("Token", {"token": serializers.CharField()}),
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"].strip()
        if login_locked_until(username=username):
            raise exceptions.PermissionDenied(_("登录失败次数过多,该账号已锁定,请稍后再试。"))
        user = authenticate(request, username=username, password=data.validated_data["password"])
        if user is None:
            login_failure_record(username=username)
            raise exceptions.AuthenticationFailed(_("用户名或密码不正确。"))
        login_success_record(user=user)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


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

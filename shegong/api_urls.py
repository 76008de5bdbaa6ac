from django.urls import path
from rest_framework.routers import SimpleRouter

from shegong.casework import api as casework_api
from shegong.core import api as core_api
from shegong.core.routing import RouteSpec
from shegong.dibao import api as dibao_api
from shegong.registry import api as registry_api
from shegong.resources import api as resources_api
from shegong.workforce import api as workforce_api

router = SimpleRouter()
router.register("regions", core_api.RegionViewSet, basename="region")
router.register("users", core_api.UserViewSet, basename="user")
router.register("audit-events", core_api.AuditEventViewSet, basename="auditevent")
router.register("tasks", core_api.TaskViewSet, basename="task")
router.register("organisations", workforce_api.OrganisationViewSet, basename="organisation")
router.register("households", registry_api.HouseholdViewSet, basename="household")
router.register("persons", registry_api.PersonViewSet, basename="person")
router.register("cases", casework_api.CaseViewSet, basename="case")
router.register("service-records", casework_api.ServiceRecordViewSet, basename="servicerecord")
router.register("referrals", casework_api.ReferralViewSet, basename="referral")
router.register("follow-ups", casework_api.FollowUpViewSet, basename="followup")
router.register("institutions", resources_api.InstitutionViewSet, basename="institution")
router.register("dibao-applications", dibao_api.ApplicationViewSet, basename="dibaoapplication")
router.register("dibao-awards", dibao_api.AwardViewSet, basename="dibaoaward")
router.register("dibao-reviews", dibao_api.ReviewViewSet, basename="dibaoreview")
router.register("dibao-alerts", dibao_api.AlertViewSet, basename="dibaoalert")
router.register("dibao-payment-lists", dibao_api.PaymentListViewSet, basename="dibaopaymentlist")
router.register("dibao-payment-lines", dibao_api.PaymentLineViewSet, basename="dibaopaymentline")

me = path("me/", core_api.MeView.as_view(), name="me")
me.shegong = RouteSpec(kind="list")  # type: ignore[attr-defined]
token = path("auth/token/", core_api.TokenView.as_view(), name="token")
token.shegong = RouteSpec(kind="public")  # type: ignore[attr-defined]

urlpatterns = [me, token, *router.urls]

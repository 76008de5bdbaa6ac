"""What the Dibao API shows: applications, awards, reviews, alerts, payment lists and their
lines, read-only.

ID numbers are always masked (the last two characters only); the API offers no way to reveal
them. Amounts are decimal strings with two places (never floats). Filters are plain
serializers, checked before anything is read, so a bad value is a 400 on its field.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from shegong.core.idnumbers import mask_citizen_id
from shegong.core.params import ApiDateField, ApiIdField

from .models import Alert as AlertModel
from .models import (
    AlertStatus,
    Application,
    Award,
    AwardStatus,
    ListStatus,
    PaymentLine,
    PaymentList,
    Programme,
    Review,
    ReviewOutcome,
    Stage,
)


def _region_field() -> serializers.RegexField:
    return serializers.RegexField(
        r"\A[0-9]{12}\Z",
        required=False,
        help_text="12位区划代码:该区划及其下级(如一个县的代码为该县全县)",
        error_messages={"invalid": "请填写12位区划代码,例如 411525000000。"},
    )


# --- applications -----------------------------------------------------------------------------


class ApplicationSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    household_number = serializers.CharField(source="household.number", read_only=True)
    applicant_name = serializers.CharField(source="applicant.name", read_only=True)
    applicant_id_number = serializers.SerializerMethodField(
        help_text="申请人身份证号,始终脱敏(仅显示末两位)"
    )
    programme_label = serializers.CharField(source="get_programme_display", read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "number",
            "region",
            "region_name",
            "household",
            "household_number",
            "applicant_name",
            "applicant_id_number",
            "programme",
            "programme_label",
            "stage",
            "stage_label",
            "accepted_on",
            "opinion_on",
            "notice_from",
            "notice_to",
            "county_received_on",
            "decided_on",
            "notified_on",
            "payment_from",
            "proposed_amount",
            "amount",
            "version",
        ]
        read_only_fields = fields

    def get_applicant_id_number(self, application: Application) -> str:
        return mask_citizen_id(application.applicant.id_number)


class ApplicationFilterSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(Stage.choices, required=False, help_text="办理环节")
    programme = serializers.ChoiceField(Programme.choices, required=False, help_text="救助类别")
    region = _region_field()


# --- awards and reviews -----------------------------------------------------------------------


class AwardSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", read_only=True)
    household_number = serializers.CharField(source="household.number", read_only=True)
    application_number = serializers.CharField(source="application.number", read_only=True)
    programme_label = serializers.CharField(source="get_programme_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Award
        fields = [
            "id",
            "application",
            "application_number",
            "region",
            "household",
            "household_number",
            "programme",
            "programme_label",
            "status",
            "status_label",
            "amount",
            "members",
            "payment_from",
            "payment_to",
            "gradual_exit_to",
            "schedule",
            "next_review_on",
            "version",
        ]
        read_only_fields = fields


class AwardFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(AwardStatus.choices, required=False, help_text="保障状态")
    programme = serializers.ChoiceField(Programme.choices, required=False, help_text="救助类别")
    region = _region_field()


class ReviewSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", read_only=True)
    application_number = serializers.CharField(source="award.application.number", read_only=True)
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "award",
            "application_number",
            "region",
            "reviewed_on",
            "outcome",
            "outcome_label",
            "reason",
            "amount_before",
            "amount_after",
            "effective_from",
        ]
        read_only_fields = fields


class ReviewFilterSerializer(serializers.Serializer):
    award = ApiIdField(required=False, min_value=1, help_text="保障对象 id")
    outcome = serializers.ChoiceField(ReviewOutcome.choices, required=False, help_text="复核结果")


# --- alerts -----------------------------------------------------------------------------------


class AlertSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", read_only=True)
    household_number = serializers.CharField(source="household.number", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = AlertModel
        fields = [
            "id",
            "region",
            "household",
            "household_number",
            "award",
            "rule",
            "detail",
            "status",
            "status_label",
            "opened_on",
            "closed_on",
            "outcome",
        ]
        read_only_fields = fields


class AlertFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(AlertStatus.choices, required=False, help_text="处理状态")
    rule = serializers.RegexField(r"\A[a-z0-9_]{1,32}\Z", required=False, help_text="监测规则代码")
    region = _region_field()


# --- payment lists ----------------------------------------------------------------------------


class PaymentListSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = PaymentList
        fields = [
            "id",
            "region",
            "region_name",
            "month",
            "status",
            "status_label",
            "households",
            "persons",
            "total",
            "created_at",
        ]
        read_only_fields = fields


class PaymentListFilterSerializer(serializers.Serializer):
    region = _region_field()
    month = ApiDateField(required=False, help_text="发放月份(该月任一日期,如 2026-12-01)")
    status = serializers.ChoiceField(ListStatus.choices, required=False, help_text="名册状态")


class PaymentLineSerializer(serializers.ModelSerializer):
    """One household's payment as it was paid (the line's snapshot), and the head's ID number
    masked."""

    region = serializers.CharField(source="region_id", read_only=True)
    village = serializers.CharField(source="region.name", read_only=True)
    household_number = serializers.CharField(source="household.number", read_only=True)
    head_name = serializers.SerializerMethodField(help_text="户主姓名(发放时)")
    head_id_number = serializers.SerializerMethodField(
        help_text="户主身份证号,始终脱敏(仅显示末两位)"
    )
    application_number = serializers.SerializerMethodField(help_text="申请编号(发放时)")

    class Meta:
        model = PaymentLine
        fields = [
            "id",
            "payment_list",
            "month",
            "region",
            "village",
            "household",
            "household_number",
            "head_name",
            "head_id_number",
            "award",
            "application_number",
            "members",
            "amount",
        ]
        read_only_fields = fields

    def _snapshot(self, line: PaymentLine) -> dict[str, Any]:
        return line.snapshot if isinstance(line.snapshot, dict) else {}

    def get_head_name(self, line: PaymentLine) -> str:
        return str(self._snapshot(line).get("head") or "")

    def get_head_id_number(self, line: PaymentLine) -> str:
        return mask_citizen_id(getattr(line, "head_id_number", "") or "")

    def get_application_number(self, line: PaymentLine) -> str:
        return str(self._snapshot(line).get("application") or "")


class PaymentLineFilterSerializer(serializers.Serializer):
    payment_list = ApiIdField(required=False, min_value=1, help_text="发放名册 id")
    month = ApiDateField(required=False, help_text="发放月份(该月任一日期)")
    region = _region_field()

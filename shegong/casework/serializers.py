"""What the casework API shows and accepts.

No ID numbers and no household members: a case names its household by id and number and its
person by id only. Inputs are plain serializers whose fields are the services' arguments; the
services do the checking, so their Chinese messages reach the client unchanged.
"""

from __future__ import annotations

from rest_framework import serializers

from shegong.core.params import ApiDateField, ApiIdField

from .models import (
    Case,
    CaseSource,
    ClosureReason,
    FollowUp,
    FollowUpStatus,
    Priority,
    Referral,
    ReferralStatus,
    ServiceRecord,
    ServiceType,
    Stage,
)

# --- cases ------------------------------------------------------------------------------------


class CaseSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    region = serializers.CharField(source="region_id", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    household_number = serializers.CharField(source="household.number", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    worker_name = serializers.CharField(source="worker.display_name", read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    priority_label = serializers.CharField(source="get_priority_display", read_only=True)
    # Declared, not generated: DRF drops allow_blank from read-only model fields, and the
    # schema then claimed an open case's empty reason was not a valid value.
    closure_reason = serializers.ChoiceField(
        ClosureReason.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "region",
            "region_name",
            "household",
            "household_number",
            "person",
            "organisation",
            "organisation_name",
            "worker",
            "worker_name",
            "stage",
            "stage_label",
            "source",
            "priority",
            "priority_label",
            "presenting_problem",
            "consent",
            "opened_on",
            "closed_on",
            "closure_reason",
            "closure_pending",
            "times_reopened",
            "version",
        ]
        read_only_fields = fields


class CaseFilterSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(Stage.choices, required=False)
    worker = ApiIdField(required=False, min_value=1)
    region = serializers.RegexField(
        r"\A[0-9]{12}\Z",
        required=False,
        help_text="12位区划代码:该区划及其下级(如一个县的代码为该县全县)",
        error_messages={"invalid": "请填写12位区划代码,例如 411525000000。"},
    )
    mine = serializers.BooleanField(required=False, default=False)


class CaseCreateSerializer(serializers.Serializer):
    household = ApiIdField()
    person = ApiIdField(required=False, allow_null=True, default=None)
    # The metaclass takes declared fields off the class, so this does not shadow Field.source.
    source = serializers.ChoiceField(CaseSource.choices)  # type: ignore[assignment]
    priority = serializers.ChoiceField(Priority.choices, default=Priority.NORMAL)
    presenting_problem = serializers.CharField(max_length=2000, allow_blank=True)
    consent = serializers.BooleanField(default=False)
    worker = ApiIdField(
        required=False, allow_null=True, default=None, help_text="负责社工;不填则为本人"
    )
    opened_on = ApiDateField(required=False, allow_null=True, default=None)


class CaseUpdateSerializer(serializers.Serializer):
    presenting_problem = serializers.CharField(max_length=2000, allow_blank=True)
    priority = serializers.ChoiceField(Priority.choices)
    consent = serializers.BooleanField()
    version = serializers.IntegerField()


class _Versioned(serializers.Serializer):
    # Optional here so that a missing version gets the API's own message (pop_version).
    version = serializers.IntegerField(required=False)


class CaseMoveSerializer(_Versioned):
    to = serializers.ChoiceField(Stage.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ClosureResolutionSerializer(serializers.Serializer):
    item = serializers.RegexField(
        r"\A(task|referral)_[0-9]{1,19}\Z", help_text="未完成事项,如 task_12、referral_5"
    )
    choice = serializers.ChoiceField(["done", "cancel", "hand_over"], help_text="完成、取消或移交")
    note = serializers.CharField(allow_blank=True, max_length=1000)


class CaseCloseSerializer(_Versioned):
    reason = serializers.ChoiceField(ClosureReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    resolutions = ClosureResolutionSerializer(
        many=True, required=False, default=list, help_text="每个未完成的任务或转介的处理"
    )


class CaseReopenSerializer(_Versioned):
    reason = serializers.CharField(allow_blank=True, max_length=2000)


class CaseTransferSerializer(_Versioned):
    to_worker = ApiIdField()
    reason = serializers.CharField(allow_blank=True, max_length=2000)


# --- service records --------------------------------------------------------------------------


class ServiceRecordSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    region = serializers.CharField(source="region_id", read_only=True)
    service_type_label = serializers.CharField(source="get_service_type_display", read_only=True)
    worker_name = serializers.CharField(source="worker.display_name", read_only=True)

    class Meta:
        model = ServiceRecord
        fields = [
            "id",
            "case",
            "case_number",
            "region",
            "service_type",
            "service_type_label",
            "served_on",
            "duration_minutes",
            "place",
            "people_present",
            "content",
            "next_step",
            "worker",
            "worker_name",
            "created_at",
        ]
        read_only_fields = fields


class ServiceRecordCreateSerializer(serializers.Serializer):
    case = ApiIdField()
    service_type = serializers.ChoiceField(ServiceType.choices)
    served_on = ApiDateField()
    duration_minutes = serializers.IntegerField()
    place = serializers.CharField(max_length=100, allow_blank=True)
    content = serializers.CharField(allow_blank=True)
    people_present = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    next_step = serializers.CharField(required=False, allow_blank=True, default="")


class CaseRowFilterSerializer(serializers.Serializer):
    case = ApiIdField(required=False, min_value=1)


# --- referrals --------------------------------------------------------------------------------


class ReferralSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "case_number",
            "institution",
            "institution_name",
            "need",
            "consent_on",
            "status",
            "status_label",
            "sent_on",
            "due_on",
            "is_overdue",
            "responded_on",
            "served_on",
            "decline_reason",
            "outcome",
            "version",
        ]
        read_only_fields = fields


class ReferralFilterSerializer(CaseRowFilterSerializer):
    status = serializers.ChoiceField(ReferralStatus.choices, required=False)
    overdue = serializers.BooleanField(required=False, default=False)


class ReferralCreateSerializer(serializers.Serializer):
    case = ApiIdField()
    institution = ApiIdField()
    need = serializers.CharField(allow_blank=True)
    consent_on = ApiDateField(required=False, allow_null=True, default=None)
    sent_on = ApiDateField(required=False, allow_null=True, default=None)


class ReferralStatusSerializer(_Versioned):
    status = serializers.ChoiceField(ReferralStatus.choices)
    on = ApiDateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")


# --- follow-ups -------------------------------------------------------------------------------


class FollowUpSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    assigned_to_name = serializers.CharField(source="assigned_to.display_name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "case",
            "case_number",
            "due_on",
            "purpose",
            "assigned_to",
            "assigned_to_name",
            "status",
            "status_label",
            "done_on",
            "note",
            "version",
        ]
        read_only_fields = fields


class FollowUpFilterSerializer(CaseRowFilterSerializer):
    status = serializers.ChoiceField(FollowUpStatus.choices, required=False)
    mine = serializers.BooleanField(required=False, default=False)


class FollowUpCreateSerializer(serializers.Serializer):
    case = ApiIdField()
    due_on = ApiDateField()
    purpose = serializers.CharField(max_length=200, allow_blank=True)
    assigned_to = ApiIdField(
        required=False, allow_null=True, default=None, help_text="回访人;不填则为本人"
    )


class FollowUpCompleteSerializer(_Versioned):
    note = serializers.CharField(allow_blank=True)
    done_on = ApiDateField(required=False, allow_null=True, default=None)
    cancel = serializers.BooleanField(required=False, default=False)

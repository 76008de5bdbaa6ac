from rest_framework import serializers

from .models import AuditEvent, Membership, Region, TaskProgress, User
from .services_audit import event_shown


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = [
            "code",
            "name",
            "level",
            "parent",
            "is_sanqu",
            "is_poverty_county",
            "is_pilot_community",
            "is_synthetic",
        ]


class MembershipSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "role", "region", "region_name", "organisation"]


class UserSerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "phone", "is_active", "memberships"]


class AuditEventSerializer(serializers.ModelSerializer):
    """Personal numbers in `target_repr` and `changes` come masked, unless the view put the
    event's `ShownEvent` from a logged reveal in the context as `revealed`."""

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor_name",
            "action",
            "target_type",
            "target_id",
            "target_repr",
            "region",
            "changes",
            "request_id",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        shown = self.context.get("revealed")
        if shown is None or shown.event.pk != instance.pk:
            shown = event_shown(instance)
        data["target_repr"] = shown.target_repr
        data["changes"] = shown.changes
        return data


class TaskProgressSerializer(serializers.ModelSerializer):
    # None until the task knows its total; the model caps it at 100.
    percent = serializers.IntegerField(read_only=True, allow_null=True, min_value=0, max_value=100)

    class Meta:
        model = TaskProgress
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "done",
            "total",
            "percent",
            "message",
            "created_at",
            "finished_at",
        ]


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"})
    name = serializers.CharField(max_length=50, required=False, allow_blank=True)

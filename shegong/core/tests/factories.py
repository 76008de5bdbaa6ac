"""Factories for the foundation's scoped models, used by the jurisdiction harness."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from shegong.core.models import ApiToken, AuditEvent, Membership, Region, TaskProgress, User
from shegong.core.testing import make_village, next_seq, register_factory


@register_factory(Region)
def region_factory(*, region_code: str, marker: str, owner=None) -> Region:
    return make_village(region_code[:9] + "000", name=marker)


@register_factory(User)
def user_factory(*, region_code: str, marker: str, owner=None) -> User:
    user = User.objects.create_user(username=f"u{next_seq()}", password="x", full_name=marker)
    Membership.objects.create(user=user, role="township_officer", region_id=region_code)
    return user


@register_factory(Membership)
def membership_factory(*, region_code: str, marker: str, owner=None) -> Membership:
    user = User.objects.create_user(username=f"m{next_seq()}", password="x", full_name=marker)
    return Membership.objects.create(user=user, role="child_director", region_id=region_code)


@register_factory(AuditEvent)
def audit_factory(*, region_code: str, marker: str, owner=None) -> AuditEvent:
    return AuditEvent.objects.create(
        action="test.event",
        target_type="core.region",
        target_id=region_code,
        target_repr=marker,
        region_id=region_code,
    )


@register_factory(TaskProgress)
def task_factory(*, region_code: str, marker: str, owner=None) -> TaskProgress:
    if owner is None:
        owner = User.objects.create_user(username=f"t{next_seq()}", password="x")
    task = TaskProgress.objects.create(owner=owner, kind="test", title=marker, status="done")
    # A finished export with its file, so the download route has something to serve.
    settings.EXPORT_DIR.mkdir(parents=True, exist_ok=True)
    (settings.EXPORT_DIR / f"{task.pk}.xlsx").write_bytes(b"test")
    TaskProgress.objects.filter(pk=task.pk).update(result_file=f"{task.pk}.xlsx")
    task.refresh_from_db()
    return task


@register_factory(ApiToken)
def api_token_factory(*, region_code: str, marker: str, owner=None) -> ApiToken:
    if owner is None:
        owner = User.objects.create_user(username=f"k{next_seq()}", password="x")
    return ApiToken.objects.create(
        owner=owner,
        name=marker[:50],
        key_hash=f"{next_seq():064d}",
        key_prefix="test",
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )

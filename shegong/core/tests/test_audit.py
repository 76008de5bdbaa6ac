import io

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from shegong.conftest import GUSHI, XINCAI
from shegong.core import audit
from shegong.core.models import AuditEvent, TaskProgress

pytestmark = pytest.mark.django_db


def _event(region, repr_="x", action="test.event"):
    return AuditEvent.objects.create(action=action, target_repr=repr_, region_id=region)


def test_audit_rows_cannot_be_changed_or_deleted_from_python():
    event = _event(GUSHI)
    event.action = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_audit_rows_cannot_be_updated_in_the_database():
    event = _event(GUSHI)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE core_auditevent SET action = 'x' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_postgresql_refuses_delete_and_sqlite_keeps_flush_possible():
    """PostgreSQL has a DELETE trigger; SQLite has none because the test flush deletes."""
    event = _event(GUSHI)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
        assert AuditEvent.objects.filter(pk=event.pk).exists()
    else:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'core_auditevent'"
            )
            assert [r[0] for r in cur.fetchall()] == ["core_auditevent_no_update"]


def test_record_carries_the_request_id_and_rolls_back_with_the_change(gushi_officer):
    token = audit.request_id_var.set("req-123")
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            audit.record(actor=gushi_officer, action="x.rolled_back", region_id=GUSHI)
            raise RuntimeError
        event = audit.record(actor=gushi_officer, action="x.kept", region_id=GUSHI)
    finally:
        audit.request_id_var.reset(token)
    assert event.request_id == "req-123"
    assert not AuditEvent.objects.filter(action="x.rolled_back").exists()


def test_diff_lists_only_changed_fields():
    assert audit.diff({"a": 1, "b": 2}, {"a": 1, "b": 3}) == {"b": [2, 3]}


def test_audit_page_is_scoped_to_the_county(client, gushi_officer):
    _event(GUSHI, "固始的事件")
    _event(XINCAI, "新蔡的事件")
    client.force_login(gushi_officer)
    body = client.get(reverse("core:audit_list")).content.decode()
    assert "固始的事件" in body
    assert "新蔡的事件" not in body


def test_audit_page_filters_by_action_and_date(client, gushi_officer):
    _event(GUSHI, "甲", action="user.create")
    _event(GUSHI, "乙", action="region.designate")
    client.force_login(gushi_officer)
    body = client.get(reverse("core:audit_list"), {"action": "user."}).content.decode()
    assert "甲" in body and "乙" not in body
    bad = client.get(reverse("core:audit_list"), {"date_from": "2026-13-45"})
    assert bad.status_code == 200
    assert "有效的日期" in bad.content.decode() or "Enter a valid date" in bad.content.decode()


def test_audit_page_pages_without_counting(client, gushi_officer, django_assert_num_queries):
    for n in range(60):
        _event(GUSHI, f"事件{n:02d}")
    client.force_login(gushi_officer)
    first = client.get(reverse("core:audit_list")).content.decode()
    assert "事件59" in first and "事件09" not in first
    assert "before=" in first


def test_social_worker_cannot_read_the_audit_trail(client, gushi_worker):
    _event(GUSHI, "固始的事件")
    client.force_login(gushi_worker)
    response = client.get(reverse("core:audit_list"))
    assert response.status_code == 403
    assert "固始的事件" not in response.content.decode()


def test_export_writes_xlsx_with_formulas_neutralised(client, gushi_officer):
    _event(GUSHI, '=HYPERLINK("http://x")')
    _event(XINCAI, "新蔡的事件")
    client.force_login(gushi_officer)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("core:audit_export"), {})
    task = TaskProgress.objects.get(owner=gushi_officer)
    assert response.url == reverse("core:task_detail", args=[task.pk])
    assert task.status == "done"
    download = client.get(reverse("core:task_download", args=[task.pk]))
    assert download.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    rows = list(wb.active.values)
    reprs = [r[5] for r in rows[1:]]
    assert '\'=HYPERLINK("http://x")' in reprs
    assert "新蔡的事件" not in reprs
    assert rows[0][0] == "时间"


def test_another_user_cannot_download_my_export(client, gushi_officer, xincai_officer):
    client.force_login(gushi_officer)
    client.post(reverse("core:audit_export"), {})
    task = TaskProgress.objects.get(owner=gushi_officer)
    client.force_login(xincai_officer)
    assert client.get(reverse("core:task_download", args=[task.pk])).status_code == 404
    assert client.get(reverse("core:task_detail", args=[task.pk])).status_code == 404

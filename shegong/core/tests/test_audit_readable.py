"""The audit trail reads in Chinese: field labels and display values, never codes."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shegong.casework.tests.factories import make_case
from shegong.conftest import GUSHI, _township
from shegong.core import audit
from shegong.core.audit_fields import change_lines
from shegong.core.models import AuditEvent, TaskProgress
from shegong.core.testing import make_village
from shegong.registry.tests.factories import make_household


@pytest.fixture
def village(db):
    return make_village(_township(GUSHI)).code


def _lines(event: AuditEvent) -> list[str]:
    return [
        f"{line.label}:{line.value}"
        for line in change_lines(event.action, event.target_type, event.changes)
    ]


def test_a_closure_reads_with_labels_and_display_values(client, gushi_officer, village):
    case = make_case(region_code=village)
    event = audit.record(
        actor=gushi_officer,
        action="casework.case_close",
        target=case,
        changes={"reason": "goals_met", "pending": False, "note": "按计划结案"},
    )
    assert _lines(event) == ["结案原因:服务目标达成", "待督导审批:否", "说明:按计划结案"]

    client.force_login(gushi_officer)
    for url in (reverse("core:audit_list"), reverse("core:audit_detail", args=[event.pk])):
        page = client.get(url).content.decode()
        assert '<span class="change-label">结案原因</span>:服务目标达成' in page
        assert '<span class="change-label">待督导审批</span>:否' in page
        assert "goals_met" not in page
        assert "False" not in page


def test_a_stage_change_reads_from_the_model_choices(gushi_officer, village):
    case = make_case(region_code=village)
    event = audit.record(
        actor=gushi_officer,
        action="casework.case_stage",
        target=case,
        changes={"stage": ["intake", "assessment"], "consent": [True, False]},
    )
    assert _lines(event) == ["阶段:接案 → 预估", "服务对象知情同意:是 → 否"]


def test_dates_lists_nested_values_and_unknown_keys(gushi_officer, village):
    household = make_household(village)
    event = audit.record(
        actor=gushi_officer,
        action="registry.person_remove",
        target=household,
        changes={
            "reason": "外嫁",
            "removed": {
                "name": "张伟",
                "sex": "female",
                "relation": "head",
                "birth_date": "1990-05-01",
            },
            "members": [11, 12],
            "poverty_status": ["not_out", "out"],
            "year_out": [None, 2026],
            "mystery_key": "x",
        },
    )
    assert _lines(event) == [
        "变更原因:外嫁",
        "减少的成员:姓名:张伟;性别:女;与户主关系:户主;出生日期:1990-05-01",
        "成员:11、12",
        "脱贫状态:未脱贫 → 已脱贫",
        "脱贫年度:— → 2026",
        "mystery_key:x",
    ]


def test_a_value_outside_the_choices_shows_as_written(gushi_officer, village):
    event = audit.record(
        actor=gushi_officer,
        action="casework.case_close",
        target=make_case(region_code=village),
        changes={"reason": "retired_code"},
    )
    assert _lines(event) == ["结案原因:retired_code"]


def test_an_assessment_reads_its_kind_and_domains(gushi_officer, village):
    event = audit.record(
        actor=gushi_officer,
        action="casework.assessment",
        target=make_case(region_code=village),
        changes={"kind": "reassessment", "scores": {"income": 4, "health": 2}},
    )
    assert _lines(event) == ["预估类型:评估期复评", "各项评分:经济收入:4;身体健康:2"]


def test_the_export_reads_like_the_page(
    client, gushi_officer, village, django_capture_on_commit_callbacks
):
    audit.record(
        actor=gushi_officer,
        action="casework.case_close",
        target=make_case(region_code=village),
        changes={"reason": "goals_met", "pending": False},
    )
    client.force_login(gushi_officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:audit_export") + "?action=casework.case_close")
    task = TaskProgress.objects.get(owner=gushi_officer)
    download = client.get(reverse("core:task_download", args=[task.pk]))
    rows = list(load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.values)
    assert [row[7] for row in rows[1:]] == ["结案原因:服务目标达成;待督导审批:否"]

"""Case-study de-identification: everything the platform knows about the household, compared
after normalising spaces, dashes and full-width characters, and the words to change listed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shegong.casework import deidentify, services
from shegong.casework.models import CaseStudy
from shegong.casework.tests.factories import make_case_study
from shegong.registry.models import Household
from shegong.registry.tests.factories import make_person

NEEDLES = deidentify.household_needles(
    names=["王秀英", "欧阳娜娜", "李明"],
    id_numbers=["41152519800101123X"],
    phones=["13903761234", "0376-5551234"],
    household_number="411525110201-0007",
    village="李庄村委会",
    address="李庄村3组25号",
)


def _found(text):
    return [(f.kind, f.word) for f in deidentify.find(text, NEEDLES)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一位母亲丧偶后独自抚养孩子", []),
        ("王秀英丧偶", [("name", "王秀英")]),
        ("秀英丧偶", [("name", "秀英")]),  # the given name alone
        ("王 秀英丧偶", [("name", "王 秀英")]),  # a space inside
        ("王　秀英", [("name", "王　秀英")]),  # an ideographic space
        ("娜娜上学", [("name", "娜娜")]),  # the given name of a compound surname
        ("李明说", [("name", "李明")]),
        ("明说", []),  # a one-character given name alone is not flagged
        ("身份证 4115 2519 8001 0112 3x", [("id_number", "4115 2519 8001 0112 3x")]),
        (
            "４１１５２５１９８００１０１１２３Ｘ",
            [("id_number", "４１１５２５１９８００１０１１２３Ｘ")],
        ),
        ("电话139-0376-1234", [("phone", "139-0376-1234")]),
        ("座机 0376 555 1234", [("phone", "0376 555 1234")]),
        ("另一手机13812345678", [("phone", "13812345678")]),  # any mobile number
        ("另一身份证410101199001011234", [("id_number", "410101199001011234")]),
        ("户编号411525110201—0007", [("household", "411525110201—0007")]),
        ("家住李庄村", [("village", "李庄村")]),
        ("李庄的村民", [("village", "李庄")]),
        ("住在3组25号", [("address", "3组25号")]),
        ("王秀英和李明", [("name", "王秀英"), ("name", "李明")]),
    ],
)
def test_what_is_found_and_the_words_as_written(text, expected):
    assert _found(text) == expected


@pytest.mark.parametrize(
    ("village", "expected"),
    [
        ("李庄村委会", {"李庄村", "李庄"}),
        ("李庄村民委员会", {"李庄村", "李庄"}),
        ("李庄村", {"李庄村", "李庄"}),
        ("幸福社区居委会", {"幸福"}),
        ("东村", {"东村"}),  # the stem alone would be one character
    ],
)
def test_village_names_as_people_write_them(village, expected):
    assert deidentify.village_needles(village) == expected


@pytest.fixture
def study(db, gushi_worker, village):
    study = make_case_study(region_code=village, owner=gushi_worker)
    household = study.case.household
    Household.objects.filter(pk=household.pk).update(address="李庄村3组25号", phone="0376-5551234")
    make_person(household, "王秀英", relation="spouse")
    return CaseStudy.objects.get(pk=study.pk)


def test_publishing_lists_the_words_to_change(study, gushi_worker):
    study.background = "王 秀英一家住在李庄村3组25号"
    study.process = "电话0376 555 1234联系"
    messages = services.identifying_details(
        study.case, {"background": study.background, "process": study.process}
    )
    assert messages == {
        "background": (
            "含有可识别个人身份的信息:姓名“王 秀英”、住址“李庄村3组25号”,请删去或改用化名。"
        ),
        "process": "含有可识别个人身份的信息:电话“0376 555 1234”,请删去或改用化名。",
    }


def test_the_draft_page_shows_the_words_to_change(client, study, gushi_worker):
    CaseStudy.objects.filter(pk=study.pk).update(
        background="秀英在李庄村务农", process="链接公益岗位", outcome="收入提高"
    )
    client.force_login(gushi_worker)
    body = client.get(reverse("casework:study_detail", args=[study.pk])).content.decode()
    assert "发布前检查:需要修改的词语" in body
    assert "<mark>秀英</mark>" in body and "<mark>李庄村</mark>" in body
    r = client.post(reverse("casework:study_detail", args=[study.pk]), {"version": study.version})
    assert r.status_code == 200
    assert CaseStudy.objects.get(pk=study.pk).status == "draft"
    CaseStudy.objects.filter(pk=study.pk).update(background="W女士在某村务农", title="务农家庭")
    body = client.get(reverse("casework:study_detail", args=[study.pk])).content.decode()
    assert "未发现该户成员的姓名" in body

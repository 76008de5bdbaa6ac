"""Code values as people write them: one folding rule for every code list, one alias table per
list (data, `shegong/registry/aliases/*.json`) with a case here for every alias, and the
message that names an unknown value with the nearest labels."""

from __future__ import annotations

import json

import pytest
from django.db import models

from shegong.registry import codes
from shegong.registry.importer.rows import unknown_code_message

# Every alias of every list and the code it must give. An alias added to a data file without a
# line here fails `test_every_alias_in_the_data_has_a_case`.
EXPECTED: dict[type[models.TextChoices], dict[str, str]] = {
    codes.HouseholdType: {
        "ordinary": "一般户 一般 一般贫困 一般贫困户(一般户)",
        "dibao": "低保户 低保 低保贫困 低保贫困户(低保户)",
        "tekun": "特困户 特困 五保户 五保 特困供养 五保贫困户 特困供养户 特困人员 五保供养户",
    },
    codes.PovertyStatus: {
        "not_out": "未脱贫户 贫困 贫困户",
        "out": "脱贫 已脱贫户 脱贫户 稳定脱贫",
        "relapse_risk": "返贫 返贫风险户 有返贫风险",
    },
    codes.Cause: {
        "illness": "病 因病致贫",
        "disability": "残 因残致贫",
        "schooling": "学 因学致贫",
        "disaster": "灾 因灾致贫",
        "lack_land": "缺地 缺土地致贫",
        "lack_water": "缺水致贫",
        "lack_skills": "缺技能 缺技术致贫",
        "lack_labour": "缺劳动力 缺劳力致贫",
        "lack_capital": "缺资金致贫",
        "transport": "交通落后 交通条件差 交通条件落后致贫",
        "lack_drive": "自身动力不足 缺乏发展动力 自身发展动力不足致贫",
        "marriage": "婚 因婚致贫",
        "other": "其它",
    },
    codes.Relation: {
        "head": "本人 户主本人 本人(户主) 户主(本人)",
        "spouse": "妻 妻子 丈夫 夫 之配偶 之妻 之夫 爱人 老伴 夫妻",
        "son": "子 儿子 儿 长子 次子 三子 四子 五子 独子 养子 继子 二儿子 大儿子 小儿子",
        "daughter": "女 女儿 闺女 长女 次女 三女 四女 五女 独女 养女 继女 大女儿 二女儿 小女儿",
        "son_in_law": "女婿 婿",
        "daughter_in_law": "儿媳 儿媳妇 媳妇 之儿媳妇",
        "grandson": "孙子 孙 长孙 次孙 外孙 外孙子 之外孙 之外孙子",
        "granddaughter": "孙女 外孙女 之外孙女 长孙女 次孙女",
        "father": "父 父亲 爸爸 爹",
        "mother": "母 母亲 妈妈 娘",
        "sibling": "之兄弟姐妹 兄 弟 姐 妹 哥 哥哥 弟弟 姐姐 妹妹 兄弟 姐妹",
        "other": (
            "其它 其他亲属 其它亲属 其他关系 之祖父母 之祖父 之祖母 之外祖父 之外祖母 祖父 祖母 "
            "祖父母 爷爷 奶奶 外公 外婆 之岳父 之岳母 之公公 之婆婆 岳父 岳母 公公 婆婆 侄子 "
            "侄女 外甥 外甥女 孙媳妇 之孙媳妇 曾孙 曾孙女"
        ),
    },
    codes.Sex: {
        "male": "男性 m 男士",
        "female": "女性 f 女士",
    },
    codes.Education: {
        "preschool": "学龄前 学前 学前儿童 学前教育 幼儿园 学前班",
        "illiterate": "文盲 半文盲 文盲半文盲 文盲/半文盲 不识字",
        "primary": (
            "小学文化 小学毕业 小学肄业 小学在读 在读小学 小学生 一年级 二年级 三年级 四年级 "
            "五年级 六年级 小学一年级 小学二年级 小学三年级 小学四年级 小学五年级 小学六年级"
        ),
        "junior": (
            "初中文化 初中毕业 初中肄业 初中在读 在读初中 初中生 初一 初二 初三 七年级 八年级 "
            "九年级 七年级至九年级 初中一年级 初中二年级 初中三年级"
        ),
        "senior": (
            "高中文化 高中毕业 高中肄业 高中在读 在读高中 高中生 高一 高二 高三 普通高中 "
            "高中一年级 高中二年级 高中三年级"
        ),
        "vocational": (
            "中专 中技 中职 技校 职高 中专/中职/技校 中专/中职 中等专业学校 中等职业教育 "
            "职业高中 中专在读 中职在读 技校在读 中职一年级 中职二年级 中职三年级"
        ),
        "college": (
            "大专 高职 大专/高职 本科 本科及以上 大学 大学本科 大学专科 专科 研究生 硕士 博士 "
            "大学在读 大专在读 本科在读 高职高专 高职高专及以上 大学及以上 大一 大二 大三 大四"
        ),
    },
    codes.InSchool: {
        "none": "否 无 不在校 非在校 不在读 未在校 辍学 非在校学生",
        "preschool": "学前 学前班 幼儿园 幼儿园在读 在读幼儿园 学龄前",
        "primary": (
            "小学在读 在读小学 小学生 一年级 二年级 三年级 四年级 五年级 六年级 小学一年级 "
            "小学二年级 小学三年级 小学四年级 小学五年级 小学六年级"
        ),
        "junior": (
            "初中 初中在读 在读初中 初中生 初一 初二 初三 七年级 八年级 九年级 七至九年级 "
            "初中一年级 初中二年级 初中三年级"
        ),
        "senior": (
            "高中在读 在读高中 高中生 高一 高二 高三 普通高中 高中一年级 高中二年级 高中三年级"
        ),
        "vocational": (
            "中职在读 中专 中专在读 职高 技校 中技 中等职业教育 职业高中 中职一年级 中职二年级 "
            "中职三年级"
        ),
        "higher": (
            "高职高专 大学 大学在读 大专 大专在读 本科 本科在读 高职 研究生 研究生在读 大一 大二 "
            "大三 大四 本科及以上 大专及以上"
        ),
    },
    codes.Health: {
        "healthy": "健康状况良好 良好 健康 正常",
        "chronic": "慢性病 长期慢性病患者 慢病 患有慢性病",
        "serious": "大病 重病 患大病 重大疾病",
        "disabled": "残疾人 残 残障",
    },
    codes.Labour: {
        "ordinary": "普通 一般劳动力 普通劳力",
        "skilled": "技能 技能劳力",
        "lost": "丧失 丧失劳动能力",
        "none": "无 无劳动能力 无劳力",
    },
    codes.WorkStatus: {
        "none": "未务工 否 不务工 未外出务工 无务工",
        "township": "乡镇内务工 乡内务工 镇内务工",
        "county": "县内务工 县内乡外 乡外县内务工 县内乡(镇)外务工",
        "province": "省内务工 省内县外 县外省内务工",
        "out_of_province": "省外 外省务工 省外务工人员 跨省务工",
    },
}

CASES = [
    (choices, spelling, code)
    for choices, by_code in EXPECTED.items()
    for code, spellings in by_code.items()
    for spelling in spellings.split()
]


@pytest.mark.parametrize(
    ("choices", "spelling", "code"),
    CASES,
    ids=[f"{c.__name__}-{s}" for c, s, _code in CASES],
)
def test_each_alias_gives_its_code(choices, spelling, code):
    assert codes.normalise(choices, spelling) == code


def test_every_alias_in_the_data_has_a_case():
    for choices, name in codes.ALIAS_FILES.items():
        stored = json.loads((codes.ALIAS_DIR / f"{name}.json").read_text(encoding="utf-8"))
        expected = {s: c for c, spellings in EXPECTED[choices].items() for s in spellings.split()}
        assert stored == expected, choices.__name__


@pytest.mark.parametrize("choices", list(codes.ALIAS_FILES))
def test_labels_and_codes_still_map_to_themselves(choices: type[models.TextChoices]):
    for value, label in choices.choices:
        assert codes.normalise(choices, str(label)) == value
        assert codes.normalise(choices, value) == value


@pytest.mark.parametrize(
    ("choices", "written", "code"),
    [
        # Full-width brackets where the code table has half-width ones, and the reverse.
        (codes.Education, "中专（中技）", "vocational"),
        (codes.Education, "中专【中技】", "vocational"),
        (codes.Education, "中专〔中技〕", "vocational"),
        (codes.WorkStatus, "乡（镇）内务工", "township"),
        (codes.WorkStatus, "乡[镇]内务工", "township"),
        (codes.HouseholdType, "低保贫困户（低保户）", "dibao"),
        # Spaces of any width, inside and around.
        (codes.Relation, "之　子", "son"),
        (codes.Relation, " 户 主 ", "head"),
        (codes.Health, "长期\u00a0慢性病", "chronic"),
        # Middle dots of every kind, quotes, trailing punctuation.
        (codes.Relation, "之·孙子", "grandson"),
        (codes.Relation, "之・孙女", "granddaughter"),
        (codes.Relation, "之•外孙女", "granddaughter"),
        (codes.Relation, "“之女”", "daughter"),
        (codes.Relation, "之儿媳。", "daughter_in_law"),
        (codes.Education, "初中，", "junior"),
        # Full-width letters and case.
        (codes.Sex, "Ｍ", "male"),
        (codes.HouseholdType, "ORDINARY", "ordinary"),
        # A compatibility ideograph (the Kangxi radical 子, U+2F26) as text copied from a PDF.
        (codes.Relation, "之\u2f26", "son"),
        # 之X: the national system's form of any short relation term.
        (codes.Relation, "之长子", "son"),
        (codes.Relation, "之次女", "daughter"),
        (codes.Relation, "之哥哥", "sibling"),
        (codes.Relation, "之女儿", "daughter"),
        (codes.Relation, "之祖父", "other"),
    ],
)
def test_spellings_fold_to_the_same_label(choices, written, code):
    assert codes.normalise(choices, written) == code


@pytest.mark.parametrize(
    ("choices", "written"),
    [
        (codes.Relation, "邻居"),
        (codes.Relation, "之"),
        (codes.Education, "博士后"),
        (codes.Education, "七年级至"),
        (codes.InSchool, "十年级"),
        (codes.Sex, "男女"),
        (codes.Labour, "弱劳动力或半劳动力"),
        (codes.Relation, "（）"),
        (codes.Relation, "。"),
    ],
)
def test_unknown_spellings_stay_unknown(choices, written):
    assert codes.normalise(choices, written) is None


def test_an_unknown_value_names_the_column_the_value_and_the_three_nearest_labels():
    # 孙媳妇 is an alias of 其他: the nearest spellings may be aliases, the labels are shown.
    assert unknown_code_message("与户主关系", "之孙媳") == (
        "与户主关系“之孙媳”不是可用的代码值,最接近的是:其他、之儿媳、之孙子。"
        "请对照模板中的“代码表”填写。"
    )
    assert unknown_code_message("文化程度", "中专（中技") == (
        "文化程度“中专（中技”不是可用的代码值,最接近的是:中专(中技)、初中、高中。"
        "请对照模板中的“代码表”填写。"
    )


def test_a_list_of_two_names_both():
    assert codes.nearest_labels(codes.Sex, "南") == ["男", "女"]


def test_aliases_that_mean_two_codes_are_refused(monkeypatch):
    codes._table.cache_clear()
    monkeypatch.setattr(codes, "aliases", lambda choices: {"之 子": "daughter"})
    try:
        with pytest.raises(ValueError, match="means both 'son' and 'daughter'"):
            codes._table(codes.Relation)
    finally:
        codes._table.cache_clear()
        codes._lookup.cache_clear()

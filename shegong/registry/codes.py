"""Code values of the registry (建档立卡) and the spellings people type for them.

Each code list is a TextChoices whose label is the official Chinese term; `ALIASES` maps common
variants (with or without 户/类 suffixes, old names, English) to the code. `normalise()` is what
the import and the forms use; an unknown spelling returns None and the caller reports it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HouseholdType(models.TextChoices):
    ORDINARY = "ordinary", _("一般贫困户")
    DIBAO = "dibao", _("低保贫困户")
    TEKUN = "tekun", _("特困供养贫困户")


class PovertyStatus(models.TextChoices):
    NOT_OUT = "not_out", _("未脱贫")
    OUT = "out", _("已脱贫")
    RELAPSE_RISK = "relapse_risk", _("返贫风险")


class Cause(models.TextChoices):
    ILLNESS = "illness", _("因病")
    DISABILITY = "disability", _("因残")
    SCHOOLING = "schooling", _("因学")
    DISASTER = "disaster", _("因灾")
    LACK_LAND = "lack_land", _("缺土地")
    LACK_WATER = "lack_water", _("缺水")
    LACK_SKILLS = "lack_skills", _("缺技术")
    LACK_LABOUR = "lack_labour", _("缺劳力")
    LACK_CAPITAL = "lack_capital", _("缺资金")
    TRANSPORT = "transport", _("交通条件落后")
    LACK_DRIVE = "lack_drive", _("自身发展动力不足")
    MARRIAGE = "marriage", _("因婚")
    OTHER = "other", _("其他")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    SON = "son", _("之子")
    DAUGHTER = "daughter", _("之女")
    SON_IN_LAW = "son_in_law", _("之女婿")
    DAUGHTER_IN_LAW = "daughter_in_law", _("之儿媳")
    GRANDSON = "grandson", _("之孙子")
    GRANDDAUGHTER = "granddaughter", _("之孙女")
    FATHER = "father", _("之父")
    MOTHER = "mother", _("之母")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Education(models.TextChoices):
    PRESCHOOL = "preschool", _("学龄前儿童")
    ILLITERATE = "illiterate", _("文盲或半文盲")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中专(中技)")
    COLLEGE = "college", _("大专及以上")


class InSchool(models.TextChoices):
    NONE = "none", _("非在校生")
    PRESCHOOL = "preschool", _("学前教育")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("七年级至九年级")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中职")
    HIGHER = "higher", _("高职高专及以上")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("健康")
    CHRONIC = "chronic", _("长期慢性病")
    SERIOUS = "serious", _("患有大病")
    DISABLED = "disabled", _("残疾")


class Labour(models.TextChoices):
    ORDINARY = "ordinary", _("普通劳动力")
    SKILLED = "skilled", _("技能劳动力")
    LOST = "lost", _("丧失劳动力")
    NONE = "none", _("无劳动力")


class WorkStatus(models.TextChoices):
    NONE = "none", _("无")
    TOWNSHIP = "township", _("乡(镇)内务工")
    COUNTY = "county", _("县内乡外务工")
    PROVINCE = "province", _("省内县外务工")
    OUT_OF_PROVINCE = "out_of_province", _("省外务工")
    OTHER = "other", _("其他")


class LeftBehind(models.TextChoices):
    NONE = "", _("否")
    CHILD = "child", _("留守儿童")
    WOMAN = "woman", _("留守妇女")
    ELDERLY = "elderly", _("留守老人")


# Spellings seen in county spreadsheets, mapped to codes. Matching ignores spaces and case.
ALIASES: dict[type[models.TextChoices], dict[str, str]] = {
    HouseholdType: {
        "一般户": "ordinary",
        "一般": "ordinary",
        "一般贫困": "ordinary",
        "低保户": "dibao",
        "低保": "dibao",
        "低保贫困": "dibao",
        "特困户": "tekun",
        "特困": "tekun",
        "五保户": "tekun",
        "五保": "tekun",
        "特困供养": "tekun",
        "五保贫困户": "tekun",
    },
    Cause: {
        "病": "illness",
        "因病致贫": "illness",
        "残": "disability",
        "因残致贫": "disability",
        "学": "schooling",
        "因学致贫": "schooling",
        "灾": "disaster",
        "因灾致贫": "disaster",
        "缺地": "lack_land",
        "缺技能": "lack_skills",
        "缺劳动力": "lack_labour",
        "交通落后": "transport",
        "交通条件差": "transport",
        "自身动力不足": "lack_drive",
        "缺乏发展动力": "lack_drive",
        "婚": "marriage",
    },
    Relation: {
        "本人": "head",
        "户主本人": "head",
        "妻": "spouse",
        "妻子": "spouse",
        "丈夫": "spouse",
        "夫": "spouse",
        "子": "son",
        "儿子": "son",
        "长子": "son",
        "次子": "son",
        "女": "daughter",
        "女儿": "daughter",
        "长女": "daughter",
        "次女": "daughter",
        "儿媳": "daughter_in_law",
        "女婿": "son_in_law",
        "孙子": "grandson",
        "孙女": "granddaughter",
        "父亲": "father",
        "母亲": "mother",
        "父": "father",
        "母": "mother",
        "兄": "sibling",
        "弟": "sibling",
        "姐": "sibling",
        "妹": "sibling",
    },
    Sex: {"男性": "male", "女性": "female", "m": "male", "f": "female"},
    Education: {
        "学龄前": "preschool",
        "文盲": "illiterate",
        "半文盲": "illiterate",
        "小学文化": "primary",
        "初中文化": "junior",
        "高中文化": "senior",
        "中专": "vocational",
        "中技": "vocational",
        "大专": "college",
        "本科": "college",
        "大学": "college",
        "本科及以上": "college",
    },
    InSchool: {
        "否": "none",
        "无": "none",
        "不在校": "none",
        "非在校": "none",
        "学前": "preschool",
        "幼儿园": "preschool",
        "初中": "junior",
        "七至九年级": "junior",
        "职高": "vocational",
        "中专": "vocational",
        "大学": "higher",
        "大专": "higher",
        "本科": "higher",
        "高职高专": "higher",
    },
    Health: {
        "健康状况良好": "healthy",
        "良好": "healthy",
        "慢性病": "chronic",
        "长期慢性病患者": "chronic",
        "大病": "serious",
        "重病": "serious",
        "患大病": "serious",
        "残疾人": "disabled",
    },
    Labour: {
        "普通": "ordinary",
        "一般劳动力": "ordinary",
        "技能": "skilled",
        "丧失": "lost",
        "丧失劳动能力": "lost",
        "无": "none",
        "无劳动能力": "none",
    },
    WorkStatus: {
        "": "none",
        "未务工": "none",
        "否": "none",
        "乡镇内务工": "township",
        "县内务工": "county",
        "省内务工": "province",
        "省外": "out_of_province",
        "外省务工": "out_of_province",
    },
}


def normalise(choices: type[models.TextChoices], raw: object) -> str | None:
    """The code for a label, code or known alias; None when nobody could tell what was meant."""
    text = "".join(str(raw if raw is not None else "").split()).lower()
    for value, label in choices.choices:
        if text in (str(value).lower(), "".join(str(label).split()).lower()):
            return str(value)
    return ALIASES.get(choices, {}).get(text)

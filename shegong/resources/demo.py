"""Demo resource directory: institutions of 固始 and 新蔡 and a few of their city and province.

The names follow the way such institutions are usually called; contact persons, phone numbers
and capacities are made up, so every name carries 「(演示)」 like the demo agencies: nobody should
dial a made-up number for a real institution. Idempotent: an institution is found by its name
and region.
"""

from __future__ import annotations

from django.db import transaction

from shegong.core.demo import register_demo

from .models import Institution, InstitutionKind

GUSHI, XINCAI = "411525000000", "411729000000"
K = InstitutionKind

DEMO_MARK = "(演示)"

# (name, kind, region, services, capacity, contact person, phone, address, opening hours)
INSTITUTIONS: list[tuple[str, str, str, str, int | None, str, str, str, str]] = [
    (
        "河南省残疾人康复中心",
        K.DISABILITY,
        "410000000000",
        "残疾评定咨询、肢体及言语康复训练、辅具适配指导",
        120,
        "周主任",
        "0371-65901234",
        "郑州市金水区",
        "工作日 8:30-12:00,14:30-17:30",
    ),
    (
        "河南省妇联12338妇女儿童维权服务热线",
        K.WOMEN_CHILDREN_AID,
        "410000000000",
        "家庭暴力求助、妇女儿童权益咨询、法律援助转介",
        None,
        "值班人员",
        "12338",
        "",
        "全天",
    ),
    (
        "信阳市救助管理站",
        K.SOCIAL_ASSISTANCE,
        "411500000000",
        "流浪乞讨人员临时救助、护送返乡、寻亲服务",
        80,
        "刘站长",
        "0376-6201234",
        "信阳市浉河区",
        "全天",
    ),
    (
        "驻马店市儿童福利院",
        K.CHILD_WELFARE,
        "411700000000",
        "孤儿及事实无人抚养儿童养育、康复、特殊教育",
        150,
        "孙院长",
        "0396-2801234",
        "驻马店市驿城区",
        "工作日 8:00-12:00,14:30-18:00",
    ),
    (
        "固始县社会福利院",
        K.ELDERLY_WELFARE,
        GUSHI,
        "特困老人集中供养、失能老人照护、临时托养",
        200,
        "陈院长",
        "0376-4921234",
        "固始县蓼城街道",
        "全天",
    ),
    (
        "固始县残疾人康复中心",
        K.DISABILITY,
        GUSHI,
        "残疾儿童康复训练、成人肢体康复、辅具申领",
        60,
        "黄主任",
        "0376-4922345",
        "固始县番城街道",
        "工作日 8:30-12:00,14:30-17:30",
    ),
    (
        "固始县人力资源和社会保障局就业服务中心",
        K.EMPLOYMENT,
        GUSHI,
        "职业介绍、技能培训报名、公益性岗位、外出务工对接",
        None,
        "李科长",
        "0376-4923456",
        "固始县秀水街道",
        "工作日 9:00-12:00,14:30-17:30",
    ),
    (
        "固始县人民医院",
        K.HEALTH,
        GUSHI,
        "门诊住院、大病救治、“先诊疗后付费”、家庭医生签约转诊",
        None,
        "医务科",
        "0376-4924567",
        "固始县蓼城街道",
        "门诊 8:00-17:30;急诊全天",
    ),
    (
        "固始县救助管理站",
        K.SOCIAL_ASSISTANCE,
        GUSHI,
        "临时救助、流浪乞讨人员救助、医疗救助申请指导",
        30,
        "赵站长",
        "0376-4925678",
        "固始县番城街道",
        "全天",
    ),
    (
        "固始县妇女儿童维权服务站",
        K.WOMEN_CHILDREN_AID,
        GUSHI,
        "家庭暴力庇护、心理疏导、法律咨询",
        10,
        "吴主任",
        "0376-4926789",
        "固始县秀水街道",
        "工作日 8:30-17:30",
    ),
    (
        "陈淋子镇中心学校",
        K.EDUCATION,
        "411525101000",
        "义务教育、留守儿童关爱、困难学生资助申请",
        None,
        "郑校长",
        "0376-4931234",
        "固始县陈淋子镇",
        "工作日 8:00-17:00",
    ),
    (
        "蓼城街道社区综合服务中心",
        K.COMMUNITY,
        "411525001000",
        "低保及临时救助受理、居家养老服务、志愿服务对接",
        None,
        "马主任",
        "0376-4932345",
        "固始县蓼城街道",
        "工作日 8:30-12:00,14:30-17:30",
    ),
    (
        "新蔡县社会福利中心",
        K.ELDERLY_WELFARE,
        XINCAI,
        "特困人员集中供养、孤儿养育、失能照护",
        180,
        "王院长",
        "0396-5921234",
        "新蔡县古吕街道",
        "全天",
    ),
    (
        "新蔡县人民医院",
        K.HEALTH,
        XINCAI,
        "门诊住院、慢病管理、大病救治转诊",
        None,
        "医务科",
        "0396-5922345",
        "新蔡县今是街道",
        "门诊 8:00-17:30;急诊全天",
    ),
    (
        "新蔡县公共就业服务中心",
        K.EMPLOYMENT,
        XINCAI,
        "职业介绍、就业技能培训、创业担保贷款咨询",
        None,
        "杨科长",
        "0396-5923456",
        "新蔡县古吕街道",
        "工作日 9:00-12:00,14:30-17:30",
    ),
    (
        "新蔡县残疾人联合会康复服务站",
        K.DISABILITY,
        XINCAI,
        "残疾人证办理咨询、康复训练、辅具适配",
        40,
        "徐主任",
        "0396-5924567",
        "新蔡县月亮湾街道",
        "工作日 8:30-17:30",
    ),
    (
        "练村镇中心学校",
        K.EDUCATION,
        "411729104000",
        "义务教育、留守儿童之家、营养餐与资助",
        None,
        "胡校长",
        "0396-5931234",
        "新蔡县练村镇",
        "工作日 8:00-17:00",
    ),
    (
        "新蔡县青少年综合服务中心",
        K.YOUTH,
        XINCAI,
        "青少年心理辅导、课后托管、假期营",
        50,
        "郭主任",
        "0396-5925678",
        "新蔡县今是街道",
        "周二至周日 9:00-17:00",
    ),
]


@transaction.atomic
def load() -> int:
    """Create the demo institutions that do not exist yet; returns how many were made."""
    created = 0
    for name, kind, region, services, capacity, person, phone, address, hours in INSTITUTIONS:
        _obj, made = Institution.objects.get_or_create(
            # Marked like the demo agencies: the names are real-sounding, the phones made up.
            name=name + DEMO_MARK,
            region_id=region,
            defaults={
                "kind": kind,
                "services": services,
                "capacity": capacity,
                "contact_person": person,
                "phone": phone,
                "address": address,
                "opening_hours": hours,
            },
        )
        created += made
    return created


def _step() -> dict[str, int]:
    load()
    return {}  # the directory is not counted in the demo's summary


register_demo("resources", order=30, load=_step)

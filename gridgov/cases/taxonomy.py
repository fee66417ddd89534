"""The default case taxonomy: 12 classes and their subclasses, with stable codes (2-digit class +
2-digit subclass, in the manner of the event codes of GB/T 30428.2), handling levels, departments
and deadline tiers. Loaded by a data migration once; editable afterwards in the back office.

Deadline tiers (claim, resolve ordinary, resolve urgent, working time?):
emergencies 10 min / 2 h / 2 h around the clock; water, power, gas and heating 1 h / 24 h / 12 h
around the clock; ordinary matters 2 working hours / 7 working days / 2 working days; complex
matters (disputes, construction, planning) 4 working hours / 15 working days / 5 working days.
The urban-management classes of GB/T 30428.2 map onto ours through ``gbt_class``.
"""

from __future__ import annotations

import datetime
from typing import Any

H = datetime.timedelta(hours=1)
D = datetime.timedelta(days=1)
M = datetime.timedelta(minutes=1)

EMERGENCY = {
    "claim_within": 10 * M,
    "resolve_within": 2 * H,
    "resolve_within_urgent": 2 * H,
    "working_time": False,
}
UTILITY = {
    "claim_within": 1 * H,
    "resolve_within": 24 * H,
    "resolve_within_urgent": 12 * H,
    "working_time": False,
}
ORDINARY = {
    "claim_within": 2 * H,
    "resolve_within": 7 * D,
    "resolve_within_urgent": 2 * D,
    "working_time": True,
}
COMPLEX = {
    "claim_within": 4 * H,
    "resolve_within": 15 * D,
    "resolve_within_urgent": 5 * D,
    "working_time": True,
}

# (code, name, GB/T 30428.2 class, [(code, name, level, department kind, tier, sensitive)])
TAXONOMY: list[tuple[str, str, str, list[tuple[str, str, str, str, dict, bool]]]] = [
    (
        "01",
        "市容环境",
        "市容环境",
        [
            ("0101", "楼道杂物", "grid", "", ORDINARY, False),
            ("0102", "暴露垃圾", "grid", "urban_management", ORDINARY, False),
            ("0103", "乱贴乱画", "grid", "urban_management", ORDINARY, False),
            ("0104", "违规户外广告", "street", "urban_management", ORDINARY, False),
            ("0105", "占道经营", "street", "urban_management", ORDINARY, False),
        ],
    ),
    (
        "02",
        "市政设施",
        "部件",
        [
            ("0201", "路灯损坏", "street", "utilities", ORDINARY, False),
            ("0202", "井盖缺失", "street", "utilities", UTILITY, False),
            ("0203", "道路破损", "street", "housing", ORDINARY, False),
            ("0204", "供水停水漏水", "department", "utilities", UTILITY, False),
            ("0205", "停电断电", "department", "utilities", UTILITY, False),
            ("0206", "燃气供暖故障", "department", "utilities", UTILITY, False),
        ],
    ),
    (
        "03",
        "交通停车",
        "街面秩序",
        [
            ("0301", "占道停车", "grid", "", ORDINARY, False),
            ("0302", "非机动车乱停", "grid", "", ORDINARY, False),
            ("0303", "停车位纠纷", "community", "", ORDINARY, False),
            ("0304", "交通设施损坏", "department", "transport", ORDINARY, False),
        ],
    ),
    (
        "04",
        "物业管理",
        "",
        [
            ("0401", "电梯故障", "community", "housing", UTILITY, False),
            ("0402", "小区卫生", "community", "", ORDINARY, False),
            ("0403", "物业服务纠纷", "community", "housing", COMPLEX, True),
            ("0404", "加装电梯", "community", "housing", COMPLEX, False),
        ],
    ),
    (
        "05",
        "安全隐患",
        "突发事件",
        [
            ("0501", "高空飞线", "grid", "", ORDINARY, False),
            ("0502", "电动车违规充电", "grid", "emergency", ORDINARY, False),
            ("0503", "消防通道堵塞", "community", "emergency", ORDINARY, False),
            ("0504", "充电桩建设", "community", "housing", COMPLEX, False),
            ("0505", "危房险情", "street", "housing", UTILITY, False),
            ("0506", "违章搭建", "street", "urban_management", COMPLEX, False),
        ],
    ),
    (
        "06",
        "矛盾纠纷",
        "",
        [
            ("0601", "邻里纠纷", "grid", "", COMPLEX, True),
            ("0602", "家庭纠纷", "community", "civil_affairs", COMPLEX, True),
            ("0603", "租赁纠纷", "community", "", COMPLEX, True),
            ("0604", "劳资纠纷", "street", "other", COMPLEX, True),
        ],
    ),
    (
        "07",
        "民生服务",
        "",
        [
            ("0701", "独居老人帮扶", "grid", "civil_affairs", ORDINARY, True),
            ("0702", "低保救助", "community", "civil_affairs", COMPLEX, True),
            ("0703", "残疾人服务", "community", "civil_affairs", ORDINARY, True),
            ("0704", "证明办理", "community", "", ORDINARY, False),
        ],
    ),
    (
        "08",
        "治安防控",
        "",
        [
            ("0801", "可疑人员", "department", "police", UTILITY, True),
            ("0802", "盗窃线索", "department", "police", UTILITY, True),
            ("0803", "出租屋治安", "community", "police", ORDINARY, True),
        ],
    ),
    (
        "09",
        "生态环境",
        "",
        [
            ("0901", "噪音扰民", "grid", "environment", ORDINARY, False),
            ("0902", "油烟污染", "street", "environment", ORDINARY, False),
            ("0903", "河道污染", "department", "environment", COMPLEX, False),
            ("0904", "施工扬尘", "street", "environment", ORDINARY, False),
        ],
    ),
    (
        "10",
        "市场监管",
        "宣传广告",
        [
            ("1001", "无证经营", "street", "market_supervision", ORDINARY, False),
            ("1002", "食品安全", "department", "market_supervision", UTILITY, False),
            ("1003", "价格欺诈", "department", "market_supervision", ORDINARY, False),
        ],
    ),
    (
        "11",
        "紧急求助",
        "突发事件",
        [
            ("1101", "独居老人求助", "grid", "civil_affairs", EMERGENCY, True),
            ("1102", "突发疾病", "grid", "emergency", EMERGENCY, True),
            ("1103", "火情险情", "street", "emergency", EMERGENCY, False),
            ("1104", "一键通求助", "grid", "civil_affairs", EMERGENCY, True),
        ],
    ),
    (
        "12",
        "意见建议",
        "施工管理",
        [
            ("1201", "社区治理建议", "community", "", COMPLEX, False),
            ("1202", "施工扰民", "street", "housing", ORDINARY, False),
            ("1203", "公共设施建议", "street", "", COMPLEX, False),
        ],
    ),
]

# Words residents use for each subclass (the report pages' category suggestion scores texts
# against them, the name and the filing condition). Data: editable in the back office.
KEYWORDS: dict[str, str] = {
    "0101": "楼道 楼梯 过道 走廊 纸箱 杂物 堆放 堆满 堆积 占用 自行车 旧家具 消防通道",
    "0102": "垃圾 垃圾桶 满溢 乱扔 暴露 臭味 建筑垃圾 垃圾堆",
    "0103": "小广告 乱贴 乱画 涂鸦 牛皮癣 贴纸",
    "0104": "广告牌 招牌 户外广告 横幅",
    "0105": "摆摊 占道经营 小贩 地摊 流动摊贩 出店经营",
    "0201": "路灯 不亮 灯坏 照明 黑灯",
    "0202": "井盖 下水道口 窨井 缺失 松动",
    "0203": "路面 坑洼 破损 塌陷 人行道 地砖",
    "0204": "停水 漏水 水管 爆管 水压 自来水",
    "0205": "停电 断电 跳闸 电路 没电",
    "0206": "燃气 煤气 暖气 供暖 不热 漏气",
    "0301": "停车 占道停车 乱停 堵路 挡路 汽车",
    "0302": "电动车 自行车 共享单车 乱停 乱放",
    "0303": "车位 停车位 地锁 抢车位",
    "0304": "红绿灯 信号灯 交通标志 护栏 斑马线",
    "0401": "电梯 困人 故障 停运 异响",
    "0402": "小区 卫生 清扫 保洁 绿化",
    "0403": "物业 物业费 服务差 不作为",
    "0404": "加装电梯 老楼 电梯加装",
    "0501": "飞线 私拉电线 电线 拉线",
    "0502": "电动车充电 飞线充电 电瓶 楼道充电 充电",
    "0503": "消防通道 堵塞 消防栓 灭火器",
    "0504": "充电桩 充电设施",
    "0505": "危房 裂缝 墙体 倒塌 漏雨",
    "0506": "违建 违章搭建 私搭乱建 加盖",
    "0601": "邻居 邻里 吵架 矛盾 纠纷",
    "0602": "家庭 家暴 夫妻 赡养",
    "0603": "房东 租客 押金 租房",
    "0604": "工资 欠薪 拖欠 劳务",
    "0701": "独居老人 老人 照顾 探访",
    "0702": "低保 困难 救助 补助",
    "0703": "残疾 轮椅 无障碍",
    "0704": "证明 开证明 盖章 办理",
    "0801": "可疑 陌生人 形迹可疑",
    "0802": "被偷 盗窃 丢失 小偷",
    "0803": "出租屋 群租 治安",
    "0901": "噪音 吵 扰民 装修 深夜 广场舞",
    "0902": "油烟 饭店 烧烤 排烟",
    "0903": "河道 污水 排污 河水 发臭",
    "0904": "扬尘 灰尘 工地 尘土",
    "1001": "无证 无照 黑作坊",
    "1002": "食品 过期 变质 卫生 餐馆",
    "1003": "价格 欺诈 乱收费 缺斤短两",
    "1101": "独居老人 求助 摔倒 没人管",
    "1102": "晕倒 急病 突发 昏迷",
    "1103": "着火 火灾 冒烟 起火",
    "1104": "一键通 呼叫 求助",
    "1201": "建议 意见 治理",
    "1202": "施工 夜间施工 扰民 噪声",
    "1203": "健身器材 座椅 公共设施 增设",
}

FILING = "有明确地点、能够核实的问题，属于本辖区职责范围。"
CLOSING = "问题已处置并经核查属实，报告人已获反馈。"


def default_rows() -> list[dict[str, Any]]:
    """The taxonomy as rows, classes first, each subclass naming its class's code."""
    rows: list[dict[str, Any]] = []
    for order, (code, name, gbt_class, subclasses) in enumerate(TAXONOMY):
        rows.append(
            {
                "code": code,
                "name": name,
                "parent": None,
                "gbt_class": gbt_class,
                "handling_level": "grid",
                "default_department_kind": "",
                "sensitive": False,
                "order": order,
                **ORDINARY,
            }
        )
        for sub_order, (sub_code, sub_name, level, department, tier, sensitive) in enumerate(
            subclasses
        ):
            rows.append(
                {
                    "code": sub_code,
                    "name": sub_name,
                    "parent": code,
                    "gbt_class": gbt_class,
                    "handling_level": level,
                    "default_department_kind": department,
                    "sensitive": sensitive,
                    "order": sub_order,
                    "filing_condition": FILING,
                    "closing_condition": CLOSING,
                    **tier,
                }
            )
    return rows


def load_default_taxonomy(category_model: Any) -> int:
    """Create the categories that do not exist yet (by code); never overwrite edited ones."""
    # Migrations before 0003 run this with a historical model that has no keywords yet.
    has_keywords = any(f.name == "keywords" for f in category_model._meta.get_fields())
    existing = dict(category_model.objects.values_list("code", "pk"))
    created = 0
    for row in default_rows():
        if row["code"] in existing:
            continue
        parent_code = row.pop("parent")
        if has_keywords:
            row["keywords"] = KEYWORDS.get(row["code"], "")
        category = category_model.objects.create(
            parent_id=existing.get(parent_code) if parent_code else None, **row
        )
        existing[row["code"]] = category.pk
        created += 1
    return created


def fill_default_keywords(category_model: Any) -> int:
    """Give the default subclasses their keywords where none were set (never overwrites)."""
    filled = 0
    for code, words in KEYWORDS.items():
        filled += category_model.objects.filter(code=code, keywords="").update(keywords=words)
    return filled

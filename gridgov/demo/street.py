"""The demo street: 和平街道 of the fictional 临江区, 云州市, with six communities and forty grids.

Codes follow GB/T 30428.1 (county 6 + street 3 + community 3 + grid 3). The county code 990102 is
deliberately not a real GB/T 2260 code, so demo data can never be mistaken for a real place.
"""

from __future__ import annotations

from dataclasses import dataclass

from gridgov.demo.geometry import Box

CITY = ("9901", "云州市")
DISTRICT = ("990102", "临江区")
STREET = ("990102001", "和平街道")
# About 3.2 km × 2.4 km, on the river plain of a fictional city (WGS-84).
STREET_BOX = Box(west=120.1400, south=30.2400, east=120.1730, north=30.2620)

COMMUNITIES = (
    ("东湖社区", 7),
    ("西苑社区", 7),
    ("南桥社区", 7),
    ("北城社区", 7),
    ("滨江社区", 6),
    ("新华社区", 6),
)

# (username, name, kind): the departments a street summons (吹哨报到).
DEPARTMENTS = (
    ("paichusuo", "和平派出所", "police"),
    ("chengguan", "和平街道城管执法队", "urban_management"),
    ("shichang", "和平市场监管所", "market_supervision"),
    ("huanbao", "临江生态环境分局和平所", "environment"),
    ("zhujian", "和平街道规划建设办", "housing"),
    ("minzheng", "和平街道民政办", "civil_affairs"),
    ("yingji", "和平街道应急办", "emergency"),
    ("shuidian", "临江供水供电服务站", "utilities"),
)


CHINESE_NUMERALS = ("零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十")


@dataclass(frozen=True)
class AreaSpec:
    code: str
    name: str
    level: str
    parent_code: str | None
    polygon: dict | None = None


def area_specs() -> list[AreaSpec]:
    specs = [
        AreaSpec(CITY[0], CITY[1], "city", None),
        AreaSpec(DISTRICT[0], DISTRICT[1], "district", CITY[0]),
        AreaSpec(STREET[0], STREET[1], "street", DISTRICT[0], STREET_BOX.geojson()),
    ]
    community_boxes = STREET_BOX.split(len(COMMUNITIES))
    for index, ((name, grid_count), box) in enumerate(
        zip(COMMUNITIES, community_boxes, strict=True), start=1
    ):
        community_code = f"{STREET[0]}{index:03d}"
        specs.append(AreaSpec(community_code, name, "community", STREET[0], box.geojson()))
        for grid_index, grid_box in enumerate(box.split(grid_count), start=1):
            specs.append(
                AreaSpec(
                    f"{community_code}{grid_index:03d}",
                    f"{name.removesuffix('社区')}第{CHINESE_NUMERALS[grid_index]}网格",
                    "grid",
                    community_code,
                    grid_box.geojson(),
                )
            )
    return specs

"""Realistic, fictional Chinese names from a seeded generator (same seed, same people)."""

from __future__ import annotations

import random

# The most common surnames, roughly in order of frequency, repeated by weight.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_WEIGHTED = SURNAMES[:10] * 6 + SURNAMES[10:30] * 3 + SURNAMES[30:]
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欢阳建国志文博德成海东"
GIVEN_FEMALE = (
    "芳娜敏静丽艳娟霞秀英慧巧美淑惠珠翠雅芝玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹"
)


def person_name(rng: random.Random, sex: str | None = None) -> str:
    sex = sex or rng.choice(("male", "female"))
    pool = GIVEN_MALE if sex == "male" else GIVEN_FEMALE
    given = rng.choice(pool) if rng.random() < 0.3 else rng.choice(pool) + rng.choice(pool)
    return rng.choice(_WEIGHTED) + given

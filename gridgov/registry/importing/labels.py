"""The fixed Chinese exchange format of 一张表采集: column headers, sheet names and choice labels.

These are data, not UI text: a template downloaded today must still import next year, whatever the
interface language, so they are constants here rather than translated strings. Everything a user
reads *about* the columns (instructions, reasons) goes through gettext with English msgids.
"""

from __future__ import annotations

# Sheet names
SHEET_INSTRUCTIONS = "填写说明"
SHEET_REJECTED = "未通过的行"
SHEET_SUMMARY = "导入结果"

# Columns of the result workbook, appended after the original columns so that the sheet can be
# corrected and imported again as it is (the importer ignores columns it does not know).
RESULT_ROW = "原始行号"
RESULT_FIELDS = "错误列"
RESULT_REASONS = "错误原因"

# Headers of the instructions sheet
INSTRUCTION_HEADERS = ("列名", "是否必填", "说明", "可填写的值")
REQUIRED = "必填"
OPTIONAL = "选填"

# Choice labels: model value -> label in the exchange format. Aliases are other spellings met in
# the field's spreadsheets; the model's own labels (in Chinese and English) and the raw values are
# accepted as well (see columns.ChoiceMap).
RESIDENCE_TYPE = {"registered": "户籍", "floating": "流动", "foreign": "境外"}
RESIDENCE_TYPE_ALIASES = {
    "户籍人口": "registered",
    "常住户籍": "registered",
    "流动人口": "floating",
    "外来人口": "floating",
    "境外人员": "foreign",
    "境外人口": "foreign",
}
DOCUMENT_TYPE = {
    "id_card": "居民身份证",
    "passport": "护照",
    "hmt_permit": "港澳台通行证",
    "other": "其他",
}
DOCUMENT_TYPE_ALIASES = {
    "身份证": "id_card",
    "二代身份证": "id_card",
    "港澳居民来往内地通行证": "hmt_permit",
    "台湾居民来往大陆通行证": "hmt_permit",
    "港澳台居民居住证": "hmt_permit",
    "其他证件": "other",
}
SEX = {"male": "男", "female": "女"}
RESIDENT_TAG = {
    "elderly_alone": "独居老人",
    "empty_nest": "空巢老人",
    "very_old": "高龄老人",
    "disabled": "残疾人",
    "veteran": "退役军人",
    "low_income": "低保",
    "party_member": "党员",
    "left_behind_child": "留守儿童",
    "serious_illness": "大病患者",
    "key_care": "重点关爱",
}
RESIDENT_TAG_ALIASES = {
    "高龄": "very_old",
    "低保户": "low_income",
    "低保对象": "low_income",
    "残疾": "disabled",
    "重病": "serious_illness",
    "中共党员": "party_member",
}
HOUSE_USE = {
    "owner_occupied": "自住",
    "rented": "出租",
    "vacant": "空置",
    "commercial": "商用",
}
HOUSE_USE_ALIASES = {
    "自用": "owner_occupied",
    "出租屋": "rented",
    "闲置": "vacant",
    "商铺": "commercial",
}
AREA_LEVEL = {
    "city": "市",
    "district": "区县",
    "street": "街道",
    "community": "社区",
    "grid": "网格",
    "micro_grid": "微网格",
    "building": "楼栋",
    "unit": "单元",
}
AREA_LEVEL_ALIASES = {
    "区": "district",
    "县": "district",
    "乡镇": "street",
    "镇": "street",
    "乡": "street",
    "村": "community",
    "院落": "building",
    "楼栋院落": "building",
}
GRID_TYPE = {
    "comprehensive": "综合网格",
    "park": "专属网格-园区",
    "market": "专属网格-市场",
    "enterprise": "专属网格-企业",
    "office": "专属网格-楼宇",
    "school": "专属网格-学校",
}
GRID_TYPE_ALIASES = {
    "综合": "comprehensive",
    "园区": "park",
    "市场": "market",
    "企业": "enterprise",
    "楼宇": "office",
    "学校": "school",
}

# Separators of a list in one cell (重点人群: 独居老人,残疾人) and of a name path (所属区域).
LIST_SEPARATORS = ",，、;；/ "
PATH_SEPARATORS = "/／>＞\\"

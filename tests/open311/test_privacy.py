"""No personal data leaves through Open311: not the reporter's name, phone or e-mail, not a staff
member's name, not an internal note, whatever the endpoint or format."""

from __future__ import annotations

import pytest

from gridgov.cases.models import Case
from gridgov.cases.workflow import transition
from tests.open311.conftest import parse_xml, validate

SECRETS = [
    "张三",  # the Open311 reporter
    "13812345678",
    "zhang@example.com",
    "王小明",  # a resident who reported through the phone pages
    "13700001111",
    "网格员甲",  # staff full names and user names
    "社区书记",
    "worker_a",
    "secretary",
    "住户王五不配合",  # an internal note
    "110105199001011234",  # an ID number typed into a description
]


@pytest.fixture
def busy(o311, public_case):
    posted = o311.report(
        email="zhang@example.com",
        first_name="三",
        last_name="张",
        phone="13812345678",
        description="楼道堆满杂物，业主身份证110105199001011234",
        deferred="1",
    ).json()[0]
    Case.objects.filter(number=posted["service_request_id"]).update(public=True)
    case = public_case(
        reporter_name="王小明", callback_phone="13700001111", anonymous=True, actor=None
    )
    world = o311.world
    for action, actor, payload in (
        ("accept", world.secretary, {}),
        ("dispatch", world.secretary, {}),
        ("claim", world.worker_a, {}),
        ("note", world.worker_a, {"note": "住户王五不配合"}),
        ("resolve", world.worker_a, {"result": "已清理"}),
    ):
        case = transition(case=case, action=action, actor=actor, **payload)
    o311.post(
        "servicerequestupdates",
        service_request_id=case.number,
        status="open",
        description="谢谢",
        email="zhang@example.com",
        first_name="三",
        last_name="张",
    )
    return posted, case


def test_no_endpoint_returns_personal_data_in_any_format(o311, busy):
    posted, case = busy
    paths = [
        "discovery",
        "services",
        "services/0101",
        "requests",
        f"requests/{posted['service_request_id']}",
        f"requests/{case.number}",
        f"tokens/{posted['token']}",
        "servicerequestupdates",
    ]
    answers = []
    for path in paths:
        for fmt in ("json", "xml"):
            response = o311.get(path, fmt)
            assert response.status_code == 200, (path, fmt)
            answers.append((path, fmt, response.content.decode("utf-8")))
    answers.append(("POST", "json", o311.report(email="zhang@example.com").content.decode()))
    for path, fmt, body in answers:
        for secret in SECRETS:
            assert secret not in body, (path, fmt, secret)
    listed = {e["service_request_id"]: e for e in o311.get("requests").json()}
    assert listed[posted["service_request_id"]]["description"] == (
        "楼道堆满杂物，业主身份证110105********1234"
    )


def test_xml_stays_well_formed_with_control_characters_and_markup(o311, public_case):
    case = public_case(description="<b>坏</b> & \x01\x0b 字符 ]]>")
    response = o311.get(f"requests/{case.number}", "xml")
    request = parse_xml(response.content).find("request")
    assert request.findtext("description") == "<b>坏</b> &  字符 ]]>"
    validate(o311.get(f"requests/{case.number}").json(), "requests.json")

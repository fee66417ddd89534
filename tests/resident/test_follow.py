"""Open cases of the same category nearby are offered first, "me too" follows one instead of a
second report, and "my reports" shows what a reporter may see: public steps, no staff names, no
internal notes."""

from __future__ import annotations

from gridgov.cases.models import Case, CaseAttachment, CaseEvent, CaseFollower, Category
from gridgov.cases.workflow import transition
from gridgov.resident.selectors import nearby_open_cases
from gridgov.resident.signin import resident_for_phone
from tests.resident.conftest import INSIDE_A, move, png

# About 100 m and 400 m east of INSIDE_A (at 30° N a degree of longitude is about 96 km).
NEAR = (INSIDE_A[0] + 0.00104, INSIDE_A[1])
FAR = (INSIDE_A[0] + 0.0042, INSIDE_A[1])


def test_open_cases_of_the_same_category_within_250_m_are_offered(resident_case, world):
    noise = Category.objects.get(code="0901")
    found = nearby_open_cases(lon=NEAR[0], lat=NEAR[1], category=resident_case.category)
    assert [item.case for item in found] == [resident_case]
    assert 90 <= found[0].metres <= 110
    assert nearby_open_cases(lon=FAR[0], lat=FAR[1], category=resident_case.category) == []
    assert nearby_open_cases(lon=NEAR[0], lat=NEAR[1], category=noise) == []
    move(resident_case, world)  # closed: no longer offered
    assert nearby_open_cases(lon=NEAR[0], lat=NEAR[1], category=resident_case.category) == []


def test_hidden_and_sensitive_cases_are_never_offered(resident_case, world, client):
    Case.objects.filter(pk=resident_case.pk).update(hidden=True)
    assert nearby_open_cases(lon=NEAR[0], lat=NEAR[1], category=resident_case.category) == []
    Case.objects.filter(pk=resident_case.pk).update(hidden=False)
    Category.objects.filter(pk=resident_case.category_id).update(sensitive=True)
    assert nearby_open_cases(lon=NEAR[0], lat=NEAR[1], category=resident_case.category) == []
    assert client.get(f"/m/cases/{resident_case.pk}/me-too/").status_code == 404


def test_the_nearby_fragment_names_no_reporter(resident_case, client):
    page = client.get(
        "/m/report/nearby/",
        {"lon": NEAR[0], "lat": NEAR[1], "crs": "wgs84", "category": resident_case.category_id},
    ).content.decode()
    assert "楼道堆满纸箱" in page and "我也遇到了" in page
    assert "居民5678" not in page and "139****5678" not in page and "13912345678" not in page


def test_me_too_follows_the_case_and_adds_the_note_and_photos(resident_case, client, world):
    neighbour, _ = resident_for_phone("13500002222")
    client.force_login(neighbour, backend="gridgov.core.auth.GridgovModelBackend")
    response = client.post(
        f"/m/cases/{resident_case.pk}/me-too/",
        {"note": "我家这层也堆满了", "photos": [png(colour="green")]},
    )
    assert response.status_code == 302 and response["Location"] == f"/m/mine/{resident_case.pk}/"
    assert Case.objects.count() == 1  # no second case
    assert CaseFollower.objects.filter(case=resident_case, user=neighbour).exists()
    event = CaseEvent.objects.get(case=resident_case, action="me_too")
    assert event.note == "我家这层也堆满了" and event.visibility == "public"
    assert CaseAttachment.objects.filter(case=resident_case, event=event).count() == 1
    # The follower sees the case among their reports, but may not rate it.
    assert str(resident_case.number) in client.get("/m/mine/").content.decode()
    page = client.get(f"/m/mine/{resident_case.pk}/").content.decode()
    assert "您关注了此案件" in page and "另一位居民也反映了此问题" in page
    # Twice is one follower.
    client.post(f"/m/cases/{resident_case.pk}/me-too/", {"note": "还在"})
    assert CaseFollower.objects.filter(case=resident_case, user=neighbour).count() == 1


def test_me_too_without_signing_in_needs_a_phone(resident_case, client):
    response = client.post(f"/m/cases/{resident_case.pk}/me-too/", {"note": "同样"})
    assert response.status_code == 400
    assert not CaseEvent.objects.filter(action="me_too").exists()
    response = client.post(
        f"/m/cases/{resident_case.pk}/me-too/", {"note": "同样", "phone": "13500003333"}
    )
    assert response.status_code == 302
    follower = CaseFollower.objects.get(case=resident_case, user__isnull=True)
    assert follower.phone == "13500003333"


def test_my_reports_show_public_steps_without_staff_names_or_internal_notes(
    resident_case, resident_client, world
):
    case = move(resident_case, world, until="claimed")
    transition(case=case, action="note", actor=world.worker_a, note="内部备注：房东张三不配合")
    case = transition(
        case=case, action="resolve", actor=world.worker_a, result="纸箱已清理，楼道畅通。"
    )
    page = resident_client.get(f"/m/mine/{case.pk}/").content.decode()
    assert "纸箱已清理，楼道畅通。" in page  # the public result
    assert "内部备注" not in page and "张三" not in page
    for name in ("网格员甲", "社区书记", "worker_a", "secretary"):
        assert name not in page
    assert 'data-status="resolved"' in page


def test_residents_see_only_their_own_reports(resident_case, client, world):
    other, _ = resident_for_phone("13500004444")
    client.force_login(other, backend="gridgov.core.auth.GridgovModelBackend")
    assert client.get(f"/m/mine/{resident_case.pk}/").status_code == 404
    assert resident_case.number not in client.get("/m/mine/").content.decode()
    photo = CaseAttachment.objects.filter(case=resident_case).first()
    assert client.get(f"/m/photos/{photo.pk}/").status_code == 404
    # The demo resident of grid A (a role there) sees nothing of it either.
    client.force_login(world.resident)
    assert client.get(f"/m/mine/{resident_case.pk}/").status_code == 404


def test_my_reports_need_a_sign_in(resident_case, client):
    response = client.get("/m/mine/")
    assert response.status_code == 302 and response["Location"].startswith("/m/login/")

"""The public list and map of a community: no sign-in, no personal data, never a sensitive,
hidden or not-yet-accepted case, never a redacted photo. Moderation is for staff only; the
original photo is kept and every action is audited."""

from __future__ import annotations

from auditlog.models import LogEntry

from gridgov.cases.models import Case, CaseAttachment, CaseEvent, Category
from gridgov.core.models import StoredFile
from gridgov.resident.services import resident_report
from tests.resident.conftest import INSIDE_A, move


def test_the_public_list_shows_accepted_cases_without_personal_data(resident_case, world, client):
    community = f"/m/public/{world.community1.pk}/"
    assert resident_case.number not in client.get(community).content.decode()  # not yet accepted
    move(resident_case, world, until="accepted")
    Case.objects.filter(pk=resident_case.pk).update(description="联系13912345678 张三")
    page = client.get(community).content.decode()
    assert "楼道堆满纸箱" in page
    for secret in ("13912345678", "139****5678", "居民5678", "张三", "社区书记"):
        assert secret not in page
    detail = client.get(f"/m/public/cases/{resident_case.uid}/").content.decode()
    assert "楼道堆满纸箱" in detail and "13912345678" not in detail and "张三" not in detail
    geojson = client.get(f"/m/public/{world.community1.pk}/cases.geojson").json()
    feature = geojson["features"][0]
    assert feature["geometry"]["coordinates"] == [round(INSIDE_A[0], 4), round(INSIDE_A[1], 4)]
    assert set(feature["properties"]) == {"uid", "title", "category", "status", "status_label"}
    photo = CaseAttachment.objects.get(case=resident_case)
    assert client.get(f"/m/public/photos/{photo.pk}/").status_code == 200


def test_sensitive_hidden_and_private_cases_stay_off(resident_case, world, phone_resident, client):
    move(resident_case, world, until="accepted")
    dispute = resident_report(
        actor=phone_resident,
        category=Category.objects.get(code="0601"),  # 邻里纠纷: sensitive
        title="邻居吵架",
        lon=INSIDE_A[0],
        lat=INSIDE_A[1],
    ).case
    private = resident_report(
        actor=phone_resident,
        category=resident_case.category,
        title="不公开的问题",
        lon=INSIDE_A[0],
        lat=INSIDE_A[1],
        public=False,
    ).case
    hidden = resident_report(
        actor=phone_resident,
        category=resident_case.category,
        title="被隐藏的问题",
        lon=INSIDE_A[0],
        lat=INSIDE_A[1],
    ).case
    for case in (dispute, private, hidden):
        move(case, world, until="accepted")
    Case.objects.filter(pk=hidden.pk).update(hidden=True)
    page = client.get(f"/m/public/{world.community1.pk}/").content.decode()
    assert "楼道堆满纸箱" in page
    for title in ("邻居吵架", "不公开的问题", "被隐藏的问题"):
        assert title not in page
    for case in (dispute, private, hidden):
        assert client.get(f"/m/public/cases/{case.uid}/").status_code == 404
    geojson = client.get(f"/m/public/{world.community1.pk}/cases.geojson").json()
    assert [f["properties"]["uid"] for f in geojson["features"]] == [str(resident_case.uid)]


def test_staff_hide_a_case_and_it_leaves_the_public_list(resident_case, world, login, client):
    move(resident_case, world, until="accepted")
    secretary = login(world.secretary)
    assert "data-moderation" in secretary.get(f"/cases/{resident_case.pk}/").content.decode()
    response = secretary.post(f"/m/moderate/cases/{resident_case.pk}/hide/", {"hidden": "1"})
    assert response.status_code == 302
    resident_case.refresh_from_db()
    assert resident_case.hidden
    assert (
        resident_case.title not in client.get(f"/m/public/{world.community1.pk}/").content.decode()
    )
    assert CaseEvent.objects.filter(
        case=resident_case, action="hide", visibility="internal"
    ).exists()
    entry = LogEntry.objects.filter(object_pk=str(resident_case.pk)).latest("timestamp")
    assert entry.actor == world.secretary and entry.changes_dict["hidden"] == ["False", "True"]
    # The case itself is untouched for the staff and the reporter.
    assert secretary.get(f"/cases/{resident_case.pk}/").status_code == 200


def test_staff_redact_a_photo_and_the_original_is_kept(
    resident_case, world, login, client, resident_client
):
    move(resident_case, world, until="accepted")
    photo = CaseAttachment.objects.get(case=resident_case)
    secretary = login(world.secretary)
    response = secretary.post(f"/m/moderate/photos/{photo.pk}/redact/", {"redacted": "1"})
    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.redacted
    assert client.get(f"/m/public/photos/{photo.pk}/").status_code == 404
    assert resident_client.get(f"/m/photos/{photo.pk}/").status_code == 404
    assert (
        f"/m/public/photos/{photo.pk}/"
        not in client.get(f"/m/public/cases/{resident_case.uid}/").content.decode()
    )
    # The original stays stored and staff can still open it for the record.
    assert StoredFile.objects.filter(pk=photo.file_id).exists()
    assert secretary.get(f"/files/{photo.file_id}/").status_code == 200
    assert CaseEvent.objects.filter(case=resident_case, action="redact_photo").exists()
    assert LogEntry.objects.filter(
        object_pk=str(resident_case.pk), changes__icontains="attachment_redacted"
    ).exists()


def test_moderation_is_for_staff_over_the_case_only(resident_case, world, login, resident_client):
    move(resident_case, world, until="accepted")
    photo = CaseAttachment.objects.get(case=resident_case)
    # The reporter sees their own case but may not moderate it.
    response = resident_client.post(f"/m/moderate/cases/{resident_case.pk}/hide/")
    assert response.status_code == 403
    response = resident_client.post(f"/m/moderate/photos/{photo.pk}/redact/")
    assert response.status_code == 403
    # A grid worker sees the case but has no dispatching role: 403, and no panel.
    worker = login(world.worker_a)
    assert worker.post(f"/m/moderate/cases/{resident_case.pk}/hide/").status_code == 403
    assert "data-moderation" not in worker.get(f"/cases/{resident_case.pk}/").content.decode()
    # Staff of another grid do not even see it: 404.
    worker_b = login(world.worker_b)
    assert worker_b.post(f"/m/moderate/cases/{resident_case.pk}/hide/").status_code == 404
    resident_case.refresh_from_db()
    photo.refresh_from_db()
    assert not resident_case.hidden and not photo.redacted
    assert not CaseEvent.objects.filter(
        case=resident_case, action__in=["hide", "redact_photo"]
    ).exists()


def test_anonymous_visitors_cannot_moderate(resident_case, client):
    response = client.post(f"/m/moderate/cases/{resident_case.pk}/hide/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    resident_case.refresh_from_db()
    assert not resident_case.hidden


def test_the_public_pages_list_the_communities(world, client):
    page = client.get("/m/public/").content.decode()
    assert "东湖社区" in page and "西苑社区" in page
    assert client.get(f"/m/public/{world.grid_a.pk}/").status_code == 404

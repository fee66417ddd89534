"""The inbox is personal: nobody sees, counts or marks another's notifications."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.notifications.models import Notification, NotificationKind
from gridgov.notifications.services import mark_all_read, mark_read, notify_user, unread_count


def note(user, title="Case C-1 is overdue", **extra):
    return notify_user(
        recipient=user,
        kind=extra.pop("kind", NotificationKind.OVERDUE),
        title=title,
        body=extra.pop("body", "The deadline passed."),
        link=extra.pop("link", "/areas/"),
        **extra,
    )


def test_a_user_sees_only_their_own_notifications(world):
    mine = note(world.worker_a)
    theirs = note(world.worker_b, title="For B")
    assert list(Notification.objects.for_user(world.worker_a)) == [mine]
    assert list(Notification.objects.for_user(world.worker_b)) == [theirs]
    assert not Notification.objects.for_user(None).exists()


def test_unread_counts_and_marking_read(world):
    first, second, _third = note(world.worker_a), note(world.worker_a), note(world.worker_a)
    note(world.worker_b)
    assert unread_count(world.worker_a) == 3
    assert mark_read(user=world.worker_a, notification_ids=[first.pk, second.pk]) == 2
    assert unread_count(world.worker_a) == 1
    # Marking again changes nothing and keeps the first reading time.
    first.refresh_from_db()
    read_at = first.read_at
    assert mark_read(user=world.worker_a, notification_ids=[first.pk]) == 0
    first.refresh_from_db()
    assert first.read_at == read_at
    assert mark_all_read(user=world.worker_a) == 1
    assert unread_count(world.worker_a) == 0
    assert unread_count(world.worker_b) == 1


def test_marking_another_users_notification_read_does_nothing(world):
    theirs = note(world.worker_b)
    assert mark_read(user=world.worker_a, notification_ids=[theirs.pk]) == 0
    mark_all_read(user=world.worker_a)
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert unread_count(world.worker_b) == 1


def test_links_stay_inside_the_site(world):
    for link in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)", "cases/1/"):
        with pytest.raises(ValueError):
            note(world.worker_a, link=link)
    assert not Notification.objects.exists()


def test_identifiers_in_texts_are_masked_and_related_object_is_kept(world):
    notification = note(
        world.worker_a,
        title="Call 13812345678",
        body="Reporter 110101199003071234 called from 13812345678.",
        related=world.grid_a,
    )
    notification.refresh_from_db()
    assert notification.title == "Call 138****5678"
    assert "13812345678" not in notification.body
    assert "110101199003071234" not in notification.body
    assert notification.related == world.grid_a


def test_unknown_kind_is_refused(world):
    with pytest.raises(ValueError):
        note(world.worker_a, kind="gossip")


# --- pages ----------------------------------------------------------------------------------------


def test_inbox_page_lists_own_notifications_newest_first_unread_marked(world, login):
    older = note(world.worker_a, title="Older one")
    newer = note(world.worker_a, title="Newer one")
    note(world.worker_b, title="Not for A")
    mark_read(user=world.worker_a, notification_ids=[older.pk])
    page = login(world.worker_a).get("/inbox/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("Newer one") < html.index("Older one")
    assert "Not for A" not in html
    assert f'data-notification="{newer.pk}" data-unread' in html
    assert f'data-notification="{older.pk}">' in html
    assert 'data-url-name="notifications:inbox"' in html  # the navigation entry
    unread_only = login(world.worker_a).get("/inbox/?show=unread").content.decode()
    assert "Newer one" in unread_only and "Older one" not in unread_only


def test_inbox_page_needs_a_sign_in(db, client):
    response = client.get("/inbox/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_marking_another_users_notification_through_the_page_is_a_404(world, login):
    theirs = note(world.worker_b)
    client = login(world.worker_a)
    assert client.post(f"/inbox/{theirs.pk}/read/").status_code == 404
    assert client.post(f"/inbox/{theirs.pk}/open/").status_code == 404
    client.post("/inbox/read-all/")
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_one_read_with_htmx_returns_the_row(world, login):
    mine = note(world.worker_a, title="Mine")
    response = login(world.worker_a).post(f"/inbox/{mine.pk}/read/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="notification-{mine.pk}"')
    assert "data-unread" not in html
    assert unread_count(world.worker_a) == 0


def test_mark_one_and_all_read_without_javascript(world, login):
    first, _second = note(world.worker_a), note(world.worker_a)
    client = login(world.worker_a)
    response = client.post(f"/inbox/{first.pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/inbox/"
    assert unread_count(world.worker_a) == 1
    assert client.post("/inbox/read-all/").status_code == 302
    assert unread_count(world.worker_a) == 0
    assert client.get("/inbox/read-all/").status_code == 405  # a write is never a GET


def test_open_marks_read_and_follows_the_link(world, login):
    mine = note(world.worker_a, link="/areas/")
    response = login(world.worker_a).post(f"/inbox/{mine.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/areas/"
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_badge_shows_the_unread_count_and_stops_polling_when_signed_out(world, login, client):
    note(world.worker_a)
    note(world.worker_a)
    note(world.worker_b)
    badge = login(world.worker_a).get("/inbox/badge/", HTTP_HX_REQUEST="true")
    assert badge.status_code == 200
    assert 'data-unread="2"' in badge.content.decode()
    assert 'hx-get="/inbox/badge/"' in badge.content.decode()
    assert client.get("/inbox/badge/").status_code == 286


def test_inbox_queries_do_not_grow_with_the_number_of_notifications(world, login):
    client = login(world.worker_a)
    client.get("/inbox/")  # warm the session and the scope

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/inbox/").status_code == 200
        return len(captured)

    for _ in range(3):
        note(world.worker_a)
    few = queries()
    for _ in range(30):
        note(world.worker_a, related=world.grid_a)
    assert queries() == few

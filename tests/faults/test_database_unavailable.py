"""The database briefly unavailable: every request answers 503 with a clear message (a Chinese
page for people, the structured JSON error for /api/ and /open311/), nothing is half-saved, and
the same requests succeed once the database is back.

The outage is real, not a mock: on SQLite the connection is pointed at a path that cannot be
opened; on PostgreSQL the connection goes through a loopback proxy that is cut (open connections
dropped, new ones refused), so the shared server stays up for the other test processes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.db import close_old_connections, connection

from gridgov.api.tokens import token_create
from gridgov.cases.models import Case, CaseEvent
from gridgov.cases.taxonomy import load_default_taxonomy
from tests.faults.proxy import CuttableProxy

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.faults]

MESSAGE_ZH = "数据库暂时不可用，本次操作未保存，请稍后重试。"
REPORT = {"category": "0101", "title": "楼道堆放杂物", "description": "三楼走廊"}


class Outage:
    def __init__(self, down: dict[str, object]) -> None:
        self.up = dict(connection.settings_dict)
        self.down = down

    def _point(self, values: dict[str, object]) -> None:
        connection.close()
        connection.settings_dict.update(values)

    def begin(self) -> None:
        self._point(self.down)

    def end(self) -> None:
        self._point({key: self.up[key] for key in self.down})


@pytest.fixture
def outage(tmp_path) -> Iterator[Outage]:
    proxy = None
    if connection.vendor == "sqlite":
        # The folder does not exist: SQLite cannot open (or create) the file.
        down: dict[str, object] = {"NAME": str(tmp_path / "unmounted" / "gridgov.sqlite3")}
        cut = Outage(down)
        begin, end = cut.begin, cut.end
    else:
        settings_dict = connection.settings_dict
        proxy = CuttableProxy((settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"])))
        cut = Outage({"HOST": "127.0.0.1", "PORT": str(proxy.port)})
        cut.begin()  # from now on every connection goes through the proxy

        def begin() -> None:
            proxy.cut()

        def end() -> None:
            proxy.restore()

    cut.begin, cut.end = begin, end  # type: ignore[method-assign]
    try:
        yield cut
    finally:
        if proxy is not None:
            proxy.restore()
            Outage.end(cut)
            proxy.close()
        else:
            Outage.end(cut)


@pytest.fixture
def staff(world, login):
    load_default_taxonomy(__import__("gridgov.cases.models", fromlist=["Category"]).Category)
    return login(world.secretary)


@pytest.fixture
def token(world):
    _token, key = token_create(user=world.worker_a, name="outage")
    return {"Authorization": f"Bearer {key}"}


def assert_unavailable_page(response) -> None:
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert 'lang="zh-hans"' in page and MESSAGE_ZH in page


def assert_unavailable_json(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["code"] == "database_unavailable"
    assert body["message_zh"] == MESSAGE_ZH
    assert "unavailable" in body["message_en"]


def test_pages_and_apis_answer_503_while_the_database_is_down_and_work_again_after(
    world, staff, token, outage, client
):
    post = {"data": json.dumps({**REPORT, "area": world.grid_a.code})}
    post |= {"content_type": "application/json"}
    key = {"Idempotency-Key": "outage-1"}

    # Django's test client re-raises an exception a request met even when it was answered; the
    # answers are what a user sees, so look at those.
    staff.raise_request_exception = client.raise_request_exception = False
    outage.begin()
    assert_unavailable_page(staff.get("/cases/"))
    assert_unavailable_page(staff.get("/"))
    assert_unavailable_json(client.get("/api/v1/cases", headers=token))
    assert_unavailable_json(client.post("/api/v1/cases", **post, headers={**token, **key}))
    assert_unavailable_json(client.get("/open311/v2/services.json"))
    outage.end()

    assert staff.get("/cases/").status_code == 200
    assert client.get("/api/v1/cases", headers=token).status_code == 200
    assert client.get("/open311/v2/services.json").status_code == 200
    # The report refused during the outage saved nothing; sent again with its key, it makes one.
    assert Case.objects.count() == 0
    again = client.post("/api/v1/cases", **post, headers={**token, **key})
    assert again.status_code == 201, again.content
    assert client.post("/api/v1/cases", **post, headers={**token, **key}).status_code == 200
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == 1


@pytest.mark.pg  # an open SQLite file cannot vanish under its connection; a server connection can
def test_the_database_lost_in_the_middle_of_a_request_answers_503_and_saves_nothing(
    world, token, outage, client, monkeypatch
):
    """The connection drops after the case row is written, before the request commits."""
    load_default_taxonomy(__import__("gridgov.cases.models", fromlist=["Category"]).Category)
    from gridgov.cases import followups

    followed = followups.followed

    def drop_then_follow(event, payload):
        outage.begin()
        followed(event, payload)

    monkeypatch.setattr(followups, "followed", drop_then_follow)
    client.raise_request_exception = False
    post = {"data": json.dumps({**REPORT, "area": world.grid_a.code})}
    post |= {"content_type": "application/json", "headers": {**token, "Idempotency-Key": "k2"}}
    assert_unavailable_json(client.post("/api/v1/cases", **post))
    outage.end()
    monkeypatch.setattr(followups, "followed", followed)
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0
    assert client.post("/api/v1/cases", **post).status_code == 201
    assert Case.objects.count() == 1


@pytest.mark.pg
def test_a_kept_connection_the_server_dropped_is_replaced_before_the_next_request(
    world, token, outage, client
):
    """Between two requests the server side of the kept connection goes away (a restart, a
    terminated backend): the next request's health check sees it and reconnects, so the user
    sees no error. A quiet healthy connection passes the check without a round trip."""
    assert connection.settings_dict["ENGINE"] == "gridgov.core.postgresql"
    assert client.get("/api/v1/cases", headers=token).status_code == 200
    connection.ensure_connection()
    kept = connection.connection
    assert connection.is_usable()
    outage.begin()  # every open connection through the proxy is dropped
    outage.end()
    assert not connection.is_usable()
    # What the server does as each request starts (Django's test client leaves it out): the
    # connection is marked for its health check, which the request's first query runs.
    close_old_connections()
    assert client.get("/api/v1/cases", headers=token).status_code == 200
    assert connection.connection is not kept

"""The back office lists registry rows with identifiers masked, never in clear."""

from __future__ import annotations

import pytest

from gridgov.registry.services import resident_clean, resident_create
from tests.registry.test_residents import ZHANG

pytestmark = pytest.mark.django_db


def test_admin_resident_pages_show_identifiers_masked(world, login):
    resident = resident_create(
        actor=world.admin,
        data=resident_clean(name="张秀英", area=world.grid_a, id_number=ZHANG, phone="13812345678"),
    )
    client = login(world.admin)
    for url in ("/admin/registry/resident/", f"/admin/registry/resident/{resident.pk}/change/"):
        body = client.get(url).content.decode()
        assert "张秀英" in body
        assert ZHANG not in body and "13812345678" not in body
        assert "138****5678" in body

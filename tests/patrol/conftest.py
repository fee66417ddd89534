from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gridgov.cases.models import Category
from gridgov.cases.services import case_report
from gridgov.cases.taxonomy import load_default_taxonomy
from gridgov.cases.workflow import transition

# Two neighbouring grids, 0.01° square each (about 1 km), side by side along the longitude.
GRID_A_RING = [[120.00, 30.00], [120.01, 30.00], [120.01, 30.01], [120.00, 30.01], [120.00, 30.00]]
GRID_B_RING = [[120.01, 30.00], [120.02, 30.00], [120.02, 30.01], [120.01, 30.01], [120.01, 30.00]]


@pytest.fixture
def grids(world):
    world.grid_a.polygon = {"type": "Polygon", "coordinates": [GRID_A_RING]}
    world.grid_a.save(update_fields=["polygon"])
    world.grid_b.polygon = {"type": "Polygon", "coordinates": [GRID_B_RING]}
    world.grid_b.save(update_fields=["polygon"])
    from gridgov.areas.locator import locator

    locator.invalidate()
    return world


@pytest.fixture
def taxonomy(db) -> None:
    load_default_taxonomy(Category)


@pytest.fixture
def hallway(taxonomy) -> Category:
    """楼道杂物: settled in the grid. Calendar time here, so that deadlines are plain sums."""
    category = Category.objects.get(code="0101")
    category.working_time = False
    category.save(update_fields=["working_time"])
    return category


@pytest.fixture
def lift(taxonomy) -> Category:
    """电梯故障: settled in the community, not in the grid."""
    return Category.objects.get(code="0401")


@pytest.fixture
def dispatched(world, hallway):
    """``dispatched(ago=…)``: a resident's case of grid A, accepted and dispatched to grid A's
    queue by the secretary ``ago`` before now."""

    def make(*, ago=datetime.timedelta(0), title="楼道堆放杂物", area=None):
        moment = timezone.now() - ago
        case = case_report(
            actor=world.resident,
            channel="resident",
            category=hallway,
            title=title,
            area=area or world.grid_a,
            at=moment,
        ).case
        case = transition(case=case, action="accept", actor=world.secretary, at=moment)
        return transition(case=case, action="dispatch", actor=world.secretary, at=moment)

    return make


def png_bytes(colour=(200, 30, 30), size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def png(name="photo.png", colour=(200, 30, 30)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(colour), content_type="image/png")


def not_a_photo(name="photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"<html><script>alert(1)</script></html>", "image/jpeg")

"""A problem a grid worker finds on patrol (巡查上报): reported, and taken on by the finder.

The case is created by ``cases.services.case_report`` (channel "patrol"). When the category is
settled in the grid and the place lies in the finder's own grid, the finder takes it on through
the ordinary transitions — accept, dispatch (to themselves, ``guards.is_finder``), claim — so
the timeline and every figure read it like any other case. Otherwise it waits in the dispatch
queue like a resident's report. A case reported during an open patrol is linked to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from gridgov.areas.models import Area
from gridgov.cases.guards import is_finder
from gridgov.cases.models import Case, Category, Channel
from gridgov.cases.services import case_report
from gridgov.cases.workflow import transition
from gridgov.core.files import stored_file_create
from gridgov.core.models import StoredFile
from gridgov.patrol.models import PatrolCase
from gridgov.patrol.services import patrol_link_case


@dataclass(frozen=True)
class FieldReport:
    case: Case
    taken_on: bool
    patrol_link: PatrolCase | None


def patrol_case_report(
    *,
    worker: Any,
    category: Category,
    title: str,
    description: str = "",
    lon: float | None = None,
    lat: float | None = None,
    crs: str = "wgs84",
    area: Area | None = None,
    address: str = "",
    uploads: list[UploadedFile] | tuple[UploadedFile, ...] = (),
    client_key: str | None = None,
) -> FieldReport:
    """Report, link to the open patrol, and take on when the rules allow; all or nothing."""
    stored: list[StoredFile] = []
    try:
        with transaction.atomic():
            for upload in uploads:
                stored.append(stored_file_create(upload=upload, area=None, actor=worker))
            reported = case_report(
                actor=worker,
                channel=Channel.PATROL,
                category=category,
                title=title,
                description=description,
                lon=lon,
                lat=lat,
                crs=crs,
                area=area,
                address=address,
                client_key=client_key,
                photos=stored,
            )
            case = reported.case
            if not reported.created:  # the same form sent twice: the first answer stands
                return FieldReport(case, case.assignee_user_id == worker.pk, _link_of(case))
            link = patrol_link_case(case=case, worker=worker)
            taken_on = False
            if is_finder(worker, case):
                for action in ("accept", "dispatch", "claim"):
                    case = transition(case=case, action=action, actor=worker)
                taken_on = True
    except BaseException:
        for photo in stored:  # the rows are rolled back; their bytes are removed here
            if photo.file.name:
                photo.file.storage.delete(photo.file.name)
        raise
    return FieldReport(case, taken_on, link)


def _link_of(case: Case) -> PatrolCase | None:
    return PatrolCase.objects.filter(case=case).first()

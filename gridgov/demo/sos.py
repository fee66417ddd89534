"""The SOS demo (一键通): an elderly resident living alone in the first grid with a device whose
token the demo prints (a fresh one on every run: only its hash is stored), the resident login
``jumin01`` linked to her (the same phone number) for the phone page, a night duty shift, and a
few past SOS calls handled through the workflow."""

from __future__ import annotations

import datetime

from django.utils import timezone

from gridgov.demo.loader import DemoContext, demo_step

DEVICE_LABEL = "演示一键通"


@demo_step("sos", order=76)
def load_sos(context: DemoContext) -> None:
    from gridgov.cases.workflow import transition
    from gridgov.registry.models import EmergencyContact, Resident, ResidentTag, ResidentTagKind
    from gridgov.sos.models import DutyShift, SosDevice, SosPress
    from gridgov.sos.services import TOKEN_PREFIX, hash_token

    grids = sorted(code for code, area in context.areas.items() if area.level == "grid")
    if not grids:
        return
    grid = context.areas[grids[0]]
    resident = (
        Resident.objects.filter(
            area__code__startswith=grid.code,
            tags__tag=ResidentTagKind.ELDERLY_ALONE,
            moved_out_at__isnull=True,
        )
        .order_by("id")
        .first()
    )
    if resident is None:
        resident = Resident.objects.create(
            area=grid, name="王秀英", phone="13900000001", address=f"{grid.name}1号楼1单元101"
        )
        ResidentTag.objects.get_or_create(resident=resident, tag=ResidentTagKind.ELDERLY_ALONE)
    if not resident.emergency_contacts.exists():
        EmergencyContact.objects.create(
            resident=resident, name="李强", relation="儿子", phone="13900000002"
        )
    # jumin01 is this resident on the phone page: the register matches them on the phone number.
    login = context.users.get("jumin01")
    if login is not None:
        if login.phone and login.phone != resident.phone:
            resident.phone = login.phone
            resident.save(update_fields=["phone", "phone_index", "updated_at"])
        elif not login.phone:
            login.phone = resident.phone
            login.save(update_fields=["phone", "phone_index"])

    import secrets

    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    device = SosDevice.objects.filter(resident=resident, label=DEVICE_LABEL).first()
    if device is None:
        device = SosDevice.objects.create(
            resident=resident,
            label=DEVICE_LABEL,
            token_hash=hash_token(token),
            token_hint=token[:10],
        )
    else:  # a refresh gives the demo device a new token (the old one was never stored)
        SosDevice.objects.filter(pk=device.pk).update(
            token_hash=hash_token(token), token_hint=token[:10], revoked_at=None
        )
    context.notes.append(f"{DEVICE_LABEL} ({resident.name} · {grid.name}): X-Device-Token: {token}")

    worker = context.users.get("wangge001")
    leader = context.users.get("wgz001")
    if leader is not None and not DutyShift.objects.filter(area=grid).exists():
        DutyShift.objects.create(
            area=grid, user=leader, start_time=datetime.time(22, 0), end_time=datetime.time(7, 0)
        )
    if worker is None or SosPress.objects.filter(resident=resident).exists():
        return
    _past_calls(context, resident, worker, transition)


def _past_calls(context: DemoContext, resident, worker, transition) -> None:
    """Three past SOS calls, each answered within minutes and closed after a visit."""
    from gridgov.sos.services import sos_press

    secretary = context.users.get("shequ01")
    results = (
        "老人起夜摔倒，已送医检查，无大碍。",
        "误按，已上门确认老人安好。",
        "老人胸闷，已陪同就医。",
    )
    now = timezone.now()
    for days, result in zip((40, 17, 3), results, strict=True):
        at = now - datetime.timedelta(days=days, hours=days % 5)
        case = sos_press(resident=resident, at=at).case
        if case is None or case.status != "dispatched":
            continue
        handler = case.assignee_user or worker
        case = transition(
            case=case, action="claim", actor=handler, at=at + datetime.timedelta(minutes=2)
        )
        case = transition(
            case=case,
            action="resolve",
            actor=handler,
            result=result,
            at=at + datetime.timedelta(minutes=35),
        )
        if secretary is not None:
            case = transition(
                case=case,
                action="verify",
                actor=secretary,
                passed=True,
                at=at + datetime.timedelta(hours=2),
            )
            transition(
                case=case, action="close", actor=secretary, at=at + datetime.timedelta(hours=2)
            )

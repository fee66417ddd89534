"""Demo data of the resident pages (step 72): a resident who signs in by phone, a few cases of
theirs in different states, and the residents' non-sensitive reports on the public list."""

from __future__ import annotations

from gridgov.cases.models import Case, CaseFollower, CaseStatus, Channel
from gridgov.core.models import User
from gridgov.demo.loader import DemoContext, demo_step

# A fictional number (199 0000 0001); its sign-in code appears in the demo's log output.
DEMO_RESIDENT_PHONE = "19900000001"
DEMO_RESIDENT = "jumin01"
# One of the resident's cases to rate, one being handled, one just reported.
OWN_CASE_STATES = (CaseStatus.CLOSED, CaseStatus.CLAIMED, CaseStatus.REPORTED)


@demo_step("resident", order=72)
def load_resident(context: DemoContext) -> None:
    user = context.users.get(DEMO_RESIDENT) or User.objects.filter(username=DEMO_RESIDENT).first()
    if user is None:
        return
    user.phone = DEMO_RESIDENT_PHONE
    user.save(update_fields=["phone", "phone_index"])
    # Residents' reports of non-sensitive kinds are on the public list, as if each reporter had
    # agreed (the report form's default).
    Case.objects.filter(channel=Channel.RESIDENT, public=False, category__sensitive=False).update(
        public=True
    )
    home = user.assignments.filter(area__isnull=False).select_related("area").first()
    if home is not None and not Case.objects.filter(reporter_user=user).exists():
        for status in OWN_CASE_STATES:
            case = (
                Case.objects.filter(
                    channel=Channel.RESIDENT,
                    status=status,
                    area__code__startswith=home.area.code,
                    reporter_user__isnull=True,
                    category__sensitive=False,
                )
                .order_by("-reported_at")
                .first()
            )
            if case is None:
                continue
            Case.objects.filter(pk=case.pk).update(reporter_user=user, anonymous=False)
            CaseFollower.objects.get_or_create(case=case, user=user)
    # The demo output names the phone beside the resident's login (the code shows in the log).
    note = f"手机 {DEMO_RESIDENT_PHONE} 验证码登录 /m/（验证码见本窗口日志）"
    for login in context.logins:
        if login.username == DEMO_RESIDENT and note not in login.where:
            login.where = f"{login.where} · {note}"

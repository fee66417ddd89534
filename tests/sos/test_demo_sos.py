"""The SOS demo: a device whose token the demo prints and that works, jumin01 on the phone page,
past SOS calls; a refresh gives a new token and adds nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from gridgov.core.models import User
from gridgov.demo.loader import load_demo
from gridgov.sos.models import DutyShift, SosDevice, SosPress
from gridgov.sos.services import resident_of

pytestmark = pytest.mark.django_db


def _token(context) -> str:
    line = next(note for note in context.notes if "X-Device-Token" in note)
    return line.split("X-Device-Token: ", 1)[1]


def test_the_demo_has_a_working_sos_device_linked_resident_and_past_calls():
    context = load_demo(scale=0.02)
    device = SosDevice.objects.get(label="演示一键通")
    assert device.resident.tags.filter(tag="elderly_alone").exists()
    assert resident_of(User.objects.get(username="jumin01")) == device.resident
    past = SosPress.objects.filter(resident=device.resident)
    assert past.count() == 3 and all(p.case.status == "closed" for p in past)
    assert DutyShift.objects.exists()
    response = Client().post(
        "/sos/device/press/",
        data=json.dumps({}),
        content_type="application/json",
        HTTP_X_DEVICE_TOKEN=_token(context),
    )
    assert response.status_code == 201, response.content

    again = load_demo(scale=0.02)
    assert _token(again) != _token(context)
    assert SosDevice.objects.filter(label="演示一键通").count() == 1
    assert SosPress.objects.filter(resident=device.resident).count() == 4


@pytest.mark.slow
def test_bench_sos_prints_its_figure_beside_the_no_op_limit(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRIDGOV_", "DATABASE_URL"))}
    env["GRIDGOV_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "gridgov.cli", "bench", "sos", "--rows", "20", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    figure = json.loads(result.stdout.strip().splitlines()[-1])
    assert figure["name"] == "sos" and figure["presses"] == 20
    assert figure["value"] > 0 and figure["limit_value"] > 0
    # The ratio is printed to three decimals.
    expected = figure["value"] / figure["limit_value"]
    assert figure["ratio"] == pytest.approx(expected, rel=0.01, abs=0.0006)
    assert figure["median_ms"] > 0 and {"cores", "engine"} <= set(figure["machine"])

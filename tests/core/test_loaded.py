"""A web worker freezes what it loads at start (gridgov/core/loaded.py): the garbage collector's
full passes, which stalled a worker for 80-90 ms under load, then walk only what requests create."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.processes import fresh_environment

_SCRIPT = """
import gc, json
import gridgov.wsgi
from django.urls import get_resolver
from django.utils.translation import trans_real
tracked = len(gc.get_objects())
print("RESULT" + json.dumps({
    "frozen": gc.get_freeze_count(),
    "tracked": tracked,
    "resolver_filled": get_resolver()._populated,
    "catalogues": sorted(trans_real._translations),
    "answers": callable(gridgov.wsgi.application),
}))
"""


def test_a_web_worker_freezes_what_it_loaded_and_has_its_urls_and_languages_ready(tmp_path):
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", _SCRIPT],
        env=fresh_environment(tmp_path),
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.split("RESULT", 1)[1])
    assert result["answers"]
    # Django, the apps, every view and both catalogues: well over 50,000 objects, all frozen;
    # a full collection now walks a few hundred at most.
    assert result["frozen"] > 50_000
    assert result["tracked"] < result["frozen"] / 100
    assert result["resolver_filled"]
    assert {"zh-hans", "en"} <= set(result["catalogues"])

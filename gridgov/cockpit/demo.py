"""The demo's rollups: the demo writes its cases in bulk (not through ``case_report``), so the
cockpit's rollups are built from them once they are all there."""

from __future__ import annotations

from gridgov.demo.loader import DemoContext, demo_step


@demo_step("rollups", order=80)
def build_rollups(context: DemoContext) -> None:
    from gridgov.cockpit.rebuild import rebuild

    rebuild()

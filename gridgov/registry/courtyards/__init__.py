"""Courtyard safety (星级院落 · 四色管控): the hazard checklist, the four-colour risk rule, the
inspection and rectification services, and the printable plate with its QR code.

- ``checklist``: the items an inspection checks, with stable codes (stored in InspectionItem.item);
- ``risk``: pure functions deriving the risk colour and the inspection interval (documented in
  docs/courtyard-safety.md, configurable with ``GRIDGOV_COURTYARD_RISK_RULE``);
- ``services``: every write (create, update, inspect, rectify, override, rate, tenant count);
- ``selectors``: the scoped reads behind the pages (list, due inspections, overdue items);
- ``plates``: the A6 plate PDF (one courtyard or every courtyard of an area).
"""

"""The console's modules. Each domain app registers its entries; a module with no entry the
user may open is hidden, so later apps (participation, party, volunteers…) slot in without edits here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise
    url_name: str
    allowed: Callable[[HttpRequest], bool] = lambda request: True


@dataclass
class NavModule:
    key: str
    label: str | Promise
    icon: str
    order: int
    entries: list[NavEntry] = field(default_factory=list)


_MODULES: dict[str, NavModule] = {}


def register_module(key: str, label: str | Promise, icon: str, order: int) -> NavModule:
    module = _MODULES.get(key)
    if module is None:
        module = _MODULES[key] = NavModule(key=key, label=label, icon=icon, order=order)
    return module


def register_entry(module_key: str, entry: NavEntry) -> None:
    module = _MODULES[module_key]
    if all(existing.url_name != entry.url_name for existing in module.entries):
        module.entries.append(entry)


def modules_for(request: HttpRequest) -> list[dict[str, object]]:
    """Modules with at least one entry the user may open, in order, with resolved URLs."""
    visible = []
    for module in sorted(_MODULES.values(), key=lambda m: m.order):
        entries = []
        for entry in module.entries:
            if not entry.allowed(request):
                continue
            try:
                url = reverse(entry.url_name)
            except NoReverseMatch:
                continue  # a page not installed in this deployment: its entry is hidden
            entries.append({"label": entry.label, "url": url, "url_name": entry.url_name})
        if entries:
            visible.append(
                {"key": module.key, "label": module.label, "icon": module.icon, "entries": entries}
            )
    return visible

"""The kinds of exchange sheets, by name: ``get_kind("residents")``."""

from __future__ import annotations

from gridgov.registry.importing.kinds.areas import Areas
from gridgov.registry.importing.kinds.base import Kind
from gridgov.registry.importing.kinds.courtyards import Courtyards
from gridgov.registry.importing.kinds.houses import Houses
from gridgov.registry.importing.kinds.residents import Residents

KINDS: dict[str, Kind] = {
    kind.name: kind for kind in (Areas(), Residents(), Houses(), Courtyards())
}
EXPORTABLE = tuple(name for name, kind in KINDS.items() if kind.exportable)


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise LookupError(name) from None

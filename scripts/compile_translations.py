"""Compile every catalogue (gridgov/locale and gridgov/<app>/locale) into .mo without GNU gettext."""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    count = 0
    for po_path in sorted((ROOT / "gridgov").glob("**/locale/*/LC_MESSAGES/*.po")):
        catalogue = polib.pofile(str(po_path))
        catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
        count += 1
    print(f"translations: {count} catalogues compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main())

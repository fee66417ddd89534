"""Copy the pinned front-end packages from node_modules into gridgov/static/vendor.

The list below is the whole of what pages load from npm; nothing comes from a CDN.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "gridgov" / "static" / "vendor"

# (source under node_modules, destination under static/vendor)
FILES = [
    ("htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"),
    ("leaflet/dist/leaflet.js", "leaflet/leaflet.js"),
    # leaflet.js names its source map; the production profile's hashed static files
    # (collectstatic) refuse a reference to a missing file.
    ("leaflet/dist/leaflet.js.map", "leaflet/leaflet.js.map"),
    ("leaflet/dist/leaflet.css", "leaflet/leaflet.css"),
    ("leaflet/dist/images", "leaflet/images"),
    # The cockpit: charts and the heat layer of the case map.
    ("echarts/dist/echarts.min.js", "echarts/echarts.min.js"),
    ("leaflet.heat/dist/leaflet-heat.js", "leaflet.heat/leaflet-heat.js"),
]


def main() -> int:
    missing = [source for source, _ in FILES if not (NODE_MODULES / source).exists()]
    if missing:
        print("missing in node_modules (run npm ci):", ", ".join(missing), file=sys.stderr)
        return 1
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    for source, destination in FILES:
        target = VENDOR / destination
        target.parent.mkdir(parents=True, exist_ok=True)
        source_path = NODE_MODULES / source
        if source_path.is_dir():
            shutil.copytree(source_path, target)
        else:
            shutil.copy2(source_path, target)
    print(f"assets: {len(FILES)} files into {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

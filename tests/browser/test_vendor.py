"""The committed front-end bundles match the pins they claim to be built from."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "static" / "vendor"
PINS = json.loads((ROOT / "scripts" / "frontend" / "package.json").read_text())["dependencies"]


def test_versions_txt_names_every_pinned_package_at_its_pinned_version() -> None:
    versions = (VENDOR / "VERSIONS.txt").read_text()
    for name, version in PINS.items():
        assert f"{name}@{version} " in versions, f"{name}@{version} missing from VERSIONS.txt"


def test_the_codemirror_bundle_exports_what_the_editor_imports() -> None:
    bundle = (VENDOR / "codemirror.bundle.js").read_text()
    exported = set(re.findall(r"(?:as\s+|export\s*\{|,)\s*([A-Za-z_$][\w$]*)", bundle[-3000:]))
    editor = (ROOT / "static" / "js" / "editor.js").read_text()
    imports = re.search(r"import \{([^}]*)\} from \"\.\./vendor/codemirror\.bundle\.js\"", editor)
    assert imports, "editor.js imports from the bundle"
    for name in (n.strip() for n in imports.group(1).split(",") if n.strip()):
        assert name in exported, f"the bundle does not export {name}"


def test_lightweight_charts_standalone_build_is_vendored() -> None:
    chart = (VENDOR / "lightweight-charts.standalone.production.js").read_text()
    assert "LightweightCharts" in chart[:2000] or "LightweightCharts" in chart[-2000:]
    assert f"Lightweight Charts™ v{PINS['lightweight-charts']}" in chart[:500]
